// Collections (photo albums, CONTRACT §9): an account's albums, and the album each image, video or audio item
// is filed in (at most one: a nullable `collection_id` on each media table). Deleting an album leaves its items
// unfiled (ON DELETE SET NULL) unless the service deleted them first (cascade). The partial indexes (filed rows only)
// serve the album-filtered lists — keyed like the lists, (user_id, created_at, id), behind the album — the per-album
// counts and the SET NULL.
import { sql, type Kysely } from 'kysely';

const MEDIA_TABLES = ['images', 'videos', 'audio'] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('collections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    // photo_album | album (the media types this server hosts)
    .addColumn('collection_type', 'text', (c) => c.notNull())
    // JSON array of image | video | audio | doc
    .addColumn('allowed_resource_types', 'text', (c) => c.notNull())
    .addColumn('kb_type', 'text', (c) => c.notNull().defaultTo('creator'))
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('collections_user_slug_uq').on('collections').columns(['user_id', 'slug']).unique().execute();
  await db.schema.createIndex('collections_user_updated_idx').on('collections').columns(['user_id', 'updated_at', 'id']).execute();

  for (const table of MEDIA_TABLES) {
    await db.schema.alterTable(table).addColumn('collection_id', 'text', (c) => c.references('collections.id').onDelete('set null')).execute();
    await db.schema
      .createIndex(`${table}_collection_created_idx`)
      .on(table)
      .columns(['collection_id', 'user_id', 'created_at', 'id'])
      .where(sql.ref('collection_id'), 'is not', null)
      .execute();
  }
}
