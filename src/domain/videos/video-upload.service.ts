// Video upload: plan gate → spool (sniffed by its bytes, hashed, counted, size limit) → probe (a video stream,
// duration within the plan) → reserve media quota → store the original → row + transcode job in one
// transaction → 202. Any failure leaves no row, no object and no reserved quota behind; a process that dies
// mid-upload leaves its reservation, which the sweeper gives back (the original's key follows from its kind).
import type { Readable } from 'node:stream';
import { AppError } from '../../errors/app-error.js';
import type { PlansRepo } from '../../db/repos/plans.repo.js';
import type { VideosRepo } from '../../db/repos/videos.repo.js';
import type { PlanRow, VideoRow } from '../../db/schema.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { storageKeys } from '../../storage/keys.js';
import type { Principal } from '../../auth/principal.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { JobQueue } from '../../jobs/queue.js';
import { isMediaError } from '../../media/media-error.js';
import { probeVideo } from '../../media/video/probe.js';
import { sniffVideo } from '../../media/video/sniff-video.js';
import type { SniffedVideo, VideoProbe } from '../../media/video/video-types.js';
import type { Quotas } from '../usage/quotas.js';
import { formatBytes, spoolUpload, type SpooledUpload } from '../images/upload-spool.js';
import { parseUploadFields, type CommitOptions, type UploadFields } from '../images/upload.service.js';
import { defaultTitle, requireVideoPlan } from './video-policy.js';

export type VideoSpool = SpooledUpload<SniffedVideo>;

type Deps = {
  videos: VideosRepo;
  plans: PlansRepo;
  quotas: Quotas;
  blobs: BlobStore;
  jobs: Pick<JobQueue, 'prepare'>;
  clock: Clock;
  spoolDir: string;
  ffprobe: string;
  log: { warn(obj: object, msg: string): void };
  onStored?: (bytes: number) => void;
};

const TRANSCODE_ATTEMPTS = 3;

function formatDuration(seconds: number): string {
  return seconds >= 3600 && seconds % 3600 === 0 ? `${seconds / 3600} h` : `${Math.round(seconds / 60)} min`;
}

export function createVideoUploadService(deps: Deps) {
  const { videos, plans, blobs, clock } = deps;

  async function videoPlan(p: Principal): Promise<PlanRow> {
    return requireVideoPlan(await plans.findById(p.plan));
  }

  async function probe(spool: VideoSpool, plan: PlanRow): Promise<VideoProbe> {
    let probed: VideoProbe;
    try {
      probed = await probeVideo(spool.path, { ffprobe: deps.ffprobe, timeoutMs: 30_000 });
    } catch (err) {
      if (isMediaError(err, 'unsupported')) throw new AppError('INVALID_FILE_TYPE', 'Uploaded file is not a supported video: it has no video stream', { field: 'file' });
      if (isMediaError(err, 'corrupt') || isMediaError(err, 'too_slow')) {
        throw new AppError('VALIDATION_ERROR', 'Validation error: file is not a readable video (truncated or corrupt)', { field: 'file' });
      }
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        deps.log.warn({ err }, 'video upload: ffprobe is missing (install ffmpeg, or set PICORA_FFPROBE_PATH)');
        throw new AppError('INTERNAL', 'Video processing is not available on this server (ffmpeg is not installed)');
      }
      throw err;
    }
    if (!(probed.durationSeconds > 0)) throw new AppError('VALIDATION_ERROR', 'Validation error: file has no duration (not a playable video)', { field: 'file' });
    if (probed.durationSeconds > plan.maxVideoSeconds) {
      throw new AppError(
        'VALIDATION_ERROR',
        `Validation error: file is ${formatDuration(Math.ceil(probed.durationSeconds))} long; your plan allows videos up to ${formatDuration(plan.maxVideoSeconds)}`,
        { field: 'file', maxDurationSeconds: plan.maxVideoSeconds, durationSeconds: Math.ceil(probed.durationSeconds) },
      );
    }
    return probed;
  }

  return {
    /** Refuses at once (before any byte is read) when the plan has no video. */
    assertAllowed: async (p: Principal): Promise<void> => void (await videoPlan(p)),

    /** Streams the file part to the spool: judged by its bytes, within the plan's per-file limit. */
    async stage(p: Principal, file: Readable, filename: string | undefined): Promise<VideoSpool> {
      const plan = await videoPlan(p);
      return spoolUpload(file, {
        dir: deps.spoolDir,
        maxBytes: plan.maxVideoBytes,
        filename,
        fallbackName: 'video',
        sniff: (head) => sniffVideo(head),
        refusal: () => new AppError('INVALID_FILE_TYPE', 'Uploaded file is not a supported video format (MP4, MOV, MKV, WebM or AVI)'),
      });
    },

    /**
     * Turns a staged upload into a video row and a transcode job. The caller disposes the spool. A finished
     * resumable upload passes `opts.reserve` to hand its reservation over instead of taking a new one.
     */
    async commit(p: Principal, spool: VideoSpool, fields: UploadFields, opts: CommitOptions = {}): Promise<VideoRow> {
      const meta = parseUploadFields(fields);
      const plan = await videoPlan(p);
      if (spool.size > plan.maxVideoBytes) throw new AppError('FILE_TOO_LARGE', `File exceeds the maximum allowed size for your plan (${formatBytes(plan.maxVideoBytes)})`);
      const probed = await probe(spool, plan);
      const id = newId();
      const reservation = await (opts.reserve ? opts.reserve(plan, spool.size, id) : deps.quotas.reserveVideoUpload(p.userId, plan, spool.size, id));
      const key = storageKeys.videoOriginal(p.userId, id);
      const abandon = async () => {
        try {
          await blobs.delete(key);
        } catch (err) {
          deps.log.warn({ err, videoId: id }, 'video upload: could not remove the object of a failed upload; the reservation sweep will');
          return;
        }
        await reservation.release();
      };
      try {
        await blobs.putFile(key, spool.path, { contentType: spool.type.mimeType });
      } catch (err) {
        await abandon();
        deps.log.warn({ err, userId: p.userId }, 'video upload: the store refused the bytes');
        throw new AppError('STORAGE_ERROR');
      }
      if (!(await reservation.claim())) {
        await blobs.delete(key).catch(() => undefined);
        throw new AppError('STORAGE_ERROR');
      }
      const now = clock.now();
      const row: VideoRow = {
        id, userId: p.userId, title: defaultTitle(meta.title, spool.filename), filename: spool.filename, container: spool.type.container,
        mimeType: spool.type.mimeType, sizeBytes: spool.size, sha256: spool.sha256, isPublic: meta.isPublic ? 1 : 0, tags: JSON.stringify(meta.tags),
        status: 'processing', progress: 0, error: null, durationSeconds: probed.durationSeconds, width: probed.width, height: probed.height,
        hasAudio: probed.hasAudio ? 1 : 0, renditions: null, outputBytes: 0, posterVersion: 0, customPoster: 0, createdAt: now, updatedAt: now, readyAt: null,
      };
      // The job is written with the row: a crash after the commit cannot strand the video (table backend);
      // with BullMQ it is added after the commit and the reconciler adds any that went missing.
      const job = deps.jobs.prepare('video.transcode', { videoId: id }, { key: `transcode-${id}`, maxAttempts: TRANSCODE_ATTEMPTS });
      try {
        await videos.insert(row, (trx) => job.inTransaction(trx));
      } catch (err) {
        await abandon();
        throw err;
      }
      await reservation.settle().catch((err: unknown) => deps.log.warn({ err, videoId: id }, 'video upload: could not settle the quota reservation'));
      await job.afterCommit().catch((err: unknown) => deps.log.warn({ err, videoId: id }, 'video upload: could not enqueue the transcode; the reconciler will'));
      deps.onStored?.(row.sizeBytes);
      return row;
    },
  };
}

export type VideoUploadService = ReturnType<typeof createVideoUploadService>;
