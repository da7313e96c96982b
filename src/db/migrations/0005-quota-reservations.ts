// Quota reservations: one row per upload in flight, written in the same transaction as the counter increment
// it stands for. A process that dies mid-upload leaves its row behind; once the row expires the sweeper gives
// the quota back and removes the object the upload may have stored (the row names it: id = the image id).
// No foreign key to users: a reservation outlives a deleted account so its object is still cleaned up.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('quota_reservations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    // the UTC day whose upload counter the reservation took one from
    .addColumn('day', 'text', (c) => c.notNull())
    // open → committing (the row insert is under way) → gone; or → released (quota given back, object to remove)
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('quota_reservations_expires_idx').on('quota_reservations').column('expires_at').execute();
}
