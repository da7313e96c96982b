// Forward-only migrations, listed in order; the same files run on SQLite and PostgreSQL.
import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './db.js';
import * as m0001 from './migrations/0001-identity.js';
import * as m0002 from './migrations/0002-images.js';
import * as m0003 from './migrations/0003-variants.js';
import * as m0004 from './migrations/0004-watermarks.js';
import * as m0005 from './migrations/0005-quota-reservations.js';
import * as m0006 from './migrations/0006-jobs.js';
import * as m0007 from './migrations/0007-videos.js';
import * as m0008 from './migrations/0008-domains.js';
import * as m0009 from './migrations/0009-audio.js';
import * as m0010 from './migrations/0010-sync-avatars.js';
import * as m0011 from './migrations/0011-tus-uploads.js';
import * as m0012 from './migrations/0012-webhooks.js';
import * as m0013 from './migrations/0013-collections.js';
import * as m0014 from './migrations/0014-usage-daily.js';
import * as m0015 from './migrations/0015-image-exif.js';
import * as m0016 from './migrations/0016-trash.js';

const MIGRATIONS: Record<string, Migration> = {
  '0001-identity': m0001,
  '0002-images': m0002,
  '0003-variants': m0003,
  '0004-watermarks': m0004,
  '0005-quota-reservations': m0005,
  '0006-jobs': m0006,
  '0007-videos': m0007,
  '0008-domains': m0008,
  '0009-audio': m0009,
  '0010-sync-avatars': m0010,
  '0011-tus-uploads': m0011,
  '0012-webhooks': m0012,
  '0013-collections': m0013,
  '0014-usage-daily': m0014,
  '0015-image-exif': m0015,
  '0016-trash': m0016,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export async function migrateToLatest(db: Db): Promise<string[]> {
  // Each migration creates or alters its own tables, so one that lands later with a lower number (numbers are
  // handed out per feature while several are built at once) still runs on a database already past it.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
