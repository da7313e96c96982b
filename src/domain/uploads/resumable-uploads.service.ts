// Resumable uploads (tus 1.0, SPEC §7.10): one session per upload. Creation validates the metadata, gates the
// plan, refuses a size above the plan's per-file limit and reserves the whole declared length against the
// right storage quota (images, or media for video and audio) for the session's lifetime. The last byte sends the
// file through exactly the pipeline of a direct upload (sniffing, limits, sha256 dedupe) and the resource takes
// the session's reservation over. A refused, cancelled or expired session gives its quota back and its bytes go.
import { AppError, validationError } from '../../errors/app-error.js';
import type { PlansRepo } from '../../db/repos/plans.repo.js';
import type { TusUploadsRepo } from '../../db/repos/tus-uploads.repo.js';
import type { PlanRow, TusUploadRow } from '../../db/schema.js';
import type { Principal } from '../../auth/principal.js';
import type { Clock } from '../../lib/clock.js';
import type { TusDatastore } from '../../storage/tus-datastore.js';
import { requireAudioPlan } from '../audio/audio-policy.js';
import type { AudioUploadService } from '../audio/audio-upload.service.js';
import type { CommitOptions, UploadService } from '../images/upload.service.js';
import { formatBytes, spoolUpload } from '../images/upload-spool.js';
import type { Quotas } from '../usage/quotas.js';
import type { VideoUploadService } from '../videos/video-upload.service.js';
import { requireVideoPlan } from '../videos/video-policy.js';
import { parseSessionMetadata, type ResumableKind, type SessionMetadata } from './upload-metadata.js';

/** What a finished upload became. */
export type FinishResult = { resourceType: ResumableKind; id: string; duplicate: boolean };

/** Audio's pipeline takes a file on local disk (domain/audio: the same checks as POST /v1/audio). */
export type AudioPipeline = Pick<AudioUploadService, 'ingestAudioFile'>;

type Deps = {
  sessions: TusUploadsRepo;
  plans: PlansRepo;
  quotas: Quotas;
  images: Pick<UploadService, 'stage' | 'commit'>;
  videos: Pick<VideoUploadService, 'stage' | 'commit'>;
  audio?: AudioPipeline | undefined;
  /** Where a finished audio upload is copied before its pipeline reads it (the upload spool). */
  spoolDir: string;
  /** Where sessions keep their bytes: the tus store (for the protocol handlers) and our reads and removals. */
  bytes: Pick<TusDatastore, 'store' | 'storeId' | 'uploadId' | 'read' | 'remove' | 'names'>;
  clock: Clock;
  /** How long a session may take from creation to its last byte. */
  expiryMs: number;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
};

/** A finishing session's expiry moves this far out: the pipeline runs while the sweep leaves it alone. */
const FINISH_GRACE_MS = 3_600_000;
/** Ended sessions are kept this long past their expiry (HEAD answers 404 either way), then forgotten. */
const KEEP_ENDED_MS = 7 * 86_400_000;
const SWEEP_BATCH = 200;

const notFound = () => new AppError('NOT_FOUND', 'Upload not found: it does not exist, has expired, or has ended');

export function createResumableUploadsService(deps: Deps) {
  const { sessions, quotas, clock, log } = deps;

  async function planOf(p: Principal): Promise<PlanRow> {
    const plan = await deps.plans.findById(p.plan);
    if (!plan) throw new AppError('FORBIDDEN', 'Your account has no active plan');
    return plan;
  }

  /** The plan's per-file limit for a kind (PLAN_REQUIRED when the plan has none of it). */
  function fileLimit(kind: ResumableKind, plan: PlanRow): number {
    if (kind === 'image') return plan.maxImageBytes;
    if (kind === 'video') return requireVideoPlan(plan).maxVideoBytes;
    return requireAudioPlan(plan).maxAudioBytes;
  }

  async function dropBytes(id: string): Promise<void> {
    try {
      await deps.bytes.remove(id);
    } catch (err) {
      log.warn({ err, uploadId: id }, 'resumable upload: could not remove its bytes; the sweep retries');
    }
  }

  const metadataOf = (row: TusUploadRow): SessionMetadata => JSON.parse(row.metadata) as SessionMetadata;

  /**
   * The caller's live session: 404 for an unknown, foreign, ended or expired one; a session being finished
   * may be looked at but not written to (409).
   */
  async function access(p: Principal, id: string, intent: 'read' | 'write'): Promise<TusUploadRow> {
    const row = await sessions.findById(id);
    if (!row || row.userId !== p.userId) throw notFound();
    if (row.state === 'finishing') {
      if (intent === 'write') throw new AppError('CONFLICT', 'The upload is complete and is being processed');
      return row;
    }
    if (row.state !== 'open' || row.expiresAt <= clock.now()) throw notFound();
    return row;
  }

  async function runPipeline(p: Principal, row: TusUploadRow, meta: SessionMetadata, track: (s: { dispose(): Promise<void> }) => void): Promise<FinishResult> {
    const source = await deps.bytes.read(row.id);
    const opts: CommitOptions = { reserve: (plan, bytes, id) => quotas.adoptReservation(row.id, row.resourceType, plan, bytes, id) };
    if (row.resourceType === 'image') {
      const spool = await deps.images.stage(p, source, meta.filename);
      track(spool);
      const r = await deps.images.commit(p, spool, meta.fields, opts);
      return { resourceType: 'image', id: r.row.id, duplicate: r.duplicate };
    }
    if (row.resourceType === 'video') {
      const spool = await deps.videos.stage(p, source, meta.filename);
      track(spool);
      const v = await deps.videos.commit(p, spool, meta.fields, opts);
      return { resourceType: 'video', id: v.id, duplicate: false };
    }
    if (!deps.audio) {
      source.destroy();
      throw new AppError('VALIDATION_ERROR', 'Validation error: resourceType audio is not supported by resumable uploads on this server', { field: 'resourceType' });
    }
    // a plain copy to local disk (the store may be S3, and the pipeline may move the file it is given)
    const copy = await spoolUpload(source, { dir: deps.spoolDir, maxBytes: row.sizeBytes, sniff: async () => ({ ext: 'bin' }) });
    track(copy);
    const a = await deps.audio.ingestAudioFile(p, { path: copy.path, filename: meta.filename, title: meta.fields.title, isPublic: meta.fields.isPublic }, opts);
    return { resourceType: 'audio', id: a.id, duplicate: false };
  }

  return {
    /** The tus store and its naming, for the protocol handlers (http/routes/uploads.routes.ts). */
    datastore: deps.bytes,

    /** The largest file any plan accepts (Tus-Max-Size). */
    async maxSize(): Promise<number> {
      let max = 0;
      for (const plan of await deps.plans.list()) {
        max = Math.max(max, plan.maxImageBytes, plan.videoEnabled === 1 ? Math.max(plan.maxVideoBytes, plan.maxAudioBytes) : 0);
      }
      return max;
    },

    /**
     * A new session `id` of `size` bytes: 422 for bad metadata or length, PLAN_REQUIRED, FILE_TOO_LARGE above
     * the plan's per-file limit, QUOTA_EXCEEDED when the whole length does not fit.
     */
    async create(p: Principal, input: { id: string; size: number | undefined; metadata: Record<string, string | null> | undefined }): Promise<TusUploadRow> {
      if (input.size === undefined) throw validationError('Upload-Length', 'is required (deferred lengths are not supported)');
      if (!Number.isSafeInteger(input.size) || input.size < 1) throw validationError('Upload-Length', 'must be a whole number of bytes, at least 1');
      const meta = parseSessionMetadata(input.metadata);
      const plan = await planOf(p);
      const max = fileLimit(meta.resourceType, plan);
      if (meta.resourceType === 'audio' && !deps.audio) {
        throw new AppError('VALIDATION_ERROR', 'Validation error: Upload-Metadata resourceType audio is not supported by resumable uploads on this server; use POST /v1/audio', { field: 'resourceType' });
      }
      if (input.size > max) {
        throw new AppError('FILE_TOO_LARGE', `File exceeds the maximum allowed size for your plan (${formatBytes(max)})`, { maxBytes: max });
      }
      const now = clock.now();
      await quotas.reserveResumableUpload(meta.resourceType, p.userId, plan, input.size, input.id, deps.expiryMs + FINISH_GRACE_MS);
      const row: TusUploadRow = {
        id: input.id, userId: p.userId, resourceType: meta.resourceType, sizeBytes: input.size, reservedBytes: input.size,
        metadata: JSON.stringify(meta), state: 'open', resultId: null, duplicate: 0, createdAt: now, expiresAt: now + deps.expiryMs, finishedAt: null,
      };
      try {
        await sessions.insert(row);
      } catch (err) {
        await quotas.releaseReservation(input.id);
        throw err;
      }
      return row;
    },

    access,

    /**
     * The last byte arrived: the file goes through the direct upload's pipeline and becomes an image, a video
     * (with its transcode job) or an audio item. Whatever the outcome the session ends and holds no quota; the
     * caller removes its bytes (dropBytes) once the protocol is done with them.
     */
    async finish(p: Principal, id: string): Promise<FinishResult> {
      const row = await sessions.findById(id);
      if (!row || row.userId !== p.userId) throw notFound();
      const until = Math.max(row.expiresAt, clock.now() + FINISH_GRACE_MS);
      if (!(await sessions.transition(id, ['open'], 'finishing', { expiresAt: until }))) throw notFound();
      const spools: Array<{ dispose(): Promise<void> }> = [];
      try {
        const result = await runPipeline(p, row, metadataOf(row), (s) => spools.push(s));
        // A duplicate took no quota, and an adopted reservation is no longer under this id: either way the
        // session holds nothing after this.
        await quotas.releaseReservation(id);
        await sessions.transition(id, ['finishing'], 'done', { resultId: result.id, duplicate: result.duplicate ? 1 : 0, finishedAt: clock.now(), reservedBytes: 0 });
        return result;
      } catch (err) {
        await quotas.releaseReservation(id).catch((e: unknown) => log.warn({ err: e, uploadId: id }, 'resumable upload: could not release; the reservation sweep will'));
        await sessions.transition(id, ['finishing'], 'failed', { finishedAt: clock.now(), reservedBytes: 0 }).catch(() => undefined);
        throw err;
      } finally {
        for (const s of spools) await s.dispose().catch(() => undefined);
      }
    },

    /** DELETE: the session ends, its quota goes back and its bytes are removed. */
    async cancel(p: Principal, id: string): Promise<void> {
      await access(p, id, 'write');
      if (!(await sessions.transition(id, ['open'], 'cancelled', { finishedAt: clock.now(), reservedBytes: 0 }))) throw notFound();
      await quotas.releaseReservation(id);
      await dropBytes(id);
    },

    /** The store could not take a session that was just created: nothing of it may remain. */
    async abandon(id: string): Promise<void> {
      await quotas.releaseReservation(id);
      await dropBytes(id);
      await sessions.delete(id);
    },

    /** Removes a session's bytes (after its last byte was processed); a failure is logged and retried by the sweep. */
    dropBytes,

    /**
     * Ends live sessions past their expiry (quota back, bytes removed, row marked expired) and forgets ended
     * sessions a week past theirs (removing any bytes a failed removal left). Returns the sessions expired.
     */
    async sweep(): Promise<number> {
      const now = clock.now();
      let expired = 0;
      for (const row of await sessions.listExpired(now, SWEEP_BATCH)) {
        if (!(await sessions.transition(row.id, [row.state], 'expired', { finishedAt: now, reservedBytes: 0 }))) continue;
        await quotas.releaseReservation(row.id);
        await dropBytes(row.id);
        expired++;
      }
      for (const row of await sessions.listEnded(now - KEEP_ENDED_MS, SWEEP_BATCH)) {
        try {
          await deps.bytes.remove(row.id);
          await sessions.deleteEnded(row.id);
        } catch (err) {
          log.warn({ err, uploadId: row.id }, 'resumable upload sweep: could not remove the bytes of an ended upload');
        }
      }
      return expired;
    },
  };
}

export type ResumableUploadsService = ReturnType<typeof createResumableUploadsService>;
