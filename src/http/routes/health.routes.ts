// Liveness (/health) and readiness (/ready: database and store answer).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

/** `optional` checks are reported but do not make the instance unready (Redis: limits fall back per instance). */
export type ReadinessCheck = { name: string; check: () => Promise<void>; optional?: boolean };

export function healthRoutes(deps: { version: string; checks: ReadinessCheck[]; now: () => number }) {
  return async function (fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/health',
      { schema: { tags: ['system'], response: { 200: Type.Object({ ok: Type.Boolean(), ts: Type.String(), version: Type.String() }) } } },
      async () => ({ ok: true, ts: new Date(deps.now()).toISOString(), version: deps.version }),
    );
    app.get('/ready', { schema: { tags: ['system'] } }, async (_request, reply) => {
      const results = await Promise.all(
        deps.checks.map(async (c) => {
          try {
            await withTimeout(c.check(), 3000);
            return [c.name, 'ok', c.optional] as const;
          } catch {
            return [c.name, c.optional ? 'degraded' : 'failing', c.optional] as const;
          }
        }),
      );
      const ok = results.every(([, r]) => r !== 'failing');
      return reply.status(ok ? 200 : 503).send({ ok, checks: Object.fromEntries(results.map(([n, r]) => [n, r])) });
    });
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}
