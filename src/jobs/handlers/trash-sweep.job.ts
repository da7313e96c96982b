// images.trash-sweep: a periodic round (one instance at a time) that deletes for real, in pages, the images trashed
// more than PICORA_TRASH_DAYS days ago (domain/images/trash.service.ts), through the library's own delete.
import type { JobQueue } from '../queue.js';

/** How often the sweep runs (an image may outlive its days by up to this much). */
export const TRASH_SWEEP_EVERY_MS = 3_600_000;

export function registerTrashSweep(jobs: Pick<JobQueue, 'schedule'>, deps: { sweep(): Promise<number>; log: { info(obj: object, msg: string): void } }): void {
  jobs.schedule('images.trash-sweep', TRASH_SWEEP_EVERY_MS, async () => {
    const deleted = await deps.sweep();
    if (deleted > 0) deps.log.info({ deleted }, 'images past their days in the trash deleted');
  });
}
