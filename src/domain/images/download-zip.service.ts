// A selection of the caller's images as one zip, streamed: each original comes from the byte store one after
// another and passes straight into the archive (stored, not deflated: images are compressed already), so neither
// a whole file nor the whole zip is ever held in memory. Unknown ids and ids of other accounts are skipped and
// named in a `missing.txt` entry; when none of the ids is the caller's the answer is 404 before any byte is sent.
import { Transform, type PassThrough, type Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { AppError } from '../../errors/app-error.js';
import type { ImagesRepo } from '../../db/repos/images.repo.js';
import type { PlansRepo } from '../../db/repos/plans.repo.js';
import type { ImageRow } from '../../db/schema.js';
import { BlobNotFoundError, type BlobStore } from '../../storage/blob-store.js';
import { storageKeys } from '../../storage/keys.js';
import type { Principal } from '../../auth/principal.js';
import type { Clock } from '../../lib/clock.js';
import type { Quotas } from '../usage/quotas.js';
import type { DeliveryService } from './delivery.service.js';

export type ZipDownload = { filename: string; stream: Readable };

type Deps = {
  images: Pick<ImagesRepo, 'findManyForUser'>;
  plans: Pick<PlansRepo, 'findById'>;
  blobs: Pick<BlobStore, 'get'>;
  quotas: Pick<Quotas, 'assertImageBandwidth'>;
  /** The media host's meter: bytes of originals count against the owner's image bandwidth, as when served one by one. */
  meter: Pick<DeliveryService, 'recordServed'>;
  clock: Clock;
  log: { warn(obj: object, msg: string): void };
};

const MISSING = 'missing.txt';
/** Extensions a display name may end with that say "image": replaced by the stored type's when they differ. */
const IMAGE_EXTS = new Set(['jpg', 'jpeg', 'jpe', 'png', 'gif', 'webp', 'avif', 'svg', 'heic', 'heif', 'tif', 'tiff', 'bmp']);
const MAX_STEM = 150;

/**
 * A safe entry name for an image: its display name without control characters, path separators or characters
 * Windows refuses, no leading or trailing dots (so never `.` or `..`), ending in the stored type's extension.
 */
export function entryName(row: Pick<ImageRow, 'id' | 'filename' | 'ext'>): { stem: string; ext: string } {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const clean = row.filename.normalize('NFC').replace(/[\u0000-\u001f\u007f]/g, '').replace(/[/\\:*?"<>|]/g, '_').replace(/^[\s.]+|[\s.]+$/g, '');
  const ext = row.ext.toLowerCase();
  const dot = clean.lastIndexOf('.');
  const own = dot > 0 ? clean.slice(dot + 1).toLowerCase() : '';
  const same = own === ext || (ext === 'jpg' && (own === 'jpeg' || own === 'jpe'));
  let stem = dot > 0 && (same || IMAGE_EXTS.has(own)) ? clean.slice(0, dot) : clean;
  stem = [...stem].slice(0, MAX_STEM).join('').replace(/[\s.]+$/g, '');
  return { stem: stem || row.id, ext: same ? own : ext };
}

/** Names in one archive: a repeat (compared case-insensitively, as most file systems do) gets " (2)", " (3)", … */
function uniqueNames() {
  const used = new Set<string>([MISSING]);
  return ({ stem, ext }: { stem: string; ext: string }): string => {
    for (let n = 1; ; n++) {
      const name = `${n === 1 ? stem : `${stem} (${n})`}.${ext}`;
      if (!used.has(name.toLowerCase())) {
        used.add(name.toLowerCase());
        return name;
      }
    }
  };
}

/** Passes bytes through and counts them. */
function byteCounter(): Transform & { bytes: number } {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      counter.bytes += chunk.length;
      done(null, chunk);
    },
  }) as Transform & { bytes: number };
  counter.bytes = 0;
  return counter;
}

export function createDownloadZipService(deps: Deps) {
  const { images, plans, blobs, quotas, clock, log } = deps;

  /**
   * Feeds the archive one image at a time: opens the original, hands it to the zip and waits until the zip has
   * taken all of it before opening the next. Stops at once when the download ends early (client gone, store
   * failure): the open source is destroyed with the output, nothing is left open.
   */
  async function feed(zip: ZipFile, out: PassThrough, rows: ImageRow[], missing: string[]): Promise<void> {
    const name = uniqueNames();
    for (const row of rows) {
      if (out.destroyed) return;
      let source: Readable;
      try {
        source = await blobs.get(storageKeys.imageOriginal(row.userId, row.id));
      } catch (err) {
        if (!(err instanceof BlobNotFoundError)) throw err;
        missing.push(row.id); // deleted since it was looked up
        continue;
      }
      const counter = byteCounter();
      const stopOnClose = () => counter.destroy();
      out.once('close', stopOnClose);
      try {
        if (out.destroyed) return void source.destroy();
        const piped = pipeline(source, counter); // an error or an early end on either side destroys both
        zip.addReadStream(counter, name(entryName(row)), { compress: false, mtime: new Date(row.createdAt) });
        await Promise.all([piped, finished(counter)]);
      } finally {
        out.off('close', stopOnClose);
        if (counter.bytes > 0) deps.meter.recordServed(row, counter.bytes);
      }
    }
    if (out.destroyed) return;
    if (missing.length > 0) {
      const text = `Not included: these ids are not images of this account (unknown, another account's, or deleted).\n${missing.join('\n')}\n`;
      zip.addBuffer(Buffer.from(text, 'utf8'), MISSING, { compress: false, mtime: new Date(clock.now()) });
    }
    zip.end();
  }

  return {
    /**
     * Checks the ids and the bandwidth, then starts the archive. The stream is read by the HTTP layer; destroying
     * it (a client that went away) stops the reads from the store.
     */
    async download(p: Principal, ids: string[]): Promise<ZipDownload> {
      const wanted = [...new Set(ids)];
      const found = new Map((await images.findManyForUser(p.userId, wanted)).map((r) => [r.id, r]));
      const rows = wanted.flatMap((id) => found.get(id) ?? []);
      if (rows.length === 0) throw new AppError('NOT_FOUND', 'None of these images exists in this account');
      // The media host's rule: a request that starts under the monthly bandwidth is served whole.
      const plan = await plans.findById(p.plan);
      if (plan) await quotas.assertImageBandwidth(p.userId, plan);

      const zip = new ZipFile();
      const out = zip.outputStream as PassThrough;
      const fail = (err: unknown) => {
        if (out.destroyed) return;
        log.warn({ err, userId: p.userId }, 'zip download failed mid-way; the response is cut off');
        out.destroy(err instanceof Error ? err : new Error(String(err)));
      };
      zip.on('error', fail);
      void feed(zip, out, rows, wanted.filter((id) => !found.has(id))).catch(fail);
      return { filename: `picora-${new Date(clock.now()).toISOString().slice(0, 10)}.zip`, stream: out };
    },
  };
}

export type DownloadZipService = ReturnType<typeof createDownloadZipService>;
