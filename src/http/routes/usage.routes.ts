// Usage, subscription, the plan catalogue and rate-limit status (SPEC §4, §6.5).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RateLimits } from '../../domain/usage/rate-limits.js';
import type { UsageService } from '../../domain/usage/usage.service.js';
import type { UsageHistoryService } from '../../domain/usage/usage-history.service.js';
import { principalOf } from '../plugins/auth.js';
import { setLimitHeaders } from '../plugins/rate-limit.js';
import * as s from './usage.schema.js';

export function usageRoutes(deps: { usage: UsageService; history: UsageHistoryService; rateLimits: RateLimits }) {
  const { usage, history, rateLimits } = deps;
  return async function (fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/v1/user/me/usage', { schema: s.usageSchema, config: { auth: 'apiKeyOrSession', scope: 'usage.read' } }, async (request) => ({
      success: true as const,
      data: await usage.stats(principalOf(request)),
    }));

    app.get('/v1/usage/history', { schema: s.historySchema, config: { auth: 'apiKeyOrSession', scope: 'usage.read' } }, async (request) => ({
      success: true as const,
      data: await history.history(principalOf(request), request.query.days),
    }));

    app.get('/v1/me/subscription', { schema: s.subscriptionSchema, config: { auth: 'apiKeyOrSession', scope: 'account.read' } }, async (request) => ({
      success: true as const,
      data: await usage.subscription(principalOf(request)),
    }));

    app.get('/v1/billing/plans', { schema: s.plansSchema, config: { auth: 'public' } }, async () => ({ success: true as const, data: await usage.catalogue() }));

    // Outside the budget (it reports without consuming, CONTRACT §8), but it still carries the header
    // families: the read tier, which a GET like this one belongs to, as it stands.
    app.get('/v1/user/me/rate-limits', { schema: s.rateLimitsSchema, config: { auth: 'apiKeyOrSession', scope: 'account.read', rateTier: 'none' } }, async (request, reply) => {
      const p = principalOf(request);
      const status = await rateLimits.status({ key: `u:${p.userId}`, admin: p.role === 'admin' });
      setLimitHeaders(reply, status.read);
      return { success: true as const, data: status };
    });
  };
}
