// Avatars (SPEC §12): the owner's upload, and the public read with validators and an hour of caching.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AvatarsService } from '../../domain/avatars/avatars.service.js';
import { principalOf } from '../plugins/auth.js';
import { withUploadForm } from '../plugins/multipart-parts.js';
import { matchesEtag } from './delivery.routes.js';
import * as s from './avatar.schema.js';

export function avatarRoutes(deps: { avatars: AvatarsService }) {
  const { avatars } = deps;
  return async function (fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

    app.post('/v1/user/me/avatar', { schema: s.uploadSchema, config: { auth: 'session', rateTier: 'mutation' } }, async (request) => {
      const p = principalOf(request);
      return withUploadForm(request, 'avatar', (file, filename) => avatars.stage(file, filename), async (spool) => ({
        success: true as const,
        data: { avatarUrl: await avatars.set(p, spool) },
      }));
    });

    app.get('/v1/user/avatar/:userId', { schema: s.readSchema, config: { auth: 'public', rateTier: 'read' } }, async (request, reply) => {
      const file = await avatars.read(request.params.userId, (etag) => matchesEtag(request.headers['if-none-match'], etag));
      reply.header('etag', file.etag).header('cache-control', 'public, max-age=3600');
      if ('notModified' in file) return reply.status(304).send();
      return reply.header('content-type', file.contentType).send(file.body);
    });
  };
}
