// Request metrics for every answer, and GET /metrics in the Prometheus text format.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { safeEqual } from '../../lib/hashing.js';
import type { Metrics } from '../../observability/metrics.js';

/** `token`: when set, /metrics answers only `Authorization: Bearer <token>` (compared in constant time). */
export function registerMetrics(app: FastifyInstance, metrics: Metrics, token?: string): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.addHook('onError', async (_request, _reply, error) => {
    const e = error as { code?: string; meta?: { type?: string } };
    if (e.code === 'QUOTA_EXCEEDED' && e.meta?.type) metrics.quotaRejections.inc({ type: e.meta.type });
  });
  app.get('/metrics', { schema: { hide: true }, config: { rateTier: 'none' } }, async (request, reply) => {
    if (token && !safeEqual(request.headers.authorization ?? '', `Bearer ${token}`)) {
      throw new AppError('UNAUTHORIZED', 'Metrics need "Authorization: Bearer <PICORA_METRICS_TOKEN>"');
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
