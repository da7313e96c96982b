// uploads.tus-sweep: a periodic round (one instance at a time) that ends resumable uploads past their expiry
// (their quota reservation released, their bytes removed, the session marked expired) and forgets old ended ones.
import type { JobQueue } from '../queue.js';

/** How often the sweep runs (sessions live a day by default; a few minutes late is harmless). */
export const TUS_SWEEP_EVERY_MS = 5 * 60_000;

export function registerTusSweep(jobs: Pick<JobQueue, 'schedule'>, deps: { sweep(): Promise<number>; log: { info(obj: object, msg: string): void } }): void {
  jobs.schedule('uploads.tus-sweep', TUS_SWEEP_EVERY_MS, async () => {
    const expired = await deps.sweep();
    if (expired > 0) deps.log.info({ expired }, 'expired resumable uploads swept: quota released, bytes removed');
  });
}
