// The video library: list (keyset), read, update, delete (with every object it has), status polls with the
// bandwidth state, a custom poster, and signed playback links for private videos.
import { readFile } from 'node:fs/promises';
import { forEachLimit } from '../../lib/concurrency.js';
import { Readable } from 'node:stream';
import { AppError, validationError } from '../../errors/app-error.js';
import type { PlansRepo } from '../../db/repos/plans.repo.js';
import type { VideoPatch, VideosRepo } from '../../db/repos/videos.repo.js';
import type { PlanRow, VideoRow } from '../../db/schema.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { storageKeys } from '../../storage/keys.js';
import type { Principal } from '../../auth/principal.js';
import type { Clock } from '../../lib/clock.js';
import type { MediaWorkers } from '../../media/worker/media-workers.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { BandwidthState, Quotas } from '../usage/quotas.js';
import type { UrlSigner } from '../images/url-signing.js';
import { normaliseTags } from '../images/image-policy.js';
import { prepareImage } from '../images/prepare-image.js';
import type { SpooledUpload } from '../images/upload-spool.js';
import { presentVideo, videoBase, playbackPath, type VideoResponse } from './video-presenter.js';
import { requireVideoOwner } from './video-policy.js';
import type { PlaybackSigner } from './video-signing.js';

export type VideoListResult = { items: VideoRow[]; nextCursor: string | null; hasMore: boolean };
export type VideoUpdate = { title?: string; tags?: string[]; isPublic?: boolean };
export type VideoStatusResponse = {
  id: string;
  status: VideoRow['status'];
  progress: number | null;
  playbackUrl: string | null;
  thumbnailUrl: string | null;
  durationSeconds: number | null;
  bandwidthState: BandwidthState;
  error: string | null;
};

type Deps = {
  videos: VideosRepo;
  plans: PlansRepo;
  quotas: Pick<Quotas, 'releaseMediaStorage' | 'mediaBandwidthState'>;
  blobs: BlobStore;
  jobs: Pick<JobQueue, 'enqueue'>;
  cursors: Pick<UrlSigner, 'encodeCursor' | 'decodeCursor'>;
  playback: PlaybackSigner;
  workers: Pick<MediaWorkers, 'prepare' | 'render'>;
  clock: Clock;
  mediaBaseUrl: string;
  /** Lifetime of the playback token an owner's responses carry for a private video. */
  playbackTtlSeconds: number;
  log: { warn(obj: object, msg: string): void };
  /** Drops what delivery caches hold for a video that changed or was deleted. */
  onChanged?: (videoId: string) => void;
};

/** Longest side of a stored poster. */
const POSTER_SIDE = 1280;

export function createVideosService(deps: Deps) {
  const { videos, plans, quotas, blobs, clock } = deps;

  async function planOf(userId: string, planId: string): Promise<PlanRow> {
    const plan = await plans.findById(planId as PlanRow['id']);
    if (!plan) throw new AppError('FORBIDDEN', `Account ${userId} has no active plan`);
    return plan;
  }

  const stateOf = async (p: Principal): Promise<BandwidthState> => quotas.mediaBandwidthState(p.userId, await planOf(p.userId, p.plan));

  /** A token for a private video (its owner is asking), valid for `seconds`. */
  function tokenFor(row: VideoRow, seconds = deps.playbackTtlSeconds): string | undefined {
    if (row.isPublic === 1) return undefined;
    return deps.playback.sign(row.id, Math.floor(clock.now() / 1000) + seconds).token;
  }

  async function owned(p: Principal, id: string): Promise<VideoRow> {
    return requireVideoOwner(await videos.findById(id), p);
  }

  /** Removes every object of a video; what fails is handed to a purge job that retries. */
  async function purge(row: Pick<VideoRow, 'id' | 'userId'>): Promise<void> {
    const prefix = storageKeys.videoPrefix(row.userId, row.id);
    try {
      for await (const key of blobs.list(prefix)) await blobs.delete(key);
    } catch (err) {
      deps.log.warn({ err, videoId: row.id }, 'video deleted, but some stored bytes could not be removed now; a purge job retries');
      await deps.jobs.enqueue('storage.purge', { prefix }, { key: `purge-${row.id}`, maxAttempts: 10 }).catch(() => undefined);
    }
  }

  return {
    async present(p: Principal, row: VideoRow): Promise<VideoResponse> {
      return presentVideo(row, { mediaBaseUrl: deps.mediaBaseUrl, state: await stateOf(p), token: tokenFor(row) });
    },

    async presentMany(p: Principal, rows: VideoRow[]): Promise<VideoResponse[]> {
      const state = await stateOf(p);
      return rows.map((row) => presentVideo(row, { mediaBaseUrl: deps.mediaBaseUrl, state, token: tokenFor(row) }));
    },

    async list(p: Principal, input: { cursor?: string | undefined; limit?: number | undefined }): Promise<VideoListResult> {
      const limit = input.limit ?? 20;
      const after = input.cursor ? deps.cursors.decodeCursor(input.cursor) : undefined;
      const rows = await videos.list(p.userId, limit + 1, after);
      const hasMore = rows.length > limit;
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items, hasMore, nextCursor: hasMore && last ? deps.cursors.encodeCursor({ createdAt: last.createdAt, id: last.id }) : null };
    },

    get: owned,

    async update(p: Principal, id: string, patch: VideoUpdate): Promise<VideoRow> {
      const current = await owned(p, id);
      const set: VideoPatch = {};
      if (patch.title !== undefined) {
        const title = patch.title.trim();
        if (!title) throw validationError('title', 'must not be empty');
        if ([...title].length > 200) throw validationError('title', 'must be at most 200 characters');
        set.title = title;
      }
      if (patch.tags !== undefined) set.tags = JSON.stringify(normaliseTags(patch.tags));
      if (patch.isPublic !== undefined) set.isPublic = patch.isPublic ? 1 : 0;
      // after the row's last change even within one ms: the sync feed's (updatedAt, id) order sees every change
      const row = await videos.update(id, set, Math.max(clock.now(), current.updatedAt + 1));
      if (!row) throw new AppError('NOT_FOUND', 'Video not found');
      deps.onChanged?.(id);
      return row;
    },

    /** Deletes the row first (a running transcode then stops and cleans up after itself), then the objects. */
    async remove(p: Principal, id: string): Promise<void> {
      await owned(p, id);
      const row = await videos.delete(id, clock.now());
      if (!row) throw new AppError('NOT_FOUND', 'Video not found');
      await quotas.releaseMediaStorage(row.userId, row.sizeBytes, 1);
      deps.onChanged?.(id);
      await purge(row);
    },

    purge,

    /** Deletes the caller's videos among `ids` (one page of a bulk delete) in one transaction, then quota and objects. */
    async removeBatch(p: Principal, ids: string[]): Promise<string[]> {
      const rows = await videos.deleteMany(p.userId, ids, clock.now());
      if (rows.length === 0) return [];
      await quotas.releaseMediaStorage(p.userId, rows.reduce((n, r) => n + r.sizeBytes, 0), rows.length);
      for (const row of rows) deps.onChanged?.(row.id);
      // the objects (HLS ladders: many per video) go in a durable purge job; inline only when it cannot be queued
      const prefixes = rows.map((r) => storageKeys.videoPrefix(r.userId, r.id));
      await deps.jobs.enqueue('storage.purge-batch', { prefixes }, { key: `purge-videos-${rows[0]!.id}`, maxAttempts: 10 }).catch(async (err: unknown) => {
        deps.log.warn({ err, count: rows.length }, 'bulk delete: could not queue the purge job; removing the objects now');
        await forEachLimit(rows, 8, purge);
      });
      return rows.map((r) => r.id);
    },

    /** The lightweight poll (SPEC §8.5); 451 VIDEO_SUSPENDED past 120 % of the plan's media bandwidth. */
    async status(p: Principal, id: string): Promise<VideoStatusResponse> {
      const row = await owned(p, id);
      const state = await stateOf(p);
      if (state === 'suspended') throw new AppError('VIDEO_SUSPENDED');
      const v = presentVideo(row, { mediaBaseUrl: deps.mediaBaseUrl, state, token: tokenFor(row) });
      return {
        id: v.id, status: v.status, progress: v.progress, playbackUrl: v.playbackUrl, thumbnailUrl: v.thumbnailUrl,
        durationSeconds: v.durationSeconds, bandwidthState: state, error: v.error,
      };
    },

    /** A signed playback link (works for anyone holding it, until it expires). */
    async sign(p: Principal, id: string, expSeconds = 3600): Promise<{ signedUrl: string; expiresAt: string; exp: number }> {
      if (!Number.isInteger(expSeconds) || expSeconds < 1 || expSeconds > 86_400) throw validationError('expSeconds', 'must be an integer from 1 to 86400');
      const row = await owned(p, id);
      if (row.status !== 'ready') throw new AppError('CONFLICT', 'The video is not ready to play yet');
      const { token, exp } = deps.playback.sign(row.id, Math.floor(clock.now() / 1000) + expSeconds);
      const path = playbackPath(row, await stateOf(p));
      return { signedUrl: `${videoBase(deps.mediaBaseUrl, row.id)}/${path}?token=${token}`, expiresAt: new Date(exp * 1000).toISOString(), exp };
    },

    /** A custom poster: any accepted image, sanitised and re-encoded as JPEG (≤ 1280 px) in a media worker. */
    async setThumbnail(p: Principal, id: string, spool: SpooledUpload): Promise<VideoRow> {
      const row = await owned(p, id);
      const plan = await planOf(p.userId, p.plan);
      const prepared = await prepareImage(spool, { maxPixels: plan.maxImagePixels, maxFrames: 1, maxSvgBytes: plan.maxSvgBytes, maxSide: 16_384 }, deps.workers);
      let poster: Buffer;
      try {
        const out = await deps.workers.render(await readFile(prepared.path), { w: POSTER_SIDE, h: POSTER_SIDE, fit: 'inside', format: 'jpeg', q: 85 }, {
          maxPixels: plan.maxImagePixels, maxFrames: 1, maxOutputSide: POSTER_SIDE,
        });
        poster = out.data;
      } catch {
        throw new AppError('VALIDATION_ERROR', 'Validation error: file is not a readable image (truncated or corrupt)', { field: 'file' });
      }
      try {
        await blobs.put(storageKeys.videoPoster(row.userId, row.id), Readable.from([poster]), { contentType: 'image/jpeg' });
      } catch (err) {
        deps.log.warn({ err, videoId: id }, 'video poster: the store refused the bytes');
        throw new AppError('STORAGE_ERROR');
      }
      const updated = await videos.setPoster(id, true, clock.now());
      if (!updated) {
        await purge(row);
        throw new AppError('NOT_FOUND', 'Video not found');
      }
      deps.onChanged?.(id);
      return updated;
    },

  };
}

export type VideosService = ReturnType<typeof createVideosService>;
