// /v1/api-keys: session JWTs only (a key cannot mint keys) — SPEC §13, CONTRACT §3.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiKeysService } from '../../domain/api-keys/api-keys.service.js';
import { presentApiKey } from '../../domain/api-keys/api-key-presenter.js';
import { principalOf } from '../plugins/auth.js';
import * as s from './api-keys.schema.js';

export function apiKeyRoutes(deps: { apiKeys: ApiKeysService }) {
  const { apiKeys } = deps;
  return async function (fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const config = { auth: 'session' as const };

    app.post('/v1/api-keys', { schema: s.createKeySchema, config }, async (request, reply) => {
      const { row, key } = await apiKeys.create(principalOf(request), request.body);
      const k = presentApiKey(row);
      return reply.status(201).send({
        success: true as const,
        data: { id: k.id, name: k.name, key, keyPrefix: k.keyPrefix, lastFour: k.lastFour, scopesV2: k.scopesV2, createdAt: k.createdAt },
      });
    });

    app.get('/v1/api-keys', { schema: s.listKeysSchema, config }, async (request) => ({
      success: true as const,
      data: (await apiKeys.list(principalOf(request))).map(presentApiKey),
    }));

    app.patch('/v1/api-keys/:id', { schema: s.patchKeySchema, config }, async (request) => ({
      success: true as const,
      data: presentApiKey(await apiKeys.update(principalOf(request), request.params.id, request.body)),
    }));

    app.delete('/v1/api-keys/:id', { schema: s.deleteKeySchema, config }, async (request) => {
      await apiKeys.revoke(principalOf(request), request.params.id);
      return { success: true as const, data: null };
    });

    // data: null for a key that is not the caller's (SPEC: its existence is not disclosed), never 403/404
    app.get('/v1/api-keys/:id/tool-configs', { schema: s.toolConfigsSchema, config: { ...config, rateTier: 'read' } }, async (request) => ({
      success: true as const,
      data: await apiKeys.toolConfigs(principalOf(request), request.params.id),
    }));
  };
}
