// /v1/videos: upload (multipart, streamed; 202 while the transcode job runs), the library, status polls, a
// custom poster, signed playback links (SPEC §8, CONTRACT §7).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { UploadService } from '../../domain/images/upload.service.js';
import type { VideoUploadService } from '../../domain/videos/video-upload.service.js';
import type { VideosService } from '../../domain/videos/videos.service.js';
import { toIso } from '../../lib/clock.js';
import { principalOf } from '../plugins/auth.js';
import { withUploadForm } from '../plugins/multipart-parts.js';
import * as s from './videos.schema.js';

export function videoRoutes(deps: { videos: VideosService; videoUploads: VideoUploadService; imageUploads: UploadService }) {
  const { videos, videoUploads } = deps;

  return async function (fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const read = { auth: 'apiKeyOrSession' as const, scope: 'media.read' as const };
    const write = { auth: 'apiKeyOrSession' as const, scope: 'media.write' as const };
    const del = { auth: 'apiKeyOrSession' as const, scope: 'media.delete' as const };

    app.post('/v1/videos', { schema: s.uploadSchema, config: { ...write, rateTier: 'upload' } }, async (request, reply) => {
      const p = principalOf(request);
      await videoUploads.assertAllowed(p); // a trial account is refused before any byte is read
      return withUploadForm(request, 'video', (file, filename) => videoUploads.stage(p, file, filename), async (spool, fields) => {
        const row = await videoUploads.commit(p, spool, fields);
        return reply.status(202).send({
          success: true as const,
          data: { videoId: row.id, id: row.id, status: 'processing' as const, title: row.title, filename: row.filename, sizeBytes: row.sizeBytes, createdAt: toIso(row.createdAt) },
        });
      });
    });

    app.get('/v1/videos', { schema: s.listSchema, config: read }, async (request) => {
      const p = principalOf(request);
      const result = await videos.list(p, { cursor: request.query.cursor || undefined, limit: request.query.limit });
      const items = await videos.presentMany(p, result.items);
      return { success: true as const, data: { videos: items, items, nextCursor: result.nextCursor, hasMore: result.hasMore } };
    });

    app.get('/v1/videos/:id', { schema: s.getSchema, config: read }, async (request) => {
      const p = principalOf(request);
      return { success: true as const, data: await videos.present(p, await videos.get(p, request.params.id)) };
    });

    app.patch('/v1/videos/:id', { schema: s.patchSchema, config: write }, async (request) => {
      const b = request.body;
      await videos.update(principalOf(request), request.params.id, { title: b.title, tags: b.tags, isPublic: b.isPublic ?? b.is_public });
      return { success: true as const, data: null };
    });

    app.delete('/v1/videos/:id', { schema: s.deleteSchema, config: del }, async (request) => {
      await videos.remove(principalOf(request), request.params.id);
      return { success: true as const, data: null };
    });

    app.get('/v1/videos/:id/status', { schema: s.statusSchema, config: read }, async (request) => ({
      success: true as const,
      data: await videos.status(principalOf(request), request.params.id),
    }));

    app.post('/v1/videos/:id/thumbnail', { schema: s.thumbnailSchema, config: write }, async (request) => {
      const p = principalOf(request);
      await videos.get(p, request.params.id); // 404/403 before anything about the body
      return withUploadForm(request, 'image', (file, filename) => deps.imageUploads.stage(p, file, filename), async (spool) => {
        const row = await videos.setThumbnail(p, request.params.id, spool);
        return { success: true as const, data: await videos.present(p, row) };
      });
    });

    const emptyBodyIsObject = async (request: FastifyRequest) => void (request.body ??= {});
    app.post('/v1/videos/:id/sign', { schema: s.signSchema, config: write, preValidation: emptyBodyIsObject }, async (request) => ({
      success: true as const,
      data: await videos.sign(principalOf(request), request.params.id, request.body?.expSeconds),
    }));
  };
}
