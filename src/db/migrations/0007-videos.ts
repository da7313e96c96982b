// Videos (CONTRACT §7, SPEC §8), their share of the media quota (media_storage and monthly media_bandwidth), and
// the kind of object a quota reservation stands for (an image or a video: the sweeper removes the right keys).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('videos')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('container', 'text', (c) => c.notNull())
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('is_public', 'integer', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('progress', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('duration_seconds', 'double precision')
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('has_audio', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('renditions', 'text')
    .addColumn('output_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('poster_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('custom_poster', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('ready_at', 'bigint')
    .execute();
  await db.schema.createIndex('videos_user_created_idx').on('videos').columns(['user_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('videos_status_idx').on('videos').columns(['status', 'updated_at']).execute();

  await db.schema.alterTable('user_usage').addColumn('media_storage_bytes', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('user_usage').addColumn('media_count', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('usage_monthly').addColumn('media_bandwidth_bytes', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('quota_reservations').addColumn('kind', 'text', (c) => c.notNull().defaultTo('image')).execute();
}
