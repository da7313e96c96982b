// Plans, users, sessions (refresh-token families), API keys, verification codes.
import type { Kysely } from 'kysely';
import { DEFAULT_PLANS } from '../default-plans.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('plans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('img_storage_bytes', 'bigint', (c) => c.notNull())
    .addColumn('img_bandwidth_bytes', 'bigint', (c) => c.notNull())
    .addColumn('max_image_bytes', 'bigint', (c) => c.notNull())
    .addColumn('max_svg_bytes', 'bigint', (c) => c.notNull())
    .addColumn('max_image_pixels', 'bigint', (c) => c.notNull())
    .addColumn('video_enabled', 'integer', (c) => c.notNull())
    .addColumn('max_video_bytes', 'bigint', (c) => c.notNull())
    .addColumn('max_video_seconds', 'integer', (c) => c.notNull())
    .addColumn('max_audio_bytes', 'bigint', (c) => c.notNull())
    .addColumn('max_audio_seconds', 'integer', (c) => c.notNull())
    .addColumn('media_storage_bytes', 'bigint', (c) => c.notNull())
    .addColumn('media_bandwidth_bytes', 'bigint', (c) => c.notNull())
    .addColumn('api_keys_max', 'integer', (c) => c.notNull())
    .addColumn('custom_domains_max', 'integer', (c) => c.notNull())
    .addColumn('watermarks_enabled', 'integer', (c) => c.notNull())
    .addColumn('uploads_per_day', 'integer', (c) => c.notNull())
    .addColumn('sort_order', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  const now = Date.now();
  await (db as Kysely<{ plans: Record<string, unknown> }>)
    .insertInto('plans')
    .values(
      DEFAULT_PLANS.map((p) => ({
        id: p.id,
        name: p.name,
        img_storage_bytes: p.imgStorageBytes,
        img_bandwidth_bytes: p.imgBandwidthBytes,
        max_image_bytes: p.maxImageBytes,
        max_svg_bytes: p.maxSvgBytes,
        max_image_pixels: p.maxImagePixels,
        video_enabled: p.videoEnabled,
        max_video_bytes: p.maxVideoBytes,
        max_video_seconds: p.maxVideoSeconds,
        max_audio_bytes: p.maxAudioBytes,
        max_audio_seconds: p.maxAudioSeconds,
        media_storage_bytes: p.mediaStorageBytes,
        media_bandwidth_bytes: p.mediaBandwidthBytes,
        api_keys_max: p.apiKeysMax,
        custom_domains_max: p.customDomainsMax,
        watermarks_enabled: p.watermarksEnabled,
        uploads_per_day: p.uploadsPerDay,
        sort_order: p.sortOrder,
        updated_at: now,
      })),
    )
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.unique())
    .addColumn('password_hash', 'text')
    .addColumn('nickname', 'text')
    .addColumn('avatar_url', 'text')
    .addColumn('plan', 'text', (c) => c.notNull().references('plans.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('email_verified', 'integer', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('is_active', 'integer', (c) => c.notNull())
    .addColumn('failed_login_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('session_families')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('revoked_at', 'bigint')
    .addColumn('user_agent', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('session_families_user_idx').on('session_families').column('user_id').execute();

  await db.schema
    .createTable('refresh_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('family_id', 'text', (c) => c.notNull().references('session_families.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('refresh_tokens_family_idx').on('refresh_tokens').column('family_id').execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('key_prefix', 'text', (c) => c.notNull())
    .addColumn('last_four', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('api_keys_user_idx').on('api_keys').columns(['user_id', 'created_at']).execute();

  await db.schema
    .createTable('verification_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('consumed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('verification_codes_lookup_idx')
    .on('verification_codes')
    .columns(['email', 'purpose', 'created_at'])
    .execute();
}
