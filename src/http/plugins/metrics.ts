// Request metrics for every answer, and GET /metrics in the Prometheus text format.
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../observability/metrics.js';

export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.addHook('onError', async (_request, _reply, error) => {
    const e = error as { code?: string; meta?: { type?: string } };
    if (e.code === 'QUOTA_EXCEEDED' && e.meta?.type) metrics.quotaRejections.inc({ type: e.meta.type });
  });
  app.get('/metrics', { schema: { hide: true }, config: { rateTier: 'none' } }, async (_request, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
