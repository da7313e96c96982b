// Trash for images (issue 12): `trashed_at` (ms, null = live) on images. A trashed image keeps its row, bytes,
// variants, album and quota until it is deleted for real (emptied, or swept after PICORA_TRASH_DAYS); every library
// query reads live rows only (`trashed_at IS NULL`).
//
// Indexes: the list/count index (user_id, created_at, id) and the sync feed's (user_id, updated_at, id) become
// partial indexes over live rows (WHERE trashed_at IS NULL), replacing the full ones of 0002/0010 (no query reads
// those keys without the live condition). `trashed_at` trails their keys (always NULL in them): SQLite does not count
// a column named only in the index's WHERE as covered, so without it the counts and the feed would read every table
// row; with it they stay index-only, as they were, on SQLite and on PostgreSQL alike. The trash has two small partial indexes over trashed rows only: (user_id,
// trashed_at, id) for the newest-trashed-first list and the emptying, (trashed_at, id) for the sweep across accounts.
// Tags need no index change: a trashed image's image_tags rows are removed while it is trashed (and written again
// from `images.tags` on restore), so the tag filter and the tag counts never see it. The album index of 0013 stays
// whole: the album's ON DELETE SET NULL must still find trashed rows (so they come back unfiled).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('images').addColumn('trashed_at', 'bigint').execute();

  await db.schema.createIndex('images_user_created_live_idx').on('images').columns(['user_id', 'created_at', 'id', 'trashed_at']).where(sql.ref('trashed_at'), 'is', null).execute();
  await db.schema.dropIndex('images_user_created_idx').execute();
  await db.schema.createIndex('images_user_updated_live_idx').on('images').columns(['user_id', 'updated_at', 'id', 'trashed_at']).where(sql.ref('trashed_at'), 'is', null).execute();
  await db.schema.dropIndex('images_user_updated_idx').execute();

  await db.schema.createIndex('images_user_trashed_idx').on('images').columns(['user_id', 'trashed_at', 'id']).where(sql.ref('trashed_at'), 'is not', null).execute();
  await db.schema.createIndex('images_trashed_idx').on('images').columns(['trashed_at', 'id']).where(sql.ref('trashed_at'), 'is not', null).execute();
}
