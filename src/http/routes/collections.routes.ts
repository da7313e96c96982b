// /v1/collections: photo albums (create, list with counts, get, update, delete — cascade on request) and
// POST /v1/images/batch-move, which files items into an album or out of it. Keys use the media scopes: albums
// organise media (read to see them, write to change them, delete to delete one).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { CollectionView, CollectionsService } from '../../domain/collections/collections.service.js';
import { presentCollection } from '../../domain/collections/collection-presenter.js';
import { principalOf } from '../plugins/auth.js';
import * as s from './collections.schema.js';

const present = (v: CollectionView) => presentCollection(v.row, v.stats);

export function collectionRoutes(deps: { collections: CollectionsService }) {
  const { collections } = deps;

  return async function (fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const read = { auth: 'apiKeyOrSession' as const, scope: 'media.read' as const };
    const write = { auth: 'apiKeyOrSession' as const, scope: 'media.write' as const };
    const del = { auth: 'apiKeyOrSession' as const, scope: 'media.delete' as const };

    app.post('/v1/collections', { schema: s.createSchema, config: write }, async (request, reply) =>
      reply.status(201).send({ success: true as const, data: present(await collections.create(principalOf(request), request.body)) }));

    app.get('/v1/collections', { schema: s.listSchema, config: read }, async (request) => {
      const q = request.query;
      const page = await collections.list(principalOf(request), { type: q.type, sort: q.sort, cursor: q.cursor || undefined, limit: q.limit });
      return { success: true as const, data: { items: page.items.map(present), nextCursor: page.nextCursor, hasMore: page.hasMore } };
    });

    app.get('/v1/collections/:id', { schema: s.getSchema, config: read }, async (request) => ({
      success: true as const,
      data: present(await collections.get(principalOf(request), request.params.id)),
    }));

    app.patch('/v1/collections/:id', { schema: s.updateSchema, config: write }, async (request) => ({
      success: true as const,
      data: present(await collections.update(principalOf(request), request.params.id, request.body)),
    }));

    app.delete('/v1/collections/:id', { schema: s.deleteSchema, config: del }, async (request) => ({
      success: true as const,
      data: await collections.remove(principalOf(request), request.params.id, request.query.cascade === true),
    }));

    app.post('/v1/images/batch-move', { schema: s.batchMoveSchema, config: write }, async (request) => ({
      success: true as const,
      data: await collections.batchMove(principalOf(request), request.body.ids, request.body.kbId),
    }));
  };
}
