// /v1/images: upload (multipart, streamed; or JSON `{url}`, fetched server-side through the SSRF guard), the library,
// batch delete, hash lookup, signed URLs (SPEC §7).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError, validationError } from '../../errors/app-error.js';
import type { ImagesService } from '../../domain/images/images.service.js';
import type { TrashService } from '../../domain/images/trash.service.js';
import type { DownloadZipService } from '../../domain/images/download-zip.service.js';
import { presentImage } from '../../domain/images/image-presenter.js';
import type { UploadFields, UploadResult, UploadService } from '../../domain/images/upload.service.js';
import { principalOf } from '../plugins/auth.js';
import { withUploadForm } from '../plugins/multipart-parts.js';
import * as s from './images.schema.js';

const MAX_URL_LENGTH = 2048;

/** The JSON body of an upload from URL, its fields as a multipart upload would carry them. */
function urlUploadInput(body: unknown): { url: string; fields: UploadFields } {
  // A JSON body without "url" is no upload from URL: the same 400 as any other body that is not an upload.
  const b = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  if (b['url'] === undefined) throw new AppError('BAD_REQUEST', 'Expected a multipart/form-data body with a "file" field, or JSON with "url"');
  if (typeof b['url'] !== 'string') throw validationError('url', 'must be a string');
  if (b['url'].length > MAX_URL_LENGTH) throw validationError('url', `must be at most ${MAX_URL_LENGTH} characters`);
  const fields: UploadFields = {};
  const isPublic = b['isPublic'] ?? b['is_public'];
  if (isPublic !== undefined) {
    if (typeof isPublic !== 'boolean' && typeof isPublic !== 'string') throw validationError('isPublic', 'must be true or false');
    fields.isPublic = String(isPublic);
  }
  if (b['tags'] !== undefined) {
    if (typeof b['tags'] !== 'string' && !Array.isArray(b['tags'])) throw validationError('tags', 'must be an array of strings');
    fields.tags = typeof b['tags'] === 'string' ? b['tags'] : JSON.stringify(b['tags']);
  }
  if (b['title'] !== undefined && b['title'] !== null) {
    if (typeof b['title'] !== 'string') throw validationError('title', 'must be a string');
    fields.title = b['title'];
  }
  return { url: b['url'], fields };
}

export function imageRoutes(deps: { images: ImagesService; uploads: UploadService; downloads: DownloadZipService; trash: TrashService; mediaBaseUrl: string }) {
  const { images, uploads, downloads, trash, mediaBaseUrl } = deps;
  const present = (row: Parameters<typeof presentImage>[0]) => presentImage(row, mediaBaseUrl);
  /** 201 with the new Image, or 200 with the one already holding these bytes (CONTRACT §5). */
  const answerUpload = (reply: FastifyReply, { row, duplicate }: UploadResult) => {
    if (duplicate) reply.header('x-picora-duplicate', 'true');
    return reply.status(duplicate ? 200 : 201).send({ success: true as const, data: present(row) });
  };

  return async function (fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const read = { auth: 'apiKeyOrSession' as const, scope: 'media.read' as const };
    const write = { auth: 'apiKeyOrSession' as const, scope: 'media.write' as const };
    const del = { auth: 'apiKeyOrSession' as const, scope: 'media.delete' as const };

    app.post('/v1/images', { schema: s.uploadSchema, config: { ...write, rateTier: 'upload' } }, async (request, reply) => {
      if (/^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '')) {
        const input = urlUploadInput(request.body);
        const p = principalOf(request);
        const spool = await uploads.stageFromUrl(p, input.url);
        try {
          return answerUpload(reply, await uploads.commit(p, spool, input.fields));
        } finally {
          await spool.dispose();
        }
      }
      const p = principalOf(request);
      return withUploadForm(request, 'image', (file, filename) => uploads.stage(p, file, filename), async (spool, fields) => answerUpload(reply, await uploads.commit(p, spool, fields)));
    });

    app.get('/v1/images', { schema: s.listSchema, config: read }, async (request) => {
      const q = request.query;
      const result = await images.list(principalOf(request), {
        cursor: q.cursor || undefined, limit: q.limit, tag: q.tag, startDate: q.start_date, endDate: q.end_date, q: q.q, collectionId: q.collection_id,
        isPublic: q.is_public ?? q.isPublic,
      });
      return { success: true as const, data: { items: result.items.map(present), nextCursor: result.nextCursor, hasMore: result.hasMore, total: result.total } };
    });

    // For real unless the request asks for the trash (?trash=true, or "trash": true in the body)
    app.delete('/v1/images', { schema: s.batchDeleteSchema, config: del }, async (request) => {
      const p = principalOf(request);
      const { ids, trash: toTrash } = request.body;
      return { success: true as const, data: request.query.trash || toTrash ? await trash.trashMany(p, ids) : await images.removeMany(p, ids) };
    });

    app.post('/v1/images/exists', { schema: s.existsSchema, config: { ...write, rateTier: 'upload' } }, async (request) => ({
      success: true as const,
      data: await images.exists(principalOf(request), request.body.hashes),
    }));

    // One edit for a selection (visibility, tags added/removed); partial success like the batch delete.
    app.patch('/v1/images', { schema: s.bulkPatchSchema, config: write }, async (request) => {
      const b = request.body;
      return { success: true as const, data: await images.updateMany(principalOf(request), { ids: b.ids, isPublic: b.isPublic ?? b.is_public, addTags: b.addTags, removeTags: b.removeTags }) };
    });

    // Static paths win over /v1/images/:id in the router, whatever the order of registration.
    app.get('/v1/images/ids', { schema: s.listIdsSchema, config: read }, async (request) => {
      const q = request.query;
      return {
        success: true as const,
        data: await images.listIds(principalOf(request), {
          tag: q.tag, startDate: q.start_date, endDate: q.end_date, q: q.q, collectionId: q.collection_id, isPublic: q.is_public ?? q.isPublic,
        }),
      };
    });

    app.get('/v1/images/tags', { schema: s.tagsSchema, config: read }, async (request) => ({
      success: true as const,
      data: { items: await images.listTags(principalOf(request), { q: request.query.q, limit: request.query.limit }) },
    }));

    // A selection as one zip, streamed from the store (a read: it changes nothing).
    app.post('/v1/images/download', { schema: s.downloadSchema, config: { ...read, rateTier: 'read' } }, async (request, reply) => {
      const zip = await downloads.download(principalOf(request), request.body.ids);
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="${zip.filename}"`)
        .header('cache-control', 'private, no-store')
        .send(zip.stream);
    });

    app.get('/v1/images/:id', { schema: s.getSchema, config: read }, async (request) => ({
      success: true as const,
      data: present(await images.get(principalOf(request), request.params.id)),
    }));

    // Owner only: the Image object never carries these fields, and no public route does.
    app.get('/v1/images/:id/info', { schema: s.photoInfoSchema, config: read }, async (request) => ({
      success: true as const,
      data: await images.photoInfo(principalOf(request), request.params.id),
    }));

    app.patch('/v1/images/:id', { schema: s.patchSchema, config: write }, async (request) => {
      const b = request.body;
      const row = await images.update(principalOf(request), request.params.id, {
        title: b.title, tags: b.tags, isPublic: b.isPublic ?? b.is_public, allowedReferers: b.allowedReferers,
      });
      return { success: true as const, data: present(row) };
    });

    app.delete('/v1/images/:id', { schema: s.deleteSchema, config: del }, async (request) => {
      const p = principalOf(request);
      if (request.query.trash) await trash.trashOne(p, request.params.id);
      else await images.remove(p, request.params.id);
      return { success: true as const, data: null };
    });

    // The body is optional (every field has a default): a bare POST is validated as {}.
    const emptyBodyIsObject = async (request: FastifyRequest) => void (request.body ??= {});
    app.post('/v1/images/:id/sign', { schema: s.signSchema, config: write, preValidation: emptyBodyIsObject }, async (request) => ({
      success: true as const,
      data: await images.sign(principalOf(request), request.params.id, request.body?.expSeconds, request.body?.transform),
    }));
  };
}
