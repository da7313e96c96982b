// Login lockout under concurrency (issue 14, item 4; CONTRACT §3): 5 consecutive failures lock the account for
// 15 minutes even when the guesses arrive all at once, and a right password sent in the same burst does not
// sign in. Runs on SQLite and on PostgreSQL: one instance, two instances sharing the database, and the two
// statements of the users repository under truly concurrent connections. Issue 12, defect 11: the right password
// on a locked account is told that it is locked and until when (while few guesses were made during the lock);
// wrong passwords and unknown emails keep the generic answer.
//
// How a burst is built: the wrong passwords are sent first and the right one last, in the same tick, so every
// request is in flight before any failure is recorded.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createUsersRepo } from '../../src/db/repos/users.repo.js';
import { registerUser, startTestApp, type Backend, type Session, type TestApp } from '../support/app.js';
import { createTestDatabase, probePostgres, skipUnless } from '../support/services.js';

const BAD_LOGIN = { success: false, error: 'Invalid email or password', code: 'UNAUTHORIZED' };
const LOCK_MS = 15 * 60_000;
const WRONG = 'wrong-password-9';

const pg = await probePostgres();
const pgSkip = skipUnless('PostgreSQL', pg);
const backends: Array<{ name: string; backend: Backend; skip: string | undefined }> = [
  { name: 'SQLite', backend: { db: 'sqlite', store: 'local' }, skip: undefined },
  { name: 'PostgreSQL', backend: { db: 'postgres', store: 'local' }, skip: pgSkip },
];

const login = (t: TestApp, s: Pick<Session, 'email'>, password: string): Promise<LightMyRequestResponse> =>
  t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: s.email, password } });

function assertRefused(res: LightMyRequestResponse, label: string): void {
  assert.equal(res.statusCode, 401, `${label}: ${res.body}`);
  assert.deepEqual(res.json(), BAD_LOGIN, `${label}: the same answer as a wrong password`);
}

/** The locked answer: UNAUTHORIZED with lockedUntil, and when to retry (header and meta). */
function assertLocked(res: LightMyRequestResponse, lockedUntil: number, now: number, label: string): void {
  assert.equal(res.statusCode, 401, `${label}: ${res.body}`);
  const retryAfterSec = Math.ceil((lockedUntil - now) / 1000);
  const iso = new Date(lockedUntil).toISOString();
  const body = res.json() as { success: boolean; code: string; error: string; meta: Record<string, unknown> };
  assert.deepEqual({ success: body.success, code: body.code, meta: body.meta }, { success: false, code: 'UNAUTHORIZED', meta: { lockedUntil: iso, retryAfterSec } }, label);
  assert.match(body.error, /locked/i, label);
  assert.ok(body.error.includes(iso), `${label}: the message says until when`);
  assert.equal(res.headers['retry-after'], String(retryAfterSec), `${label}: Retry-After`);
}

async function storedLock(t: TestApp, userId: string): Promise<{ count: number; lockedUntil: number | null }> {
  const row = await t.deps.db.db.selectFrom('users').select(['failedLoginCount', 'lockedUntil']).where('id', '=', userId).executeTakeFirstOrThrow();
  return { count: Number(row.failedLoginCount), lockedUntil: row.lockedUntil === null ? null : Number(row.lockedUntil) };
}

for (const { name, backend, skip } of backends) {
  describe(`login lockout under a concurrent burst (${name})`, { skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(backend);
    });
    after(async () => t?.close());

    /** Twelve wrong passwords and then the right one, all in flight at once. */
    async function burst(s: Session): Promise<{ wrong: LightMyRequestResponse[]; right: LightMyRequestResponse }> {
      const wrong = Array.from({ length: 12 }, () => login(t, s, WRONG));
      const right = login(t, s, s.password);
      return { wrong: await Promise.all(wrong), right: await right };
    }

    it('refuses the right password sent in the same burst as 12 wrong ones, and the account stays locked for 15 minutes', async () => {
      const s = await registerUser(t);
      const start = t.clock.now();
      const { wrong, right } = await burst(s);
      wrong.forEach((r, i) => assertRefused(r, `wrong password ${i}`));
      assertRefused(right, 'the right password in the burst');
      // the fifth failure locks for 15 minutes; the seven wrong guesses judged during the lock are counted too (they
      // spend the lock's verdicts: the right password in the burst, and after it, gets the generic answer)
      assert.deepEqual(await storedLock(t, s.userId), { count: 12, lockedUntil: start + LOCK_MS }, 'every failure counted, locked for 15 minutes from the fifth');

      t.clock.advance(LOCK_MS - 60_000);
      assertRefused(await login(t, s, s.password), 'the right password 14 minutes later');
      t.clock.advance(60_000 - 1);
      assertRefused(await login(t, s, s.password), 'the right password 1 ms before lockedUntil');
      t.clock.advance(1);
      const back = await login(t, s, s.password);
      assert.equal(back.statusCode, 200, `the owner is back once lockedUntil has passed: ${back.body}`);
      assert.deepEqual(await storedLock(t, s.userId), { count: 0, lockedUntil: null }, 'a sign-in clears the count');
    });

    it('after an expired lock, a new burst locks again and refuses the right password in it', async () => {
      const s = await registerUser(t);
      for (let i = 0; i < 5; i++) assertRefused(await login(t, s, WRONG), `wrong password ${i}`);
      t.clock.advance(LOCK_MS + 1000);
      const start = t.clock.now();
      const { wrong, right } = await burst(s);
      wrong.forEach((r, i) => assertRefused(r, `wrong password ${i} after the lock expired`));
      assertRefused(right, 'the right password in the second burst');
      assert.deepEqual(await storedLock(t, s.userId), { count: 12, lockedUntil: start + LOCK_MS }, 'counted from 1 again, a fresh 15-minute lock');
      assertRefused(await login(t, s, s.password), 'the right password right after the burst');
    });

    it('tells the right password that the account is locked and until when; wrong passwords and unknown emails get the generic answer', async () => {
      const s = await registerUser(t);
      const start = t.clock.now();
      for (let i = 0; i < 5; i++) assertRefused(await login(t, s, WRONG), `wrong password ${i}`);
      assertLocked(await login(t, s, s.password), start + LOCK_MS, t.clock.now(), 'the right password right after the lock');
      t.clock.advance(60_000);
      assertRefused(await login(t, s, WRONG), 'a wrong password while locked');
      assertLocked(await login(t, s, s.password), start + LOCK_MS, t.clock.now(), 'the right password a minute later');
      const stranger = { email: `nobody-${Date.now()}@example.com` };
      assertRefused(await login(t, stranger, s.password), 'an unknown email');
      assertRefused(await login(t, stranger, WRONG), 'an unknown email, another password');
      assert.deepEqual(await storedLock(t, s.userId), { count: 6, lockedUntil: start + LOCK_MS }, 'the wrong guess during the lock is counted, the lock not extended');

      t.clock.set(start + LOCK_MS);
      const back = await login(t, s, s.password);
      assert.equal(back.statusCode, 200, `the right password works once the lock has ended: ${back.body}`);
      assert.deepEqual(await storedLock(t, s.userId), { count: 0, lockedUntil: null });
    });

    it('stops telling the right password apart after 2 wrong guesses during the lock, until the lock ends', async () => {
      const s = await registerUser(t);
      const start = t.clock.now();
      for (let i = 0; i < 5; i++) assertRefused(await login(t, s, WRONG), `wrong password ${i}`);
      for (let i = 0; i < 2; i++) assertRefused(await login(t, s, WRONG), `wrong guess ${i} during the lock`);
      assertLocked(await login(t, s, s.password), start + LOCK_MS, t.clock.now(), 'the right password after 2 wrong guesses during the lock');
      assertRefused(await login(t, s, WRONG), 'a third wrong guess during the lock');
      assertRefused(await login(t, s, s.password), 'the right password after 3 wrong guesses during the lock: no verdict');
      t.clock.advance(LOCK_MS - 1);
      assertRefused(await login(t, s, s.password), 'still no verdict 1 ms before the lock ends');
      t.clock.advance(1);
      const back = await login(t, s, s.password);
      assert.equal(back.statusCode, 200, back.body);
    });

    it('still admits the right password after 4 concurrent failures', async () => {
      const s = await registerUser(t);
      const wrong = await Promise.all(Array.from({ length: 4 }, () => login(t, s, WRONG)));
      wrong.forEach((r, i) => assertRefused(r, `wrong password ${i}`));
      assert.deepEqual(await storedLock(t, s.userId), { count: 4, lockedUntil: null }, 'four failures, four counted, no lock');
      const ok = await login(t, s, s.password);
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual(await storedLock(t, s.userId), { count: 0, lockedUntil: null });
    });

    it('users repository: concurrent failures each get their own count, the fifth locks, a success cannot clear a lock', async () => {
      const s = await registerUser(t);
      const users = createUsersRepo(t.deps.db.db);
      const now = t.clock.now();
      const results = await Promise.all(Array.from({ length: 12 }, () => users.recordFailedLogin(s.userId, 5, now + LOCK_MS, now)));
      assert.deepEqual(results.map((r) => r!.failedLoginCount).sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i + 1), 'no two failures saw the same count');
      for (const r of results) assert.equal(r!.lockedUntil, r!.failedLoginCount >= 5 ? now + LOCK_MS : null, `lock decided with count ${r!.failedLoginCount}`);
      assert.equal(await users.clearFailedLoginsUnlessLocked(s.userId, now), false, 'a success while locked clears nothing');
      assert.deepEqual(await storedLock(t, s.userId), { count: 12, lockedUntil: now + LOCK_MS });
      const later = await users.recordFailedLogin(s.userId, 5, now + 1000 + LOCK_MS, now + 1000);
      assert.deepEqual(later, { failedLoginCount: 13, lockedUntil: now + LOCK_MS }, 'a failure during the lock does not extend it');
      const expired = await users.recordFailedLogin(s.userId, 5, now + 2 * LOCK_MS, now + LOCK_MS);
      assert.deepEqual(expired, { failedLoginCount: 1, lockedUntil: null }, 'after the lock the count starts again at 1');
      assert.equal(await users.clearFailedLoginsUnlessLocked(s.userId, now + LOCK_MS), true);
      assert.deepEqual(await storedLock(t, s.userId), { count: 0, lockedUntil: null });
    });
  });
}

// Two instances on one database (one PostgreSQL database; one SQLite file): each takes its own attempts in
// order, and the database's single-statement count and lock hold the two together.
for (const { name, skip } of backends) {
  describe(`login lockout across two instances sharing the database (${name})`, { skip }, () => {
    let a: TestApp;
    let b: TestApp;
    const cleanups: Array<() => Promise<void>> = [];
    before(async () => {
      const env: Record<string, string> = {};
      if (name === 'PostgreSQL') {
        const db = await createTestDatabase();
        cleanups.push(db.drop);
        env['PICORA_DATABASE_URL'] = db.url;
      } else {
        const shared = await mkdtemp(path.join(tmpdir(), 'picora-lockout-shared-'));
        cleanups.push(() => rm(shared, { recursive: true, force: true }));
        env['PICORA_DATA_DIR'] = shared;
      }
      a = await startTestApp(undefined, { env });
      b = await startTestApp(undefined, { env });
      b.clock.set(a.clock.now());
    });
    after(async () => {
      await a?.close();
      await b?.close();
      for (const c of cleanups.reverse()) await c();
    });

    it('12 wrong passwords spread over both instances and the right one last: refused, locked on both instances', async () => {
      const s = await registerUser({ ...a, dataDir: a.config.dataDir }); // the outbox is in the configured data folder
      const start = a.clock.now();
      const wrong = Array.from({ length: 12 }, (_, i) => login(i % 2 === 0 ? a : b, s, WRONG));
      const right = login(b, s, s.password);
      (await Promise.all(wrong)).forEach((r, i) => assertRefused(r, `wrong password ${i}`));
      assertRefused(await right, 'the right password in the burst');
      const lock = await storedLock(a, s.userId);
      assert.equal(lock.lockedUntil, start + LOCK_MS, 'locked for 15 minutes');
      assert.ok(lock.count >= 5 && lock.count <= 12, `every failure counted once at most: ${lock.count}`);
      assertRefused(await login(a, s, s.password), 'instance a after the burst');
      assertRefused(await login(b, s, s.password), 'instance b after the burst');
      a.clock.advance(LOCK_MS + 1);
      b.clock.advance(LOCK_MS + 1);
      const back = await login(b, s, s.password);
      assert.equal(back.statusCode, 200, back.body);
    });
  });
}
