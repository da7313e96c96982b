// The sync feed's queries (SPEC §7.9): tombstones of deleted media, and the change feed — every media row and
// tombstone of an account in (updated_at, id) order, merged across the tables in one UNION ALL with the keyset
// condition and the limit pushed into each branch. Queries only; the domain decides what a change means.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Db } from '../db.js';
import type { Database, SyncType } from '../schema.js';

/** Writes the tombstone of a deleted row; call it with the transaction that deletes the row. */
export async function recordTombstone(db: Kysely<Database>, t: { userId: string; type: SyncType; id: string; at: number }): Promise<void> {
  await db
    .insertInto('syncTombstones')
    .values({ userId: t.userId, type: t.type, id: t.id, deletedAt: t.at })
    .onConflict((oc) => oc.columns(['type', 'id']).doUpdateSet({ deletedAt: t.at, userId: t.userId }))
    .execute();
}

/** Tombstones of many deleted rows at once (the bulk delete); same transaction rule as recordTombstone. */
export async function recordTombstones(db: Kysely<Database>, stones: Array<{ userId: string; type: SyncType; id: string; at: number }>): Promise<void> {
  if (stones.length === 0) return;
  await db
    .insertInto('syncTombstones')
    .values(stones.map((t) => ({ userId: t.userId, type: t.type, id: t.id, deletedAt: t.at })))
    .onConflict((oc) => oc.columns(['type', 'id']).doUpdateSet((eb) => ({ deletedAt: eb.ref('excluded.deletedAt'), userId: eb.ref('excluded.userId') })))
    .execute();
}

/** Removes the tombstones of rows that are live again (restored from the trash); same transaction rule. */
export async function dropTombstones(db: Kysely<Database>, type: SyncType, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('syncTombstones').where('type', '=', type).where('id', 'in', ids).execute();
}

/** The tables the feed reads per type (audio joins when its table exists). */
export const SYNC_TABLES: Record<SyncType, string> = { image: 'images', video: 'videos', audio: 'audio' };

/**
 * The conditions that keep a table's query to live rows: images in the trash (migration 0016) are left out of every
 * library query; the other tables have no trash. Written as `trashed_at is null` so the partial indexes apply.
 */
export const liveRows = (type: SyncType): RawBuilder<unknown>[] => (type === 'image' ? [sql`trashed_at is null`] : []);

export type FeedPosition = { at: number; id: string };
export type FeedEntry = { op: 'upsert' | 'delete'; type: SyncType; id: string; at: number };

export function createSyncRepo(db: Db) {
  const keyset = (col: string, after: FeedPosition | undefined, until: number): RawBuilder<unknown>[] => {
    const conds = [sql`${sql.ref(col)} <= ${until}`];
    if (after) conds.push(sql`(${sql.ref(col)} > ${after.at} or (${sql.ref(col)} = ${after.at} and id > ${after.id}))`);
    return conds;
  };
  const branch = (name: string, body: RawBuilder<unknown>) => sql`select * from (${body}) as ${sql.id(name)}`;

  return {
    /**
     * One page of the account's feed after `after`, up to `until` (ms, inclusive): live rows of `types` as
     * upserts, tombstones of `types` as deletes.
     */
    async changes(userId: string, types: SyncType[], limit: number, until: number, after?: FeedPosition): Promise<FeedEntry[]> {
      // a trashed image is no upsert: its trash tombstone stands for it until it is restored (domain/images/trash.service.ts)
      const branches = types.map((type) =>
        branch(`u_${type}`, sql`select 'upsert' as op, ${sql.lit(type)} as type, id, updated_at as at from ${sql.table(SYNC_TABLES[type])}
          where user_id = ${userId} and ${sql.join([...keyset('updated_at', after, until), ...liveRows(type)], sql` and `)}
          order by updated_at, id limit ${limit}`),
      );
      const typeList = sql.join(types.map((t) => sql.lit(t)));
      branches.push(
        branch('d_all', sql`select 'delete' as op, type, id, deleted_at as at from sync_tombstones
          where user_id = ${userId} and type in (${typeList}) and ${sql.join(keyset('deleted_at', after, until), sql` and `)}
          order by deleted_at, id limit ${limit}`),
      );
      const r = await sql<FeedEntry>`select op, type, id, at from (${sql.join(branches, sql` union all `)}) as feed order by at, id limit ${limit}`.execute(db);
      return r.rows.map((row) => ({ ...row, at: Number(row.at) }));
    },

    /** Removes tombstones older than `before`; returns how many went. */
    async sweepTombstones(before: number): Promise<number> {
      const r = await db.deleteFrom('syncTombstones').where('deletedAt', '<', before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

export type SyncRepo = ReturnType<typeof createSyncRepo>;
