// storage.purge: removes every object under a deleted resource's prefix, retried until the store agrees.
import type { BlobStore } from '../../storage/blob-store.js';
import type { JobQueue } from '../queue.js';

export function registerStoragePurgeJob(jobs: JobQueue, blobs: BlobStore): void {
  jobs.handle('storage.purge', async ({ prefix }) => {
    // only the prefixes our own key builder makes (a payload is ids, never user text; this is belt and braces)
    if (!/^(images|videos)\/[A-Za-z0-9_-]{1,64}\/[A-Za-z0-9_-]{1,64}\/$/.test(prefix)) return;
    for await (const key of blobs.list(prefix)) await blobs.delete(key);
  });
}
