// The image trash (issue 12): deleting with `trash=true` moves images to a trash kept PICORA_TRASH_DAYS (30) days,
// from which they can be restored, deleted for real one by one, emptied, or swept once their days are over.
//
// What "in the trash" means (migration 0016, `images.trashed_at`):
//   - absent from the library: lists, counts, tags, /v1/media, albums (counts, lists, cascade, batch-move), /exists,
//     the zip download; GET/PATCH/sign of /v1/images/{id} answer 404 as for a deleted image (a plain DELETE of the
//     owner's trashed image deletes it for real: the API's DELETE never leaves bytes behind);
//   - the media host serves it to its owner only (session or key, for the dashboard's Trash thumbnails), never
//     cacheable; to anyone else, signed URL or not, it is a 404 like a deleted image (delivery.service.ts);
//   - its bytes, variants, album and quota stay until it is deleted for real — always through the library's own
//     delete (ImagesService.purgeTrashed: rows, tombstones, quota, objects, image.deleted webhooks);
//   - the sync feed: moving to the trash writes the image's tombstone (a `delete` change, at its new updated_at)
//     and the feed's upsert branch skips trashed rows, so a client mirrors the library, where the image is gone.
//     Restoring removes the tombstone and moves updated_at past it, so the image comes back as an `upsert` after
//     the `delete` a client may already have; a client that never saw the delete sees just the upsert. A real
//     delete later rewrites the tombstone (a second `delete`, harmless to a mirror).
//   - uploading the same bytes again restores the trashed image and answers it as the duplicate (upload.service.ts).
// Every change drops what this instance's memory caches hold for the image (row cache, original bytes); other
// instances see it within PICORA_DELIVERY_CACHE_MS, as for a PATCH.
import { AppError } from '../../errors/app-error.js';
import type { ImagesRepo, TrashPosition } from '../../db/repos/images.repo.js';
import type { ImageRow, TrashedImageRow } from '../../db/schema.js';
import type { Principal } from '../../auth/principal.js';
import type { Clock } from '../../lib/clock.js';
import type { ImagesService } from './images.service.js';
import { requireOwner } from './image-policy.js';
import type { UrlSigner } from './url-signing.js';

export type TrashItem = { row: TrashedImageRow; purgeAt: number };
export type TrashPage = { items: TrashItem[]; nextCursor: string | null; hasMore: boolean };

type Deps = {
  images: ImagesRepo;
  /** Deletes for real through the library's delete path. */
  library: Pick<ImagesService, 'purgeTrashed'>;
  cursors: Pick<UrlSigner, 'encodeCursor' | 'decodeCursor'>;
  clock: Clock;
  /** How long an image stays in the trash before the sweep deletes it. */
  trashDays: number;
  /** Drops what memory caches hold for an image that moved in or out of the trash. */
  onChanged?: (imageId: string) => void;
};

const DAY_MS = 86_400_000;
/** Images deleted for real per page of an emptying or a sweep. */
const PAGE = 500;

export function createTrashService(deps: Deps) {
  const { images, clock } = deps;
  const keepMs = deps.trashDays * DAY_MS;

  function changed(rows: ImageRow[]): ImageRow[] {
    for (const r of rows) deps.onChanged?.(r.id);
    return rows;
  }

  /** Deletes for real, page by page, the trashed images `opts` selects (oldest trashed first); returns how many went. */
  async function purgePages(opts: { userId?: string; before: number }): Promise<number> {
    let deleted = 0;
    let after: TrashPosition | undefined;
    for (;;) {
      const page = await images.trashedPage({ ...opts, limit: PAGE, after });
      if (page.length === 0) break;
      const byUser = new Map<string, string[]>();
      for (const r of page) byUser.set(r.userId, [...(byUser.get(r.userId) ?? []), r.id]);
      for (const [userId, ids] of byUser) deleted += (await deps.library.purgeTrashed(userId, ids, opts.before)).length;
      if (page.length < PAGE) break;
      const last = page[page.length - 1]!;
      after = { trashedAt: last.trashedAt, id: last.id };
    }
    return deleted;
  }

  return {
    /** DELETE /v1/images/{id}?trash=true: the errors of the real delete (404 absent or trashed, 403 another's). */
    async trashOne(p: Principal, id: string): Promise<void> {
      requireOwner(await images.findById(id), p);
      const moved = changed(await images.trash(p.userId, [id], clock.now()));
      if (moved.length === 0) throw new AppError('NOT_FOUND', 'Image not found');
    },

    /** DELETE /v1/images?trash=true: the batch delete's answer, `deleted` counting the images moved to the trash. */
    async trashMany(p: Principal, ids: string[]): Promise<{ deleted: number; failed: number }> {
      const moved = changed(await images.trash(p.userId, [...new Set(ids)], clock.now()));
      return { deleted: moved.length, failed: ids.length - moved.length };
    },

    /** The caller's trash, newest trashed first, with when each will be deleted for real. */
    async list(p: Principal, input: { cursor?: string | undefined; limit?: number | undefined }): Promise<TrashPage> {
      const limit = input.limit ?? 20;
      const position = input.cursor ? deps.cursors.decodeCursor(input.cursor) : undefined;
      const rows = await images.listTrash(p.userId, limit + 1, position && { trashedAt: position.createdAt, id: position.id });
      const hasMore = rows.length > limit;
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map((row) => ({ row, purgeAt: row.trashedAt + keepMs })),
        hasMore,
        nextCursor: hasMore && last ? deps.cursors.encodeCursor({ createdAt: last.trashedAt, id: last.id }) : null,
      };
    },

    /** Brings the caller's trashed images among `ids` back (ids of others, unknown or live: not counted). */
    async restore(p: Principal, ids: string[]): Promise<{ restored: number }> {
      return { restored: changed(await images.restore(p.userId, [...new Set(ids)], clock.now())).length };
    },

    /** An upload of bytes already in the trash: that image comes back (undefined when it was deleted meanwhile). */
    async restoreDuplicate(row: ImageRow): Promise<ImageRow | undefined> {
      return changed(await images.restore(row.userId, [row.id], clock.now()))[0];
    },

    /** Deletes for real the caller's trashed images among `ids` (live ones and others' are left alone). */
    async remove(p: Principal, ids: string[]): Promise<{ deleted: number }> {
      return { deleted: (await deps.library.purgeTrashed(p.userId, [...new Set(ids)])).length };
    },

    /** Empties the caller's trash (what is in it now), in pages. */
    empty: async (p: Principal): Promise<{ deleted: number }> => ({ deleted: await purgePages({ userId: p.userId, before: clock.now() + 1 }) }),

    /** The periodic sweep: every account's images trashed more than `trashDays` days ago, deleted for real. */
    sweep: (): Promise<number> => purgePages({ before: clock.now() - keepMs }),
  };
}

export type TrashService = ReturnType<typeof createTrashService>;
