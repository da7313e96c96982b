// Watermark templates (SPEC §15): one account's text or image marks, applied to its images by `wm=<id>`.
// An image mark names an image of the same library; deleting that image leaves the template without one.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('watermark_templates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('text', 'text')
    .addColumn('image_id', 'text', (c) => c.references('images.id').onDelete('set null'))
    .addColumn('position', 'text', (c) => c.notNull())
    .addColumn('opacity', 'double precision', (c) => c.notNull())
    .addColumn('font_size', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('watermark_templates_user_created_idx').on('watermark_templates').columns(['user_id', 'created_at', 'id']).execute();
}
