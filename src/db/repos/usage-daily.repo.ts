// Usage per UTC day (usage_daily, migration 0014): the bandwidth the meter's flush adds to each day, the storage
// snapshots of the hourly round, the window a history reads and the sweep of old rows. Queries only.
import { sql, type Kysely } from 'kysely';
import type { Db } from '../db.js';
import type { Database, UsageDailyType } from '../schema.js';

export type DailyBandwidthType = Extract<UsageDailyType, 'img_bandwidth' | 'media_bandwidth'>;
export type DailyStorageType = Extract<UsageDailyType, 'img_storage' | 'media_storage'>;

/** Adds served bytes to one account's day; call it with the transaction that adds them to the month. */
export async function addDailyBandwidth(db: Kysely<Database>, type: DailyBandwidthType, e: { userId: string; day: string; bytes: number }): Promise<void> {
  await db
    .insertInto('usageDaily')
    .values({ userId: e.userId, type, day: e.day, bytes: e.bytes })
    .onConflict((oc) => oc.columns(['userId', 'type', 'day']).doUpdateSet({ bytes: sql`usage_daily.bytes + excluded.bytes` }))
    .execute();
}

/** The user_usage column each storage type samples. */
const STORAGE_COLUMNS: Record<DailyStorageType, string> = { img_storage: 'img_storage_bytes', media_storage: 'media_storage_bytes' };

export function createUsageDailyRepo(db: Db) {
  return {
    /**
     * Samples storage into `day`'s rows: one INSERT … SELECT per type over user_usage, writing only the accounts
     * whose stored bytes differ from their newest row (an idle account writes nothing; its last row carries forward).
     * Returns the rows written.
     */
    async snapshotStorage(day: string): Promise<number> {
      let written = 0;
      for (const [type, column] of Object.entries(STORAGE_COLUMNS)) {
        const current = sql.ref(`u.${column}`);
        const newest = sql`(select d.bytes from usage_daily as d where d.user_id = u.user_id and d.type = ${sql.lit(type)} order by d.day desc limit 1)`;
        const r = await db
          .insertInto('usageDaily')
          .columns(['userId', 'type', 'day', 'bytes'])
          .expression(
            db
              .selectFrom('userUsage as u')
              .select(['u.userId', sql.lit(type).as('type'), sql<string>`cast(${day} as text)`.as('day'), sql<number>`${current}`.as('bytes')])
              // (a WHERE also keeps SQLite from reading ON CONFLICT as a join constraint)
              .where(sql<boolean>`${current} <> coalesce(${newest}, 0)`),
          )
          .onConflict((oc) => oc.columns(['userId', 'type', 'day']).doUpdateSet((eb) => ({ bytes: eb.ref('excluded.bytes') })))
          .executeTakeFirst();
        written += Number(r.numInsertedOrUpdatedRows ?? 0);
      }
      return written;
    },

    /** One account's rows from `from` to `to` (days, inclusive). */
    window: (userId: string, from: string, to: string): Promise<Array<{ type: UsageDailyType; day: string; bytes: number }>> =>
      db.selectFrom('usageDaily').select(['type', 'day', 'bytes']).where('userId', '=', userId).where('day', '>=', from).where('day', '<=', to).orderBy('day').execute(),

    /** The newest storage value of each type before `day` (what a window starts from; 0 when there is none). */
    async storageBefore(userId: string, day: string): Promise<Record<DailyStorageType, number>> {
      const newest = (type: DailyStorageType) =>
        db.selectFrom('usageDaily').select('bytes').where('userId', '=', userId).where('type', '=', type).where('day', '<', day).orderBy('day', 'desc').limit(1).executeTakeFirst();
      const [img, media] = await Promise.all([newest('img_storage'), newest('media_storage')]);
      return { img_storage: Number(img?.bytes ?? 0), media_storage: Number(media?.bytes ?? 0) };
    },

    /**
     * Deletes rows from before `day`, except each account's newest storage row of each type among them: it is the
     * value on `day` until a later row, so a window starting after a long idle stretch still shows what was stored.
     * Returns the count.
     */
    async sweep(day: string): Promise<number> {
      const r = await db
        .deleteFrom('usageDaily')
        .where('day', '<', day)
        .where((eb) =>
          eb.or([
            eb('type', 'in', ['img_bandwidth', 'media_bandwidth']),
            eb('day', '<', eb.selectFrom('usageDaily as d').select((e) => e.fn.max('d.day').as('newest')).whereRef('d.userId', '=', 'usageDaily.userId').whereRef('d.type', '=', 'usageDaily.type').where('d.day', '<', day)),
          ]),
        )
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

export type UsageDailyRepo = ReturnType<typeof createUsageDailyRepo>;
