// Quota reservations (issue 14 item 5): every upload in flight holds its quota as a row of quota_reservations,
// written with the counter increment. Settled when the image row lands, released when the upload fails, and —
// when the process died in between — released by the sweeper once expired, which also removes the object the
// upload may have stored. Counters stay equal to the rows whatever step a process dies at, and two instances
// sweeping together give each reservation back once. Runs on SQLite + local store and PostgreSQL + S3.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createUsageRepo } from '../../src/db/repos/usage.repo.js';
import { buildDeps, type Deps } from '../../src/deps.js';
import { spoolOwner } from '../../src/domain/images/upload-spool.js';
import { createQuotas } from '../../src/domain/usage/quotas.js';
import { newImageId } from '../../src/lib/ids.js';
import { storageKeys } from '../../src/storage/keys.js';
import { registerUser, startTestApp, type Backend, type Session, type TestApp } from '../support/app.js';
import { swapPut } from '../support/failing-store.js';
import { probeS3 } from '../support/s3.js';
import { probePostgres, skipUnless } from '../support/services.js';
import { distinctPng, json, upload, uploadOk } from './suites/images.suite.js';

const pg = await probePostgres();
const s3 = await probeS3();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TTL_MS = 60_000; // the app's own sweeper then runs at start and once a minute: the tests expire rows by hand

function reservationsSuite(name: string, backend: Backend, skip?: string): void {
  describe(`quota reservations (${name})`, { skip, timeout: 120_000 }, () => {
    let t: TestApp;
    let s: Session;
    let seed = 1000;

    before(async () => {
      t = await startTestApp(backend, { s3: s3.ok ? s3.value : undefined, env: { PICORA_UPLOAD_RESERVATION_TTL_MS: String(TTL_MS) } });
      await registerUser(t); // the first account is the admin: the one below is a plain trial account
      s = await registerUser(t);
    });
    after(async () => t?.close());

    const db = () => t.deps.db.db;
    const counters = async (userId = s.userId) => {
      const u = await db().selectFrom('userUsage').selectAll().where('userId', '=', userId).executeTakeFirst();
      return { bytes: Number(u?.imgStorageBytes ?? 0), count: Number(u?.imgCount ?? 0), today: Number(u?.uploadsToday ?? 0) };
    };
    const rowsTotal = async (userId = s.userId) => {
      const rows = await db().selectFrom('images').select('sizeBytes').where('userId', '=', userId).execute();
      return { bytes: rows.reduce((a, r) => a + Number(r.sizeBytes), 0), count: rows.length };
    };
    const reservations = () => db().selectFrom('quotaReservations').selectAll().orderBy('id').execute();
    const objectExists = async (userId: string, id: string) => (await t.deps.blobs.head(storageKeys.imageOriginal(userId, id))) !== undefined;
    const expireAll = () => db().updateTable('quotaReservations').set({ expiresAt: 0 }).execute();
    const trialPlan = () => db().selectFrom('plans').selectAll().where('id', '=', 'trial').executeTakeFirstOrThrow();

    /** What a process leaves when it dies after reserving and storing the object (the real quota code, no row). */
    async function abandonedUpload(opts: { claim?: boolean; bytes?: number } = {}): Promise<{ id: string; bytes: number }> {
      const quotas = createQuotas({ usage: createUsageRepo(db()), bandwidth: t.deps.bandwidth, mediaBandwidth: t.deps.bandwidth, clock: t.clock, reservations: { ttlMs: TTL_MS, now: Date.now } });
      const id = newImageId();
      const bytes = opts.bytes ?? 1234;
      const reservation = await quotas.reserveImageUpload(s.userId, await trialPlan(), bytes, id);
      await t.deps.blobs.put(storageKeys.imageOriginal(s.userId, id), Readable.from([Buffer.alloc(bytes, 7)]), { contentType: 'image/png' });
      if (opts.claim) assert.equal(await reservation.claim(), true);
      return { id, bytes };
    }

    async function assertHealed(label: string): Promise<void> {
      const c = await counters();
      const r = await rowsTotal();
      assert.deepEqual({ bytes: c.bytes, count: c.count }, r, `${label}: usage counters equal the image rows`);
      assert.deepEqual(await reservations(), [], `${label}: no reservation left`);
      const drift = (await t.deps.admin.reconcile(false)).filter((d) => d.userId === s.userId);
      assert.deepEqual(drift, [], `${label}: reconcile sees no drift`);
    }

    it('an upload holds a reservation (with the configured TTL) while it stores, and settles it with its row', async () => {
      let seen: Awaited<ReturnType<typeof reservations>> = [];
      const realPut = t.deps.blobs.put.bind(t.deps.blobs);
      const undo = swapPut(t.deps.blobs, {
        put: async (key, body, options) => {
          seen = await reservations();
          return realPut(key, body, options);
        },
      });
      let img;
      try {
        img = await uploadOk(t, s.accessToken, await distinctPng(++seed), 'held.png');
      } finally {
        undo();
      }
      assert.equal(seen.length, 1, 'one reservation while the bytes go to the store');
      const r = seen[0]!;
      assert.deepEqual([r.id, r.userId, r.state, Number(r.bytes), Number(r.count)], [img.id, s.userId, 'open', img.sizeBytes, 1]);
      assert.equal(Number(r.expiresAt) - Number(r.createdAt), TTL_MS, 'expires after PICORA_UPLOAD_RESERVATION_TTL_MS');
      await assertHealed('after a successful upload');
    });

    it('a failed upload gives its reservation back at once', async () => {
      const before = await counters();
      const undo = swapPut(t.deps.blobs, { put: async () => Promise.reject(new Error('test: the store is down')) });
      let res;
      try {
        res = await upload(t, s.accessToken, await distinctPng(++seed), 'doomed.png');
      } finally {
        undo();
      }
      assert.equal(res.statusCode, 500, res.body);
      assert.equal(json(res).code, 'STORAGE_ERROR');
      assert.deepEqual({ ...(await counters()), today: before.today }, before, 'storage and count back');
      await assertHealed('after a failed upload');
    });

    it('a process that died after storing the object: once expired, the sweep gives the quota back and removes the object', async () => {
      const before = await counters();
      const open = await abandonedUpload();
      const claimed = await abandonedUpload({ claim: true, bytes: 999 });
      const after1 = await counters();
      assert.deepEqual([after1.bytes - before.bytes, after1.count - before.count, after1.today - before.today], [open.bytes + claimed.bytes, 2, 2], 'both reservations counted');
      assert.deepEqual((await t.deps.admin.reconcile(false)).filter((d) => d.userId === s.userId), [], 'uploads in flight are not drift');

      await t.deps.uploads.sweepAbandoned();
      assert.equal((await reservations()).length, 2, 'not expired yet: nothing is swept');
      assert.ok((await objectExists(s.userId, open.id)) && (await objectExists(s.userId, claimed.id)), 'objects kept until then');

      await expireAll();
      await t.deps.uploads.sweepAbandoned();
      assert.deepEqual(await counters(), before, 'storage, count and the day slot back');
      assert.equal(await objectExists(s.userId, open.id), false, 'the open upload\'s object is removed');
      assert.equal(await objectExists(s.userId, claimed.id), false, 'the committing upload\'s object is removed');
      await assertHealed('after the sweep');
    });

    it('a process that died after writing the row but before settling: the sweep only forgets the reservation', async () => {
      const img = await uploadOk(t, s.accessToken, await distinctPng(++seed), 'landed.png');
      const before = await counters();
      // exactly what the crash leaves: the row, its object, the counters including it, and the reservation
      const now = Date.now();
      await db().insertInto('quotaReservations').values({ id: img.id, userId: s.userId, bytes: img.sizeBytes, count: 1, day: new Date(t.clock.now()).toISOString().slice(0, 10), state: 'committing', expiresAt: 0, createdAt: now }).execute();
      await t.deps.uploads.sweepAbandoned();
      assert.deepEqual(await counters(), before, 'counters untouched');
      assert.equal(await objectExists(s.userId, img.id), true, 'the image keeps its object');
      assert.equal((await t.app.inject({ url: new URL(img.url).pathname })).statusCode, 200, 'and is served');
      await assertHealed('after forgetting a settled reservation');
    });

    it('an upload that outlives its reservation (swept while the store was slow) fails cleanly: 500, no row, no object, quota back', async () => {
      const before = await counters();
      const rowsBefore = await rowsTotal();
      const realPut = t.deps.blobs.put.bind(t.deps.blobs);
      const undo = swapPut(t.deps.blobs, {
        put: async (key, body, options) => {
          await expireAll();
          await t.deps.uploads.sweepAbandoned(); // the sweep of any instance, while this store write is slow
          return realPut(key, body, options);
        },
      });
      let res;
      try {
        res = await upload(t, s.accessToken, await distinctPng(++seed), 'slow.png');
      } finally {
        undo();
      }
      assert.equal(res.statusCode, 500, res.body);
      assert.equal(json(res).code, 'STORAGE_ERROR');
      assert.deepEqual(await rowsTotal(), rowsBefore, 'no row');
      const keys: string[] = [];
      for await (const k of t.deps.blobs.list(storageKeys.userPrefix(s.userId))) keys.push(k);
      const rowIds = new Set((await db().selectFrom('images').select('id').where('userId', '=', s.userId).execute()).map((r) => r.id));
      assert.deepEqual(keys.filter((k) => !rowIds.has(k.split('/')[2]!)), [], 'no object without a row');
      assert.deepEqual({ bytes: (await counters()).bytes, count: (await counters()).count }, { bytes: before.bytes, count: before.count }, 'quota given back once');
      await assertHealed('after the swept upload');
      const retry = await upload(t, s.accessToken, await distinctPng(seed), 'slow.png');
      assert.equal(retry.statusCode, 201, `the same bytes upload fine afterwards: ${retry.body}`);
    });

    it('a sweep that cannot remove the object keeps the reservation (released once) and the next sweep finishes it', async () => {
      const before = await counters();
      const gone = await abandonedUpload();
      await expireAll();
      const blobs = t.deps.blobs;
      const realDelete = Object.getOwnPropertyDescriptor(blobs, 'delete');
      Object.defineProperty(blobs, 'delete', { value: async () => Promise.reject(new Error('test: the store is down')), configurable: true, writable: true });
      try {
        await t.deps.uploads.sweepAbandoned();
        await t.deps.uploads.sweepAbandoned();
      } finally {
        if (realDelete) Object.defineProperty(blobs, 'delete', realDelete);
        else delete (blobs as Partial<typeof blobs>).delete;
      }
      assert.deepEqual((await reservations()).map((r) => [r.id, r.state]), [[gone.id, 'released']], 'kept as released');
      assert.deepEqual(await counters(), before, 'the quota went back once, not once per sweep');
      assert.equal(await objectExists(s.userId, gone.id), true, 'the object is still there');
      await t.deps.uploads.sweepAbandoned();
      assert.equal(await objectExists(s.userId, gone.id), false, 'removed by the next sweep');
      assert.deepEqual(await counters(), before, 'and the quota was not given back twice');
      await assertHealed('after the retried sweep');
    });

    // PostgreSQL only: instances share it over the network. (Two SQLite connections in one process cannot write
    // at once: better-sqlite3 is synchronous, so one would block the event loop the other needs to commit.)
    if (backend.db === 'postgres') it('two instances sweeping the same reservations at once give each back exactly once', async () => {
      const before = await counters();
      const abandoned = [];
      for (let i = 0; i < 20; i++) abandoned.push(await abandonedUpload({ claim: i % 2 === 0, bytes: 100 + i }));
      await expireAll();
      let other: Deps | undefined;
      try {
        other = await buildDeps(t.config, pino({ level: 'silent' }), { migrate: false });
        await Promise.all([
          t.deps.uploads.sweepAbandoned(), other.uploads.sweepAbandoned(),
          t.deps.uploads.sweepAbandoned(), other.uploads.sweepAbandoned(),
        ]);
      } finally {
        await other?.close();
      }
      assert.deepEqual(await counters(), before, 'every reservation given back once');
      for (const a of abandoned) assert.equal(await objectExists(s.userId, a.id), false, `object ${a.id} removed`);
      await assertHealed('after two concurrent sweepers');
    });
  });
}

reservationsSuite('SQLite + local store', { db: 'sqlite', store: 'local' });
const pgSkip = skipUnless('PostgreSQL', pg) ?? skipUnless('S3', s3);
reservationsSuite('PostgreSQL + S3', { db: 'postgres', store: 's3' }, pgSkip);

describe('housekeeping on its own', { timeout: 60_000 }, () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ db: 'sqlite', store: 'local' }, { env: { PICORA_UPLOAD_RESERVATION_TTL_MS: '1000' } });
  });
  after(async () => t?.close());

  it('the periodic sweep (every min(60 s, TTL)) heals an abandoned reservation without being asked', async () => {
    const s = await registerUser(t);
    const quotas = createQuotas({ usage: createUsageRepo(t.deps.db.db), bandwidth: t.deps.bandwidth, mediaBandwidth: t.deps.bandwidth, clock: t.clock, reservations: { ttlMs: 1000, now: Date.now } });
    const plan = await t.deps.db.db.selectFrom('plans').selectAll().where('id', '=', 'trial').executeTakeFirstOrThrow();
    const id = newImageId();
    await quotas.reserveImageUpload(s.userId, plan, 4321, id);
    await t.deps.blobs.put(storageKeys.imageOriginal(s.userId, id), Readable.from([Buffer.alloc(4321)]));
    const usage = async () => (await t.deps.db.db.selectFrom('userUsage').select(['imgStorageBytes', 'imgCount']).where('userId', '=', s.userId).executeTakeFirstOrThrow());
    assert.deepEqual(await usage(), { imgStorageBytes: 4321, imgCount: 1 });
    const deadline = Date.now() + 5_000;
    // the sweep gives the quota back, then removes the object, then the reservation: wait for its last step
    const reservations = () => t.deps.db.db.selectFrom('quotaReservations').selectAll().execute();
    while (((await usage()).imgCount !== 0 || (await reservations()).length > 0) && Date.now() < deadline) await sleep(100);
    assert.deepEqual(await usage(), { imgStorageBytes: 0, imgCount: 0 }, 'healed within TTL + one interval');
    assert.equal(await t.deps.blobs.head(storageKeys.imageOriginal(s.userId, id)), undefined, 'object removed');
    assert.deepEqual(await t.deps.db.db.selectFrom('quotaReservations').selectAll().execute(), []);
  });

  it('spool files of a process that is gone are removed at once, of a live one never, of an unknown one past the age limit', async () => {
    const dir = path.join(t.dataDir, 'tmp', 'uploads');
    await mkdir(dir, { recursive: true });
    const me = spoolOwner();
    const dead = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '0']);
      child.once('exit', () => resolve(child.pid!));
    });
    const names = {
      deadPid: `${me.scope}.${dead}.0badc0de.a.part`,
      deadPidSibling: `${me.scope}.${dead}.0badc0de.a.part.jpg`,
      samePidEarlierBoot: `${me.scope}.${me.pid}.${me.boot === 'deadbeef' ? 'feedface' : 'deadbeef'}.b.part`,
      mine: `${me.scope}.${me.pid}.${me.boot}.c.part`,
      livePid: `${me.scope}.${process.ppid}.0badc0de.d.part`,
      oldLivePid: `${me.scope}.${process.ppid}.0badc0de.i.part`,
      otherHost: `ffffffff.${dead}.0badc0de.e.part`,
      legacy: 'f.part',
      oldLegacy: 'g.part',
      oldMine: `${me.scope}.${me.pid}.${me.boot}.h.part`,
    };
    if (names.otherHost.startsWith(me.scope)) names.otherHost = `00000000.${dead}.0badc0de.e.part`;
    for (const n of Object.values(names)) await writeFile(path.join(dir, n), 'x');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    for (const n of [names.oldLegacy, names.oldMine, names.oldLivePid]) await utimes(path.join(dir, n), twoHoursAgo, twoHoursAgo);
    assert.equal(await t.deps.uploads.sweepSpool(3600_000), 4);
    assert.deepEqual((await readdir(dir)).sort(), [names.mine, names.livePid, names.oldLivePid, names.otherHost, names.legacy, names.oldMine].sort());
  });
});
