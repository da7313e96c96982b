// Rendered variants (the cache index) and whether an original carries metadata that renditions strip.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('image_variants')
    .addColumn('image_id', 'text', (c) => c.notNull().references('images.id').onDelete('cascade'))
    .addColumn('variant_key', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('image_variants_pk', ['image_id', 'variant_key'])
    .execute();
  await db.schema.alterTable('images').addColumn('has_metadata', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}
