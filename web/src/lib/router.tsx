// The app's routing under /app/, on React Router's data router (history, scroll restoration on back/forward,
// links): paths inside the app are written without the base ("/images/abc"). The pages import only this file.
import { useMemo, type AnchorHTMLAttributes } from 'react';
import { createBrowserRouter, Link as RouterLink, useLocation as useRouterLocation, type RouteObject } from 'react-router';

export const BASE = '/app';

type AppRouter = ReturnType<typeof createBrowserRouter>;
let router: AppRouter | null = null;

/** Builds the one router (main.tsx renders it); `navigate` and `setQuery` go through it. The base keeps its
 * trailing slash so the library stays at /app/ (the server sends /app there). */
export function createAppRouter(routes: RouteObject[]): AppRouter {
  router = createBrowserRouter(routes, { basename: `${BASE}/` });
  return router;
}

function current(): AppRouter {
  if (!router) throw new Error('createAppRouter() has not run yet');
  return router;
}

/** An address bar path ("/app/images/abc") as a path inside the app ("/images/abc"). */
const inApp = (pathname: string): string => (pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname).replace(/\/+$/, '') || '/';

const withSlash = (to: string): string => (to.startsWith('/') ? to : `/${to}`);

/** The current in-app path ("/images/abc") and its query. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const { pathname, search } = useRouterLocation();
  return useMemo(() => ({ path: pathname.replace(/\/+$/, '') || '/', query: new URLSearchParams(search) }), [pathname, search]);
}

export function href(to: string): string {
  return BASE + withSlash(to);
}

/** A new history entry (the page starts at the top), or `replace` the current one. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const r = current();
  const { pathname, search } = r.state.location;
  if (withSlash(to) === `${inApp(pathname)}${search}`) return;
  void r.navigate(withSlash(to), { replace: !!opts.replace });
}

/** Where to go after signing in: `next` when it is a path inside the app (never another site), else the library. */
export const safeNext = (next: string | null): string => (next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/');

/** Replaces the query of the current URL (filters, search) without a new history entry or a jump to the top. */
export function setQuery(params: Record<string, string | undefined>): void {
  const r = current();
  const { pathname, search } = r.state.location;
  const q = new URLSearchParams(search);
  for (const [k, v] of Object.entries(params)) {
    if (v) q.set(k, v);
    else q.delete(k);
  }
  const s = q.toString();
  void r.navigate({ pathname: inApp(pathname), search: s ? `?${s}` : '' }, { replace: true, preventScrollReset: true });
}

/** Matches "/images/:id" against a path; the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const s = path.split('/');
  if (p.length !== s.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    if (seg.startsWith(':')) out[seg.slice(1)] = decodeURIComponent(s[i]!);
    else if (seg !== s[i]) return null;
  }
  return out;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

/** An in-app link: a plain click navigates in place (the `onClick` may prevent it); modified clicks open a tab. */
export function Link({ to, ...rest }: LinkProps) {
  return <RouterLink to={withSlash(to)} {...rest} />;
}
