// sync.tombstones-sweep: a periodic round (one instance at a time) that drops sync tombstones past their 30 days.
import type { JobQueue } from '../queue.js';

/** How often the sweep runs. */
export const TOMBSTONE_SWEEP_EVERY_MS = 6 * 3_600_000;

export function registerTombstoneSweep(jobs: Pick<JobQueue, 'schedule'>, deps: { sweep(): Promise<number>; log: { info(obj: object, msg: string): void } }): void {
  jobs.schedule('sync.tombstones-sweep', TOMBSTONE_SWEEP_EVERY_MS, async () => {
    const removed = await deps.sweep();
    if (removed > 0) deps.log.info({ removed }, 'sync tombstones past 30 days removed');
  });
}
