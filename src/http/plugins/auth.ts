// The one auth hook. Each route declares `config.auth` (public | optional | session | apiKeyOrSession)
// and optionally `config.scope`; this hook resolves the Principal and enforces both. Credentials that fail
// cost their address one unit of its failed-credential budget; a spent address gets 429 for any credentials.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../../errors/app-error.js';
import type { Authenticator } from '../../auth/authenticator.js';
import { hasScope, type AuthMode, type Principal } from '../../auth/principal.js';
import type { StoredScope } from '../../auth/scopes.js';
import type { RateLimits } from '../../domain/usage/rate-limits.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthMode;
    scope?: StoredScope;
    adminOnly?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

type CredentialBudget = Pick<RateLimits, 'assertCredentialsAllowed' | 'recordFailedCredentials'>;

export function registerAuth(app: FastifyInstance, authenticator: Authenticator, budget: CredentialBudget, onRejected?: (tier: string) => void): void {
  /** Authenticates under the address's failed-credential budget. An expired access token is not counted: it was genuine. */
  async function authenticate(request: FastifyRequest): Promise<Principal | undefined> {
    const { authorization } = request.headers;
    if (!authorization) return undefined;
    try {
      await budget.assertCredentialsAllowed(request.ip);
    } catch (err) {
      onRejected?.('failed_auth');
      throw err;
    }
    try {
      return await authenticator.authenticate(authorization);
    } catch (err) {
      if (isAppError(err) && err.code !== 'TOKEN_EXPIRED') await budget.recordFailedCredentials(request.ip);
      throw err;
    }
  }

  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    const mode = config?.auth ?? 'public';
    if (mode === 'public') return;
    const principal = await authenticate(request);
    request.principal = principal;
    if (mode === 'optional') return;
    if (!principal) throw new AppError('UNAUTHORIZED', 'Missing Authorization header: send "Bearer sk_live_…" or an access token');
    if (mode === 'session' && principal.authType !== 'jwt') {
      throw new AppError('FORBIDDEN', 'This endpoint needs a signed-in session; API keys cannot use it');
    }
    if (config.scope && !hasScope(principal, config.scope)) {
      throw new AppError('FORBIDDEN', `This API key lacks the ${config.scope} scope`, { requiredScope: config.scope });
    }
    if (config.adminOnly && principal.role !== 'admin') throw new AppError('FORBIDDEN', 'Admin role required');
  });
}

/** The principal of an authenticated route (the hook guarantees it). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('UNAUTHORIZED');
  return request.principal;
}
