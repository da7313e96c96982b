// Collections (photo albums) and which album each image, video or audio item is filed in. Queries only; the rules
// (supported types, slugs, the per-account limit, ownership, what cascade means) live in domain/collections.
import { sql } from 'kysely';
import type { Db } from '../db.js';
import type { CollectionRow, CollectionType, SyncType } from '../schema.js';
import { liveRows, SYNC_TABLES } from './sync.repo.js';
import { withUserLock } from './user-lock.js';

export type CollectionSort = 'updated_at' | 'name';
/** A keyset position: `key` is updated_at (ms) or the lower-cased name, by the sort. */
export type CollectionPosition = { key: number | string; id: string };
export type CollectionListQuery = { userId: string; type?: CollectionType | undefined; sort: CollectionSort; limit: number; after?: CollectionPosition | undefined };
export type CollectionListRow = CollectionRow & { sortKey: number | string };
export type CollectionPatch = Partial<Pick<CollectionRow, 'name' | 'description' | 'allowedResourceTypes'>>;
/** Items filed in one album, by type: how many and their bytes (originals). Images in the trash are not counted. */
export type CollectionStats = Record<SyncType, { count: number; bytes: number }>;
export type InsertOutcome = { row: CollectionRow } | { refused: 'limit' | 'slug' };

const TYPES: readonly SyncType[] = ['image', 'video', 'audio'];
const emptyStats = (): CollectionStats => ({ image: { count: 0, bytes: 0 }, video: { count: 0, bytes: 0 }, audio: { count: 0, bytes: 0 } });

export function createCollectionsRepo(db: Db, dialect: 'sqlite' | 'postgres') {
  /**
   * Counts and bytes per album among `ids`, from the partial (collection_id, …) indexes. Keyed by album only: an
   * item is filed only by its owner, into the owner's album.
   */
  async function stats(ids: string[]): Promise<Map<string, CollectionStats>> {
    const out = new Map<string, CollectionStats>(ids.map((id) => [id, emptyStats()]));
    if (ids.length === 0) return out;
    const branches = TYPES.map(
      (type) => sql`select collection_id, ${sql.lit(type)} as type, count(*) as n, coalesce(sum(size_bytes), 0) as bytes
        from ${sql.table(SYNC_TABLES[type])} where ${sql.join([sql`collection_id in (${sql.join(ids)})`, ...liveRows(type)], sql` and `)} group by collection_id`,
    );
    const r = await sql<{ collectionId: string; type: SyncType; n: number; bytes: number }>`${sql.join(branches, sql` union all `)}`.execute(db);
    for (const row of r.rows) {
      const s = out.get(row.collectionId);
      if (s) s[row.type] = { count: Number(row.n), bytes: Number(row.bytes) };
    }
    return out;
  }

  return {
    /**
     * Inserts under the account's lock unless it already has `max` albums; `chooseSlug` picks the slug from the
     * account's taken ones (undefined: the one asked for is taken).
     */
    insert: (row: CollectionRow, opts: { max: number; chooseSlug(taken: ReadonlySet<string>): string | undefined }): Promise<InsertOutcome> =>
      withUserLock(db, dialect, row.userId, async (trx): Promise<InsertOutcome> => {
        const taken = await trx.selectFrom('collections').select('slug').where('userId', '=', row.userId).execute();
        if (taken.length >= opts.max) return { refused: 'limit' };
        const slug = opts.chooseSlug(new Set(taken.map((t) => t.slug)));
        if (slug === undefined) return { refused: 'slug' };
        const final = { ...row, slug };
        await trx.insertInto('collections').values(final).execute();
        return { row: final };
      }),

    findById: (id: string): Promise<CollectionRow | undefined> => db.selectFrom('collections').selectAll().where('id', '=', id).executeTakeFirst(),

    /** One page: updated_at desc, id desc; or lower(name) asc, id asc. Each row carries its keyset `sortKey`. */
    async list(q: CollectionListQuery): Promise<CollectionListRow[]> {
      let query = db.selectFrom('collections').selectAll().where('userId', '=', q.userId);
      if (q.type !== undefined) query = query.where('collectionType', '=', q.type);
      const after = q.after;
      if (q.sort === 'name') {
        const key = sql<string>`lower(name)`;
        if (after) query = query.where((eb) => eb.or([eb(key, '>', String(after.key)), eb.and([eb(key, '=', String(after.key)), eb('id', '>', after.id)])]));
        const rows = await query.select(key.as('sortKey')).orderBy(key).orderBy('id').limit(q.limit).execute();
        return rows.map((r) => ({ ...r, sortKey: String(r.sortKey) }));
      }
      if (after) {
        const at = Number(after.key);
        query = query.where((eb) => eb.or([eb('updatedAt', '<', at), eb.and([eb('updatedAt', '=', at), eb('id', '<', after.id)])]));
      }
      const rows = await query.orderBy('updatedAt', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
      return rows.map((r) => ({ ...r, sortKey: r.updatedAt }));
    },

    stats,

    update: (id: string, patch: CollectionPatch, now: number): Promise<CollectionRow | undefined> =>
      db.updateTable('collections').set({ ...patch, updatedAt: now }).where('id', '=', id).returningAll().executeTakeFirst(),

    /** Makes `id` the account's default album (and no other), or clears it. */
    setDefault: (userId: string, id: string, isDefault: boolean, now: number): Promise<void> =>
      db.transaction().execute(async (trx) => {
        if (isDefault) await trx.updateTable('collections').set({ isDefault: 0 }).where('userId', '=', userId).where('isDefault', '=', 1).where('id', '!=', id).execute();
        await trx.updateTable('collections').set({ isDefault: isDefault ? 1 : 0, updatedAt: now }).where('id', '=', id).execute();
      }),

    /**
     * Deletes the album when nothing live is filed in it; otherwise leaves it and returns how many items are. Images
     * in the trash do not hold an album: they become unfiled with it (ON DELETE SET NULL) and are restored unfiled.
     */
    deleteIfEmpty: (id: string): Promise<{ deleted: boolean; items: number }> =>
      db.transaction().execute(async (trx) => {
        const branches = TYPES.map((type) => sql`select count(*) as n from ${sql.table(SYNC_TABLES[type])} where ${sql.join([sql`collection_id = ${id}`, ...liveRows(type)], sql` and `)}`);
        const r = await sql<{ n: number }>`${sql.join(branches, sql` union all `)}`.execute(trx);
        const items = r.rows.reduce((n, row) => n + Number(row.n), 0);
        if (items > 0) return { deleted: false, items };
        await trx.deleteFrom('collections').where('id', '=', id).execute();
        return { deleted: true, items: 0 };
      }),

    /** Deletes the album; items still filed in it become unfiled (ON DELETE SET NULL). */
    delete: async (id: string): Promise<void> => {
      await db.deleteFrom('collections').where('id', '=', id).execute();
    },

    /** One page of the ids of live items of `type` filed in the album and owned by `userId`, in id order after `afterId`. */
    async itemIds(userId: string, collectionId: string, type: SyncType, limit: number, afterId?: string): Promise<string[]> {
      const conds = [sql`collection_id = ${collectionId}`, sql`user_id = ${userId}`, ...liveRows(type)];
      if (afterId !== undefined) conds.push(sql`id > ${afterId}`);
      const r = await sql<{ id: string }>`select id from ${sql.table(SYNC_TABLES[type])} where ${sql.join(conds, sql` and `)} order by id limit ${limit}`.execute(db);
      return r.rows.map((row) => row.id);
    },

    /**
     * Files the account's items among `ids` of the given types into `target` (null: out of any album) in one
     * transaction, one UPDATE per table; rows of other accounts, images in the trash, and rows already where they are
     * asked to be, are not touched. Returns how many rows moved; the target album's updated_at moves with them.
     */
    move: (userId: string, ids: string[], target: string | null, types: readonly SyncType[], now: number): Promise<number> =>
      db.transaction().execute(async (trx) => {
        let moved = 0;
        for (const type of types) {
          const changes = target === null ? sql`collection_id is not null` : sql`(collection_id is null or collection_id <> ${target})`;
          const r = await sql`update ${sql.table(SYNC_TABLES[type])} set collection_id = ${target}
            where user_id = ${userId} and id in (${sql.join(ids)}) and ${sql.join([changes, ...liveRows(type)], sql` and `)}`.execute(trx);
          moved += Number(r.numAffectedRows ?? 0);
        }
        if (target !== null && moved > 0) await trx.updateTable('collections').set({ updatedAt: now }).where('id', '=', target).execute();
        return moved;
      }),
  };
}

export type CollectionsRepo = ReturnType<typeof createCollectionsRepo>;
