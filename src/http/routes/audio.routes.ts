// /v1/audio: upload (multipart, streamed to disk; synchronous 201 "ready"), read, update, delete (204), and signed
// links for private audio (SPEC §9, CONTRACT §7). Listing is /v1/media?type=audio.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AudioUploadService } from '../../domain/audio/audio-upload.service.js';
import type { AudioService } from '../../domain/audio/audio.service.js';
import { principalOf } from '../plugins/auth.js';
import { withUploadForm } from '../plugins/multipart-parts.js';
import * as s from './audio.schema.js';

export function audioRoutes(deps: { audio: AudioService; audioUploads: AudioUploadService }) {
  const { audio, audioUploads } = deps;

  return async function (fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const read = { auth: 'apiKeyOrSession' as const, scope: 'media.read' as const };
    const write = { auth: 'apiKeyOrSession' as const, scope: 'media.write' as const };
    const del = { auth: 'apiKeyOrSession' as const, scope: 'media.delete' as const };

    app.post('/v1/audio', { schema: s.uploadSchema, config: { ...write, rateTier: 'upload' } }, async (request, reply) => {
      const p = principalOf(request);
      await audioUploads.assertAllowed(p); // a trial account is refused before any byte is read
      return withUploadForm(request, 'audio', (file, filename) => audioUploads.stage(p, file, filename), async (spool, fields) => {
        const row = await audioUploads.commit(p, spool, fields);
        return reply.status(201).send({ success: true as const, data: audio.present(row) });
      });
    });

    app.get('/v1/audio/:id', { schema: s.getSchema, config: read }, async (request) => {
      const p = principalOf(request);
      return { success: true as const, data: audio.present(await audio.get(p, request.params.id)) };
    });

    app.patch('/v1/audio/:id', { schema: s.patchSchema, config: write }, async (request) => {
      const b = request.body;
      await audio.update(principalOf(request), request.params.id, { title: b.title, isPublic: b.isPublic ?? b.is_public });
      return { success: true as const, data: null };
    });

    app.delete('/v1/audio/:id', { schema: s.deleteSchema, config: del }, async (request, reply) => {
      await audio.remove(principalOf(request), request.params.id);
      return reply.status(204).send(null);
    });

    const emptyBodyIsObject = async (request: FastifyRequest) => void (request.body ??= {});
    app.post('/v1/audio/:id/sign', { schema: s.signSchema, config: write, preValidation: emptyBodyIsObject }, async (request) => ({
      success: true as const,
      data: await audio.sign(principalOf(request), request.params.id, request.body?.expSeconds),
    }));
  };
}
