// Reading a multipart upload part by part (files stream; nothing is buffered), with broken framing answered as
// the client's fault: 400 BAD_REQUEST. Shared by every route that takes an upload.
import type { FastifyRequest } from 'fastify';
import type { Multipart, MultipartFile } from '@fastify/multipart';
import { AppError, validationError } from '../../errors/app-error.js';

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
export async function* multipartParts(request: FastifyRequest): AsyncGenerator<Multipart> {
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

/** The text fields an upload form may carry (`is_public` is the snake_case twin of `isPublic`). */
export type UploadFormFields = { isPublic?: string | undefined; tags?: string | undefined; title?: string | undefined };
const FORM_FIELDS = new Set(['isPublic', 'is_public', 'tags', 'title']);

/**
 * Reads an upload form: its one `file` part goes to `stage` (streamed, never buffered), the known text fields are
 * collected, a second file or a file under another name is refused; then `use` runs with both. Whatever was staged
 * is disposed of afterwards, whatever happens. `what` names the file in messages ("image", "video").
 */
export async function withUploadForm<T extends { dispose(): Promise<void> }, R>(
  request: FastifyRequest,
  what: string,
  stage: (file: MultipartFile['file'], filename: string | undefined) => Promise<T>,
  use: (staged: T, fields: UploadFormFields) => Promise<R>,
): Promise<R> {
  if (!request.isMultipart()) throw new AppError('BAD_REQUEST', 'Expected a multipart/form-data body with a "file" field');
  const fields: UploadFormFields = {};
  let staged: T | undefined;
  try {
    for await (const part of multipartParts(request)) {
      if (part.type === 'file') {
        const file = part as MultipartFile;
        if (file.fieldname !== 'file' || staged) {
          file.file.resume();
          throw validationError(file.fieldname, staged ? 'only one file may be uploaded at a time' : `is not a known field: send the ${what} as "file"`);
        }
        staged = await stage(file.file, file.filename);
      } else if (FORM_FIELDS.has(part.fieldname) && typeof part.value === 'string') {
        fields[part.fieldname === 'is_public' ? 'isPublic' : (part.fieldname as keyof UploadFormFields)] = part.value;
      }
    }
    if (!staged) throw validationError('file', 'is required');
    return await use(staged, fields);
  } finally {
    await staged?.dispose();
  }
}
