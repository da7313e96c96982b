// The library's type tabs: images, videos, audio, or everything together. Each is its own address, so a
// tab can be bookmarked and Back returns to it.
import { Link, useLocation } from '../../lib/router';

export const LIBRARY_TABS = [
  { to: '/', label: 'Images' },
  { to: '/videos', label: 'Videos' },
  { to: '/audio', label: 'Audio' },
  { to: '/media', label: 'All' },
] as const;

/** Whether a path belongs to the library (a tab, or one item's page). */
export const inLibrary = (path: string): boolean =>
  LIBRARY_TABS.some((t) => t.to === path) || /^\/(images|videos|audio)\//.test(path);

export function MediaTabs() {
  const { path } = useLocation();
  return (
    <nav className="tabs" aria-label="Media type">
      {LIBRARY_TABS.map((t) => (
        <Link key={t.to} to={t.to} className="tab" aria-current={path === t.to ? 'page' : undefined}>
          {t.label}
        </Link>
      ))}
    </nav>
  );
}
