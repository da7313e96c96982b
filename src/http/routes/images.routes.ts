// /v1/images: upload (multipart, streamed), the library, batch delete, hash lookup, signed URLs (SPEC §7).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError, validationError } from '../../errors/app-error.js';
import type { ImagesService } from '../../domain/images/images.service.js';
import { presentImage } from '../../domain/images/image-presenter.js';
import type { SpooledUpload } from '../../domain/images/upload-spool.js';
import type { UploadFields, UploadService } from '../../domain/images/upload.service.js';
import { principalOf } from '../plugins/auth.js';
import { multipartParts } from '../plugins/multipart-parts.js';
import * as s from './images.schema.js';

const FIELDS = new Set(['isPublic', 'is_public', 'tags', 'title']);

export function imageRoutes(deps: { images: ImagesService; uploads: UploadService; mediaBaseUrl: string }) {
  const { images, uploads, mediaBaseUrl } = deps;
  const present = (row: Parameters<typeof presentImage>[0]) => presentImage(row, mediaBaseUrl);

  return async function (fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const read = { auth: 'apiKeyOrSession' as const, scope: 'media.read' as const };
    const write = { auth: 'apiKeyOrSession' as const, scope: 'media.write' as const };
    const del = { auth: 'apiKeyOrSession' as const, scope: 'media.delete' as const };

    app.post('/v1/images', { schema: s.uploadSchema, config: { ...write, rateTier: 'upload' } }, async (request, reply) => {
      if (!request.isMultipart()) throw new AppError('BAD_REQUEST', 'Expected a multipart/form-data body with a "file" field');
      const p = principalOf(request);
      const fields: UploadFields = {};
      let spool: SpooledUpload | undefined;
      try {
        for await (const part of multipartParts(request)) {
          if (part.type === 'file') {
            const file = part as MultipartFile;
            if (file.fieldname !== 'file' || spool) {
              file.file.resume();
              throw validationError(file.fieldname, spool ? 'only one file may be uploaded at a time' : 'is not a known field: send the image as "file"');
            }
            spool = await uploads.stage(p, file.file, file.filename);
          } else if (FIELDS.has(part.fieldname) && typeof part.value === 'string') {
            const name = part.fieldname === 'is_public' ? 'isPublic' : (part.fieldname as keyof UploadFields);
            fields[name] = part.value;
          }
        }
        if (!spool) throw validationError('file', 'is required');
        const { row, duplicate } = await uploads.commit(p, spool, fields);
        if (duplicate) reply.header('x-picora-duplicate', 'true');
        return reply.status(duplicate ? 200 : 201).send({ success: true as const, data: present(row) });
      } finally {
        await spool?.dispose();
      }
    });

    app.get('/v1/images', { schema: s.listSchema, config: read }, async (request) => {
      const q = request.query;
      const result = await images.list(principalOf(request), {
        cursor: q.cursor || undefined, limit: q.limit, tag: q.tag, startDate: q.start_date, endDate: q.end_date, q: q.q,
      });
      return { success: true as const, data: { items: result.items.map(present), nextCursor: result.nextCursor, hasMore: result.hasMore, total: result.total } };
    });

    app.delete('/v1/images', { schema: s.batchDeleteSchema, config: del }, async (request) => ({
      success: true as const,
      data: await images.removeMany(principalOf(request), request.body.ids),
    }));

    app.post('/v1/images/exists', { schema: s.existsSchema, config: { ...write, rateTier: 'upload' } }, async (request) => ({
      success: true as const,
      data: await images.exists(principalOf(request), request.body.hashes),
    }));

    app.get('/v1/images/:id', { schema: s.getSchema, config: read }, async (request) => ({
      success: true as const,
      data: present(await images.get(principalOf(request), request.params.id)),
    }));

    app.patch('/v1/images/:id', { schema: s.patchSchema, config: write }, async (request) => {
      const b = request.body;
      const row = await images.update(principalOf(request), request.params.id, {
        title: b.title, tags: b.tags, isPublic: b.isPublic ?? b.is_public, allowedReferers: b.allowedReferers,
      });
      return { success: true as const, data: present(row) };
    });

    app.delete('/v1/images/:id', { schema: s.deleteSchema, config: del }, async (request) => {
      await images.remove(principalOf(request), request.params.id);
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
