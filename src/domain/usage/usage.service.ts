// What an account has used and may use: UsageStats, the subscription view and the public plan catalogue.
import { AppError } from '../../errors/app-error.js';
import type { PlansRepo } from '../../db/repos/plans.repo.js';
import type { UsageRepo } from '../../db/repos/usage.repo.js';
import type { PlanRow } from '../../db/schema.js';
import type { Principal } from '../../auth/principal.js';
import type { Clock } from '../../lib/clock.js';
import type { BandwidthMeter } from './bandwidth-meter.js';

type Deps = { usage: UsageRepo; plans: PlansRepo; bandwidth: BandwidthMeter; mediaBandwidth: BandwidthMeter; clock: Clock };

export function planLimits(plan: PlanRow) {
  return {
    imgStorageBytes: plan.imgStorageBytes,
    imgBandwidthBytes: plan.imgBandwidthBytes,
    maxImageBytes: plan.maxImageBytes,
    maxSvgBytes: plan.maxSvgBytes,
    maxImagePixels: plan.maxImagePixels,
    videoEnabled: plan.videoEnabled === 1,
    videoStorageBytes: plan.videoEnabled === 1 ? plan.mediaStorageBytes : 0,
    videoBandwidthBytes: plan.videoEnabled === 1 ? plan.mediaBandwidthBytes : 0,
    apiKeysMax: plan.apiKeysMax,
    customDomainsMax: plan.customDomainsMax,
    uploadsPerDay: plan.uploadsPerDay,
    watermarks: plan.watermarksEnabled === 1,
  };
}

export function createUsageService(deps: Deps) {
  const { usage, plans, bandwidth, clock } = deps;

  async function planOf(p: Principal): Promise<PlanRow> {
    const plan = await plans.findById(p.plan);
    if (!plan) throw new AppError('FORBIDDEN', 'Your account has no active plan');
    return plan;
  }

  async function counters(p: Principal) {
    const now = clock.now();
    const day = new Date(now).toISOString().slice(0, 10);
    const month = day.slice(0, 7);
    const [u, bw, mediaBw] = await Promise.all([usage.get(p.userId), bandwidth.used(p.userId), deps.mediaBandwidth.used(p.userId)]);
    return {
      storageUsed: u.imgStorageBytes,
      bandwidthUsed: bw,
      uploadCountToday: u.uploadsDay === day ? u.uploadsToday : 0,
      uploadCountMonth: u.uploadsMonth === month ? u.uploadsThisMonth : 0,
      totalCount: u.imgCount,
      mediaStorageUsed: u.mediaStorageBytes,
      mediaBandwidthUsed: mediaBw,
      videoCount: u.mediaCount,
    };
  }

  return {
    async stats(p: Principal) {
      const { mediaStorageUsed, mediaBandwidthUsed, videoCount, ...images } = await counters(p);
      return { plan: p.plan, images, videos: { storageUsed: mediaStorageUsed, bandwidthUsed: mediaBandwidthUsed, count: videoCount } };
    },

    async subscription(p: Principal) {
      const [plan, c] = await Promise.all([planOf(p), counters(p)]);
      const limits = planLimits(plan);
      return {
        plan: plan.id,
        planName: plan.name,
        usage: { imgStorageBytes: c.storageUsed, imgBandwidthBytes: c.bandwidthUsed, videoStorageBytes: c.mediaStorageUsed, videoBandwidthBytes: c.mediaBandwidthUsed, uploadsToday: c.uploadCountToday, imageCount: c.totalCount },
        limits,
        features: { video_enabled: limits.videoEnabled, custom_domain: plan.customDomainsMax > 0, watermarks: limits.watermarks, api_keys_max: plan.apiKeysMax },
      };
    },

    /** The public catalogue; a self-hosted instance has no payment gateway, so prices are 0. */
    async catalogue() {
      const rows = await plans.list();
      return Object.fromEntries(rows.map((r) => [r.id, { name: r.name, monthly: 0, yearly: 0, currency: 'USD', limits: planLimits(r) }]));
    },
  };
}

export type UsageService = ReturnType<typeof createUsageService>;
