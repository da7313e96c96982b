// Sessions for the few endpoints that refuse API keys (listing and revoking keys): the refresh token stored
// at login is rotated into a short-lived access token, and the rotated refresh token is stored again.
import { createApiClient } from './api-client.js';
import { readConfig, writeConfig, type StoredConfig } from './config-store.js';
import { CliError, EXIT } from './exit-codes.js';

export const REFRESH_COOKIE = 'refresh_token';

/** The refresh token out of a login answer's Set-Cookie headers. */
export function refreshTokenFrom(headers: Headers): string | undefined {
  for (const cookie of headers.getSetCookie()) {
    const [pair] = cookie.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (pair && eq > 0 && pair.slice(0, eq).trim() === REFRESH_COOKIE) return decodeURIComponent(pair.slice(eq + 1).trim());
  }
  return undefined;
}

/** An access token for the stored login; exit 3 when there is no stored session or it has expired. */
export async function openSession(why: string): Promise<{ config: StoredConfig; accessToken: string }> {
  const config = await readConfig();
  if (!config?.refreshToken) {
    throw new CliError(`${why} needs a signed-in session, which an API key cannot open: run \`picora login\` first`, EXIT.auth);
  }
  const api = createApiClient(config.url);
  let data: { accessToken: string; refreshToken?: string };
  try {
    ({ data } = await api.request<{ accessToken: string; refreshToken?: string }>('/v1/auth/refresh', {
      method: 'POST',
      json: { refreshToken: config.refreshToken },
      timeoutMs: 30_000,
    }));
  } catch (err) {
    if (err instanceof CliError && err.exitCode === EXIT.auth) {
      throw new CliError(`the stored session has expired or was revoked (${err.message}): run \`picora login\` again`, EXIT.auth, err.code, err.status);
    }
    throw err;
  }
  const next = { ...config, refreshToken: data.refreshToken ?? config.refreshToken };
  await writeConfig(next);
  return { config: next, accessToken: data.accessToken };
}
