// /v1/domains: custom domains (SPEC §14): add, list, verify the CNAME, delete.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { DomainsService } from '../../domain/domains/domains.service.js';
import { presentDomain } from '../../domain/domains/domain-presenter.js';
import { principalOf } from '../plugins/auth.js';
import * as s from './domains.schema.js';

export function domainRoutes(deps: { domains: DomainsService }) {
  const { domains } = deps;
  const present = (row: Parameters<typeof presentDomain>[0]) => presentDomain(row, domains.cnameTarget, domains.instructions(row.host));

  return async function (fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const read = { auth: 'apiKeyOrSession' as const, scope: 'account.read' as const };
    const write = { auth: 'session' as const };

    app.post('/v1/domains', { schema: s.createSchema, config: write }, async (request, reply) =>
      reply.status(201).send({ success: true as const, data: present(await domains.create(principalOf(request), request.body.host)) }));

    app.get('/v1/domains', { schema: s.listSchema, config: read }, async (request) => ({
      success: true as const,
      data: (await domains.list(principalOf(request))).map(present),
    }));

    app.post('/v1/domains/:id/verify', { schema: s.verifySchema, config: write }, async (request) => ({
      success: true as const,
      data: await domains.verify(principalOf(request), request.params.id),
    }));

    app.delete('/v1/domains/:id', { schema: s.deleteSchema, config: write }, async (request) => {
      await domains.remove(principalOf(request), request.params.id);
      return { success: true as const, data: null };
    });
  };
}
