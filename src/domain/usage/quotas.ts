// The one quota module: every dimension of CONTRACT §2/§4, its limit in a plan row, and the checks that
// reserve, release or refuse. Features call these; none reads a plan's numbers for a quota itself.
import { AppError } from '../../errors/app-error.js';
import type { ReleasedReservation, UsageRepo } from '../../db/repos/usage.repo.js';
import type { PlanRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { BandwidthMeter } from './bandwidth-meter.js';

export const QUOTA_TYPES = ['img_storage', 'img_bandwidth', 'media_storage', 'media_bandwidth', 'api_key_count', 'custom_domain_count', 'uploads_per_day'] as const;
export type QuotaType = (typeof QUOTA_TYPES)[number];

/** The plan's limit for a dimension (bytes, counts, or uploads per UTC day). */
export function limitOf(plan: PlanRow, type: QuotaType): number {
  switch (type) {
    case 'img_storage':
      return plan.imgStorageBytes;
    case 'img_bandwidth':
      return plan.imgBandwidthBytes;
    case 'media_storage':
      return plan.videoEnabled === 1 ? plan.mediaStorageBytes : 0;
    case 'media_bandwidth':
      return plan.videoEnabled === 1 ? plan.mediaBandwidthBytes : 0;
    case 'api_key_count':
      return plan.apiKeysMax;
    case 'custom_domain_count':
      return plan.customDomainsMax;
    case 'uploads_per_day':
      return plan.uploadsPerDay;
  }
}

/** 403 QUOTA_EXCEEDED with `meta.type` and the plan's limit. */
export function quotaError(type: QuotaType, plan: PlanRow, extra?: Record<string, unknown>): AppError {
  return new AppError('QUOTA_EXCEEDED', `Quota exceeded: ${type}`, { type, limit: limitOf(plan, type), ...extra });
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The quota one upload holds while it is in flight. Exactly one of settle (its row is written) or release
 * (it failed) ends it; if its process dies first, the sweeper releases it once it expires.
 */
export type UploadReservation = {
  /** Before the row is written: false when the reservation expired and was swept (the upload must fail). */
  claim(): Promise<boolean>;
  /** The row is written: the quota now belongs to the image. */
  settle(): Promise<void>;
  /** The upload failed: the quota goes back (once, whoever gets there first). */
  release(): Promise<void>;
};

export type ReservationSettings = {
  /** How long an upload may hold a reservation before the sweeper takes it for abandoned. */
  ttlMs: number;
  /** Wall time: a reservation measures how long a live request has taken, whatever clock the rules use. */
  now: () => number;
};

/** Reservations released per sweep at most (the next sweep takes the rest). */
const SWEEP_BATCH = 500;

/** Video playback by monthly media bandwidth: ok below the plan, degraded (lowest rung only) to 120 %, then suspended. */
export type BandwidthState = 'ok' | 'degraded' | 'suspended';

type QuotaDeps = {
  usage: UsageRepo;
  bandwidth: BandwidthMeter;
  mediaBandwidth: BandwidthMeter;
  clock: Clock;
  reservations: ReservationSettings;
  /** Storage usage of an account after an upload reserved it, or when an upload was refused for lack of it (quota warnings). */
  onUsage?: (userId: string, type: QuotaType, usage: { used: number; limit: number; refused: boolean }) => void;
};

export function createQuotas(deps: QuotaDeps) {
  const { usage, bandwidth, clock, reservations } = deps;

  const handle = (id: string): UploadReservation => ({
    claim: () => usage.claimReservation(id, reservations.now() + reservations.ttlMs),
    settle: () => usage.settleReservation(id),
    release: () => usage.releaseReservation(id),
  });

  async function reserve(kind: 'image' | 'video' | 'audio', userId: string, plan: PlanRow, bytes: number, id: string, ttlMs = reservations.ttlMs): Promise<UploadReservation> {
    const day = dayOf(clock.now());
    const at = reservations.now();
    const storage = kind === 'image' ? 'img_storage' : 'media_storage';
    const reserved = await usage.reserveUpload(
      userId, bytes, { storageBytes: limitOf(plan, storage), uploadsPerDay: limitOf(plan, 'uploads_per_day') }, day, day.slice(0, 7),
      { id, kind, createdAt: at, expiresAt: at + ttlMs },
    );
    if (!reserved.ok) {
      const used = kind === 'image' ? reserved.usage.imgStorageBytes : reserved.usage.mediaStorageBytes;
      if (reserved.type === storage) deps.onUsage?.(userId, storage, { used, limit: limitOf(plan, storage), refused: true });
      throw quotaError(reserved.type, plan, reserved.type === storage ? { used } : undefined);
    }
    deps.onUsage?.(userId, storage, { used: reserved.used, limit: limitOf(plan, storage), refused: false });
    return handle(id);
  }

  return {
    /**
     * Reserves image storage and one of today's uploads in one conditional statement (concurrent uploads
     * can never pass either limit), recorded as reservation `id` (the image's id) in the same transaction.
     */
    reserveImageUpload: (userId: string, plan: PlanRow, bytes: number, id: string): Promise<UploadReservation> => reserve('image', userId, plan, bytes, id),

    /** The same for a video original: media storage (shared with audio) and one of today's uploads. */
    reserveVideoUpload: (userId: string, plan: PlanRow, bytes: number, id: string): Promise<UploadReservation> => reserve('video', userId, plan, bytes, id),

    /** The same for an audio original (media storage, shared with video); its kind tells the sweeper its keys. */
    reserveAudioUpload: (userId: string, plan: PlanRow, bytes: number, id: string): Promise<UploadReservation> => reserve('audio', userId, plan, bytes, id),

    /**
     * A resumable (tus) upload: the whole declared size of `kind`'s storage (images, or media for video and
     * audio) and one of today's uploads, held as reservation `id` for the session's lifetime `ttlMs`.
     */
    reserveResumableUpload: (kind: 'image' | 'video' | 'audio', userId: string, plan: PlanRow, bytes: number, id: string, ttlMs: number): Promise<UploadReservation> =>
      reserve(kind, userId, plan, bytes, id, ttlMs),

    /**
     * The resource a finished resumable upload becomes takes over the upload's reservation `fromId`, as
     * reservation `toId` at the resource's final size (no second count, no second day slot). QUOTA_EXCEEDED when
     * the final size is larger and does not fit; NOT_FOUND when the upload's reservation is gone (expired).
     */
    async adoptReservation(fromId: string, kind: 'image' | 'video' | 'audio', plan: PlanRow, bytes: number, toId: string): Promise<UploadReservation> {
      const storage = kind === 'image' ? 'img_storage' : 'media_storage';
      const r = await usage.adoptReservation(fromId, toId, bytes, limitOf(plan, storage), reservations.now() + reservations.ttlMs);
      if (r === 'over') throw quotaError(storage, plan);
      if (r === 'missing') throw new AppError('NOT_FOUND', 'Upload not found: it expired or was cancelled');
      return handle(toId);
    },

    /** Gives an upload's reservation back (once, whoever gets there first); nothing when it is already gone. */
    releaseReservation: (id: string): Promise<void> => usage.releaseReservation(id),

    /**
     * Gives back the quota of expired reservations (uploads whose process died, or that outlived the TTL) and
     * returns them with those released earlier: the caller removes whatever object each may have stored, then
     * forgets it.
     */
    releaseExpiredReservations: (): Promise<ReleasedReservation[]> => usage.releaseExpiredReservations(reservations.now(), SWEEP_BATCH),

    /** A released reservation whose object is gone. */
    forgetReservation: (id: string): Promise<void> => usage.forgetReservation(id),

    /** Frees the storage of deleted images. */
    releaseImageStorage: (userId: string, bytes: number, count: number): Promise<void> => usage.releaseStorage(userId, bytes, count),

    /** Refuses delivery once the owner's monthly image bandwidth is spent (soft: the last response may cross it). */
    async assertImageBandwidth(userId: string, plan: PlanRow): Promise<void> {
      if ((await bandwidth.used(userId)) >= limitOf(plan, 'img_bandwidth')) throw quotaError('img_bandwidth', plan);
    },

    recordImageBandwidth: (userId: string, bytes: number): void => bandwidth.record(userId, bytes),

    /** Frees the media storage of deleted videos. */
    releaseMediaStorage: (userId: string, bytes: number, count: number): Promise<void> => usage.releaseMediaStorage(userId, bytes, count),

    recordMediaBandwidth: (userId: string, bytes: number): void => deps.mediaBandwidth.record(userId, bytes),

    /** Media bandwidth this month against the plan: ok < 100 % ≤ degraded ≤ 120 % < suspended. */
    async mediaBandwidthState(userId: string, plan: PlanRow): Promise<BandwidthState> {
      const limit = limitOf(plan, 'media_bandwidth');
      const used = await deps.mediaBandwidth.used(userId);
      if (limit <= 0) return used > 0 ? 'suspended' : 'ok';
      if (used > limit * 1.2) return 'suspended';
      return used >= limit ? 'degraded' : 'ok';
    },

    /** Runs `insert` (which must refuse past `limit` atomically) for a counted resource; QUOTA_EXCEEDED when full. */
    async withinCount(type: 'api_key_count' | 'custom_domain_count', plan: PlanRow, insert: (limit: number) => Promise<boolean>): Promise<void> {
      if (!(await insert(limitOf(plan, type)))) throw quotaError(type, plan);
    },
  };
}

export type Quotas = ReturnType<typeof createQuotas>;
