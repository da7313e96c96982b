// The image trash (issue 12) on SQLite + local, PostgreSQL + local and PostgreSQL + S3: DELETE …?trash=true moves one
// or many images to the trash, where they are absent from every list, count, tag, album, /exists, /v1/media, the zip
// and the sync feed (a delete), 404 on /v1/images/{id} and on the public media URL (at once, with the delivery cache
// on) while their owner may still fetch them; quota stays used until they are deleted for real; restore brings it
// all back (the same URL works again; an album deleted meanwhile leaves them unfiled); an upload of the same bytes
// restores; deleting some, emptying and the 30-day sweep delete for real (rows, bytes in the store, quota);
// another account can neither list, restore nor delete them; the plain DELETE still deletes for real.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LightMyRequestResponse } from 'fastify';
import { bearer, createKey, registerUser, startTestApp, type Backend, type Session, type TestApp } from '../support/app.js';
import { probeS3, type S3TestConfig } from '../support/s3.js';
import { probePostgres, skipUnless } from '../support/services.js';
import { distinctPng, json, login, mediaPath, objectKeys, originalKey, upload, uploadOk, usageOf, type ImageData } from './suites/images.suite.js';
import { conforms, imageRow } from './suites/media.support.js';
import { registerTrashSweep, TRASH_SWEEP_EVERY_MS } from '../../src/jobs/handlers/trash-sweep.job.js';

type Trashed = ImageData & { kbId: string | null; trashedAt: string; purgeAt: string };
type Change = { op: 'upsert' | 'delete'; type: string; id: string; updatedAt: string };

const DAY = 86_400_000;
const pg = await probePostgres();
const s3 = await probeS3();
const cases: Array<{ name: string; backend: Backend; s3?: S3TestConfig | undefined; skip?: string | undefined }> = [
  { name: 'SQLite + local', backend: { db: 'sqlite', store: 'local' } },
  { name: 'PostgreSQL + local', backend: { db: 'postgres', store: 'local' }, skip: skipUnless('PostgreSQL', pg) },
  { name: 'PostgreSQL + S3', backend: { db: 'postgres', store: 's3' }, s3: s3.ok ? s3.value : undefined, skip: skipUnless('PostgreSQL', pg) ?? skipUnless('S3', s3) },
];

for (const c of cases) {
  describe(`image trash (${c.name})`, { skip: c.skip, timeout: 240_000 }, () => {
    let t: TestApp;
    let a: Session;
    let b: Session;
    let seed = 0;

    before(async () => {
      // the jobs run (purges of deleted objects); the media host caches rows for a minute: trash and restore must
      // reach it at once through this instance
      t = await startTestApp(c.backend, { runJobs: true, s3: c.s3, env: { PICORA_DELIVERY_CACHE_MS: '60000' } });
      a = await registerUser(t);
      b = await registerUser(t);
    });
    after(async () => t?.close());

    const call = (s: Session | string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
      t.app.inject({ method, url, headers: bearer(typeof s === 'string' ? s : s.accessToken), ...(payload === undefined ? {} : { payload: payload as object }) });
    const ok = (res: LightMyRequestResponse, status = 200) => {
      assert.equal(res.statusCode, status, res.body);
      return json(res).data;
    };
    const photo = async (s: Session, fields: Record<string, string> = {}): Promise<ImageData> => uploadOk(t, s.accessToken, await distinctPng(++seed), `p${seed}.png`, fields);
    const listIds = async (s: Session, query = ''): Promise<{ ids: string[]; total: number }> => {
      const res = await call(s, 'GET', `/v1/images?limit=100${query}`);
      const d = ok(res) as { items: ImageData[]; total: number };
      return { ids: d.items.map((i) => i.id), total: d.total };
    };
    const trashList = async (s: Session | string, query = ''): Promise<{ items: Trashed[]; nextCursor: string | null; hasMore: boolean }> =>
      ok(await call(s, 'GET', `/v1/trash/images${query}`));
    const trashIds = async (s: Session | string) => (await trashList(s, '?limit=100')).items.map((i) => i.id);
    const trashOne = async (s: Session, id: string) => {
      const res = await call(s, 'DELETE', `/v1/images/${id}?trash=true`);
      conforms('DELETE', '/v1/images/{id}', res);
      assert.equal(ok(res), null);
    };
    const tagCount = async (s: Session, tag: string) => (ok(await call(s, 'GET', '/v1/images/tags')).items as Array<{ tag: string; count: number }>).find((x) => x.tag === tag)?.count ?? 0;
    const albumImages = async (s: Session, id: string) => ok(await call(s, 'GET', `/v1/collections/${id}`)).imageCount as number;
    const anon = (img: ImageData, query = '') => t.app.inject({ url: `${mediaPath(img)}${query}` });
    const owned = (s: Session, img: ImageData, query = '') => t.app.inject({ url: `${mediaPath(img)}${query}`, headers: bearer(s.accessToken) });
    async function feed(s: Session, since: string | null): Promise<{ changes: Change[]; cursor: string | null }> {
      t.clock.advance(2_000); // past the feed's settle window
      const changes: Change[] = [];
      let cursor = since;
      for (;;) {
        const d = ok(await call(s, 'GET', `/v1/sync/state?limit=100${cursor ? `&since=${encodeURIComponent(cursor)}` : ''}`));
        changes.push(...(d.changes as Change[]));
        cursor = d.nextCursor ?? cursor;
        if (!d.hasMore) return { changes, cursor };
      }
    }
    async function bytesGone(keys: string[], userId: string): Promise<void> {
      const deadline = Date.now() + 30_000;
      const wanted = new Set(keys);
      while ((await objectKeys(t, userId)).some((k) => wanted.has(k)) && Date.now() < deadline) await sleep(50);
      assert.deepEqual((await objectKeys(t, userId)).filter((k) => wanted.has(k)), [], 'the bytes are gone from the store');
    }

    it('moves one and many to the trash: gone from lists, counts, tags, albums, /exists, /media, the zip and the sync feed', async () => {
      const album = ok(await call(a, 'POST', '/v1/collections', { name: 'Trip' }), 201) as { id: string };
      const x = await photo(a, { tags: '["cat"]' });
      const y = await photo(a, { tags: '["cat","dog"]' });
      const z = await photo(a);
      const keep = await photo(a, { tags: '["cat"]' });
      const other = await photo(b);
      ok(await call(a, 'POST', '/v1/images/batch-move', { ids: [x.id, y.id], kbId: album.id }));
      const synced = await feed(a, null);
      assert.equal((await listIds(a)).total, 4);
      assert.equal(await tagCount(a, 'cat'), 3);
      assert.equal(await albumImages(a, album.id), 2);

      await trashOne(a, x.id);
      t.clock.advance(5);
      const batch = await call(a, 'DELETE', '/v1/images?trash=true', { ids: [y.id, z.id, 'unknownImg1', other.id] });
      conforms('DELETE', '/v1/images', batch);
      assert.deepEqual(ok(batch), { deleted: 2, failed: 2 });

      assert.deepEqual(await listIds(a), { ids: [keep.id], total: 1 });
      assert.deepEqual(await listIds(a, '&tag=cat'), { ids: [keep.id], total: 1 });
      assert.deepEqual(await listIds(a, '&tag=dog'), { ids: [], total: 0 });
      assert.deepEqual(await listIds(a, `&q=p`), { ids: [keep.id], total: 1 });
      assert.deepEqual(await listIds(a, `&collection_id=${album.id}`), { ids: [], total: 0 });
      assert.equal(await tagCount(a, 'cat'), 1);
      assert.equal(await tagCount(a, 'dog'), 0);
      assert.equal(await albumImages(a, album.id), 0);
      const media = ok(await call(a, 'GET', '/v1/media?limit=100')).items as Array<{ id: string }>;
      assert.deepEqual(media.map((m) => m.id), [keep.id]);
      const exists = ok(await call(a, 'POST', '/v1/images/exists', { hashes: [x.sha256, keep.sha256] }));
      assert.deepEqual(exists.missing, [x.sha256]);
      assert.deepEqual(Object.keys(exists.existing), [keep.sha256]);
      for (const [method, url, payload] of [
        ['GET', `/v1/images/${x.id}`], ['GET', `/v1/images/${x.id}/info`], ['PATCH', `/v1/images/${x.id}`, { title: 'no' }],
        ['DELETE', `/v1/images/${x.id}?trash=true`], ['POST', `/v1/images/${x.id}/sign`, {}], ['GET', `/v1/media/${x.id}`], ['POST', '/v1/images/download', { ids: [x.id] }],
      ] as const) {
        const res = await call(a, method, url, payload);
        assert.equal(res.statusCode, 404, `${method} ${url}: ${res.body}`);
        assert.equal(json(res).code, 'NOT_FOUND');
      }
      // moving a trashed image into an album does nothing
      assert.equal(ok(await call(a, 'POST', '/v1/images/batch-move', { ids: [z.id], kbId: album.id })).moved, 0);

      // the sync feed: a delete for each trashed image
      const after = await feed(a, synced.cursor);
      assert.deepEqual(after.changes.map((ch) => `${ch.op}:${ch.id}`).sort(), [x.id, y.id, z.id].map((id) => `delete:${id}`).sort());

      // the trash: newest trashed first, trashedAt and purgeAt 30 days later, cursor pages
      const all = await trashList(a);
      assert.deepEqual(new Set(all.items.slice(0, 2).map((i) => i.id)), new Set([y.id, z.id]));
      assert.equal(all.items[2]!.id, x.id);
      for (const item of all.items) assert.equal(Date.parse(item.purgeAt) - Date.parse(item.trashedAt), 30 * DAY);
      assert.equal(all.items[2]!.kbId, album.id, 'it keeps its album while in the trash');
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Trashed[]; nextCursor: string | null } = await trashList(a, `?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, all.items.map((i) => i.id));
      assert.equal((await call(a, 'GET', '/v1/trash/images?cursor=bogus')).statusCode, 400);
      assert.equal((await call(a, 'GET', '/v1/trash/images?limit=101')).statusCode, 422);

      // restore: everything comes back — list, tags, album, /exists, and the sync feed upserts them after the deletes
      const restored = await call(a, 'POST', '/v1/trash/images/restore', { ids: [x.id, y.id, keep.id, other.id, 'unknownImg1'] });
      assert.deepEqual(ok(restored), { restored: 2 });
      assert.deepEqual(new Set((await listIds(a)).ids), new Set([x.id, y.id, keep.id]));
      assert.equal(await tagCount(a, 'cat'), 3);
      assert.equal(await tagCount(a, 'dog'), 1);
      assert.equal(await albumImages(a, album.id), 2);
      assert.deepEqual(ok(await call(a, 'POST', '/v1/images/exists', { hashes: [x.sha256] })).missing, []);
      const back = ok(await call(a, 'GET', `/v1/images/${x.id}`)) as ImageData & { kbId: string };
      assert.equal(back.url, x.url);
      assert.equal(back.kbId, album.id);
      assert.deepEqual(back.tags, ['cat']);
      assert.deepEqual(await trashIds(a), [z.id]);
      const again = await feed(a, after.cursor);
      assert.deepEqual(again.changes.map((ch) => `${ch.op}:${ch.id}`).sort(), [x.id, y.id].map((id) => `upsert:${id}`).sort());
      // a client replaying from the start ends with the library: z absent, x and y present
      const state = new Set<string>();
      for (const ch of (await feed(a, null)).changes) {
        if (ch.op === 'delete') state.delete(ch.id);
        else state.add(ch.id);
      }
      assert.deepEqual(state, new Set([x.id, y.id, keep.id]));
    });

    it('the media host: 404 at once for everyone but the owner, who gets it uncacheable; restore serves the same URL again', async () => {
      const img = await photo(a);
      const signed = ok(await call(a, 'POST', `/v1/images/${img.id}/sign`, { expSeconds: 3600 })).signedUrl as string;
      // warm every in-process cache: the row, the original's bytes, a rendition
      assert.equal((await anon(img)).statusCode, 200);
      assert.equal((await anon(img, '?w=8')).statusCode, 200);
      assert.match((await anon(img)).headers['cache-control'] as string, /^public/);
      await trashOne(a, img.id);

      for (const query of ['', '?w=8', '?w=8&fmt=webp']) assert.equal((await anon(img, query)).statusCode, 404, `anonymous ${query}`);
      assert.equal((await t.app.inject({ url: new URL(signed).pathname + new URL(signed).search })).statusCode, 404, 'a signed URL');
      assert.equal((await owned(b, img)).statusCode, 404, 'another account');
      const mine = await owned(a, img);
      assert.equal(mine.statusCode, 200, 'the owner, for the Trash page');
      assert.equal(mine.headers['cache-control'], 'private, no-store');
      const thumb = await owned(a, img, '?w=8&fmt=webp');
      assert.equal(thumb.statusCode, 200);
      assert.equal(thumb.headers['cache-control'], 'private, no-store');

      ok(await call(a, 'POST', '/v1/trash/images/restore', { ids: [img.id] }));
      const served = await anon(img);
      assert.equal(served.statusCode, 200, 'the same URL works again at once');
      assert.match(served.headers['cache-control'] as string, /^public/);
    });

    it('quota counts trashed bytes until they are deleted for real; deleting some and emptying free it and the store', async () => {
      const s = await registerUser(t);
      const imgs = [await photo(s), await photo(s), await photo(s)];
      const live = await photo(s);
      const start = await usageOf(t, s.userId);
      const res = await call(s, 'DELETE', '/v1/images', { ids: imgs.map((i) => i.id), trash: true });
      assert.deepEqual(ok(res), { deleted: 3, failed: 0 }, 'the trash flag also in the body');
      assert.deepEqual(await usageOf(t, s.userId), start, 'quota unchanged by the trash');
      assert.equal((await objectKeys(t, s.userId)).filter((k) => imgs.some((i) => k === originalKey(i))).length, 3, 'bytes kept');

      // delete some: only trashed ones of the caller; a live image named here is not touched
      const some = await call(s, 'DELETE', '/v1/trash/images', { ids: [imgs[0]!.id, live.id, 'unknownImg1'] });
      assert.deepEqual(ok(some), { deleted: 1 });
      assert.equal((await call(s, 'GET', `/v1/images/${live.id}`)).statusCode, 200);
      await bytesGone([originalKey(imgs[0]!)], s.userId);
      const mid = await usageOf(t, s.userId);
      assert.equal(mid.imgStorageBytes, start.imgStorageBytes - imgs[0]!.sizeBytes);
      assert.equal(mid.imgCount, start.imgCount - 1);

      // a body must be {ids}: a mistaken body never empties the trash
      for (const payload of [{}, { idz: [imgs[1]!.id] }, { ids: [] }]) {
        const bad = await call(s, 'DELETE', '/v1/trash/images', payload);
        assert.equal(bad.statusCode, 422, bad.body);
        assert.equal(json(bad).code, 'VALIDATION_ERROR');
      }
      assert.equal((await trashIds(s)).length, 2);

      // empty: the rest, for real
      assert.deepEqual(ok(await call(s, 'DELETE', '/v1/trash/images')), { deleted: 2 });
      assert.deepEqual(await trashIds(s), []);
      await bytesGone(imgs.map(originalKey), s.userId);
      const end = await usageOf(t, s.userId);
      assert.equal(end.imgStorageBytes, start.imgStorageBytes - imgs.reduce((n, i) => n + i.sizeBytes, 0));
      assert.equal(end.imgCount, 1);
      const rows = await t.deps.db.db.selectFrom('images').select('id').where('userId', '=', s.userId).execute();
      assert.deepEqual(rows.map((r) => r.id), [live.id]);
      const stones = await t.deps.db.db.selectFrom('syncTombstones').select('id').where('userId', '=', s.userId).execute();
      assert.deepEqual(new Set(stones.map((r) => r.id)), new Set(imgs.map((i) => i.id)), 'sync clients keep their deletes');
      assert.equal((await anon(imgs[1]!)).statusCode, 404);
      assert.equal((await owned(s, imgs[1]!)).statusCode, 404, 'gone for the owner too');
      assert.deepEqual(ok(await call(s, 'DELETE', '/v1/trash/images')), { deleted: 0 }, 'an empty trash');
    });

    it('an album deleted while its image is in the trash: the image comes back unfiled', async () => {
      const album = ok(await call(a, 'POST', '/v1/collections', { name: 'Short-lived' }), 201) as { id: string };
      const img = await photo(a);
      ok(await call(a, 'POST', '/v1/images/batch-move', { ids: [img.id], kbId: album.id }));
      await trashOne(a, img.id);
      // the album holds nothing live: deleted without cascade; a cascade would not have touched the trash either
      ok(await call(a, 'DELETE', `/v1/collections/${album.id}`));
      assert.equal((await trashList(a)).items.find((i) => i.id === img.id)?.kbId, null);
      ok(await call(a, 'POST', '/v1/trash/images/restore', { ids: [img.id] }));
      assert.equal(ok(await call(a, 'GET', `/v1/images/${img.id}`)).kbId, null);

      const album2 = ok(await call(a, 'POST', '/v1/collections', { name: 'Cascade' }), 201) as { id: string };
      const kept = await photo(a);
      ok(await call(a, 'POST', '/v1/images/batch-move', { ids: [kept.id], kbId: album2.id }));
      await trashOne(a, kept.id);
      ok(await call(a, 'DELETE', `/v1/collections/${album2.id}?cascade=true`));
      assert.ok((await trashIds(a)).includes(kept.id), 'the cascade leaves the trash alone');
    });

    it('uploading bytes that are in the trash restores that image and answers it as the duplicate', async () => {
      const s = await registerUser(t);
      const bytes = await distinctPng(++seed);
      const img = await uploadOk(t, s.accessToken, bytes, 'again.png');
      await trashOne(s, img.id);
      const usage = await usageOf(t, s.userId);
      const res = await upload(t, s.accessToken, bytes, 'again-2.png');
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['x-picora-duplicate'], 'true');
      assert.equal(json(res).data.id, img.id);
      assert.deepEqual(await trashIds(s), []);
      assert.deepEqual((await listIds(s)).ids, [img.id]);
      assert.equal((await usageOf(t, s.userId)).imgStorageBytes, usage.imgStorageBytes, 'no quota used');
      assert.equal((await anon(img)).statusCode, 200);
    });

    it('another account can neither list, restore nor delete your trash; scopes as for the library', async () => {
      const img = await photo(a);
      await trashOne(a, img.id);
      assert.ok(!(await trashIds(b)).includes(img.id));
      assert.deepEqual(ok(await call(b, 'POST', '/v1/trash/images/restore', { ids: [img.id] })), { restored: 0 });
      assert.deepEqual(ok(await call(b, 'DELETE', '/v1/trash/images', { ids: [img.id] })), { deleted: 0 });
      ok(await call(b, 'DELETE', '/v1/trash/images'));
      assert.equal((await call(b, 'DELETE', `/v1/images/${img.id}?trash=true`)).statusCode, 404, 'already in the trash');
      assert.ok((await trashIds(a)).includes(img.id), 'still in its owner\'s trash');

      const live = await photo(a);
      assert.equal((await call(b, 'DELETE', `/v1/images/${live.id}?trash=true`)).statusCode, 403, 'another\'s image: as for the real delete');
      // a key with the default scopes (read + write, no delete) lists and restores, but neither trashes nor deletes
      const key = (await createKey(t, a)).key;
      assert.equal((await call(key, 'GET', '/v1/trash/images')).statusCode, 200);
      assert.equal((await call(key, 'DELETE', `/v1/images/${live.id}?trash=true`)).statusCode, 403);
      assert.equal((await call(key, 'DELETE', '/v1/trash/images', { ids: [img.id] })).statusCode, 403);
      assert.equal((await call(key, 'DELETE', '/v1/trash/images')).statusCode, 403);
      assert.deepEqual(ok(await call(key, 'POST', '/v1/trash/images/restore', { ids: [img.id] })), { restored: 1 });
      for (const [method, url] of [['GET', '/v1/trash/images'], ['POST', '/v1/trash/images/restore'], ['DELETE', '/v1/trash/images']] as const) {
        assert.equal((await t.app.inject({ method, url, ...(method === 'POST' ? { payload: { ids: ['x'] } } : {}) })).statusCode, 401, `${method} ${url} anonymous`);
      }
    });

    it('the plain DELETE still deletes for real, nothing goes to the trash; a trashed image too, for its owner only', async () => {
      const trashed = await photo(a);
      await trashOne(a, trashed.id);
      const foreign = await call(b, 'DELETE', `/v1/images/${trashed.id}`);
      assert.equal(foreign.statusCode, 404, 'another account: as absent as a deleted image');
      assert.equal(ok(await call(a, 'DELETE', `/v1/images/${trashed.id}`)), null);
      assert.ok(!(await trashIds(a)).includes(trashed.id));
      await bytesGone([originalKey(trashed)], a.userId);

      const img = await photo(a);
      const single = await call(a, 'DELETE', `/v1/images/${img.id}`);
      conforms('DELETE', '/v1/images/{id}', single);
      assert.equal(ok(single), null);
      const batch = await photo(a);
      assert.deepEqual(ok(await call(a, 'DELETE', '/v1/images', { ids: [batch.id] })), { deleted: 1, failed: 0 });
      assert.deepEqual(ok(await call(a, 'DELETE', '/v1/images?trash=false', { ids: [batch.id] })), { deleted: 0, failed: 1 });
      const trash = await trashIds(a);
      assert.ok(!trash.includes(img.id) && !trash.includes(batch.id));
      const rows = await t.deps.db.db.selectFrom('images').select('id').where('id', 'in', [img.id, batch.id]).execute();
      assert.deepEqual(rows, []);
      await bytesGone([originalKey(img), originalKey(batch)], a.userId);
    });

    it('the sweep deletes for real what has been in the trash for more than 30 days, and only that', async () => {
      const s = await registerUser(t);
      const old = await photo(s);
      const young = await photo(s);
      const start = await usageOf(t, s.userId);
      await trashOne(s, old.id);
      t.clock.advance(29 * DAY);
      const token = await login(t, s);
      ok(await call(token, 'DELETE', `/v1/images/${young.id}?trash=true`));
      // the sweep takes every account's expired trash (the other tests' images too: counted, not asserted)
      await t.deps.trash.sweep();
      assert.deepEqual(new Set(await trashIds(token)), new Set([old.id, young.id]), 'nothing of this account is past 30 days yet');
      t.clock.advance(1 * DAY + 1_000);
      assert.ok((await t.deps.trash.sweep()) >= 1);
      const token2 = await login(t, s);
      assert.deepEqual((await trashList(token2)).items.map((i) => i.id), [young.id]);
      await bytesGone([originalKey(old)], s.userId);
      assert.equal((await usageOf(t, s.userId)).imgStorageBytes, start.imgStorageBytes - old.sizeBytes);
      assert.equal(await t.deps.trash.sweep(), 0, 'swept once');
    });

    it('runs as the hourly images.trash-sweep round, one instance at a time (a schedule in shared storage)', async () => {
      const rounds: Array<{ name: string; everyMs: number; task: () => Promise<void> }> = [];
      registerTrashSweep({ schedule: (name, everyMs, task) => void rounds.push({ name, everyMs, task }) }, { sweep: () => t.deps.trash.sweep(), log: { info: () => undefined } });
      assert.deepEqual(rounds.map((r) => [r.name, r.everyMs]), [['images.trash-sweep', TRASH_SWEEP_EVERY_MS]]);
      assert.equal(TRASH_SWEEP_EVERY_MS, 3_600_000);
      await rounds[0]!.task();
      // the running app registered it with its jobs backend (the table backend keeps a row per schedule)
      if (t.config.jobs.backend === 'table') {
        const row = await t.deps.db.db.selectFrom('jobSchedules').selectAll().where('name', '=', 'images.trash-sweep').executeTakeFirst();
        assert.ok(row, 'the schedule exists');
      }
    });

    it('the sweep and the emptying go through more than one page (500)', async () => {
      const s = await registerUser(t);
      await photo(s); // the account's usage row
      const now = t.clock.now();
      const rows = Array.from({ length: 1_100 }, (_, i) => ({ ...imageRow(s.userId, now - i), trashedAt: now - 31 * DAY - (i % 7) }));
      const more = Array.from({ length: 600 }, (_, i) => ({ ...imageRow(s.userId, now - i), trashedAt: now - DAY - (i % 3) }));
      for (let i = 0; i < rows.length + more.length; i += 200) await t.deps.db.db.insertInto('images').values([...rows, ...more].slice(i, i + 200)).execute();
      const bytes = (rows.length + more.length) * 100;
      await t.deps.db.db.updateTable('userUsage').set((eb) => ({ imgStorageBytes: eb('imgStorageBytes', '+', bytes), imgCount: eb('imgCount', '+', rows.length + more.length) })).where('userId', '=', s.userId).execute();
      const start = await usageOf(t, s.userId);
      assert.ok((await t.deps.trash.sweep()) >= rows.length);
      const left = await t.deps.db.db.selectFrom('images').select('id').where('userId', '=', s.userId).execute();
      assert.equal(left.length, more.length + 1, 'only the younger ones (and the live photo) are left');
      assert.equal((await usageOf(t, s.userId)).imgStorageBytes, start.imgStorageBytes - rows.length * 100);
      assert.deepEqual(ok(await call(s, 'DELETE', '/v1/trash/images')), { deleted: more.length });
      assert.equal((await usageOf(t, s.userId)).imgStorageBytes, start.imgStorageBytes - bytes);
    });
  });
}
