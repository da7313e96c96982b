// Upload (a multipart file, or a URL fetched through the SSRF guard): spool (sniff, hash, count, size limit) →
// dedupe → prepare (pixels, HEIC, SVG) → reserve quota → store → row. Any failure leaves no row, no object and no
// reserved quota behind. A process that dies mid-upload leaves its reservation: once expired, sweepAbandoned()
// gives the quota back and removes the object.
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
import { createSafeFetcher, SafeFetchError, type FetchedBody, type SafeFetch } from '../../lib/safe-fetch.js';
import type { Quotas, UploadReservation } from '../usage/quotas.js';
import { normaliseTags } from './image-policy.js';
import type { MediaWorkers } from '../../media/worker/media-workers.js';
import { prepareImage } from './prepare-image.js';
import { formatBytes, spoolUpload, sweepSpoolDir, type SpooledUpload } from './upload-spool.js';

/** An animation may hold this many full-size frames' worth of pixels in all (see media/image-probe). */
export const ANIMATION_FRAME_BUDGET = 4;

export type UploadFields = { isPublic?: string | undefined; tags?: string | undefined; title?: string | undefined };
export type UploadResult = { row: ImageRow; duplicate: boolean };
/**
 * How a commit takes its quota: by default a fresh reservation; a finished resumable upload hands over the one
 * it has held since its creation (quotas.adoptReservation), so nothing is counted twice.
 */
export type CommitOptions = { reserve?: (plan: PlanRow, bytes: number, id: string) => Promise<UploadReservation> };

type Deps = {
  images: ImagesRepo;
  quotas: Quotas;
  plans: PlansRepo;
  blobs: BlobStore;
  clock: Clock;
  spoolDir: string;
  log: { warn(obj: object, msg: string): void };
  onStored?: (bytes: number) => void;
  /** A new image row exists (not for a duplicate): webhooks. */
  onCreated?: (row: ImageRow) => void;
  /**
   * The bytes are those of an image in the account's trash: bring it back (the trash service; undefined when it was
   * deleted for real meanwhile, and the upload goes on as a new one).
   */
  restoreTrashed: (row: ImageRow) => Promise<ImageRow | undefined>;
  /** Longest side an image may have (decoding memory grows with width). */
  maxImageSide: number;
  /** The media worker processes (shared with rendering): preparation runs there under a time budget. */
  workers: Pick<MediaWorkers, 'prepare'>;
  /** Upload from URL: the SSRF-guarded fetch (default: no allow-list, the default time cap). */
  fetchRemote?: SafeFetch;
};


/** A multipart `isPublic` field: "true"/"1" or "false"/"0" (any case), public when absent. */
export function parseIsPublicField(value: string | undefined): boolean {
  if (value === undefined) return true;
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw validationError('isPublic', 'must be "true" or "false"');
}

export function parseUploadFields(f: UploadFields): { isPublic: boolean; tags: string[]; title: string | null } {
  const isPublic = parseIsPublicField(f.isPublic);
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
  const fetchRemote = deps.fetchRemote ?? createSafeFetcher();

  async function planOf(p: Principal): Promise<PlanRow> {
    const plan = await plans.findById(p.plan);
    if (!plan) throw new AppError('FORBIDDEN', 'Your account has no active plan');
    return plan;
  }

  return {
    /**
     * Removes spool files left by a process that died mid-upload: at once when their process is known to be
     * gone (this host, same PID namespace), otherwise once older than `olderThanMs`. Never this process's own.
     */
    sweepSpool: (olderThanMs: number): Promise<number> => sweepSpoolDir(deps.spoolDir, olderThanMs),

    /**
     * Cleans up after uploads whose process died (or that outlived their reservation): their quota goes back
     * and the object each may have stored is removed. Safe to run on every instance at once.
     */
    async sweepAbandoned(): Promise<number> {
      let removed = 0;
      for (const r of await deps.quotas.releaseExpiredReservations()) {
        try {
          // a video's original (its ladder is only written by a transcode, after the row exists); audio: original and cover
          if (r.kind === 'audio') for (const key of [storageKeys.audioOriginal(r.userId, r.id), storageKeys.audioCover(r.userId, r.id)]) await blobs.delete(key);
          else await blobs.delete(r.kind === 'video' ? storageKeys.videoOriginal(r.userId, r.id) : storageKeys.imageOriginal(r.userId, r.id));
        } catch (err) {
          deps.log.warn({ err, imageId: r.id }, 'upload sweep: could not remove an abandoned object; the next sweep retries');
          continue;
        }
        await deps.quotas.forgetReservation(r.id);
        removed++;
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

    /**
     * Upload from URL: fetches through the SSRF guard (lib/safe-fetch) straight into the spool, capped at the
     * plan's file size; then commit() as for any upload. Every refusal of the URL is a 422 naming `url`.
     */
    async stageFromUrl(p: Principal, url: string): Promise<SpooledUpload> {
      const plan = await planOf(p);
      const refused = (err: unknown) => remoteRefusal(err, plan.maxImageBytes);
      let remote: FetchedBody;
      try {
        remote = await fetchRemote(url, { maxBytes: plan.maxImageBytes });
      } catch (err) {
        throw refused(err);
      }
      try {
        return await spoolUpload(remote.body, { dir: deps.spoolDir, maxBytes: plan.maxImageBytes, filename: remote.filename });
      } catch (err) {
        remote.body.destroy(); // closes the connection at once, whatever the spool got to
        // The spool reports a body that ended early as a cut-off upload: the fetch knows why it ended.
        throw refused(remote.failure() ?? err);
      }
    },

    /** Turns a staged upload into an image (or finds the duplicate). The caller disposes the spool. */
    async commit(p: Principal, spool: SpooledUpload, fields: UploadFields, opts: CommitOptions = {}): Promise<UploadResult> {
      const meta = parseUploadFields(fields);
      const existing = await images.findBySha(p.userId, spool.sha256);
      // The same bytes in the trash: that image is restored and answered as the duplicate (no second copy, no quota:
      // its bytes never stopped counting), so sha256 stays unique per account and /exists ("missing") stays true.
      const live = existing && (existing.trashedAt === null ? existing : await deps.restoreTrashed(existing));
      if (live) return { row: live, duplicate: true };

      const plan = await planOf(p);
      const prepared = await prepareImage(
        spool,
        { maxPixels: plan.maxImagePixels, maxFrames: ANIMATION_FRAME_BUDGET, maxSvgBytes: plan.maxSvgBytes, maxSide: deps.maxImageSide },
        deps.workers,
      );
      const id = newImageId();
      const reservation = await (opts.reserve ? opts.reserve(plan, prepared.size, id) : deps.quotas.reserveImageUpload(p.userId, plan, prepared.size, id));
      const now = clock.now();

      const key = storageKeys.imageOriginal(p.userId, id);
      // The object goes first, then the quota: if the object cannot be removed, the reservation stays and the
      // sweeper retries both once it expires (an orphan is never left uncounted).
      const abandon = async () => {
        try {
          await blobs.delete(key);
        } catch (err) {
          deps.log.warn({ err, imageId: id }, 'upload: could not remove the object of a failed upload; the reservation sweep will');
          return;
        }
        await reservation.release();
      };
      try {
        await blobs.putFile(key, prepared.path, { contentType: prepared.mimeType });
      } catch (err) {
        await abandon();
        deps.log.warn({ err, userId: p.userId }, 'upload: the store refused the bytes');
        throw new AppError('STORAGE_ERROR');
      }
      // Swept already (the store took longer than the reservation lives): its quota is back and its object is
      // being removed, so this upload cannot complete.
      if (!(await reservation.claim())) {
        await blobs.delete(key).catch(() => undefined);
        deps.log.warn({ userId: p.userId, imageId: id }, 'upload: the quota reservation expired before the store finished');
        throw new AppError('STORAGE_ERROR');
      }

      const row: ImageRow = {
        id, userId: p.userId, filename: spool.filename, title: meta.title, mimeType: prepared.mimeType, ext: prepared.ext,
        sizeBytes: prepared.size, width: prepared.width, height: prepared.height, frames: prepared.frames, sha256: spool.sha256,
        blurhash: prepared.blurhash, dominantColor: prepared.dominantColor, isPublic: meta.isPublic ? 1 : 0, allowedReferers: null,
        tags: JSON.stringify(meta.tags), hasMetadata: prepared.hasMetadata ? 1 : 0, createdAt: now, updatedAt: now,
      };
      try {
        await images.insert(row, meta.tags, prepared.photoInfo);
      } catch (err) {
        await abandon();
        const found = await images.findBySha(p.userId, spool.sha256);
        const raced = found && (found.trashedAt === null ? found : await deps.restoreTrashed(found));
        if (raced) return { row: raced, duplicate: true };
        throw err;
      }
      // The quota now belongs to the row. Should this fail, the sweeper finds the row and only forgets it.
      await reservation.settle().catch((err: unknown) => deps.log.warn({ err, imageId: id }, 'upload: could not settle the quota reservation'));
      deps.onStored?.(row.sizeBytes);
      deps.onCreated?.(row);
      return { row, duplicate: false };
    },
  };
}

/** A fetch's refusal as the API answers it; anything else passes through. */
function remoteRefusal(err: unknown, maxBytes: number): unknown {
  if (!(err instanceof SafeFetchError)) return err;
  if (err.reason === 'too_large') {
    return new AppError('FILE_TOO_LARGE', `File exceeds the maximum allowed size for your plan (${formatBytes(maxBytes)})`, { maxBytes });
  }
  return validationError('url', err.message);
}

export type UploadService = ReturnType<typeof createUploadService>;
