// /v1/trash/images: the image trash (issue 12). Moving images into it is `DELETE /v1/images…?trash=true`
// (images.routes.ts); here they are listed, restored, deleted for real, or all emptied.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TrashService } from '../../domain/images/trash.service.js';
import { presentTrashedImage } from '../../domain/images/image-presenter.js';
import { validationError } from '../../errors/app-error.js';
import { principalOf } from '../plugins/auth.js';
import * as s from './trash.schema.js';

export function trashRoutes(deps: { trash: TrashService; mediaBaseUrl: string }) {
  const { trash, mediaBaseUrl } = deps;
  return async function (fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const read = { auth: 'apiKeyOrSession' as const, scope: 'media.read' as const };
    const write = { auth: 'apiKeyOrSession' as const, scope: 'media.write' as const };
    const del = { auth: 'apiKeyOrSession' as const, scope: 'media.delete' as const };

    app.get('/v1/trash/images', { schema: s.listTrashSchema, config: read }, async (request) => {
      const page = await trash.list(principalOf(request), { cursor: request.query.cursor || undefined, limit: request.query.limit });
      return { success: true as const, data: { items: page.items.map((item) => presentTrashedImage(item, mediaBaseUrl)), nextCursor: page.nextCursor, hasMore: page.hasMore } };
    });

    app.post('/v1/trash/images/restore', { schema: s.restoreSchema, config: write }, async (request) => ({
      success: true as const,
      data: await trash.restore(principalOf(request), request.body.ids),
    }));

    // No body empties the trash; a body must be {ids} (so a mistyped body, JSON null included, is a 422, never an
    // emptied trash). The schema reads "no body" as null.
    const noBodyIsNull = async (request: FastifyRequest) => {
      if (request.body === null) throw validationError('ids', 'is required: send {ids}, or no body at all to empty the trash');
      request.body ??= null;
    };
    app.delete('/v1/trash/images', { schema: s.deleteTrashSchema, config: del, preValidation: noBodyIsNull }, async (request) => {
      const p = principalOf(request);
      const body = request.body;
      return { success: true as const, data: body === null ? await trash.empty(p) : await trash.remove(p, body.ids) };
    });
  };
}
