// The sync feed (SPEC §7.9): tombstones of deleted media kept 30 days, indexes that serve the
// (updated_at, id) change feed per account; and avatars (SPEC §12): the version of a user's uploaded avatar
// (null = none), which is also its ETag and the cache-buster of its URL.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sync_tombstones')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sync_tombstones_pk', ['type', 'id'])
    .execute();
  await db.schema.createIndex('sync_tombstones_user_feed_idx').on('sync_tombstones').columns(['user_id', 'deleted_at', 'id']).execute();
  await db.schema.createIndex('sync_tombstones_deleted_idx').on('sync_tombstones').columns(['deleted_at']).execute();
  await db.schema.createIndex('images_user_updated_idx').on('images').columns(['user_id', 'updated_at', 'id']).execute();
  await db.schema.createIndex('videos_user_updated_idx').on('videos').columns(['user_id', 'updated_at', 'id']).execute();

  await db.schema.alterTable('users').addColumn('avatar_version', 'bigint').execute();
}
