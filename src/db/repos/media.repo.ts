// Images, videos and audio as one library: the newest-first keyset list (one UNION ALL over the tables, the
// keyset condition and the limit pushed into each branch, so a page reads at most `limit` rows per table), and
// the id pages of the bulk delete (one table at a time, in id order). Queries only; tables come from a fixed map.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db.js';
import type { SyncType } from '../schema.js';
import { liveRows, SYNC_TABLES } from './sync.repo.js';

export type MediaType = SyncType;
export type MediaRef = { type: MediaType; id: string; createdAt: number };
export type MediaListQuery = { userId: string; types: MediaType[]; q?: string | undefined; isPublic?: boolean | undefined; collectionId?: string | undefined };
export type BulkFilters = {
  userId: string;
  /** Only rows created at or before this instant (the snapshot's time: later uploads are never in the set). */
  createdUpTo: number;
  createdBefore?: number | undefined;
  minSizeBytes?: number | undefined;
  tags?: string[] | undefined;
  isPublic?: boolean | undefined;
};

/** Tables with a JSON `tags` column (images filter through image_tags). */
const JSON_TAGS: ReadonlySet<MediaType> = new Set(['video']);

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
const and = (conds: RawBuilder<unknown>[]) => sql.join(conds, sql` and `);

export function createMediaRepo(db: Db) {
  function listBranch(type: MediaType, q: MediaListQuery, limit: number, after?: { createdAt: number; id: string }) {
    const conds = [sql`user_id = ${q.userId}`, ...liveRows(type)];
    if (q.isPublic !== undefined) conds.push(sql`is_public = ${q.isPublic ? 1 : 0}`);
    if (q.collectionId !== undefined) conds.push(sql`collection_id = ${q.collectionId}`);
    if (q.q) {
      const pattern = `%${escapeLike(q.q.toLowerCase())}%`;
      conds.push(sql`(lower(coalesce(title, '')) like ${pattern} escape '\\' or lower(filename) like ${pattern} escape '\\')`);
    }
    if (after) conds.push(sql`(created_at < ${after.createdAt} or (created_at = ${after.createdAt} and id < ${after.id}))`);
    return sql`select * from (select ${sql.lit(type)} as type, id, created_at from ${sql.table(SYNC_TABLES[type])} where ${and(conds)}
      order by created_at desc, id desc limit ${limit}) as ${sql.id(`m_${type}`)}`;
  }

  function bulkConditions(type: MediaType, f: BulkFilters): RawBuilder<unknown>[] {
    // images in the trash are not in the library: a bulk delete leaves them to the trash (emptied or swept)
    const conds = [sql`user_id = ${f.userId}`, sql`created_at <= ${f.createdUpTo}`, ...liveRows(type)];
    if (f.createdBefore !== undefined) conds.push(sql`created_at < ${f.createdBefore}`);
    if (f.minSizeBytes !== undefined) conds.push(sql`size_bytes >= ${f.minSizeBytes}`);
    if (f.isPublic !== undefined) conds.push(sql`is_public = ${f.isPublic ? 1 : 0}`);
    for (const tag of f.tags ?? []) {
      if (type === 'image') conds.push(sql`exists (select 1 from image_tags t where t.image_id = images.id and t.tag = ${tag})`);
      else if (JSON_TAGS.has(type)) conds.push(sql`tags like ${`%${escapeLike(JSON.stringify(tag))}%`} escape '\\'`);
      else conds.push(sql`1 = 0`); // no tags on this type: a tag filter matches nothing
    }
    return conds;
  }

  return {
    /** One page of the account's media, newest first (created_at desc, id desc), after `after`. */
    async list(q: MediaListQuery, limit: number, after?: { createdAt: number; id: string }): Promise<MediaRef[]> {
      if (q.types.length === 0) return [];
      const branches = q.types.map((type) => listBranch(type, q, limit, after));
      const r = await sql<MediaRef>`select type, id, created_at from (${sql.join(branches, sql` union all `)}) as media
        order by created_at desc, id desc limit ${limit}`.execute(db);
      return r.rows.map((row) => ({ type: row.type, id: row.id, createdAt: Number(row.createdAt) }));
    },

    /** Which media table holds `id` for the account's lookup (any owner); undefined when none. */
    async typeOf(id: string, types: MediaType[]): Promise<MediaType | undefined> {
      for (const type of types) {
        const r = await sql<{ n: number }>`select 1 as n from ${sql.table(SYNC_TABLES[type])} where id = ${id}`.execute(db);
        if (r.rows.length > 0) return type;
      }
      return undefined;
    },

    /** One page of ids of `type` matching the bulk filters, in id order after `afterId` (and up to `untilId`, inclusive). */
    async bulkIds(type: MediaType, f: BulkFilters, limit: number, afterId?: string, untilId?: string): Promise<string[]> {
      const conds = bulkConditions(type, f);
      if (afterId !== undefined) conds.push(sql`id > ${afterId}`);
      if (untilId !== undefined) conds.push(sql`id <= ${untilId}`);
      const r = await sql<{ id: string }>`select id from ${sql.table(SYNC_TABLES[type])} where ${and(conds)} order by id limit ${limit}`.execute(db);
      return r.rows.map((row) => row.id);
    },
  };
}

export type MediaRepo = ReturnType<typeof createMediaRepo>;
