// Usage per day for the history charts: one row per (account, type, UTC day). Bandwidth rows count the bytes served
// that day (added by the bandwidth meter's batched flush, in the transaction of the monthly counter); storage rows hold
// the bytes stored as last sampled that day (an hourly snapshot, written only when the value moved: a day without a
// row carries the previous one forward). Rows older than 400 days are swept by the same hourly round.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('usage_daily')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // img_storage | media_storage | img_bandwidth | media_bandwidth
    .addColumn('type', 'text', (c) => c.notNull())
    // 'YYYY-MM-DD' (UTC)
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    // (user, type, day): a window of one account is a range scan, and "the last value before the window" one seek
    .addPrimaryKeyConstraint('usage_daily_pk', ['user_id', 'type', 'day'])
    .execute();
  // the sweep of old rows
  await db.schema.createIndex('usage_daily_day_idx').on('usage_daily').column('day').execute();
}
