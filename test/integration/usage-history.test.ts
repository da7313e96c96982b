// Usage history (issue 12) on SQLite and PostgreSQL: bandwidth per day written by the meter's batched flush (with the
// month, in one transaction), storage sampled by the hourly round and live for today, days without rows filled
// (bandwidth 0, storage carried forward), days simulated with the test clock, the 400-day sweep, validation, and
// one account never seeing another's usage.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createUsageRepo } from '../../src/db/repos/usage.repo.js';
import { registerUsageDailyRollup, USAGE_ROLLUP_EVERY_MS } from '../../src/jobs/handlers/usage-daily.job.js';
import { bearer, createKey, registerUser, startTestApp, type Session, type TestApp } from '../support/app.js';
import { probePostgres, skipUnless } from '../support/services.js';
import { distinctPng, json, mediaPath, uploadOk, type ImageData } from './suites/images.suite.js';

const pg = await probePostgres();
const cases = [
  { name: 'SQLite', backend: { db: 'sqlite', store: 'local' } as const, skip: undefined },
  { name: 'PostgreSQL', backend: { db: 'postgres', store: 'local' } as const, skip: skipUnless('PostgreSQL', pg) },
];

const DAY = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
type Day = { date: string; imgStorageBytes: number; mediaStorageBytes: number; imgBandwidthBytes: number; mediaBandwidthBytes: number };
const zero = (date: string): Day => ({ date, imgStorageBytes: 0, mediaStorageBytes: 0, imgBandwidthBytes: 0, mediaBandwidthBytes: 0 });

for (const c of cases) {
  describe(`usage history (${c.name})`, { skip: c.skip }, () => {
    let t: TestApp;
    let a: Session;
    let b: Session;
    let keyA: string;
    let keyB: string;
    let keyNoUsage: string;
    /** Midday (UTC) of the first simulated day. */
    let day0: number;
    const images: ImageData[] = [];
    let servedDay0 = 0;
    let servedDay2 = 0;

    before(async () => {
      t = await startTestApp(c.backend);
      // every step happens at midday of its day, so no request straddles midnight
      day0 = Math.floor(t.clock.now() / DAY) * DAY + 12 * 3_600_000;
      t.clock.set(day0);
      a = await registerUser(t);
      b = await registerUser(t);
      // keys, not access tokens: those expire after 15 minutes of the clock, and the clock moves by days here
      keyA = (await createKey(t, a, { name: 'a', scopes: ['media.read', 'media.write', 'media.delete', 'usage.read'] })).key;
      keyB = (await createKey(t, b, { name: 'b', scopes: ['media.read', 'media.write', 'usage.read'] })).key;
      keyNoUsage = (await createKey(t, b, { name: 'media only', scopes: ['media.read'] })).key;
    });
    after(async () => t?.close());

    const history = async (key: string, query = '') => {
      const res = await t.app.inject({ method: 'GET', url: `/v1/usage/history${query}`, headers: bearer(key) });
      assert.equal(res.statusCode, 200, res.body);
      return json(res).data.days as Day[];
    };
    /** Fetches an image anonymously from the media host; returns the bytes served. */
    const serve = async (img: ImageData): Promise<number> => {
      const res = await t.app.inject({ method: 'GET', url: mediaPath(img) });
      assert.equal(res.statusCode, 200);
      return res.rawPayload.length;
    };
    /** The day's stored bandwidth row once the meter has flushed it (the flush runs after the response ends). */
    const flushedDaily = async (userId: string, day: string, expected: number): Promise<number> => {
      for (let i = 0; ; i++) {
        await t.deps.bandwidth.flush();
        const row = await t.deps.db.db.selectFrom('usageDaily').select('bytes').where('userId', '=', userId).where('type', '=', 'img_bandwidth').where('day', '=', day).executeTakeFirst();
        const stored = Number(row?.bytes ?? 0);
        if (stored >= expected || i >= 50) return stored;
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    it('day 0: bandwidth served through the media host lands in today\'s row with the month; storage is live', async () => {
      images.push(await uploadOk(t, keyA, await distinctPng(1), 'one.png'), await uploadOk(t, keyA, await distinctPng(2, 40), 'two.png'));
      servedDay0 = (await serve(images[0]!)) + (await serve(images[0]!)) + (await serve(images[1]!));
      assert.equal(await flushedDaily(a.userId, dayOf(day0), servedDay0), servedDay0, 'the flushed daily bandwidth');
      const month = await t.deps.db.db.selectFrom('usageMonthly').select('imgBandwidthBytes').where('userId', '=', a.userId).where('month', '=', dayOf(day0).slice(0, 7)).executeTakeFirstOrThrow();
      assert.equal(Number(month.imgBandwidthBytes), servedDay0, 'the month counts the same bytes');

      const days = await history(keyA, '?days=1');
      assert.deepEqual(days, [{ ...zero(dayOf(day0)), imgStorageBytes: images[0]!.sizeBytes + images[1]!.sizeBytes, imgBandwidthBytes: servedDay0 }]);
    });

    it('the hourly round samples storage only for accounts whose bytes moved', async () => {
      const first = await t.deps.usageHistory.rollup();
      assert.ok(first.sampled >= 1, 'account A sampled');
      const row = await t.deps.db.db.selectFrom('usageDaily').select('bytes').where('userId', '=', a.userId).where('type', '=', 'img_storage').where('day', '=', dayOf(day0)).executeTakeFirstOrThrow();
      assert.equal(Number(row.bytes), images[0]!.sizeBytes + images[1]!.sizeBytes);
      assert.deepEqual(await t.deps.usageHistory.rollup(), { sampled: 0, swept: 0 }, 'nothing moved since: nothing written');
    });

    it('simulated days: quiet days carry storage forward with zero bandwidth; a delete shows from its day on', async () => {
      t.clock.set(day0 + 2 * DAY);
      const del = await t.app.inject({ method: 'DELETE', url: `/v1/images/${images[0]!.id}`, headers: bearer(keyA) });
      assert.equal(del.statusCode, 200, del.body);
      servedDay2 = await serve(images[1]!);
      assert.equal(await flushedDaily(a.userId, dayOf(day0 + 2 * DAY), servedDay2), servedDay2);
      await t.deps.usageHistory.rollup();
      t.clock.set(day0 + 3 * DAY);

      const both = images[0]!.sizeBytes + images[1]!.sizeBytes;
      const left = images[1]!.sizeBytes;
      assert.deepEqual(await history(keyA, '?days=5'), [
        zero(dayOf(day0 - DAY)),
        { ...zero(dayOf(day0)), imgStorageBytes: both, imgBandwidthBytes: servedDay0 },
        { ...zero(dayOf(day0 + DAY)), imgStorageBytes: both },
        { ...zero(dayOf(day0 + 2 * DAY)), imgStorageBytes: left, imgBandwidthBytes: servedDay2 },
        { ...zero(dayOf(day0 + 3 * DAY)), imgStorageBytes: left },
      ]);
    });

    it('bytes served just before midnight count for that day even when the flush comes after it', async () => {
      const userId = b.userId;
      const evening = Math.floor(t.clock.now() / DAY) * DAY + DAY - 1000;
      await t.deps.bandwidth.flush();
      t.clock.set(evening);
      t.deps.bandwidth.record(userId, 300);
      t.clock.set(evening + 2000);
      t.deps.bandwidth.record(userId, 40);
      await t.deps.bandwidth.flush();
      const rows = await t.deps.db.db.selectFrom('usageDaily').select(['day', 'bytes']).where('userId', '=', userId).where('type', '=', 'img_bandwidth').orderBy('day').execute();
      assert.deepEqual(rows.map((r) => [r.day, Number(r.bytes)]), [[dayOf(evening), 300], [dayOf(evening + 2000), 40]]);
      // back to the day the other steps live on; these rows are B's and are removed so B's history stays empty
      await t.deps.db.db.deleteFrom('usageDaily').where('userId', '=', userId).execute();
      await t.deps.db.db.deleteFrom('usageMonthly').where('userId', '=', userId).execute();
      t.clock.set(day0 + 3 * DAY);
    });

    it('runs as the hourly usage.daily-rollup round', async () => {
      const rounds: Array<{ name: string; everyMs: number; task: () => Promise<void> }> = [];
      registerUsageDailyRollup({ schedule: (name, everyMs, task) => void rounds.push({ name, everyMs, task }) }, { rollup: () => t.deps.usageHistory.rollup(), log: { info: () => undefined } });
      assert.deepEqual(rounds.map((r) => [r.name, r.everyMs]), [['usage.daily-rollup', USAGE_ROLLUP_EVERY_MS]]);
      assert.equal(USAGE_ROLLUP_EVERY_MS, 3_600_000);
      await rounds[0]!.task();
    });

    it('media bandwidth goes to its own daily type in the same write as the month', async () => {
      const today = dayOf(t.clock.now());
      await createUsageRepo(t.deps.db.db).addBandwidth([{ userId: a.userId, month: today.slice(0, 7), day: today, bytes: 1234 }], 'media');
      const last = (await history(keyA, '?days=1'))[0]!;
      assert.deepEqual([last.date, last.mediaBandwidthBytes, last.imgBandwidthBytes], [today, 1234, 0]);
      const month = await t.deps.db.db.selectFrom('usageMonthly').select('mediaBandwidthBytes').where('userId', '=', a.userId).where('month', '=', today.slice(0, 7)).executeTakeFirstOrThrow();
      assert.equal(Number(month.mediaBandwidthBytes), 1234);
    });

    it('answers 30 days by default and up to 90, oldest first, one per day, ending today', async () => {
      for (const [query, n] of [['', 30], ['?days=1', 1], ['?days=90', 90]] as const) {
        const days = await history(keyA, query);
        assert.equal(days.length, n, query);
        assert.equal(days[n - 1]!.date, dayOf(t.clock.now()), `${query}: ends today`);
        for (let i = 1; i < n; i++) assert.equal(Date.parse(days[i]!.date) - Date.parse(days[i - 1]!.date), DAY, `${query}: consecutive days`);
      }
    });

    it('refuses days outside 1–90 with VALIDATION_ERROR naming the field, and anonymous callers', async () => {
      for (const q of ['0', '91', '-3', 'abc', '1.5', '1000000']) {
        const res = await t.app.inject({ method: 'GET', url: `/v1/usage/history?days=${q}`, headers: bearer(keyA) });
        assert.equal(res.statusCode, 422, `days=${q}: ${res.body}`);
        assert.deepEqual([json(res).code, json(res).meta?.field], ['VALIDATION_ERROR', 'days'], `days=${q}`);
      }
      const anonymous = await t.app.inject({ method: 'GET', url: '/v1/usage/history' });
      assert.equal(anonymous.statusCode, 401);
      const refused = await t.app.inject({ method: 'GET', url: '/v1/usage/history', headers: bearer(keyNoUsage) });
      assert.deepEqual([refused.statusCode, json(refused).code], [403, 'FORBIDDEN']);
    });

    it("never shows another account's usage", async () => {
      const days = await history(keyB, '?days=90');
      assert.ok(days.every((d) => d.imgStorageBytes === 0 && d.imgBandwidthBytes === 0 && d.mediaBandwidthBytes === 0 && d.mediaStorageBytes === 0), JSON.stringify(days.filter((d) => d.imgStorageBytes || d.imgBandwidthBytes)));
      const own = await uploadOk(t, keyB, await distinctPng(3), 'b.png');
      const mine = (await history(keyB, '?days=1'))[0]!;
      assert.equal(mine.imgStorageBytes, own.sizeBytes);
      const theirs = (await history(keyA, '?days=1'))[0]!;
      assert.equal(theirs.imgStorageBytes, images[1]!.sizeBytes, "B's upload is not A's");
    });

    it('sweeps rows older than 400 days but keeps the newest storage value, which later days carry forward', async () => {
      const now = t.clock.now();
      const old = (days: number) => dayOf(now - days * DAY);
      const db = t.deps.db.db;
      await db.insertInto('usageDaily').values([
        { userId: b.userId, type: 'img_bandwidth', day: old(401), bytes: 5 },
        { userId: b.userId, type: 'media_storage', day: old(420), bytes: 100 },
        { userId: b.userId, type: 'media_storage', day: old(410), bytes: 777 },
        { userId: b.userId, type: 'img_bandwidth', day: old(399), bytes: 9 },
      ]).execute();
      const { swept } = await t.deps.usageHistory.rollup();
      assert.equal(swept, 2, 'the 401-day bandwidth row and the older storage row');
      const left = await db.selectFrom('usageDaily').select(['type', 'day', 'bytes']).where('userId', '=', b.userId).where('day', '<', old(300)).orderBy('day').execute();
      assert.deepEqual(left.map((r) => [r.type, r.day, Number(r.bytes)]), [['media_storage', old(410), 777], ['img_bandwidth', old(399), 9]]);
      // B's media storage counter is 0, so the round wrote today's 0; yesterday still carries the 777 from 410 days ago
      const days = await history(keyB, '?days=2');
      assert.deepEqual(days.map((d) => d.mediaStorageBytes), [777, 0]);
    });
  });
}
