// Upload: spool (sniff, hash, count, size limit) → dedupe → prepare (pixels, HEIC, SVG) → reserve quota →
// store → row. Any failure leaves no row, no object and no reserved quota behind.
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AppError, validationError } from '../../errors/app-error.js';
import type { ImagesRepo } from '../../db/repos/images.repo.js';
import type { PlansRepo } from '../../db/repos/plans.repo.js';
import type { ImageRow, PlanRow } from '../../db/schema.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { storageKeys } from '../../storage/keys.js';
import type { Principal } from '../../auth/principal.js';
import type { Clock } from '../../lib/clock.js';
import { newImageId } from '../../lib/ids.js';
import type { Quotas } from '../usage/quotas.js';
import { normaliseTags } from './image-policy.js';
import { prepareImage } from './prepare-image.js';
import { spoolUpload, type SpooledUpload } from './upload-spool.js';

/** An animation may hold this many full-size frames' worth of pixels in all (see media/image-probe). */
export const ANIMATION_FRAME_BUDGET = 4;

export type UploadFields = { isPublic?: string | undefined; tags?: string | undefined; title?: string | undefined };
export type UploadResult = { row: ImageRow; duplicate: boolean };

type Deps = {
  images: ImagesRepo;
  quotas: Quotas;
  plans: PlansRepo;
  blobs: BlobStore;
  clock: Clock;
  spoolDir: string;
  log: { warn(obj: object, msg: string): void };
  onStored?: (bytes: number) => void;
  /** Longest side an image may have (decoding memory grows with width). */
  maxImageSide: number;
  /** Bounds how many uploads decode at once (shared with rendering). */
  decodeLimit: <T>(fn: () => Promise<T>) => Promise<T>;
};


export function parseUploadFields(f: UploadFields): { isPublic: boolean; tags: string[]; title: string | null } {
  let isPublic = true;
  if (f.isPublic !== undefined) {
    const v = f.isPublic.trim().toLowerCase();
    if (v === 'true' || v === '1') isPublic = true;
    else if (v === 'false' || v === '0') isPublic = false;
    else throw validationError('isPublic', 'must be "true" or "false"');
  }
  let tags: string[] = [];
  if (f.tags !== undefined && f.tags.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(f.tags);
    } catch {
      parsed = f.tags.split(',');
    }
    tags = normaliseTags(parsed);
  }
  const title = f.title?.trim() ? f.title.trim() : null;
  if (title !== null && [...title].length > 200) throw validationError('title', 'must be at most 200 characters');
  return { isPublic, tags, title };
}

export function createUploadService(deps: Deps) {
  const { images, plans, blobs, clock } = deps;

  async function planOf(p: Principal): Promise<PlanRow> {
    const plan = await plans.findById(p.plan);
    if (!plan) throw new AppError('FORBIDDEN', 'Your account has no active plan');
    return plan;
  }

  return {
    /** Removes spool files older than `olderThanMs` (left by a process that died mid-upload). */
    async sweepSpool(olderThanMs: number): Promise<number> {
      let removed = 0;
      let names: string[];
      try {
        names = await readdir(deps.spoolDir);
      } catch {
        return 0;
      }
      for (const name of names) {
        const file = path.join(deps.spoolDir, name);
        const info = await stat(file).catch(() => undefined);
        if (info && info.isFile() && info.mtimeMs < Date.now() - olderThanMs) {
          await rm(file, { force: true });
          removed++;
        }
      }
      return removed;
    },

    /**
     * Streams the file part to the spool. Quotas are not judged here: the bytes may be a duplicate, which is
     * answered without using any (CONTRACT §5) even when the account is full; commit() reserves atomically.
     */
    async stage(p: Principal, file: Readable, filename: string | undefined): Promise<SpooledUpload> {
      const plan = await planOf(p);
      return spoolUpload(file, { dir: deps.spoolDir, maxBytes: plan.maxImageBytes, filename });
    },

    /** Turns a staged upload into an image (or finds the duplicate). The caller disposes the spool. */
    async commit(p: Principal, spool: SpooledUpload, fields: UploadFields): Promise<UploadResult> {
      const meta = parseUploadFields(fields);
      const existing = await images.findBySha(p.userId, spool.sha256);
      if (existing) return { row: existing, duplicate: true };

      const plan = await planOf(p);
      const prepared = await deps.decodeLimit(() =>
        prepareImage(spool, { maxPixels: plan.maxImagePixels, maxFrames: ANIMATION_FRAME_BUDGET, maxSvgBytes: plan.maxSvgBytes, maxSide: deps.maxImageSide }),
      );
      const release = await deps.quotas.reserveImageUpload(p.userId, plan, prepared.size);
      const now = clock.now();

      const id = newImageId();
      const key = storageKeys.imageOriginal(p.userId, id);
      try {
        await blobs.putFile(key, prepared.path, { contentType: prepared.mimeType });
      } catch (err) {
        await release();
        await blobs.delete(key).catch(() => undefined);
        deps.log.warn({ err, userId: p.userId }, 'upload: the store refused the bytes');
        throw new AppError('STORAGE_ERROR');
      }

      const row: ImageRow = {
        id, userId: p.userId, filename: spool.filename, title: meta.title, mimeType: prepared.mimeType, ext: prepared.ext,
        sizeBytes: prepared.size, width: prepared.width, height: prepared.height, frames: prepared.frames, sha256: spool.sha256,
        blurhash: prepared.blurhash, dominantColor: prepared.dominantColor, isPublic: meta.isPublic ? 1 : 0, allowedReferers: null,
        tags: JSON.stringify(meta.tags), hasMetadata: prepared.hasMetadata ? 1 : 0, createdAt: now, updatedAt: now,
      };
      try {
        await images.insert(row, meta.tags);
      } catch (err) {
        await release();
        await blobs.delete(key).catch(() => undefined);
        const raced = await images.findBySha(p.userId, spool.sha256);
        if (raced) return { row: raced, duplicate: true };
        throw err;
      }
      deps.onStored?.(row.sizeBytes);
      return { row, duplicate: false };
    },
  };
}

export type UploadService = ReturnType<typeof createUploadService>;
