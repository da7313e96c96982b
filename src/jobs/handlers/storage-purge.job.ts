// storage.purge: removes every object under a deleted resource's prefix, retried until the store agrees.
import type { BlobStore } from '../../storage/blob-store.js';
import { forEachLimit } from '../../lib/concurrency.js';
import type { JobQueue } from '../queue.js';

/** Only the prefixes our own key builder makes (a payload is ids, never user text; this is belt and braces). */
const PURGEABLE = /^(images|videos|audio)\/[A-Za-z0-9_-]{1,64}\/[A-Za-z0-9_-]{1,64}\/$/;
/** Only keys of a resource's own objects (an image's original or one of its variants, and the like). */
const DELETABLE = /^(images|videos|audio)\/[A-Za-z0-9_-]{1,64}\/[A-Za-z0-9_-]{1,64}\/[A-Za-z0-9_-]{1,64}(\/[A-Za-z0-9_-]{1,64})?$/;

/** Store calls in flight per purge batch. */
const PURGE_CALLS_AT_ONCE = 8;

export function registerStoragePurgeJob(jobs: JobQueue, blobs: BlobStore): void {
  jobs.handle('storage.purge', async ({ prefix }) => {
    if (!PURGEABLE.test(prefix)) return;
    for await (const key of blobs.list(prefix)) await blobs.delete(key);
  });
  // storage.purge-batch: the objects of one page of a bulk delete (a retry starts the page again: deletes are idempotent)
  // One batch at a time, a few store calls in flight: it runs beside the API and must not crowd it out.
  jobs.handle('storage.purge-batch', async ({ prefixes = [], keys = [] }) => {
    await forEachLimit(keys.filter((k) => DELETABLE.test(k)), PURGE_CALLS_AT_ONCE, (key) => blobs.delete(key));
    await forEachLimit(prefixes.filter((p) => PURGEABLE.test(p)), PURGE_CALLS_AT_ONCE, async (prefix) => {
      for await (const key of blobs.list(prefix)) await blobs.delete(key);
    });
  });
}
