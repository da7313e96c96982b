// usage.daily-rollup: an hourly round (one instance at a time) that samples each account's storage into today's
// usage_daily row (only where it changed) and sweeps rows past the retention (domain/usage/usage-history.service.ts).
import type { JobQueue } from '../queue.js';

/** How often the round runs: a past day's storage is its last sample, so at most this long before midnight. */
export const USAGE_ROLLUP_EVERY_MS = 3_600_000;

export function registerUsageDailyRollup(
  jobs: Pick<JobQueue, 'schedule'>,
  deps: { rollup(): Promise<{ sampled: number; swept: number }>; log: { info(obj: object, msg: string): void } },
): void {
  jobs.schedule('usage.daily-rollup', USAGE_ROLLUP_EVERY_MS, async () => {
    const { sampled, swept } = await deps.rollup();
    if (sampled + swept > 0) deps.log.info({ sampled, swept }, 'usage history: storage sampled, old days swept');
  });
}
