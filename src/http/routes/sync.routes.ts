// /v1/sync/state: the incremental change feed of images, videos and audio (SPEC §7.9).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { SyncService } from '../../domain/sync/sync.service.js';
import { principalOf } from '../plugins/auth.js';
import * as s from './sync.schema.js';

export function syncRoutes(deps: { sync: SyncService }) {
  return async function (fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/v1/sync/state', { schema: s.stateSchema, config: { auth: 'apiKeyOrSession', scope: 'media.read' } }, async (request) => {
      const q = request.query;
      return { success: true as const, data: await deps.sync.changes(principalOf(request), { type: q.type, since: q.since || undefined, limit: q.limit }) };
    });
  };
}
