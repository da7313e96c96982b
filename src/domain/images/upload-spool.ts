// Streams an upload to a spool file on local disk while it arrives: sniffs the real type from the first
// bytes, hashes (sha256) and counts, and stops at the size limit. Nothing of the upload is held in memory.
// Spool files are named by their owning process, so a sweep can tell a dead process's files from live ones.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync, readlinkSync } from 'node:fs';
import { once } from 'node:events';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../errors/app-error.js';
import { newId } from '../../lib/ids.js';
import { SNIFF_BYTES, sniffImageType, type SniffedType } from '../../media/sniff.js';

/** What the first bytes say a file is; undefined refuses the upload (INVALID_FILE_TYPE). */
export type Sniffer<T extends { ext: string }> = (head: Buffer) => Promise<T | undefined>;

export type SpooledUpload<T extends { ext: string } = SniffedType> = {
  path: string;
  size: number;
  sha256: string;
  type: T;
  filename: string;
  dispose(): Promise<void>;
};

class UploadMeter<T extends { ext: string }> extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  private head: Buffer[] = [];
  private headBytes = 0;
  sniffed: T | undefined;

  constructor(
    private readonly maxBytes: number,
    private readonly sniffer: Sniffer<T>,
    private readonly refusal: () => AppError,
  ) {
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
    const type = await this.sniffer(head.subarray(0, SNIFF_BYTES));
    if (!type) throw this.refusal();
    this.sniffed = type;
  }
}

/**
 * Who owns a spool file: `<scope>.<pid>.<boot>.` prefixes its name. The scope names the kernel boot and the
 * PID namespace (a container has its own), so within one scope a PID means one process; `boot` tells this
 * process from an earlier one that had the same PID (a container's PID 1 after a restart).
 */
type SpoolOwner = { scope: string; pid: number; boot: string };

function readOrEmpty(file: string): string {
  try {
    return (file.startsWith('/proc/self/ns/') ? readlinkSync(file) : readFileSync(file, 'utf8')).trim();
  } catch {
    return '';
  }
}

const OWNER: SpoolOwner = {
  scope: createHash('sha256').update(`${hostname()}|${readOrEmpty('/proc/sys/kernel/random/boot_id')}|${readOrEmpty('/proc/self/ns/pid')}`).digest('hex').slice(0, 8),
  pid: process.pid,
  boot: randomBytes(4).toString('hex'),
};
/** This process as spool file names know it (`<scope>.<pid>.<boot>.` prefixes its files). */
export const spoolOwner = (): Readonly<SpoolOwner> => OWNER;

const OWNED = /^([0-9a-f]{8})\.(\d+)\.([0-9a-f]{8})\./;

/** Whether the process that owns a spool file is alive, gone for sure, or cannot be checked from here. */
function ownerOf(name: string): 'alive' | 'gone' | 'unknown' {
  const m = OWNED.exec(name);
  if (!m || m[1] !== OWNER.scope) return 'unknown'; // another host, container or boot, or an older name
  const pid = Number(m[2]);
  if (pid === OWNER.pid) return m[3] === OWNER.boot ? 'alive' : 'gone';
  try {
    process.kill(pid, 0);
    return 'alive'; // (or its PID went to another process: the file then waits for that one to end)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH' ? 'gone' : 'alive';
  }
}

/**
 * Removes spool files whose process is gone, at once whatever their age, and files whose owner cannot be
 * checked from here (another host or container, names from older versions) once older than `olderThanMs`.
 * A live process's files are its uploads in flight: each removes its own.
 */
export async function sweepSpoolDir(dir: string, olderThanMs: number): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const owner = ownerOf(name);
    if (owner === 'alive') continue;
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) continue;
    if (owner === 'gone' || info.mtimeMs < Date.now() - olderThanMs) {
      await rm(file, { force: true });
      removed++;
    }
  }
  return removed;
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${+(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${+(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

/** Display name of an upload: never used in a path or key, trimmed to something printable. */
export function cleanFilename(name: string | undefined, ext: string, fallbackBase = 'image'): string {
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  const base = (name ?? '').normalize('NFC').replace(/[\u0000-\u001f\u007f/\\]/g, '').trim().slice(0, 200);
  return base || `${fallbackBase}.${ext}`;
}

const cutOff = () => new AppError('BAD_REQUEST', 'The upload was cut off or its multipart framing is broken');

const sniffImage: Sniffer<SniffedType> = (head) => sniffImageType(head);

type SpoolOptions<T extends { ext: string }> = {
  dir: string;
  maxBytes: number;
  filename?: string | undefined;
  /** What the upload may be (default: the accepted image types) and the refusal for anything else. */
  sniff?: Sniffer<T>;
  refusal?: () => AppError;
  /** The display name when the client sent none ('image' → image.png). */
  fallbackName?: string;
};

export async function spoolUpload<T extends { ext: string }>(file: Readable, opts: SpoolOptions<T> & { sniff: Sniffer<T> }): Promise<SpooledUpload<T>>;
export async function spoolUpload(file: Readable, opts: SpoolOptions<SniffedType>): Promise<SpooledUpload>;
export async function spoolUpload<T extends { ext: string }>(file: Readable, opts: SpoolOptions<T>): Promise<SpooledUpload<T>> {
  const refusal = opts.refusal ?? (() => new AppError('INVALID_FILE_TYPE'));
  // Which stream failed first decides the answer: the source (cut off, broken framing) is the client's,
  // the meter's refusals are AppErrors already, the disk is ours.
  let firstFailure: 'source' | 'disk' | undefined;
  const sourceFailed = () => void (firstFailure ??= 'source');
  file.once('error', sourceFailed);
  await mkdir(opts.dir, { recursive: true });
  // The parser destroys the part when the body ends before the part does (no closing boundary, a hang-up):
  // that may already have happened while we waited. A pipeline over a destroyed source never settles.
  if (file.destroyed && !file.readableEnded) throw cutOff();
  file.once('close', () => !file.readableEnded && sourceFailed());
  const spoolPath = path.join(opts.dir, `${OWNER.scope}.${OWNER.pid}.${OWNER.boot}.${newId()}.part`);
  const meter = new UploadMeter<T>(opts.maxBytes, opts.sniff ?? (sniffImage as unknown as Sniffer<T>), refusal);
  // prepareImage may write converted siblings next to the spool (.svg, .jpg): they go with it.
  const dispose = async () => void (await Promise.all(['', '.svg', '.jpg'].map((x) => rm(`${spoolPath}${x}`, { force: true }))));
  const out = createWriteStream(spoolPath, { mode: 0o600 });
  out.once('error', () => void (firstFailure ??= 'disk'));
  try {
    await pipeline(file, meter, out);
  } catch (err) {
    // The file stream may still be opening (an early refusal): removing the file before it has closed
    // would let that late open create it again, empty, after the removal.
    if (!out.closed) await Promise.race([once(out, 'close').catch(() => undefined), new Promise((r) => setTimeout(r, 5000).unref())]);
    await dispose();
    file.resume(); // let the rest of the request drain so the connection can answer
    if (err instanceof AppError) throw err;
    if (firstFailure === 'source') throw cutOff();
    throw err;
  }
  if (!meter.sniffed) {
    await dispose();
    throw refusal();
  }
  return {
    path: spoolPath,
    size: meter.size,
    sha256: meter.hash.digest('hex'),
    type: meter.sniffed,
    filename: cleanFilename(opts.filename, meter.sniffed.ext, opts.fallbackName),
    dispose,
  };
}
