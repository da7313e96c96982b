// Turns an Authorization header into a Principal: `sk_live_…` is an API key, anything else a JWT.
import { AppError } from '../errors/app-error.js';
import type { ApiKeysRepo } from '../db/repos/api-keys.repo.js';
import type { SessionsRepo } from '../db/repos/sessions.repo.js';
import type { UsersRepo } from '../db/repos/users.repo.js';
import type { Clock } from '../lib/clock.js';
import { sha256Hex } from '../lib/hashing.js';
import type { Principal } from './principal.js';
import { normaliseScopes } from './scopes.js';
import { API_KEY_PATTERN, type TokenSigner } from './tokens.js';

const LAST_USED_GRANULARITY_MS = 60_000;

type Deps = { users: UsersRepo; sessions: SessionsRepo; apiKeys: ApiKeysRepo; signer: TokenSigner; clock: Clock; onError?: (err: unknown) => void };

export function createAuthenticator(deps: Deps) {
  const { users, sessions, apiKeys, signer, clock } = deps;

  async function fromApiKey(key: string): Promise<Principal> {
    if (!API_KEY_PATTERN.test(key)) throw new AppError('UNAUTHORIZED', 'Invalid API key format');
    const row = await apiKeys.findByHash(sha256Hex(key));
    if (!row) throw new AppError('UNAUTHORIZED', 'Invalid API key');
    if (row.revokedAt !== null) throw new AppError('API_KEY_REVOKED');
    const user = await users.findById(row.userId);
    if (!user || user.isActive !== 1) throw new AppError('UNAUTHORIZED', 'Invalid API key');
    const now = clock.now();
    if (row.lastUsedAt === null || row.lastUsedAt < now - LAST_USED_GRANULARITY_MS) {
      apiKeys.touch(row.id, now, now - LAST_USED_GRANULARITY_MS).catch((err) => deps.onError?.(err));
    }
    const { scopes } = normaliseScopes(JSON.parse(row.scopes) as string[]);
    return { userId: user.id, plan: user.plan, role: user.role, authType: 'apiKey', apiKeyId: row.id, scopes: new Set(scopes) };
  }

  async function fromJwt(token: string): Promise<Principal> {
    const verdict = await signer.verify(token);
    if (!verdict.ok) {
      throw verdict.reason === 'expired' ? new AppError('TOKEN_EXPIRED') : new AppError('UNAUTHORIZED', 'Invalid access token');
    }
    const [user, family] = await Promise.all([users.findById(verdict.claims.userId), sessions.findFamily(verdict.claims.sessionId)]);
    if (!user || user.isActive !== 1) throw new AppError('UNAUTHORIZED', 'Invalid access token');
    if (!family || family.userId !== user.id || family.revokedAt !== null) throw new AppError('UNAUTHORIZED', 'Session has been signed out');
    return { userId: user.id, plan: user.plan, role: user.role, authType: 'jwt', sessionId: family.id, scopes: 'all' };
  }

  return {
    /** Undefined when no credentials were sent; throws UNAUTHORIZED/API_KEY_REVOKED/TOKEN_EXPIRED when they are bad. */
    async authenticate(authorization: string | undefined): Promise<Principal | undefined> {
      if (authorization === undefined || authorization === '') return undefined;
      const match = /^Bearer[ \t]+(\S{1,4096})[ \t]*$/i.exec(authorization);
      if (!match) throw new AppError('UNAUTHORIZED', 'Authorization header must be "Bearer <API key or access token>"');
      const credential = match[1]!;
      return credential.startsWith('sk_') ? fromApiKey(credential) : fromJwt(credential);
    },
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
