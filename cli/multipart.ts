// One multipart/form-data body streamed from a file on disk, with a byte counter for progress bars: the file is
// never held in memory, and the length is known up front (Content-Length), so any proxy in front accepts it.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';

const quote = (s: string): string => s.replace(/[\r\n"\\]/g, (c) => encodeURIComponent(c));

export function multipartFile(opts: {
  path: string;
  size: number;
  filename: string;
  fields: Record<string, string>;
  onBytes?: (sent: number) => void;
}): { body: BodyInit; headers: Record<string, string> } {
  const boundary = `----picora-cli-${randomBytes(12).toString('hex')}`;
  let head = '';
  for (const [name, value] of Object.entries(opts.fields)) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`;
  }
  head += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quote(opts.filename)}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const headBytes = Buffer.from(head, 'utf8');
  const tailBytes = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
  const { path, onBytes } = opts;
  async function* parts(): AsyncGenerator<Buffer> {
    yield headBytes;
    let sent = 0;
    for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
      sent += (chunk as Buffer).length;
      onBytes?.(sent);
      yield chunk as Buffer;
    }
    yield tailBytes;
  }
  return {
    body: Readable.toWeb(Readable.from(parts())) as unknown as BodyInit,
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(headBytes.length + opts.size + tailBytes.length),
    },
  };
}
