// /v1/images: upload (multipart, streamed), the library, batch delete, hash lookup, signed URLs (SPEC §7).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Multipart, MultipartFile } from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError, validationError } from '../../errors/app-error.js';
import type { ImagesService } from '../../domain/images/images.service.js';
import { presentImage } from '../../domain/images/image-presenter.js';
import type { SpooledUpload } from '../../domain/images/upload-spool.js';
import type { UploadFields, UploadService } from '../../domain/images/upload.service.js';
import { principalOf } from '../plugins/auth.js';
import * as s from './images.schema.js';

const FIELDS = new Set(['isPublic', 'is_public', 'tags', 'title']);

/**
 * Watches the raw body for the closing delimiter (CRLF "--" boundary "--"). The parser (busboy through
 * @fastify/multipart) ends the parts of a body that stops without one as if it were complete, so this is how
 * a truncated body is told from a finished one. Nothing in a part may contain CRLF "--" boundary (it would end
 * the part), so its first occurrence followed by "--" is the close. A body may also open with it (the
 * parser reads the body as if it began with a CRLF).
 */
function watchClosingDelimiter(request: FastifyRequest): { seen(): boolean; stop(): void } {
  const boundary = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(request.headers['content-type'] ?? '');
  const needle = Buffer.from(`\r\n--${boundary?.[1] ?? boundary?.[2] ?? ''}--`);
  const keep = needle.length - 1;
  let tail = Buffer.from('\r\n');
  let seen = false;
  const onData = (chunk: Buffer) => {
    if (Buffer.concat([tail, chunk.subarray(0, keep)]).includes(needle) || chunk.includes(needle)) {
      seen = true;
      request.raw.off('data', onData);
      return;
    }
    tail = Buffer.from(Buffer.concat([tail, chunk.subarray(-keep)]).subarray(-keep));
  };
  if (boundary) request.raw.on('data', onData);
  return { seen: () => seen, stop: () => void request.raw.off('data', onData) };
}

/**
 * The request's parts; a framing error of the parser itself is the client's: 400 BAD_REQUEST. So is a body
 * that ends (Content-Length reached, last chunk sent) before its closing boundary: it is answered at once.
 */
async function* multipartParts(request: FastifyRequest): AsyncGenerator<Multipart> {
  const it = request.parts()[Symbol.asyncIterator]();
  let close: ReturnType<typeof watchClosingDelimiter> | undefined;
  let parts = 0;
  try {
    for (;;) {
      let next: IteratorResult<Multipart>;
      try {
        const pending = it.next();
        close ??= watchClosingDelimiter(request); // after the first next(): the parser has begun to read the body
        next = await pending;
      } catch (err) {
        if (err instanceof AppError || (err as { code?: string }).code?.startsWith('FST_')) throw err;
        throw new AppError('BAD_REQUEST', 'Malformed multipart body');
      }
      if (next.done) {
        if (!close.seen()) throw new AppError('BAD_REQUEST', 'Malformed multipart body: it ends without its closing boundary (does the boundary match the Content-Type header?)');
        if (parts === 0) throw new AppError('BAD_REQUEST', 'Malformed multipart body: no parts found');
        return;
      }
      parts++;
      yield next.value;
    }
  } finally {
    close?.stop();
  }
}

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
