// The one place the CLI talks HTTP: the public API's envelope ({success, data} | {success:false, error, code}),
// errors mapped to exit codes, and 429s retried after Retry-After (at most MAX_RETRIES times).
import { CliError, EXIT, type ExitCode } from './exit-codes.js';

export const MAX_RETRIES = 5;
const NETWORK_STATUSES = new Set([502, 503, 504]);

export type RequestOptions = {
  method?: string;
  token?: string;
  json?: unknown;
  /** A body built per attempt (a retry needs a fresh stream). */
  body?: () => { body: BodyInit; headers: Record<string, string> };
  /** Called before waiting out a 429. */
  onRetry?: (waitSeconds: number, attempt: number) => void;
  /** Give up instead of waiting when the server asks for more than this many seconds. */
  maxWaitSeconds?: number;
  timeoutMs?: number;
};

export type ApiResponse<T> = { status: number; data: T; headers: Headers };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function exitCodeFor(status: number, code: string | undefined): ExitCode {
  if (status === 401 || (status === 403 && code === 'FORBIDDEN')) return EXIT.auth;
  if (NETWORK_STATUSES.has(status)) return EXIT.network;
  return EXIT.api;
}

/** Seconds to wait from a Retry-After header (delta seconds or an HTTP date); 1 when absent or unreadable. */
export function retryAfterSeconds(value: string | null): number {
  if (!value) return 1;
  const n = Number(value);
  if (Number.isFinite(n) && n >= 0) return Math.ceil(n);
  const at = Date.parse(value);
  return Number.isNaN(at) ? 1 : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function networkError(url: string, err: unknown): CliError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (err as Error).message;
  if ((err as Error).name === 'TimeoutError') return new CliError(`${url}: the server did not answer in time`, EXIT.network, 'TIMEOUT');
  return new CliError(`cannot reach ${url}: ${reason}`, EXIT.network, cause?.code);
}

export function createApiClient(baseUrl: string) {
  async function request<T>(pathname: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
    const url = `${baseUrl}${pathname}`;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'picora-cli' };
      if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
      const init: RequestInit & { duplex?: 'half' } = { method: opts.method ?? 'GET', headers };
      if (opts.json !== undefined) {
        headers['content-type'] = 'application/json';
        init.body = JSON.stringify(opts.json);
      } else if (opts.body) {
        const b = opts.body();
        Object.assign(headers, b.headers);
        init.body = b.body;
        init.duplex = 'half';
      }
      if (opts.timeoutMs) init.signal = AbortSignal.timeout(opts.timeoutMs);
      let res: Response;
      try {
        res = await fetch(url, init);
      } catch (err) {
        throw networkError(baseUrl, err);
      }
      const text = await res.text().catch((err: unknown) => {
        throw networkError(baseUrl, err);
      });
      let body: { success?: boolean; data?: unknown; error?: unknown; code?: unknown } | undefined;
      try {
        body = text ? (JSON.parse(text) as typeof body) : undefined;
      } catch {
        body = undefined;
      }
      if (res.status === 429 && attempt < MAX_RETRIES) {
        const wait = retryAfterSeconds(res.headers.get('retry-after'));
        if (opts.maxWaitSeconds === undefined || wait <= opts.maxWaitSeconds) {
          opts.onRetry?.(wait, attempt + 1);
          await sleep(wait * 1000);
          continue;
        }
      }
      if (res.ok && body && body.success !== false) return { status: res.status, data: body.data as T, headers: res.headers };
      const code = typeof body?.code === 'string' ? body.code : undefined;
      const message = typeof body?.error === 'string' ? body.error : `HTTP ${res.status}${body ? '' : ` from ${url} (not a Picora API answer)`}`;
      throw new CliError(message, exitCodeFor(res.status, code), code, res.status);
    }
  }
  return { baseUrl, request };
}

export type ApiClient = ReturnType<typeof createApiClient>;
