// Resumable (tus) upload sessions (SPEC §7.10): who owns an upload, what it will become, its size, how long it
// lives and how it ended. Its quota reservation is the quota_reservations row with the same id. Rows outlive a
// restart, so ownership and reservations do too, and the sweep knows what to release once a session expires.
// No foreign key to users: a session outlives a deleted account so its bytes are still swept.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tus_uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    // image | video | audio: which pipeline the finished file goes through, and which quota it reserved
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    // the bytes reserved at creation (0 once the reservation is given back)
    .addColumn('reserved_bytes', 'bigint', (c) => c.notNull())
    // JSON of the client's Upload-Metadata (filename, title, isPublic, tags …)
    .addColumn('metadata', 'text', (c) => c.notNull())
    // open → finishing → done | failed; open → cancelled | expired
    .addColumn('state', 'text', (c) => c.notNull())
    // what the finished upload became: the image or video id (and whether it was a duplicate)
    .addColumn('result_id', 'text')
    .addColumn('duplicate', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema.createIndex('tus_uploads_expires_idx').on('tus_uploads').column('expires_at').execute();
  await db.schema.createIndex('tus_uploads_user_idx').on('tus_uploads').columns(['user_id', 'state']).execute();
}
