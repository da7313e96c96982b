// /v1/webhooks: outbound webhook endpoints (create, list, get, update, delete, rotate the secret, test-send, the
// delivery log). Changes need a session (like domains and keys); reading works with a key's account.read.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { WebhooksService } from '../../domain/webhooks/webhooks.service.js';
import { presentDelivery, presentWebhook } from '../../domain/webhooks/webhook-presenter.js';
import { principalOf } from '../plugins/auth.js';
import * as s from './webhooks.schema.js';

export function webhookRoutes(deps: { webhooks: WebhooksService }) {
  const { webhooks } = deps;

  return async function (fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const read = { auth: 'apiKeyOrSession' as const, scope: 'account.read' as const };
    const write = { auth: 'session' as const };

    app.post('/v1/webhooks', { schema: s.createSchema, config: write }, async (request, reply) => {
      const row = await webhooks.create(principalOf(request), request.body);
      return reply.status(201).send({ success: true as const, data: presentWebhook(row, webhooks.secretOf(row)) });
    });

    app.get('/v1/webhooks', { schema: s.listSchema, config: read }, async (request) => ({
      success: true as const,
      data: (await webhooks.list(principalOf(request))).map((row) => presentWebhook(row)),
    }));

    app.get('/v1/webhooks/:id', { schema: s.getSchema, config: read }, async (request) => ({
      success: true as const,
      data: presentWebhook(await webhooks.get(principalOf(request), request.params.id)),
    }));

    app.patch('/v1/webhooks/:id', { schema: s.updateSchema, config: write }, async (request) => ({
      success: true as const,
      data: presentWebhook(await webhooks.update(principalOf(request), request.params.id, request.body)),
    }));

    app.delete('/v1/webhooks/:id', { schema: s.deleteSchema, config: write }, async (request) => {
      await webhooks.remove(principalOf(request), request.params.id);
      return { success: true as const, data: null };
    });

    app.post('/v1/webhooks/:id/rotate-secret', { schema: s.rotateSchema, config: write }, async (request) => {
      const row = await webhooks.rotateSecret(principalOf(request), request.params.id);
      return { success: true as const, data: presentWebhook(row, webhooks.secretOf(row)) };
    });

    app.post('/v1/webhooks/:id/test', { schema: s.testSchema, config: write }, async (request, reply) =>
      reply.status(202).send({ success: true as const, data: presentDelivery(await webhooks.sendTest(principalOf(request), request.params.id)) }));

    app.get('/v1/webhooks/:id/deliveries', { schema: s.deliveriesSchema, config: read }, async (request) => {
      const page = await webhooks.deliveries(principalOf(request), request.params.id, request.query);
      return { success: true as const, data: { ...page, items: page.items.map(presentDelivery) } };
    });
  };
}
