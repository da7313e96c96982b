// One repository suite, run against SQLite and PostgreSQL: migrations, plans as data, and the queries
// whose correctness matters under concurrency (first admin, one-time use, the key limit).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDb, type DatabaseConfig, type DbHandle } from '../../src/db/db.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createApiKeysRepo } from '../../src/db/repos/api-keys.repo.js';
import { createCodesRepo } from '../../src/db/repos/codes.repo.js';
import { createPlansRepo } from '../../src/db/repos/plans.repo.js';
import { createSessionsRepo } from '../../src/db/repos/sessions.repo.js';
import { createUsersRepo } from '../../src/db/repos/users.repo.js';
import { newId } from '../../src/lib/ids.js';
import { createTestDatabase, probePostgres, skipUnless } from '../support/services.js';

const pg = await probePostgres();
const pgSkip = skipUnless('PostgreSQL', pg);

function repoSuite(name: string, open: () => Promise<{ config: DatabaseConfig; cleanup: () => Promise<void> }>, skip?: string) {
  describe(`repositories on ${name}`, { skip }, () => {
    let handle: DbHandle;
    let cleanup: () => Promise<void>;
    before(async () => {
      const o = await open();
      cleanup = o.cleanup;
      handle = createDb(o.config);
      assert.deepEqual(await migrateToLatest(handle.db), ['0001-identity', '0002-images', '0003-variants', '0004-watermarks', '0005-quota-reservations', '0006-jobs', '0007-videos', '0008-domains', '0009-audio', '0010-sync-avatars', '0011-tus-uploads', '0012-webhooks', '0013-collections', '0014-usage-daily', '0015-image-exif', '0016-trash']);
    });
    after(async () => {
      await handle?.close();
      await cleanup?.();
    });

    const user = (email: string, now = Date.now()) => ({
      id: newId(), email, passwordHash: null, nickname: null, avatarUrl: null, plan: 'trial' as const, emailVerified: 1,
      locale: 'en', isActive: 1, failedLoginCount: 0, lockedUntil: null, createdAt: now, updatedAt: now,
    });

    it('migrates once; a second run applies nothing', async () => {
      assert.deepEqual(await migrateToLatest(handle.db), []);
    });

    it('holds the CONTRACT §4 plans as rows', async () => {
      const plans = await createPlansRepo(handle.db).list();
      assert.deepEqual(plans.map((p) => p.id), ['trial', 'pro', 'pro_plus']);
      const trial = plans[0]!;
      assert.equal(trial.imgStorageBytes, 100 * 1024 * 1024);
      assert.equal(typeof trial.imgStorageBytes, 'number', 'bigint columns come back as numbers');
      assert.equal(plans[2]!.apiKeysMax, 10);
      assert.equal(plans[2]!.imgBandwidthBytes, 1024 ** 4);
    });

    it('makes the first user admin, then users; emails are unique', async () => {
      const users = createUsersRepo(handle.db);
      const a = await users.insert(user('a@example.com'));
      const b = await users.insert(user('b@example.com'));
      assert.equal(a.role, 'admin');
      assert.equal(b.role, 'user');
      await assert.rejects(users.insert(user('a@example.com')));
      assert.equal(await users.count(), 2);
    });

    it('counts failed logins and locks at the limit', async () => {
      const users = createUsersRepo(handle.db);
      const u = await users.insert(user('lock@example.com'));
      for (let i = 0; i < 4; i++) await users.recordFailedLogin(u.id, 5, 999, 1);
      assert.equal((await users.findById(u.id))!.lockedUntil, null);
      await users.recordFailedLogin(u.id, 5, 999, 1);
      const locked = (await users.findById(u.id))!;
      assert.equal(locked.failedLoginCount, 5);
      assert.equal(locked.lockedUntil, 999);
    });

    it('uses a refresh token once, even when two requests race', async () => {
      const users = createUsersRepo(handle.db);
      const sessions = createSessionsRepo(handle.db);
      const u = await users.insert(user('race@example.com'));
      const familyId = newId();
      await sessions.createFamily({ id: familyId, userId: u.id, userAgent: null, createdAt: 1 });
      const id = newId();
      await sessions.insertToken({ id, userId: u.id, familyId, tokenHash: `h-${id}`, expiresAt: 9e12, createdAt: 1 });
      const wins = await Promise.all(Array.from({ length: 5 }, () => sessions.markTokenUsed(id, 2)));
      assert.equal(wins.filter(Boolean).length, 1);
      await sessions.revokeFamily(familyId, 3);
      assert.equal((await sessions.findFamily(familyId))!.revokedAt, 3);
      assert.equal((await sessions.findTokenByHash(`h-${id}`))!.revokedAt, 3);
    });

    it('never lets concurrent key inserts pass the limit', async () => {
      const users = createUsersRepo(handle.db);
      const keys = createApiKeysRepo(handle.db, handle.dialect);
      const u = await users.insert(user('keys@example.com'));
      const row = () => {
        const id = newId();
        return { id, userId: u.id, name: 'k', description: null, keyHash: `hash-${id}`, keyPrefix: 'sk_live_abcd', lastFour: 'wxyz', scopes: '["media.read"]', lastUsedAt: null, revokedAt: null, createdAt: 1, updatedAt: 1 };
      };
      const results = await Promise.all(Array.from({ length: 12 }, () => keys.insertWithinLimit(row(), 3)));
      assert.equal(results.filter(Boolean).length, 3);
      assert.equal(await keys.countActive(u.id), 3);
    });

    it('consumes a verification code once', async () => {
      const codes = createCodesRepo(handle.db);
      const id = newId();
      await codes.insert({ id, email: 'c@example.com', purpose: 'register', codeHash: 'x', attempts: 0, expiresAt: 100, consumedAt: null, createdAt: 1 });
      assert.equal((await codes.latestLive('c@example.com', 'register', 50))!.id, id);
      assert.equal(await codes.latestLive('c@example.com', 'register', 100), undefined, 'expired at 100');
      const wins = await Promise.all([codes.consume(id, 2), codes.consume(id, 2), codes.consume(id, 2)]);
      assert.deepEqual(wins.filter(Boolean).length, 1);
    });
  });
}

repoSuite('SQLite', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'picora-db-'));
  return { config: { kind: 'sqlite', file: path.join(dir, 'picora.db') }, cleanup: () => rm(dir, { recursive: true, force: true }) };
});

repoSuite(
  'PostgreSQL',
  async () => {
    const db = await createTestDatabase();
    return { config: { kind: 'postgres', url: db.url }, cleanup: db.drop };
  },
  pgSkip,
);
