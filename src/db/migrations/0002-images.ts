// Images, their tags (for the tag filter), and the usage counters that quotas read.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('images')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('ext', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('frames', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('blurhash', 'text')
    .addColumn('dominant_color', 'text')
    .addColumn('is_public', 'integer', (c) => c.notNull())
    .addColumn('allowed_referers', 'text')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('images_user_sha_uq').on('images').columns(['user_id', 'sha256']).unique().execute();
  // Keyset pagination newest first: (user_id, created_at, id) serves ORDER BY created_at DESC, id DESC.
  await db.schema.createIndex('images_user_created_idx').on('images').columns(['user_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('image_tags')
    .addColumn('image_id', 'text', (c) => c.notNull().references('images.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('tag', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('image_tags_pk', ['image_id', 'tag'])
    .execute();
  await db.schema.createIndex('image_tags_user_tag_idx').on('image_tags').columns(['user_id', 'tag', 'created_at', 'image_id']).execute();

  await db.schema
    .createTable('user_usage')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('img_storage_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('img_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('uploads_day', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('uploads_today', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('uploads_month', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('uploads_this_month', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('usage_monthly')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('img_bandwidth_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('usage_monthly_pk', ['user_id', 'month'])
    .execute();
}
