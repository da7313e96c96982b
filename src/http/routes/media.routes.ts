// /v1/media: the unified library of images, videos and audio (SPEC §10, CONTRACT §7).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { MediaService } from '../../domain/media/media.service.js';
import { principalOf } from '../plugins/auth.js';
import * as s from './media.schema.js';

export function mediaRoutes(deps: { media: MediaService }) {
  const { media } = deps;
  return async function (fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const read = { auth: 'apiKeyOrSession' as const, scope: 'media.read' as const };

    app.get('/v1/media', { schema: s.listSchema, config: read }, async (request) => {
      const q = request.query;
      const result = await media.list(principalOf(request), { type: q.type, q: q.q, isPublic: q.is_public ?? q.isPublic, collectionId: q.collection_id, cursor: q.cursor || undefined, limit: q.limit });
      return { success: true as const, data: result };
    });

    app.get('/v1/media/:id', { schema: s.getSchema, config: read }, async (request) => ({
      success: true as const,
      data: await media.get(principalOf(request), request.params.id),
    }));

    app.delete('/v1/media', { schema: s.deleteManySchema, config: { auth: 'apiKeyOrSession', scope: 'media.delete' } }, async (request) => ({
      success: true as const,
      data: await media.removeMany(principalOf(request), request.body.items),
    }));
  };
}
