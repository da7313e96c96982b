// Builds multipart/form-data bodies for `app.inject` by hand (no form-data package): string fields,
// file parts from a Buffer, and a streaming variant whose file part comes from any byte source.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

export type FieldPart = { name: string; value: string };
export type FilePart = { name: string; filename?: string; contentType?: string; data: Buffer };
export type StreamFilePart = { name: string; filename?: string; contentType?: string; data: Buffer | AsyncIterable<Buffer> };
export type Part = FieldPart | FilePart;

export type MultipartBody<P> = { payload: P; headers: { 'content-type': string }; boundary: string };

export const newBoundary = (): string => `----picora-test-${randomBytes(12).toString('hex')}`;

const isFile = (p: FieldPart | StreamFilePart): p is StreamFilePart => 'data' in p;

function partHead(p: FieldPart | StreamFilePart, boundary: string): Buffer {
  const name = p.name.replace(/"/g, '%22');
  const lines = [`--${boundary}`];
  if (isFile(p)) {
    const filename = (p.filename ?? 'upload.bin').replace(/"/g, '%22');
    lines.push(`Content-Disposition: form-data; name="${name}"; filename="${filename}"`);
    lines.push(`Content-Type: ${p.contentType ?? 'application/octet-stream'}`);
  } else {
    lines.push(`Content-Disposition: form-data; name="${name}"`);
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
}

/** A whole multipart body in one Buffer. Parts keep their order (put fields before the file to mimic browsers, or after). */
export function multipart(parts: Part[], boundary = newBoundary()): MultipartBody<Buffer> {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(partHead(p, boundary), isFile(p) ? p.data : Buffer.from(p.value, 'utf8'), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, boundary };
}

/** The usual upload: string fields first, then `file`. */
export function uploadBody(data: Buffer, filename: string, fields: Record<string, string> = {}, contentType?: string): MultipartBody<Buffer> {
  const parts: Part[] = Object.entries(fields).map(([name, value]) => ({ name, value }));
  parts.push({ name: 'file', filename, data, ...(contentType ? { contentType } : {}) });
  return multipart(parts);
}

/** The same body as a stream; a file part may come from an async iterable of chunks (big bodies built lazily). */
export function multipartStream(parts: Array<FieldPart | StreamFilePart>, boundary = newBoundary()): MultipartBody<Readable> {
  async function* generate(): AsyncGenerator<Buffer> {
    for (const p of parts) {
      yield partHead(p, boundary);
      if (!isFile(p)) yield Buffer.from(p.value, 'utf8');
      else if (Buffer.isBuffer(p.data)) yield p.data;
      else for await (const chunk of p.data) yield chunk;
      yield Buffer.from('\r\n');
    }
    yield Buffer.from(`--${boundary}--\r\n`);
  }
  return { payload: Readable.from(generate()), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, boundary };
}

/** `head` followed by zero bytes up to `total` bytes, in chunks of `chunk` (never all in memory). */
export async function* paddedBytes(head: Buffer, total: number, chunk = 256 * 1024): AsyncGenerator<Buffer> {
  yield head;
  const zeros = Buffer.alloc(chunk);
  for (let left = total - head.length; left > 0; left -= chunk) yield left >= chunk ? zeros : zeros.subarray(0, left);
}
