// The one way the dashboard talks to the API: the access token lives in memory only; the refresh token is
// the httpOnly cookie (Path=/v1/auth). A 401 triggers one refresh (shared by concurrent callers), then one retry.

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly meta: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get retryAfterSec(): number | undefined {
    const v = this.meta['retryAfterSec'];
    return typeof v === 'number' ? v : undefined;
  }
}

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
let sessionLost: () => void = () => {};

export const getAccessToken = (): string | null => accessToken;
export const setAccessToken = (token: string | null): void => void (accessToken = token);
export const onSessionLost = (fn: () => void): void => void (sessionLost = fn);

/** Trades the refresh cookie for a new access token; concurrent callers share one request. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= fetch('/v1/auth/refresh', { method: 'POST', credentials: 'same-origin' })
    .then(async (res) => {
      if (!res.ok) {
        accessToken = null;
        return false;
      }
      const body = (await res.json()) as { data: { accessToken: string } };
      accessToken = body.data.accessToken;
      return true;
    })
    .catch(() => false)
    .finally(() => void (refreshing = null));
  return refreshing;
}

/** Reads the API's envelope: the data on success, an ApiError otherwise. */
export async function readEnvelope<T>(res: Response): Promise<T> {
  let body: { success?: boolean; data?: T; error?: string; code?: string; meta?: Record<string, unknown> } | undefined;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (res.ok && body?.success) return body.data as T;
  const meta = { ...(body?.meta ?? {}) };
  const retryAfter = Number(res.headers.get('retry-after'));
  if (meta['retryAfterSec'] === undefined && retryAfter > 0) meta['retryAfterSec'] = retryAfter;
  throw new ApiError(body?.error ?? `The server answered ${res.status}`, res.status, body?.code ?? 'INTERNAL', meta);
}

export const isAuthFailure = (status: number, code: string | undefined): boolean =>
  status === 401 && (code === undefined || code === 'UNAUTHORIZED' || code === 'TOKEN_EXPIRED');

type Options = { method?: string; body?: unknown; query?: Record<string, string | number | undefined>; auth?: boolean; signal?: AbortSignal };

export async function api<T>(path: string, opts: Options = {}): Promise<T> {
  const { method = 'GET', body, query, auth = true, signal } = opts;
  const qs = query
    ? new URLSearchParams(Object.entries(query).flatMap(([k, v]) => (v === undefined || v === '' ? [] : [[k, String(v)]]))).toString()
    : '';
  const url = qs ? `${path}?${qs}` : path;
  const send = () => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth && accessToken) headers['authorization'] = `Bearer ${accessToken}`;
    return fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', signal });
  };
  let res = await send();
  if (auth && res.status === 401) {
    if (await refreshSession()) res = await send();
    else {
      sessionLost();
      throw new ApiError('Your session has ended: sign in again', 401, 'UNAUTHORIZED');
    }
  }
  return readEnvelope<T>(res);
}

/** Fetches a media URL with the session (private images): an object URL the caller must revoke. */
export async function fetchMediaBlob(url: string, signal?: AbortSignal): Promise<{ url: string; size: number; type: string }> {
  const send = () => fetch(url, { headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {}, signal });
  let res = await send();
  if (res.status === 401 && (await refreshSession())) res = await send();
  if (!res.ok) await readEnvelope(res);
  const blob = await res.blob();
  return { url: URL.createObjectURL(blob), size: blob.size, type: blob.type };
}
