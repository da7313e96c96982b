// Image rows and their tags. Queries only; ownership and visibility are decided in domain/images.
// Every library read is of live rows (`trashed_at is null`, migration 0016); the trash has its own queries below.
import { sql } from 'kysely';
import type { Db } from '../db.js';
import type { ImagePhotoInfoRow, ImageRow, TrashedImageRow } from '../schema.js';
import { dropTombstones, recordTombstone, recordTombstones } from './sync.repo.js';

export type ImageListQuery = {
  userId: string;
  limit: number;
  after?: { createdAt: number; id: string } | undefined;
  tag?: string | undefined;
  from?: number | undefined; // inclusive, ms
  to?: number | undefined; // exclusive, ms
  q?: string | undefined;
  /** Only the images filed in this album (migration 0013). */
  collectionId?: string | undefined;
  /** Only public (true) or private (false) images. */
  isPublic?: boolean | undefined;
};

/** One image's share of a bulk edit: its new columns, and its full new tag list when the tags change. */
export type ImageEdit = { id: string; createdAt: number; patch: Partial<Pick<ImageRow, 'isPublic' | 'tags' | 'updatedAt'>>; tags?: string[] | undefined };

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Which rows a batch delete may take: live ones (the library's deletes), or trashed ones (trashed before `before`). */
export type DeleteScope = { trashed: false } | { trashed: true; before?: number | undefined };
/** A keyset position in the trash: (trashed_at, id). */
export type TrashPosition = { trashedAt: number; id: string };
/** An image row with the trash column (null while it is live). */
export type ImageRowWithTrash = ImageRow & { trashedAt: number | null };

/** `updated_at` moved past its previous value even within one ms (the sync feed's order), portable SQL. */
const bumped = (at: number) => sql<number>`case when updated_at + 1 > ${at} then updated_at + 1 else ${at} end`;

export function createImagesRepo(db: Db) {
  const searchFilter = (text: string) => {
    const pattern = `%${escapeLike(text.toLowerCase())}%`;
    return sql<boolean>`(lower(coalesce(images.title, '')) like ${pattern} escape '\\' or lower(images.filename) like ${pattern} escape '\\')`;
  };

  /** The account's images with the date and text filters (no tag). */
  function filtered(q: Omit<ImageListQuery, 'limit' | 'after'>) {
    let query = db.selectFrom('images').where('images.userId', '=', q.userId).where('images.trashedAt', 'is', null);
    if (q.from !== undefined) query = query.where('images.createdAt', '>=', q.from);
    if (q.to !== undefined) query = query.where('images.createdAt', '<', q.to);
    if (q.q) query = query.where(searchFilter(q.q));
    if (q.collectionId !== undefined) query = query.where('images.collectionId', '=', q.collectionId);
    if (q.isPublic !== undefined) query = query.where('images.isPublic', '=', q.isPublic ? 1 : 0);
    return query;
  }

  /**
   * With a tag the query is driven by image_tags (user_id, tag, created_at, image_id): the index yields the
   * tag's rows newest first and counts them without touching the images, however rare or common the tag.
   */
  function tagged(q: Omit<ImageListQuery, 'limit' | 'after'>, tag: string) {
    // a trashed image has no image_tags rows; the live condition is a second guard only
    let query = db.selectFrom('imageTags').innerJoin('images', 'images.id', 'imageTags.imageId').where('imageTags.userId', '=', q.userId).where('imageTags.tag', '=', tag)
      .where('images.trashedAt', 'is', null);
    if (q.from !== undefined) query = query.where('imageTags.createdAt', '>=', q.from);
    if (q.to !== undefined) query = query.where('imageTags.createdAt', '<', q.to);
    if (q.q) query = query.where(searchFilter(q.q));
    if (q.collectionId !== undefined) query = query.where('images.collectionId', '=', q.collectionId);
    if (q.isPublic !== undefined) query = query.where('images.isPublic', '=', q.isPublic ? 1 : 0);
    return query;
  }

  return {
    /** A live image (one in the trash is not found here). */
    findById: (id: string): Promise<ImageRow | undefined> => db.selectFrom('images').selectAll().where('id', '=', id).where('trashedAt', 'is', null).executeTakeFirst(),

    /** An image live or in the trash, with its trash column (the media host serves a trashed image to its owner). */
    findWithTrash: (id: string): Promise<ImageRowWithTrash | undefined> => db.selectFrom('images').selectAll().where('id', '=', id).executeTakeFirst(),

    /** One live image with its photo information (ImageRow leaves those columns out: only this returns them). */
    findWithPhotoInfo: (id: string): Promise<(ImageRow & ImagePhotoInfoRow) | undefined> =>
      db.selectFrom('images').selectAll().where('id', '=', id).where('trashedAt', 'is', null).executeTakeFirst(),

    /** The account's image holding these bytes, live or in the trash (sha256 stays unique per account across both). */
    findBySha: (userId: string, sha256: string): Promise<ImageRowWithTrash | undefined> =>
      db.selectFrom('images').selectAll().where('userId', '=', userId).where('sha256', '=', sha256).executeTakeFirst(),

    findByShas: (userId: string, hashes: string[]): Promise<Pick<ImageRow, 'id' | 'ext' | 'sha256'>[]> =>
      hashes.length === 0
        ? Promise.resolve([])
        : db.selectFrom('images').select(['id', 'ext', 'sha256']).where('userId', '=', userId).where('sha256', 'in', hashes).where('trashedAt', 'is', null).execute(),

    findManyForUser: (userId: string, ids: string[]): Promise<ImageRow[]> =>
      ids.length === 0 ? Promise.resolve([]) : db.selectFrom('images').selectAll().where('userId', '=', userId).where('id', 'in', ids).where('trashedAt', 'is', null).execute(),

    /** Inserts the image (with the photo information read at upload, if any) and its tag rows together. */
    insert: (row: ImageRow, tags: string[], photo?: ImagePhotoInfoRow | null): Promise<void> =>
      db.transaction().execute(async (trx) => {
        await trx.insertInto('images').values(photo ? { ...row, ...photo } : row).execute();
        if (tags.length > 0) {
          await trx.insertInto('imageTags').values(tags.map((tag) => ({ imageId: row.id, userId: row.userId, tag, createdAt: row.createdAt }))).execute();
        }
      }),

    /** Updates a live image (one moved to the trash meanwhile is left alone: its tag rows must stay away). */
    update: (id: string, patch: Partial<Pick<ImageRow, 'title' | 'isPublic' | 'allowedReferers' | 'tags' | 'updatedAt'>>, tags?: string[]): Promise<void> =>
      db.transaction().execute(async (trx) => {
        const r = await trx.updateTable('images').set(patch).where('id', '=', id).where('trashedAt', 'is', null).executeTakeFirst();
        if (tags && Number(r.numUpdatedRows) === 1) {
          const row = await trx.selectFrom('images').select(['userId', 'createdAt']).where('id', '=', id).executeTakeFirstOrThrow();
          await trx.deleteFrom('imageTags').where('imageId', '=', id).execute();
          if (tags.length > 0) {
            await trx.insertInto('imageTags').values(tags.map((tag) => ({ imageId: id, userId: row.userId, tag, createdAt: row.createdAt }))).execute();
          }
        }
      }),

    /**
     * A bulk edit of the account's live images in one transaction; returns the ids changed (others' and trashed rows:
     * none). A new tag list replaces the image's tag rows.
     */
    updateMany: (userId: string, edits: ImageEdit[]): Promise<string[]> =>
      edits.length === 0
        ? Promise.resolve([])
        : db.transaction().execute(async (trx) => {
          const done: string[] = [];
          for (const e of edits) {
            const r = await trx.updateTable('images').set(e.patch).where('id', '=', e.id).where('userId', '=', userId).where('trashedAt', 'is', null).executeTakeFirst();
            if (Number(r.numUpdatedRows) !== 1) continue;
            done.push(e.id);
            if (!e.tags) continue;
            await trx.deleteFrom('imageTags').where('imageId', '=', e.id).execute();
            if (e.tags.length > 0) await trx.insertInto('imageTags').values(e.tags.map((tag) => ({ imageId: e.id, userId, tag, createdAt: e.createdAt }))).execute();
          }
          return done;
        }),

    /**
     * Deletes the row (tags cascade) and writes its sync tombstone, after its last change, in the same transaction;
     * returns the deleted row or undefined when it was already gone.
     */
    delete: (id: string, deletedAt: number): Promise<ImageRow | undefined> =>
      db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('images').selectAll().where('id', '=', id).executeTakeFirst();
        if (!row) return undefined;
        await trx.deleteFrom('imageTags').where('imageId', '=', id).execute();
        const r = await trx.deleteFrom('images').where('id', '=', id).executeTakeFirst();
        if (Number(r.numDeletedRows) !== 1) return undefined;
        await recordTombstone(trx, { userId: row.userId, type: 'image', id, at: Math.max(deletedAt, row.updatedAt + 1) });
        return row;
      }),

    /**
     * Deletes the account's rows among `ids` (at most a few hundred) with their tags and writes their tombstones, in
     * one transaction; returns the rows this call deleted (ids of others, already gone, or outside `scope` — live
     * rows by default, or trashed ones — are left out) and the variant keys they had (their rows go with the
     * images), so the objects can be deleted without listing.
     */
    deleteMany: (
      userId: string, ids: string[], deletedAt: number, scope: DeleteScope = { trashed: false },
    ): Promise<{ rows: ImageRow[]; variants: Array<{ imageId: string; variantKey: string }> }> =>
      ids.length === 0
        ? Promise.resolve({ rows: [], variants: [] })
        : db.transaction().execute(async (trx) => {
          // the rows in scope, read first: the deletes below name exactly these
          let pick = trx.selectFrom('images').select('id').where('userId', '=', userId).where('id', 'in', ids);
          if (!scope.trashed) pick = pick.where('trashedAt', 'is', null);
          else if (scope.before !== undefined) pick = pick.where('trashedAt', '<', scope.before);
          else pick = pick.where('trashedAt', 'is not', null);
          const inScope = (await pick.execute()).map((r) => r.id);
          if (inScope.length === 0) return { rows: [], variants: [] };
          const variants = await trx.selectFrom('imageVariants').select(['imageId', 'variantKey']).where('imageId', 'in', inScope).execute();
          await trx.deleteFrom('imageTags').where('userId', '=', userId).where('imageId', 'in', inScope).execute();
          const rows = await trx.deleteFrom('images').where('userId', '=', userId).where('id', 'in', inScope).returningAll().execute();
          await recordTombstones(trx, rows.map((row) => ({ userId, type: 'image' as const, id: row.id, at: Math.max(deletedAt, row.updatedAt + 1) })));
          const gone = new Set(rows.map((r) => r.id));
          return { rows, variants: variants.filter((v) => gone.has(v.imageId)) };
        }),

    /**
     * Moves the account's live images among `ids` to the trash at `at`, in one transaction: `updated_at` moves past
     * its last change, their tag rows go (tag lists and counts never see a trashed image; `images.tags` keeps them)
     * and each gets a sync tombstone at its new `updated_at`. Returns the rows moved (others' and absent ids: none).
     */
    trash: (userId: string, ids: string[], at: number): Promise<ImageRow[]> =>
      ids.length === 0
        ? Promise.resolve([])
        : db.transaction().execute(async (trx) => {
          const rows = await trx.updateTable('images').set({ trashedAt: at, updatedAt: bumped(at) })
            .where('userId', '=', userId).where('id', 'in', ids).where('trashedAt', 'is', null).returningAll().execute();
          if (rows.length === 0) return [];
          await trx.deleteFrom('imageTags').where('userId', '=', userId).where('imageId', 'in', rows.map((r) => r.id)).execute();
          await recordTombstones(trx, rows.map((r) => ({ userId, type: 'image' as const, id: r.id, at: Number(r.updatedAt) })));
          return rows;
        }),

    /**
     * Brings the account's trashed images among `ids` back at `at`, in one transaction: `updated_at` moves past the
     * trash tombstone (which goes: the row is live again), the tag rows are written again from `images.tags`. An
     * album deleted meanwhile has already unfiled them (ON DELETE SET NULL). Returns the rows restored.
     */
    restore: (userId: string, ids: string[], at: number): Promise<ImageRow[]> =>
      ids.length === 0
        ? Promise.resolve([])
        : db.transaction().execute(async (trx) => {
          const rows = await trx.updateTable('images').set({ trashedAt: null, updatedAt: bumped(at) })
            .where('userId', '=', userId).where('id', 'in', ids).where('trashedAt', 'is not', null).returningAll().execute();
          if (rows.length === 0) return [];
          const tagRows = rows.flatMap((r) => (JSON.parse(r.tags) as string[]).map((tag) => ({ imageId: r.id, userId, tag, createdAt: Number(r.createdAt) })));
          if (tagRows.length > 0) await trx.insertInto('imageTags').values(tagRows).onConflict((oc) => oc.doNothing()).execute();
          await dropTombstones(trx, 'image', rows.map((r) => r.id));
          return rows;
        }),

    /** One page of the account's trash, newest trashed first (trashed_at desc, id desc), after `after`. */
    listTrash: (userId: string, limit: number, after?: TrashPosition): Promise<TrashedImageRow[]> => {
      let query = db.selectFrom('images').selectAll().where('userId', '=', userId).where('trashedAt', 'is not', null);
      if (after) query = query.where((eb) => eb.or([eb('trashedAt', '<', after.trashedAt), eb.and([eb('trashedAt', '=', after.trashedAt), eb('id', '<', after.id)])]));
      return query.orderBy('trashedAt', 'desc').orderBy('id', 'desc').limit(limit).execute() as Promise<TrashedImageRow[]>;
    },

    /**
     * Trashed images, oldest trashed first, after `after`: the account's (`userId`) or every account's, trashed
     * before `before` when given — the pages of emptying a trash and of the sweep.
     */
    trashedPage: async (opts: { userId?: string | undefined; before?: number | undefined; limit: number; after?: TrashPosition | undefined }): Promise<Array<{ id: string; userId: string; trashedAt: number }>> => {
      let query = db.selectFrom('images').select(['id', 'userId', 'trashedAt']).where('trashedAt', 'is not', null);
      if (opts.userId !== undefined) query = query.where('userId', '=', opts.userId);
      if (opts.before !== undefined) query = query.where('trashedAt', '<', opts.before);
      const after = opts.after;
      if (after) query = query.where((eb) => eb.or([eb('trashedAt', '>', after.trashedAt), eb.and([eb('trashedAt', '=', after.trashedAt), eb('id', '>', after.id)])]));
      const rows = await query.orderBy('trashedAt', 'asc').orderBy('id', 'asc').limit(opts.limit).execute();
      return rows.map((r) => ({ id: r.id, userId: r.userId, trashedAt: Number(r.trashedAt) }));
    },

    /** One page, newest first, keyset after `after`. */
    list: (q: ImageListQuery): Promise<ImageRow[]> => {
      const after = q.after;
      if (q.tag !== undefined) {
        let query = tagged(q, q.tag).selectAll('images');
        if (after) {
          query = query.where((eb) =>
            eb.or([eb('imageTags.createdAt', '<', after.createdAt), eb.and([eb('imageTags.createdAt', '=', after.createdAt), eb('imageTags.imageId', '<', after.id)])]),
          );
        }
        return query.orderBy('imageTags.createdAt', 'desc').orderBy('imageTags.imageId', 'desc').limit(q.limit).execute();
      }
      let query = filtered(q).selectAll('images');
      if (after) {
        query = query.where((eb) => eb.or([eb('images.createdAt', '<', after.createdAt), eb.and([eb('images.createdAt', '=', after.createdAt), eb('images.id', '<', after.id)])]));
      }
      return query.orderBy('images.createdAt', 'desc').orderBy('images.id', 'desc').limit(q.limit).execute();
    },

    /** The ids of the first `limit` matches, in the list's order (newest first), read from the indexes where they can be. */
    listIds: async (q: ImageListQuery): Promise<string[]> => {
      if (q.tag !== undefined) {
        const rows = await tagged(q, q.tag).select('imageTags.imageId as id').orderBy('imageTags.createdAt', 'desc').orderBy('imageTags.imageId', 'desc').limit(q.limit).execute();
        return rows.map((r) => r.id);
      }
      const rows = await filtered(q).select('images.id').orderBy('images.createdAt', 'desc').orderBy('images.id', 'desc').limit(q.limit).execute();
      return rows.map((r) => r.id);
    },

    /**
     * The account's tags with how many of its images carry each, most used first, ties by tag; counted by the
     * database from image_tags (rows go with their image), `prefix` matched case-insensitively.
     */
    listTags: async (userId: string, opts: { prefix?: string | undefined; limit: number }): Promise<Array<{ tag: string; count: number }>> => {
      let query = db.selectFrom('imageTags').select(['imageTags.tag', sql<number>`count(*)`.as('count')]).where('imageTags.userId', '=', userId);
      if (opts.prefix) query = query.where(sql<boolean>`lower(image_tags.tag) like ${`${escapeLike(opts.prefix.toLowerCase())}%`} escape '\\'`);
      const rows = await query.groupBy('imageTags.tag').orderBy(sql`count(*)`, 'desc').orderBy('imageTags.tag', 'asc').limit(opts.limit).execute();
      return rows.map((r) => ({ tag: r.tag, count: Number(r.count) }));
    },

    count: async (q: Omit<ImageListQuery, 'limit' | 'after'>): Promise<number> => {
      if (q.tag !== undefined && !q.q && q.collectionId === undefined && q.isPublic === undefined) {
        let query = db.selectFrom('imageTags').where('imageTags.userId', '=', q.userId).where('imageTags.tag', '=', q.tag);
        if (q.from !== undefined) query = query.where('imageTags.createdAt', '>=', q.from);
        if (q.to !== undefined) query = query.where('imageTags.createdAt', '<', q.to);
        return Number((await query.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
      }
      const base = q.tag !== undefined ? tagged(q, q.tag) : filtered(q);
      return Number((await base.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
    },
  };
}

export type ImagesRepo = ReturnType<typeof createImagesRepo>;
