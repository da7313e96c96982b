// Image rows and their tags. Queries only; ownership and visibility are decided in domain/images.
import { sql } from 'kysely';
import type { Db } from '../db.js';
import type { ImagePhotoInfoRow, ImageRow } from '../schema.js';
import { recordTombstone, recordTombstones } from './sync.repo.js';

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
};

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function createImagesRepo(db: Db) {
  const searchFilter = (text: string) => {
    const pattern = `%${escapeLike(text.toLowerCase())}%`;
    return sql<boolean>`(lower(coalesce(images.title, '')) like ${pattern} escape '\\' or lower(images.filename) like ${pattern} escape '\\')`;
  };

  /** The account's images with the date and text filters (no tag). */
  function filtered(q: Omit<ImageListQuery, 'limit' | 'after'>) {
    let query = db.selectFrom('images').where('images.userId', '=', q.userId);
    if (q.from !== undefined) query = query.where('images.createdAt', '>=', q.from);
    if (q.to !== undefined) query = query.where('images.createdAt', '<', q.to);
    if (q.q) query = query.where(searchFilter(q.q));
    if (q.collectionId !== undefined) query = query.where('images.collectionId', '=', q.collectionId);
    return query;
  }

  /**
   * With a tag the query is driven by image_tags (user_id, tag, created_at, image_id): the index yields the
   * tag's rows newest first and counts them without touching the images, however rare or common the tag.
   */
  function tagged(q: Omit<ImageListQuery, 'limit' | 'after'>, tag: string) {
    let query = db.selectFrom('imageTags').innerJoin('images', 'images.id', 'imageTags.imageId').where('imageTags.userId', '=', q.userId).where('imageTags.tag', '=', tag);
    if (q.from !== undefined) query = query.where('imageTags.createdAt', '>=', q.from);
    if (q.to !== undefined) query = query.where('imageTags.createdAt', '<', q.to);
    if (q.q) query = query.where(searchFilter(q.q));
    if (q.collectionId !== undefined) query = query.where('images.collectionId', '=', q.collectionId);
    return query;
  }

  return {
    findById: (id: string): Promise<ImageRow | undefined> => db.selectFrom('images').selectAll().where('id', '=', id).executeTakeFirst(),

    /** One image with its photo information (ImageRow leaves those columns out: only this returns them). */
    findWithPhotoInfo: (id: string): Promise<(ImageRow & ImagePhotoInfoRow) | undefined> => db.selectFrom('images').selectAll().where('id', '=', id).executeTakeFirst(),

    findBySha: (userId: string, sha256: string): Promise<ImageRow | undefined> =>
      db.selectFrom('images').selectAll().where('userId', '=', userId).where('sha256', '=', sha256).executeTakeFirst(),

    findByShas: (userId: string, hashes: string[]): Promise<Pick<ImageRow, 'id' | 'ext' | 'sha256'>[]> =>
      hashes.length === 0 ? Promise.resolve([]) : db.selectFrom('images').select(['id', 'ext', 'sha256']).where('userId', '=', userId).where('sha256', 'in', hashes).execute(),

    findManyForUser: (userId: string, ids: string[]): Promise<ImageRow[]> =>
      ids.length === 0 ? Promise.resolve([]) : db.selectFrom('images').selectAll().where('userId', '=', userId).where('id', 'in', ids).execute(),

    /** Inserts the image (with the photo information read at upload, if any) and its tag rows together. */
    insert: (row: ImageRow, tags: string[], photo?: ImagePhotoInfoRow | null): Promise<void> =>
      db.transaction().execute(async (trx) => {
        await trx.insertInto('images').values(photo ? { ...row, ...photo } : row).execute();
        if (tags.length > 0) {
          await trx.insertInto('imageTags').values(tags.map((tag) => ({ imageId: row.id, userId: row.userId, tag, createdAt: row.createdAt }))).execute();
        }
      }),

    update: (id: string, patch: Partial<Pick<ImageRow, 'title' | 'isPublic' | 'allowedReferers' | 'tags' | 'updatedAt'>>, tags?: string[]): Promise<void> =>
      db.transaction().execute(async (trx) => {
        await trx.updateTable('images').set(patch).where('id', '=', id).execute();
        if (tags) {
          const row = await trx.selectFrom('images').select(['userId', 'createdAt']).where('id', '=', id).executeTakeFirstOrThrow();
          await trx.deleteFrom('imageTags').where('imageId', '=', id).execute();
          if (tags.length > 0) {
            await trx.insertInto('imageTags').values(tags.map((tag) => ({ imageId: id, userId: row.userId, tag, createdAt: row.createdAt }))).execute();
          }
        }
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
     * one transaction; returns the rows this call deleted (ids of others, or already gone, are left out) and the
     * variant keys they had (their rows go with the images), so the objects can be deleted without listing.
     */
    deleteMany: (userId: string, ids: string[], deletedAt: number): Promise<{ rows: ImageRow[]; variants: Array<{ imageId: string; variantKey: string }> }> =>
      ids.length === 0
        ? Promise.resolve({ rows: [], variants: [] })
        : db.transaction().execute(async (trx) => {
          const variants = await trx.selectFrom('imageVariants').innerJoin('images', 'images.id', 'imageVariants.imageId')
            .select(['imageVariants.imageId', 'imageVariants.variantKey']).where('images.userId', '=', userId).where('images.id', 'in', ids).execute();
          await trx.deleteFrom('imageTags').where('userId', '=', userId).where('imageId', 'in', ids).execute();
          const rows = await trx.deleteFrom('images').where('userId', '=', userId).where('id', 'in', ids).returningAll().execute();
          await recordTombstones(trx, rows.map((row) => ({ userId, type: 'image' as const, id: row.id, at: Math.max(deletedAt, row.updatedAt + 1) })));
          const gone = new Set(rows.map((r) => r.id));
          return { rows, variants: variants.filter((v) => gone.has(v.imageId)) };
        }),

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
      if (q.tag !== undefined && !q.q && q.collectionId === undefined) {
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
