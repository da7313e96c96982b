// The rate-limit hook: runs after auth, picks the route's tier, consumes one request and sets both header
// families (RateLimit-* and X-RateLimit-*) on the answer, 429s included.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../../errors/app-error.js';
import type { LimitState, RateLimits, Tier } from '../../domain/usage/rate-limits.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The rate tier; 'none' for routes outside the API budget (health, docs, media delivery). */
    rateTier?: Tier | 'none';
  }
}

function tierOf(request: FastifyRequest): Tier | 'none' {
  const config = request.routeOptions.config;
  if (config?.rateTier) return config.rateTier;
  const url = request.routeOptions.url ?? '';
  if (url.startsWith('/v1/auth/')) return 'auth';
  if (!url.startsWith('/v1/')) return 'none';
  return request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'mutation';
}

export function setLimitHeaders(reply: FastifyReply, s: LimitState): void {
  const values = { limit: String(s.limit), remaining: String(s.remaining), reset: String(s.resetSeconds) };
  reply.header('ratelimit-limit', values.limit);
  reply.header('ratelimit-remaining', values.remaining);
  reply.header('ratelimit-reset', values.reset);
  reply.header('x-ratelimit-limit', values.limit);
  reply.header('x-ratelimit-remaining', values.remaining);
  reply.header('x-ratelimit-reset', values.reset);
}

export function registerRateLimit(app: FastifyInstance, limits: RateLimits, onRejected?: (tier: string) => void): void {
  app.addHook('onRequest', async (request, reply) => {
    const tier = tierOf(request);
    if (tier === 'none' || !request.routeOptions.url) return;
    const p = request.principal;
    const subject =
      tier === 'auth' || !p
        ? { key: `ip:${request.ip}`, admin: false, account: false }
        : { key: `u:${p.userId}`, admin: p.role === 'admin', account: true };
    try {
      setLimitHeaders(reply, await limits.consume(tier, subject));
    } catch (err) {
      if (isAppError(err) && err.code === 'RATE_LIMITED') onRejected?.(String(err.meta?.['tier'] ?? tier));
      throw err;
    }
  });
}
