// The one quota module: every dimension of CONTRACT §2/§4, its limit in a plan row, and the checks that
// reserve, release or refuse. Features call these; none reads a plan's numbers for a quota itself.
import { AppError } from '../../errors/app-error.js';
import type { UsageRepo } from '../../db/repos/usage.repo.js';
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

export function createQuotas(deps: { usage: UsageRepo; bandwidth: BandwidthMeter; clock: Clock }) {
  const { usage, bandwidth, clock } = deps;
  return {
    /**
     * Reserves image storage and one of today's uploads in one conditional statement (concurrent uploads
     * can never pass either limit). Returns the release for an upload that does not complete.
     */
    async reserveImageUpload(userId: string, plan: PlanRow, bytes: number): Promise<() => Promise<void>> {
      const now = clock.now();
      const day = dayOf(now);
      const reserved = await usage.reserveUpload(userId, bytes, { storageBytes: limitOf(plan, 'img_storage'), uploadsPerDay: limitOf(plan, 'uploads_per_day') }, day, day.slice(0, 7));
      if (!reserved.ok) throw quotaError(reserved.type, plan, reserved.type === 'img_storage' ? { used: reserved.usage.imgStorageBytes } : undefined);
      return () => usage.releaseUpload(userId, bytes, day);
    },

    /** Frees the storage of deleted images. */
    releaseImageStorage: (userId: string, bytes: number, count: number): Promise<void> => usage.releaseStorage(userId, bytes, count),

    /** Refuses delivery once the owner's monthly image bandwidth is spent (soft: the last response may cross it). */
    async assertImageBandwidth(userId: string, plan: PlanRow): Promise<void> {
      if ((await bandwidth.used(userId)) >= limitOf(plan, 'img_bandwidth')) throw quotaError('img_bandwidth', plan);
    },

    recordImageBandwidth: (userId: string, bytes: number): void => bandwidth.record(userId, bytes),

    /** Runs `insert` (which must refuse past `limit` atomically) for a counted resource; QUOTA_EXCEEDED when full. */
    async withinCount(type: 'api_key_count' | 'custom_domain_count', plan: PlanRow, insert: (limit: number) => Promise<boolean>): Promise<void> {
      if (!(await insert(limitOf(plan, type)))) throw quotaError(type, plan);
    },
  };
}

export type Quotas = ReturnType<typeof createQuotas>;
