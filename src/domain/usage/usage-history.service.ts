// Usage history (issue 12): storage and bandwidth per UTC day for the last 1–90 days, one entry per day.
//
// How the daily counters are written, and why this way:
//   - Bandwidth: the bandwidth meter already batches served bytes in memory and flushes every few seconds; the flush
//     adds each owner's bytes to the month and to the day in one transaction (usage.repo addBandwidth). Delivery
//     gains no write at all, and the day and the month cannot disagree.
//   - Storage: sampled, not logged. An hourly round (jobs/handlers/usage-daily.job.ts, one instance at a time) runs
//     one INSERT … SELECT per storage type over user_usage that writes today's row only for accounts whose bytes
//     differ from their newest row. That costs two statements an hour whatever the traffic, adds nothing to the
//     upload and delete paths (seven repository calls change the counters today, more will come), and always copies the counters
//     themselves, so no path can be forgotten. A past day shows the value of its last sample (at most an hour before
//     midnight); today shows the live counters. Days without a row carry the previous value forward.
//   - The same round deletes rows older than RETENTION_DAYS, keeping each account's newest storage row.
import { validationError } from '../../errors/app-error.js';
import type { UsageDailyRepo } from '../../db/repos/usage-daily.repo.js';
import type { UsageRepo } from '../../db/repos/usage.repo.js';
import type { Principal } from '../../auth/principal.js';
import type { Clock } from '../../lib/clock.js';

export const MAX_HISTORY_DAYS = 90;
export const DEFAULT_HISTORY_DAYS = 30;
/** Rows older than this many days are swept. */
export const RETENTION_DAYS = 400;

const DAY_MS = 86_400_000;
const dayString = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export type UsageDay = { date: string; imgStorageBytes: number; mediaStorageBytes: number; imgBandwidthBytes: number; mediaBandwidthBytes: number };

type Deps = { daily: UsageDailyRepo; usage: Pick<UsageRepo, 'get'>; clock: Clock };

export function createUsageHistoryService(deps: Deps) {
  const { daily, usage, clock } = deps;

  return {
    /** `days` entries, oldest first, ending today (UTC). */
    async history(p: Principal, days: number = DEFAULT_HISTORY_DAYS): Promise<{ days: UsageDay[] }> {
      if (!Number.isInteger(days) || days < 1 || days > MAX_HISTORY_DAYS) throw validationError('days', `must be an integer from 1 to ${MAX_HISTORY_DAYS}`);
      const today = Math.floor(clock.now() / DAY_MS) * DAY_MS;
      const from = dayString(today - (days - 1) * DAY_MS);
      const to = dayString(today);
      const [rows, before, live] = await Promise.all([daily.window(p.userId, from, to), daily.storageBefore(p.userId, from), usage.get(p.userId)]);
      const byDay = new Map<string, Partial<Record<(typeof rows)[number]['type'], number>>>();
      for (const r of rows) {
        let d = byDay.get(r.day);
        if (!d) byDay.set(r.day, (d = {}));
        d[r.type] = Number(r.bytes);
      }
      let img = before.img_storage;
      let media = before.media_storage;
      const out: UsageDay[] = [];
      for (let i = days - 1; i >= 0; i--) {
        const date = dayString(today - i * DAY_MS);
        const d = byDay.get(date) ?? {};
        img = d.img_storage ?? img;
        media = d.media_storage ?? media;
        out.push({ date, imgStorageBytes: img, mediaStorageBytes: media, imgBandwidthBytes: d.img_bandwidth ?? 0, mediaBandwidthBytes: d.media_bandwidth ?? 0 });
      }
      // today: the counters as they are, not the last hourly sample
      const last = out[out.length - 1]!;
      last.imgStorageBytes = Number(live.imgStorageBytes);
      last.mediaStorageBytes = Number(live.mediaStorageBytes);
      return { days: out };
    },

    /** The hourly round: samples today's storage, sweeps rows past the retention. */
    async rollup(): Promise<{ sampled: number; swept: number }> {
      const now = clock.now();
      const sampled = await daily.snapshotStorage(dayString(now));
      const swept = await daily.sweep(dayString(now - RETENTION_DAYS * DAY_MS));
      return { sampled, swept };
    },
  };
}

export type UsageHistoryService = ReturnType<typeof createUsageHistoryService>;
