// The shell: the session decides between the sign-in pages and the app; the app has a sidebar (a tab bar
// on phones), the pages, the upload dialog and the upload panel. It is React Router's one route (main.tsx):
// every path under /app/ comes here and picks its page below.
import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useRef, type ReactNode } from 'react';
import { Icon, type ICONS } from './components/icons';
import { Logo } from './components/logo';
import { Spinner } from './components/ui';
import { useAuth } from './lib/auth';
import { Link, match, navigate, safeNext, useLocation } from './lib/router';
import { Avatar } from './pages/account/avatar-picker';
import { ForgotPage } from './pages/auth/forgot-page';
import { LoginPage } from './pages/auth/login-page';
import { RegisterPage } from './pages/auth/register-page';
import { LibraryPage } from './pages/library/library-page';
import { UploadDialog } from './pages/upload/upload-dialog';
import { UploadPanel } from './pages/upload/upload-panel';
import { UploadProvider, useUploads } from './pages/upload/upload-context';
import { inLibrary } from './pages/library/media-tabs';

// Every page but the library and sign-in loads when first opened: the first paint carries only what it needs.
const AdminPage = lazy(() => import('./pages/account/admin-page').then((m) => ({ default: m.AdminPage })));
const KeysPage = lazy(() => import('./pages/account/keys-page').then((m) => ({ default: m.KeysPage })));
const SettingsPage = lazy(() => import('./pages/account/settings-page').then((m) => ({ default: m.SettingsPage })));
const WebhooksPage = lazy(() => import('./pages/account/webhooks-page').then((m) => ({ default: m.WebhooksPage })));
const UsagePage = lazy(() => import('./pages/account/usage-page').then((m) => ({ default: m.UsagePage })));
const ImagePage = lazy(() => import('./pages/image/image-page').then((m) => ({ default: m.ImagePage })));
const VideoPage = lazy(() => import('./pages/video/video-page').then((m) => ({ default: m.VideoPage })));
const VideosPage = lazy(() => import('./pages/videos/videos-page').then((m) => ({ default: m.VideosPage })));
const AudioListPage = lazy(() => import('./pages/audio/audio-list-page').then((m) => ({ default: m.AudioListPage })));
const AudioPage = lazy(() => import('./pages/audio/audio-page').then((m) => ({ default: m.AudioPage })));
const AlbumsPage = lazy(() => import('./pages/albums/albums-page').then((m) => ({ default: m.AlbumsPage })));
const AlbumPage = lazy(() => import('./pages/albums/album-page').then((m) => ({ default: m.AlbumPage })));
const MediaPage = lazy(() => import('./pages/media/media-page').then((m) => ({ default: m.MediaPage })));

const PUBLIC_PAGES: Record<string, () => ReactNode> = {
  '/login': () => <LoginPage />,
  '/register': () => <RegisterPage />,
  '/forgot': () => <ForgotPage />,
};

const TITLES: Record<string, string> = { '/': 'Library', '/videos': 'Videos', '/audio': 'Audio', '/media': 'All media', '/albums': 'Albums', '/keys': 'API keys', '/usage': 'Usage', '/admin': 'Admin', '/settings': 'Settings', '/webhooks': 'Webhooks', '/login': 'Sign in', '/register': 'Create account', '/forgot': 'Reset password' };

const NAV: Array<{ to: string; label: string; icon: keyof typeof ICONS; admin?: boolean }> = [
  { to: '/', label: 'Library', icon: 'image' },
  { to: '/albums', label: 'Albums', icon: 'album' },
  { to: '/keys', label: 'API keys', icon: 'key' },
  { to: '/usage', label: 'Usage', icon: 'chart' },
  { to: '/webhooks', label: 'Webhooks', icon: 'bell' },
  { to: '/admin', label: 'Admin', icon: 'shield', admin: true },
  { to: '/settings', label: 'Settings', icon: 'gear' },
];

function Shell({ children, path }: { children: ReactNode; path: string }) {
  const { user } = useAuth();
  const uploads = useUploads();
  const items = NAV.filter((n) => !n.admin || user?.role === 'admin');
  const current = (to: string) => (to === '/' ? inLibrary(path) : path.startsWith(to));
  return (
    <div className="shell">
      <a href="#main" className="skip-link">Skip to content</a>
      <nav className="sidebar" aria-label="Main">
        <Link to="/" className="brand"><Logo /><span>Picora</span></Link>
        <button type="button" className="btn btn-primary sidebar-upload" aria-label="Upload" onClick={() => uploads.setDialogOpen(true)}>
          <Icon name="upload" /> <span>Upload</span>
        </button>
        <ul>
          {items.map((n) => (
            <li key={n.to}>
              <Link to={n.to} className="nav-link" aria-current={current(n.to) ? 'page' : undefined}>
                <Icon name={n.icon} />
                <span>{n.label}</span>
              </Link>
            </li>
          ))}
        </ul>
        <div className="sidebar-user muted small" title={user?.email ?? ''}>
          {user && <Avatar user={user} size={24} />} <span className="truncate">{user?.nickname || user?.email}</span> <span className="badge">{user?.plan}</span>
        </div>
      </nav>
      <main id="main" className="main" tabIndex={-1}>
        <Suspense fallback={<div className="page"><Spinner /></div>}>{children}</Suspense>
      </main>
      <UploadDialog />
      <UploadPanel />
    </div>
  );
}

function AppPage({ path }: { path: string }) {
  const image = match('/images/:id', path);
  if (image) return <ImagePage id={image['id']!} />;
  const video = match('/videos/:id', path);
  if (video) return <VideoPage id={video['id']!} />;
  const audio = match('/audio/:id', path);
  if (audio) return <AudioPage id={audio['id']!} />;
  const album = match('/albums/:id', path);
  if (album) return <AlbumPage id={album['id']!} />;
  switch (path) {
    case '/': return <LibraryPage />;
    case '/videos': return <VideosPage />;
    case '/audio': return <AudioListPage />;
    case '/media': return <MediaPage />;
    case '/albums': return <AlbumsPage />;
    case '/keys': return <KeysPage />;
    case '/usage': return <UsagePage />;
    case '/admin': return <AdminPage />;
    case '/settings': return <SettingsPage />;
    case '/webhooks': return <WebhooksPage />;
    default:
      return (
        <div className="page">
          <h1>Page not found</h1>
          <p className="muted">There is nothing at this address. <Link to="/">Go to your library</Link>.</p>
        </div>
      );
  }
}

export function App() {
  const { status } = useAuth();
  const queryClient = useQueryClient();
  const { path, query } = useLocation();
  const search = query.toString();
  const next = query.get('next');
  const isPublic = path in PUBLIC_PAGES;

  useEffect(() => {
    document.title = `${TITLES[path] ?? (path.startsWith('/images/') ? 'Image' : path.startsWith('/videos/') ? 'Video' : path.startsWith('/audio/') ? 'Audio' : path.startsWith('/albums/') ? 'Album' : 'Picora')} · Picora`;
  }, [path]);

  // After an in-app navigation, move keyboard and screen-reader focus to the new page's heading — once it is
  // there: a page loads its code and its data first (a spinner has no heading), so wait for it a moment.
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    // the shown heading: a page waiting for its code stays in the document, hidden, behind the spinner
    const focusHeading = (): boolean => {
      const heading = [...document.querySelectorAll<HTMLElement>('main h1, h1')].find((h) => h.getClientRects().length > 0);
      if (!heading) return false;
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
      return document.activeElement === heading;
    };
    let observer: MutationObserver | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      if (focusHeading()) return;
      observer = new MutationObserver(() => focusHeading() && stop());
      observer.observe(document.body, { childList: true, subtree: true });
      timer = setTimeout(stop, 5000);
    });
    const stop = () => {
      observer?.disconnect();
      clearTimeout(timer);
    };
    return () => {
      cancelAnimationFrame(frame);
      stop();
    };
  }, [path]);

  // signed out (or the session lost): nothing the last account loaded stays in memory
  useEffect(() => {
    if (status === 'anon') queryClient.clear();
  }, [status, queryClient]);

  useEffect(() => {
    // the whole address (a filtered view, a tab) survives the sign-in; a signed-in visit to /login goes on to it
    const here = `${path}${search ? `?${search}` : ''}`;
    if (status === 'anon' && !isPublic) navigate(`/login${here !== '/' ? `?next=${encodeURIComponent(here)}` : ''}`, { replace: true });
    if (status === 'authed' && isPublic) navigate(safeNext(next), { replace: true });
  }, [status, isPublic, path, search, next]);

  if (status === 'loading') return <div className="boot"><Spinner label="Opening Picora…" /></div>;
  if (status === 'anon') return isPublic ? <>{PUBLIC_PAGES[path]!()}</> : null;
  if (isPublic) return null;
  return (
    <UploadProvider>
      <Shell path={path}>
        <AppPage path={path} />
      </Shell>
    </UploadProvider>
  );
}
