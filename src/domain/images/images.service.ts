// The image library: read, list (keyset), update, delete (one or many), hash lookup, signed URLs.
import { AppError, validationError } from '../../errors/app-error.js';
import type { DeleteScope, ImageEdit, ImageListQuery, ImagesRepo } from '../../db/repos/images.repo.js';
import type { ImageRow } from '../../db/schema.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { storageKeys } from '../../storage/keys.js';
import type { Principal } from '../../auth/principal.js';
import type { Clock } from '../../lib/clock.js';
import { ParamError, parseTransform, signedParams } from '../../media/transform-params.js';
import { normaliseAllowedReferers, normaliseTags, parseTags, requireOwner } from './image-policy.js';
import { forEachLimit } from '../../lib/concurrency.js';
import type { JobQueue } from '../../jobs/queue.js';
import { imageUrl } from './image-presenter.js';
import { presentPhotoInfo, type PhotoInfoResponse } from './photo-info-presenter.js';
import type { UrlSigner } from './url-signing.js';
import type { Quotas } from '../usage/quotas.js';

export type ListInput = {
  cursor?: string; limit?: number; tag?: string; startDate?: string; endDate?: string; q?: string; collectionId?: string | undefined; isPublic?: boolean | undefined;
};
export type ListIdsResult = { ids: string[]; truncated: boolean };
/** A bulk edit of a selection: visibility, and tags added to / removed from each image's own list. */
export type BulkPatch = { ids: string[]; isPublic?: boolean | undefined; addTags?: string[] | undefined; removeTags?: string[] | undefined };
export type ListResult = { items: ImageRow[]; nextCursor: string | null; hasMore: boolean; total: number };
export type ImagePatch = { title?: string | null; tags?: string[]; isPublic?: boolean; allowedReferers?: string[] | null };

type Deps = {
  images: ImagesRepo;
  quotas: Pick<Quotas, 'releaseImageStorage'>;
  blobs: BlobStore;
  signer: UrlSigner;
  clock: Clock;
  mediaBaseUrl: string;
  log: { warn(obj: object, msg: string): void };
  /** Drops what memory caches hold for an image that changed or was deleted. */
  onChanged?: (imageId: string) => void;
  /**
   * Images of one account were deleted (webhooks): one call per delete, or per page of a bulk delete, so a
   * listener does its work once per page (not a background look-up per row, which would drain the pool at 100k).
   */
  onDeleted?: (rows: ImageRow[]) => void;
  /** The bulk delete hands the objects of each page to a purge job (without it, they are removed inline). */
  jobs?: Pick<JobQueue, 'enqueue'>;
};

const DAY_MS = 86_400_000;
/** GET /v1/images/ids answers at most this many ids ("select all matching"). */
export const MAX_LISTED_IDS = 10_000;
/** Tags an image may carry (as normaliseTags allows one PATCH to set). */
const MAX_TAGS = 10;
/** Store calls in flight while a bulk delete removes objects. */
const OBJECT_DELETES_AT_ONCE = 16;

function parseDate(value: string, field: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) throw validationError(field, 'must be a date YYYY-MM-DD');
  return ms;
}

export function createImagesService(deps: Deps) {
  const { images, quotas, blobs, signer, clock } = deps;

  async function removeObjects(row: ImageRow): Promise<void> {
    try {
      await blobs.delete(storageKeys.imageOriginal(row.userId, row.id));
      for await (const key of blobs.list(storageKeys.imagePrefix(row.userId, row.id))) await blobs.delete(key);
    } catch (err) {
      deps.log.warn({ err, imageId: row.id }, 'image deleted, but some stored bytes could not be removed');
    }
  }

  /**
   * The API's DELETE: for real, whatever the image's state — one of the caller's in the trash goes for good too (an
   * API delete never leaves bytes behind); another account's trashed image is as absent as a deleted one (404).
   */
  async function remove(p: Principal, id: string): Promise<void> {
    const found = await images.findWithTrash(id);
    requireOwner(found && (found.trashedAt === null || found.userId === p.userId) ? found : undefined, p);
    const row = await images.delete(id, clock.now());
    if (!row) throw new AppError('NOT_FOUND', 'Image not found');
    await quotas.releaseImageStorage(row.userId, row.sizeBytes, 1);
    deps.onChanged?.(row.id);
    deps.onDeleted?.([row]);
    await removeObjects(row);
  }

  /**
   * A durable purge job for the objects of many deleted images — each original and the variants their rows named,
   * deleted by key (no listing: a page of 500 is 500 deletes, not 1 000 calls); inline when there is no queue.
   */
  async function removeObjectsLater(rows: ImageRow[], variants: Array<{ imageId: string; variantKey: string }>): Promise<void> {
    if (deps.jobs) {
      try {
        const userOf = new Map(rows.map((r) => [r.id, r.userId]));
        const keys = [
          ...rows.map((r) => storageKeys.imageOriginal(r.userId, r.id)),
          ...variants.map((v) => storageKeys.imageVariant(userOf.get(v.imageId)!, v.imageId, v.variantKey)),
        ];
        await deps.jobs.enqueue('storage.purge-batch', { keys }, { key: `purge-images-${rows[0]!.id}`, maxAttempts: 10 });
        return;
      } catch (err) {
        deps.log.warn({ err, count: rows.length }, 'bulk delete: could not queue the purge job; removing the objects now');
      }
    }
    await forEachLimit(rows, OBJECT_DELETES_AT_ONCE, removeObjects);
  }

  /**
   * Deletes the account's images among `ids` (one page of a bulk delete, or of the trash) in one transaction, then
   * their quota and objects; ids of other accounts, already gone, or outside `scope` (live images by default; the
   * trash's deletes name trashed ones) are skipped. Returns the ids deleted.
   */
  async function purge(userId: string, ids: string[], scope?: DeleteScope): Promise<string[]> {
    const { rows, variants } = await images.deleteMany(userId, ids, clock.now(), scope);
    if (rows.length === 0) return [];
    await quotas.releaseImageStorage(userId, rows.reduce((n, r) => n + r.sizeBytes, 0), rows.length);
    for (const row of rows) deps.onChanged?.(row.id);
    deps.onDeleted?.(rows);
    await removeObjectsLater(rows, variants);
    return rows.map((r) => r.id);
  }

  /** The list filters of a request, checked. */
  function filtersOf(p: Principal, input: ListInput): Omit<ImageListQuery, 'limit' | 'after'> {
    const from = input.startDate ? parseDate(input.startDate, 'start_date') : undefined;
    const to = input.endDate ? parseDate(input.endDate, 'end_date') + DAY_MS : undefined;
    if (from !== undefined && to !== undefined && from >= to) throw validationError('end_date', 'must not be before start_date');
    // an album of another account, or none, simply matches nothing (the query is the caller's images only)
    return { userId: p.userId, tag: input.tag?.trim() || undefined, from, to, q: input.q?.trim() || undefined, collectionId: input.collectionId || undefined, isPublic: input.isPublic };
  }

  /** The caller's live images among `ids`, deleted for real (the bulk delete, an album's cascade). */
  const removeBatch = (p: Principal, ids: string[]): Promise<string[]> => purge(p.userId, ids);

  return {
    get: async (p: Principal, id: string): Promise<ImageRow> => requireOwner(await images.findById(id), p),

    /** The owner's photo information (read from the original's EXIF at upload); like get(), only for the owner. */
    async photoInfo(p: Principal, id: string): Promise<PhotoInfoResponse> {
      const row = await images.findWithPhotoInfo(id);
      requireOwner(row, p);
      return presentPhotoInfo(row!);
    },
    removeBatch,

    /** The account's trashed images among `ids` (trashed before `before`, when given), deleted for real: the trash's deletes. */
    purgeTrashed: (userId: string, ids: string[], before?: number): Promise<string[]> => purge(userId, ids, { trashed: true, before }),

    /** The account's tags with their image counts, most used first; `q` is a case-insensitive prefix. */
    listTags: (p: Principal, input: { q?: string | undefined; limit?: number | undefined }): Promise<Array<{ tag: string; count: number }>> =>
      images.listTags(p.userId, { prefix: input.q?.normalize('NFC').trim() || undefined, limit: input.limit ?? 200 }),

    async list(p: Principal, input: ListInput): Promise<ListResult> {
      const limit = input.limit ?? 20;
      const filters = filtersOf(p, input);
      const after = input.cursor ? signer.decodeCursor(input.cursor) : undefined;
      const [rows, total] = await Promise.all([images.list({ ...filters, limit: limit + 1, after }), images.count(filters)]);
      const hasMore = rows.length > limit;
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items, hasMore, total, nextCursor: hasMore && last ? signer.encodeCursor({ createdAt: last.createdAt, id: last.id }) : null };
    },

    async update(p: Principal, id: string, patch: ImagePatch): Promise<ImageRow> {
      const current = requireOwner(await images.findById(id), p);
      // after the row's last change even within one ms: the sync feed's (updatedAt, id) order sees every change
      const set: Parameters<ImagesRepo['update']>[1] = { updatedAt: Math.max(clock.now(), current.updatedAt + 1) };
      let tags: string[] | undefined;
      if (patch.title !== undefined) {
        const t = patch.title?.trim() || null;
        if (t !== null && [...t].length > 200) throw validationError('title', 'must be at most 200 characters');
        set.title = t;
      }
      if (patch.tags !== undefined) {
        tags = normaliseTags(patch.tags);
        set.tags = JSON.stringify(tags);
      }
      if (patch.isPublic !== undefined) set.isPublic = patch.isPublic ? 1 : 0;
      if (patch.allowedReferers !== undefined) {
        const list = normaliseAllowedReferers(patch.allowedReferers);
        set.allowedReferers = list === null ? null : JSON.stringify(list);
      }
      await images.update(id, set, tags);
      deps.onChanged?.(id);
      return (await images.findById(id))!;
    },

    /** The ids of every image the list's filters match, newest first, up to MAX_LISTED_IDS (then `truncated`). */
    async listIds(p: Principal, input: Omit<ListInput, 'cursor' | 'limit'>): Promise<ListIdsResult> {
      const ids = await images.listIds({ ...filtersOf(p, input), limit: MAX_LISTED_IDS + 1 });
      return { ids: ids.slice(0, MAX_LISTED_IDS), truncated: ids.length > MAX_LISTED_IDS };
    },

    /**
     * PATCH /v1/images: one edit for a selection. The tag lists are checked as a PATCH's `tags` are (then removed
     * first, added after, each image keeping its order); an image the additions would take past 10 tags is left
     * alone and counted as failed, as are ids unknown, trashed or of other accounts (never touched). Each image
     * changed is dropped from the memory caches exactly as by a single PATCH.
     */
    async updateMany(p: Principal, input: BulkPatch): Promise<{ updated: number; failed: number }> {
      if (input.isPublic === undefined && input.addTags === undefined && input.removeTags === undefined) {
        throw validationError('isPublic', 'or addTags or removeTags is required');
      }
      const add = input.addTags === undefined ? [] : normaliseTags(input.addTags, 'addTags');
      const remove = input.removeTags === undefined ? [] : normaliseTags(input.removeTags, 'removeTags');
      const rows = await images.findManyForUser(p.userId, [...new Set(input.ids)]);
      const now = clock.now();
      const edits: ImageEdit[] = [];
      let unchanged = 0;
      for (const row of rows) {
        const current = parseTags(row);
        const kept = current.filter((t) => !remove.includes(t));
        const tags = [...kept, ...add.filter((t) => !kept.includes(t))];
        if (tags.length > MAX_TAGS) continue;
        const tagsChange = tags.length !== current.length || tags.some((t, i) => t !== current[i]);
        const visibility = input.isPublic === undefined ? row.isPublic : input.isPublic ? 1 : 0;
        if (!tagsChange && visibility === row.isPublic) {
          unchanged++; // already as asked: counted as updated, nothing written (no sync churn)
          continue;
        }
        const patch: ImageEdit['patch'] = { updatedAt: Math.max(now, row.updatedAt + 1), isPublic: visibility };
        if (tagsChange) patch.tags = JSON.stringify(tags);
        edits.push({ id: row.id, createdAt: row.createdAt, patch, tags: tagsChange ? tags : undefined });
      }
      const done = await images.updateMany(p.userId, edits);
      for (const id of done) deps.onChanged?.(id);
      const updated = done.length + unchanged;
      return { updated, failed: input.ids.length - updated };
    },

    remove,

    async removeMany(p: Principal, ids: string[]): Promise<{ deleted: number; failed: number }> {
      let deleted = 0;
      for (const id of new Set(ids)) {
        try {
          await remove(p, id);
          deleted++;
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
        }
      }
      return { deleted, failed: ids.length - deleted };
    },

    async exists(p: Principal, hashes: string[]): Promise<{ existing: Record<string, { id: string; url: string }>; missing: string[] }> {
      const unique = [...new Set(hashes)];
      const found = await images.findByShas(p.userId, unique);
      const existing: Record<string, { id: string; url: string }> = {};
      for (const r of found) existing[r.sha256] = { id: r.id, url: imageUrl(deps.mediaBaseUrl, r) };
      return { existing, missing: unique.filter((h) => !existing[h]) };
    },

    /** A signed URL; `transform` (e.g. "w=800&fmt=webp") is covered by the signature and kept in the URL. */
    async sign(p: Principal, id: string, expSeconds = 3600, transform?: string): Promise<{ signedUrl: string; expiresAt: string; exp: number }> {
      const row = requireOwner(await images.findById(id), p);
      const exp = Math.floor(clock.now() / 1000) + expSeconds;
      let params = '';
      let query = '';
      if (transform) {
        const q = Object.fromEntries(new URLSearchParams(transform.replace(/^\?/, '')));
        try {
          params = signedParams(parseTransform(q));
        } catch (err) {
          if (err instanceof ParamError) throw validationError('transform', err.message);
          throw err;
        }
        query = `${new URLSearchParams(q).toString()}&`;
      }
      const signedUrl = `${imageUrl(deps.mediaBaseUrl, row)}?${query}exp=${exp}&sig=${signer.sign(row.id, exp, params)}`;
      return { signedUrl, expiresAt: new Date(exp * 1000).toISOString(), exp };
    },
  };
}

export type ImagesService = ReturnType<typeof createImagesService>;
