// The shell: the session decides between the sign-in pages and the app; the app has a sidebar (a tab bar
// on phones), the pages, the upload dialog and the upload panel.
import { useEffect, useRef, type ReactNode } from 'react';
import { Icon, type ICONS } from './components/icons';
import { Logo } from './components/logo';
import { Spinner } from './components/ui';
import { useAuth } from './lib/auth';
import { Link, match, navigate, useLocation } from './lib/router';
import { AdminPage } from './pages/account/admin-page';
import { Avatar } from './pages/account/avatar-picker';
import { KeysPage } from './pages/account/keys-page';
import { SettingsPage } from './pages/account/settings-page';
import { WebhooksPage } from './pages/account/webhooks-page';
import { UsagePage } from './pages/account/usage-page';
import { ForgotPage } from './pages/auth/forgot-page';
import { LoginPage } from './pages/auth/login-page';
import { RegisterPage } from './pages/auth/register-page';
import { ImagePage } from './pages/image/image-page';
import { LibraryPage } from './pages/library/library-page';
import { UploadDialog } from './pages/upload/upload-dialog';
import { UploadPanel } from './pages/upload/upload-panel';
import { UploadProvider, useUploads } from './pages/upload/upload-context';
import { VideoPage } from './pages/video/video-page';
import { VideosPage } from './pages/videos/videos-page';
import { AudioListPage } from './pages/audio/audio-list-page';
import { AudioPage } from './pages/audio/audio-page';
import { inLibrary } from './pages/library/media-tabs';
import { MediaPage } from './pages/media/media-page';

const PUBLIC_PAGES: Record<string, () => ReactNode> = {
  '/login': () => <LoginPage />,
  '/register': () => <RegisterPage />,
  '/forgot': () => <ForgotPage />,
};

const TITLES: Record<string, string> = { '/': 'Library', '/videos': 'Videos', '/audio': 'Audio', '/media': 'All media', '/keys': 'API keys', '/usage': 'Usage', '/admin': 'Admin', '/settings': 'Settings', '/webhooks': 'Webhooks', '/login': 'Sign in', '/register': 'Create account', '/forgot': 'Reset password' };

const NAV: Array<{ to: string; label: string; icon: keyof typeof ICONS; admin?: boolean }> = [
  { to: '/', label: 'Library', icon: 'image' },
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
        <button type="button" className="btn btn-primary sidebar-upload" onClick={() => uploads.setDialogOpen(true)}>
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
      <main id="main" className="main" tabIndex={-1}>{children}</main>
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
  switch (path) {
    case '/': return <LibraryPage />;
    case '/videos': return <VideosPage />;
    case '/audio': return <AudioListPage />;
    case '/media': return <MediaPage />;
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
  const { path } = useLocation();
  const isPublic = path in PUBLIC_PAGES;

  useEffect(() => {
    document.title = `${TITLES[path] ?? (path.startsWith('/images/') ? 'Image' : path.startsWith('/videos/') ? 'Video' : path.startsWith('/audio/') ? 'Audio' : 'Picora')} · Picora`;
  }, [path]);

  // After an in-app navigation, move keyboard and screen-reader focus to the new page's heading.
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    const frame = requestAnimationFrame(() => {
      const heading = document.querySelector<HTMLElement>('main h1, h1');
      if (!heading) return;
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    });
    return () => cancelAnimationFrame(frame);
  }, [path]);

  useEffect(() => {
    if (status === 'anon' && !isPublic) navigate(`/login${path !== '/' ? `?next=${encodeURIComponent(path)}` : ''}`, { replace: true });
    if (status === 'authed' && isPublic) navigate('/', { replace: true });
  }, [status, isPublic, path]);

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
