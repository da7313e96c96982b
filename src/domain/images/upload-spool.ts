// Streams an upload to a spool file on local disk while it arrives: sniffs the real type from the first
// bytes, hashes (sha256) and counts, and stops at the size limit. Nothing of the upload is held in memory.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../errors/app-error.js';
import { newId } from '../../lib/ids.js';
import { SNIFF_BYTES, sniffImageType, type SniffedType } from '../../media/sniff.js';

export type SpooledUpload = {
  path: string;
  size: number;
  sha256: string;
  type: SniffedType;
  filename: string;
  dispose(): Promise<void>;
};

class UploadMeter extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  private head: Buffer[] = [];
  private headBytes = 0;
  sniffed: SniffedType | undefined;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      done(new AppError('FILE_TOO_LARGE', `File exceeds the maximum allowed size for your plan (${formatBytes(this.maxBytes)})`, { maxBytes: this.maxBytes }));
      return;
    }
    this.hash.update(chunk);
    if (!this.sniffed && this.headBytes < SNIFF_BYTES) {
      this.head.push(chunk);
      this.headBytes += chunk.length;
      if (this.headBytes >= SNIFF_BYTES) {
        this.sniff().then(() => done(null, chunk), done);
        return;
      }
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.sniffed) return done();
    this.sniff().then(() => done(), done);
  }

  private async sniff(): Promise<void> {
    const head = Buffer.concat(this.head);
    this.head = [];
    if (head.length === 0) throw new AppError('VALIDATION_ERROR', 'Validation error: file is empty', { field: 'file' });
    const type = await sniffImageType(head.subarray(0, SNIFF_BYTES));
    if (!type) throw new AppError('INVALID_FILE_TYPE');
    this.sniffed = type;
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${+(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${+(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

/** Display name of an upload: never used in a path or key, trimmed to something printable. */
export function cleanFilename(name: string | undefined, ext: string): string {
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  const base = (name ?? '').normalize('NFC').replace(/[\u0000-\u001f\u007f/\\]/g, '').trim().slice(0, 200);
  return base || `image.${ext}`;
}

export async function spoolUpload(file: Readable, opts: { dir: string; maxBytes: number; filename?: string | undefined }): Promise<SpooledUpload> {
  await mkdir(opts.dir, { recursive: true });
  const spoolPath = path.join(opts.dir, `${newId()}.part`);
  const meter = new UploadMeter(opts.maxBytes);
  // prepareImage may write converted siblings next to the spool (.svg, .jpg): they go with it.
  const dispose = async () => void (await Promise.all(['', '.svg', '.jpg'].map((x) => rm(`${spoolPath}${x}`, { force: true }))));
  const out = createWriteStream(spoolPath, { mode: 0o600 });
  let sourceError: unknown;
  file.once('error', (e) => (sourceError = e));
  try {
    await pipeline(file, meter, out);
  } catch (err) {
    // The file stream may still be opening (an early refusal): removing the file before it has closed
    // would let that late open create it again, empty, after the removal.
    if (!out.closed) await Promise.race([once(out, 'close').catch(() => undefined), new Promise((r) => setTimeout(r, 5000).unref())]);
    await dispose();
    file.resume(); // let the rest of the request drain so the connection can answer
    if (sourceError !== undefined && !(err instanceof AppError)) {
      throw new AppError('BAD_REQUEST', 'The upload was cut off or its multipart framing is broken');
    }
    throw err;
  }
  if (!meter.sniffed) {
    await dispose();
    throw new AppError('INVALID_FILE_TYPE');
  }
  return {
    path: spoolPath,
    size: meter.size,
    sha256: meter.hash.digest('hex'),
    type: meter.sniffed,
    filename: cleanFilename(opts.filename, meter.sniffed.ext),
    dispose,
  };
}
