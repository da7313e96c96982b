// POST /v1/bulk-delete: the two-step bulk delete (SPEC §10): dryRun=true previews, dryRun=false executes.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { BulkDeleteService } from '../../domain/media/bulk-delete.service.js';
import { principalOf } from '../plugins/auth.js';
import { bulkDeleteSchema } from './media.schema.js';

export function bulkDeleteRoutes(deps: { bulkDelete: BulkDeleteService }) {
  return async function (fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.post('/v1/bulk-delete', { schema: bulkDeleteSchema, config: { auth: 'apiKeyOrSession', scope: 'media.delete' } }, async (request) => {
      const p = principalOf(request);
      const body = request.body;
      const data = request.query.dryRun === false ? await deps.bulkDelete.execute(p, body) : await deps.bulkDelete.preview(p, body);
      return { success: true as const, data };
    });
  };
}
