// Avatars (SPEC §12): an upload (JPEG, PNG, WebP or GIF by its bytes, ≤ 2 MB) is decoded in the media worker pool
// and re-encoded to a square WebP (first frame only), stored under storageKeys.userAvatar (replacing the old one),
// not counted in any quota; the user's avatarUrl carries its version. Served publicly with its version as ETag.
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { AppError } from '../../errors/app-error.js';
import type { AvatarsRepo } from '../../db/repos/avatars.repo.js';
import type { Principal } from '../../auth/principal.js';
import type { Clock } from '../../lib/clock.js';
import type { MediaWorkers } from '../../media/worker/media-workers.js';
import { sniffImageType, type SniffedType } from '../../media/sniff.js';
import { BlobNotFoundError, type BlobStore } from '../../storage/blob-store.js';
import { storageKeys } from '../../storage/keys.js';
import { spoolUpload, type SpooledUpload } from '../images/upload-spool.js';

export const AVATAR_MAX_BYTES = 2 * 1024 * 1024;
const SIDE = 256;
const ACCEPTED = new Set(['jpg', 'png', 'webp', 'gif']);
const LIMITS = { maxPixels: 50_000_000, maxFrames: 1000, maxOutputSide: SIDE };

type Deps = {
  avatars: AvatarsRepo;
  blobs: BlobStore;
  workers: Pick<MediaWorkers, 'render'>;
  clock: Clock;
  spoolDir: string;
  publicUrl: string;
  log: { warn(obj: object, msg: string): void };
};

export type AvatarFile = { body: Readable; etag: string; contentType: string } | { notModified: true; etag: string };

export function createAvatarsService(deps: Deps) {
  const sniff = async (head: Buffer): Promise<SniffedType | undefined> => {
    const type = await sniffImageType(head);
    return type && ACCEPTED.has(type.ext) ? type : undefined;
  };
  const etagOf = (version: number) => `"av-${version}"`;

  return {
    /** Streams the upload to the spool (size cap, type by bytes). The caller disposes it. */
    stage: (file: Readable, filename: string | undefined): Promise<SpooledUpload> =>
      spoolUpload(file, {
        dir: deps.spoolDir, maxBytes: AVATAR_MAX_BYTES, filename, sniff, fallbackName: 'avatar',
        refusal: () => new AppError('INVALID_FILE_TYPE', 'Unsupported file type: an avatar must be a JPEG, PNG, WebP or GIF image'),
      }),

    /** Re-encodes and stores the avatar; returns the new avatar URL (with ?v=version). */
    async set(p: Principal, spool: SpooledUpload): Promise<string> {
      let data: Buffer;
      try {
        // PNG first: a non-animated output keeps only the first frame; then the square WebP from it
        const still = await deps.workers.render(await readFile(spool.path), { w: SIDE, h: SIDE, fit: 'cover', format: 'png', q: 100 }, LIMITS);
        data = (await deps.workers.render(still.data, { fit: 'inside', format: 'webp', q: 85 }, LIMITS)).data;
      } catch {
        throw new AppError('VALIDATION_ERROR', 'Validation error: file is not a readable image (truncated, corrupt or too large in pixels)', { field: 'file' });
      }
      const previous = await deps.avatars.version(p.userId);
      if (previous === undefined) throw new AppError('NOT_FOUND', 'User not found');
      try {
        await deps.blobs.put(storageKeys.userAvatar(p.userId), Readable.from([data]), { contentType: 'image/webp' });
      } catch (err) {
        deps.log.warn({ err, userId: p.userId }, 'avatar: the store refused the bytes');
        throw new AppError('STORAGE_ERROR');
      }
      const version = Math.max(deps.clock.now(), (previous ?? 0) + 1); // a new ETag even within one millisecond
      const url = `${deps.publicUrl}/v1/user/avatar/${p.userId}?v=${version}`;
      await deps.avatars.set(p.userId, version, url, deps.clock.now());
      return url;
    },

    /** The avatar for the public route: 304 when `ifNoneMatch` names it, NOT_FOUND when there is none. */
    async read(userId: string, ifNoneMatch: (etag: string) => boolean): Promise<AvatarFile> {
      const version = /^[A-Za-z0-9_-]{1,64}$/.test(userId) ? await deps.avatars.version(userId) : undefined;
      if (version === undefined || version === null) throw new AppError('NOT_FOUND', 'This user has no avatar');
      const etag = etagOf(version);
      if (ifNoneMatch(etag)) return { notModified: true, etag };
      try {
        return { body: await deps.blobs.get(storageKeys.userAvatar(userId)), etag, contentType: 'image/webp' };
      } catch (err) {
        if (err instanceof BlobNotFoundError) throw new AppError('NOT_FOUND', 'This user has no avatar');
        throw err;
      }
    },
  };
}

export type AvatarsService = ReturnType<typeof createAvatarsService>;
