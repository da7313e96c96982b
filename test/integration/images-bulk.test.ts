// Bulk edits for a selection (issue 12) on SQLite + local and PostgreSQL + local: PATCH /v1/images sets visibility
// and adds/removes tags on up to 100 images (ids of others, unknown or trashed fail and are never touched; the tag
// limits of a single PATCH; the media host sees a visibility change at once, as after a single PATCH), and
// GET /v1/images/ids answers the ids every list filter matches (up to 10 000, then `truncated`), not swallowed by
// GET /v1/images/{id}.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { bearer, createKey, registerUser, startTestApp, type Backend, type Session, type TestApp } from '../support/app.js';
import { probePostgres, skipUnless } from '../support/services.js';
import { distinctPng, json, mediaPath, uploadOk, type ImageData } from './suites/images.suite.js';
import { imageRow } from './suites/media.support.js';

const pg = await probePostgres();
const cases: Array<{ name: string; backend: Backend; skip?: string | undefined }> = [
  { name: 'SQLite + local', backend: { db: 'sqlite', store: 'local' } },
  { name: 'PostgreSQL + local', backend: { db: 'postgres', store: 'local' }, skip: skipUnless('PostgreSQL', pg) },
];

for (const c of cases) {
  describe(`bulk edits and id lists (${c.name})`, { skip: c.skip, timeout: 180_000 }, () => {
    let t: TestApp;
    let a: Session;
    let b: Session;
    let seed = 0;

    before(async () => {
      // the media host caches rows for a minute: a visibility change must reach it at once through this instance
      t = await startTestApp(c.backend, { env: { PICORA_DELIVERY_CACHE_MS: '60000' } });
      a = await registerUser(t);
      b = await registerUser(t);
    });
    after(async () => t?.close());

    const call = (s: Session | string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
      t.app.inject({ method, url, headers: bearer(typeof s === 'string' ? s : s.accessToken), ...(payload === undefined ? {} : { payload: payload as object }) });
    const ok = (res: LightMyRequestResponse) => {
      assert.equal(res.statusCode, 200, res.body);
      return json(res).data;
    };
    const photo = async (s: Session, fields: Record<string, string> = {}): Promise<ImageData> => uploadOk(t, s.accessToken, await distinctPng(++seed), `bulk${seed}.png`, fields);
    const image = async (s: Session, id: string): Promise<ImageData> => ok(await call(s, 'GET', `/v1/images/${id}`));
    const patch = (s: Session | string, body: Record<string, unknown>) => call(s, 'PATCH', '/v1/images', body);
    const ids = async (s: Session, query = ''): Promise<{ ids: string[]; truncated: boolean }> => ok(await call(s, 'GET', `/v1/images/ids${query}`));
    const refused = (res: LightMyRequestResponse, field: string) => {
      assert.equal(res.statusCode, 422, res.body);
      assert.equal(json(res).code, 'VALIDATION_ERROR');
      assert.match(json(res).error as string, new RegExp(field));
    };

    it('sets visibility on a selection; others\', unknown and trashed ids fail untouched; the media host sees it at once', async () => {
      const mine = [await photo(a), await photo(a), await photo(a)];
      const trashed = await photo(a);
      ok(await call(a, 'DELETE', `/v1/images/${trashed.id}?trash=true`));
      const theirs = await photo(b);
      for (const img of mine) assert.equal((await t.app.inject({ url: mediaPath(img) })).statusCode, 200, 'public and cached');

      const res = await patch(a, { ids: [...mine.map((i) => i.id), theirs.id, trashed.id, 'unknownImg1', mine[0]!.id], isPublic: false });
      // as in the batch delete, updated + failed = ids sent (a repeated id counts once as updated, then as failed)
      assert.deepEqual(ok(res), { updated: 3, failed: 4 });
      for (const img of mine) {
        assert.equal((await image(a, img.id)).isPublic, false);
        assert.ok(Date.parse((await image(a, img.id)).updatedAt) > Date.parse(img.updatedAt), 'updatedAt moves (sync feed)');
        assert.equal((await t.app.inject({ url: mediaPath(img) })).statusCode, 401, 'private at once');
      }
      assert.equal((await image(b, theirs.id)).isPublic, true, 'another account\'s image is not touched');
      const inTrash = ok(await call(a, 'GET', '/v1/trash/images')).items as Array<{ id: string; isPublic: boolean }>;
      assert.equal(inTrash.find((i) => i.id === trashed.id)?.isPublic, true, 'a trashed image is not touched');

      // snake_case as for PATCH /v1/images/{id}; an image already as asked counts as updated, nothing written
      const before = await image(a, mine[0]!.id);
      assert.deepEqual(ok(await patch(a, { ids: [mine[0]!.id], is_public: false })), { updated: 1, failed: 0 });
      assert.equal((await image(a, mine[0]!.id)).updatedAt, before.updatedAt);
      assert.deepEqual(ok(await patch(a, { ids: mine.map((i) => i.id), is_public: true })), { updated: 3, failed: 0 });
      for (const img of mine) assert.equal((await t.app.inject({ url: mediaPath(img) })).statusCode, 200, 'public again at once');
    });

    it('adds and removes tags with the limits of a single PATCH; tag lists and counts follow', async () => {
      const x = await photo(a, { tags: '["sea","sun"]' });
      const y = await photo(a, { tags: '["sun"]' });
      const full = await photo(a, { tags: JSON.stringify(Array.from({ length: 10 }, (_, i) => `t${i}`)) });
      const res = await patch(a, { ids: [x.id, y.id, full.id], addTags: [' beach ', 'sea'], removeTags: ['sun'] });
      assert.deepEqual(ok(res), { updated: 2, failed: 1 }, 'the image already at 10 tags would pass the limit: failed');
      assert.deepEqual((await image(a, x.id)).tags, ['sea', 'beach']);
      assert.deepEqual((await image(a, y.id)).tags, ['beach', 'sea']);
      assert.equal((await image(a, full.id)).tags.length, 10, 'left alone');
      const counts = ok(await call(a, 'GET', '/v1/images/tags')).items as Array<{ tag: string; count: number }>;
      assert.equal(counts.find((r) => r.tag === 'beach')?.count, 2);
      assert.equal(counts.find((r) => r.tag === 'sun')?.count, undefined);
      assert.deepEqual(new Set((await ids(a, '?tag=beach')).ids), new Set([x.id, y.id]));
      // removing from the full one makes room
      assert.deepEqual(ok(await patch(a, { ids: [full.id], removeTags: ['t0'], addTags: ['beach'] })), { updated: 1, failed: 0 });
      assert.ok((await image(a, full.id)).tags.includes('beach'));

      refused(await patch(a, { ids: [x.id], addTags: Array.from({ length: 11 }, (_, i) => `n${i}`) }), 'addTags');
      refused(await patch(a, { ids: [x.id], addTags: ['x'.repeat(33)] }), 'addTags');
      refused(await patch(a, { ids: [x.id], removeTags: ['bad\u0007tag'] }), 'removeTags');
      refused(await patch(a, { ids: [x.id], addTags: [' '] }), 'addTags');
      refused(await patch(a, { ids: [x.id] }), 'isPublic');
      refused(await patch(a, { ids: [], isPublic: true }), 'ids');
      refused(await patch(a, { ids: Array.from({ length: 101 }, (_, i) => `id${i}`), isPublic: true }), 'ids');
      assert.deepEqual((await image(a, x.id)).tags, ['sea', 'beach'], 'a refused request changes nothing');

      // scopes: a read-only key may not; the default key (read + write) may
      const readKey = (await createKey(t, a, { name: 'ro', scopes: ['media.read'] })).key;
      assert.equal((await patch(readKey, { ids: [x.id], isPublic: false })).statusCode, 403);
      const writeKey = (await createKey(t, a)).key;
      assert.deepEqual(ok(await patch(writeKey, { ids: [x.id], addTags: ['key'] })), { updated: 1, failed: 0 });
      assert.equal((await t.app.inject({ method: 'PATCH', url: '/v1/images', payload: { ids: [x.id], isPublic: false } })).statusCode, 401);
    });

    it('GET /v1/images/ids: every list filter, newest first like the list, live images of the caller only', async () => {
      const s = await registerUser(t);
      const album = json(await call(s, 'POST', '/v1/collections', { name: 'Ids' })).data as { id: string };
      const p1 = await photo(s, { tags: '["red"]', title: 'Harbour at night' });
      const p2 = await photo(s, { tags: '["red"]', isPublic: 'false' });
      const p3 = await photo(s);
      const gone = await photo(s, { tags: '["red"]' });
      ok(await call(s, 'DELETE', `/v1/images/${gone.id}?trash=true`));
      ok(await call(s, 'POST', '/v1/images/batch-move', { ids: [p1.id, p3.id], kbId: album.id }));
      await photo(b, { tags: '["red"]' });

      const listed = (ok(await call(s, 'GET', '/v1/images?limit=100')).items as ImageData[]).map((i) => i.id);
      const all = await ids(s);
      assert.deepEqual(all, { ids: listed, truncated: false }, 'the list\'s order, not swallowed by /v1/images/{id}');
      assert.deepEqual(new Set(all.ids), new Set([p1.id, p2.id, p3.id]));
      assert.deepEqual(new Set((await ids(s, '?tag=red')).ids), new Set([p1.id, p2.id]));
      assert.deepEqual((await ids(s, '?q=harbour')).ids, [p1.id]);
      assert.deepEqual(new Set((await ids(s, `?collection_id=${album.id}`)).ids), new Set([p1.id, p3.id]));
      assert.deepEqual((await ids(s, '?is_public=false')).ids, [p2.id]);
      assert.deepEqual(new Set((await ids(s, '?isPublic=true&tag=red')).ids), new Set([p1.id]));
      const privateList = ok(await call(s, 'GET', '/v1/images?is_public=false')) as { items: ImageData[]; total: number };
      assert.deepEqual({ ids: privateList.items.map((i) => i.id), total: privateList.total }, { ids: [p2.id], total: 1 }, 'the list takes the same filter');
      const redPublic = ok(await call(s, 'GET', '/v1/images?is_public=true&tag=red')) as { total: number };
      assert.equal(redPublic.total, 1);
      const today = new Date(t.clock.now()).toISOString().slice(0, 10);
      assert.equal((await ids(s, `?start_date=${today}&end_date=${today}`)).ids.length, 3);
      assert.deepEqual((await ids(s, '?end_date=2001-01-01')).ids, []);
      assert.equal((await call(s, 'GET', '/v1/images/ids?start_date=2024-02-30')).statusCode, 422);
      assert.equal((await call(s, 'GET', '/v1/images/ids?start_date=2024-02-02&end_date=2024-02-01')).statusCode, 422);
      assert.equal((await t.app.inject({ url: '/v1/images/ids' })).statusCode, 401);
    });

    it('GET /v1/images/ids stops at 10 000 and says so', async () => {
      const s = await registerUser(t);
      const now = t.clock.now();
      const rows = Array.from({ length: 10_005 }, (_, i) => imageRow(s.userId, now - i));
      for (let i = 0; i < rows.length; i += 500) await t.deps.db.db.insertInto('images').values(rows.slice(i, i + 500)).execute();
      const res = await ids(s);
      assert.equal(res.ids.length, 10_000);
      assert.equal(res.truncated, true);
      assert.equal(res.ids[0], rows[0]!.id, 'newest first');
      assert.equal(new Set(res.ids).size, 10_000);
      const page = ok(await call(s, 'GET', '/v1/images?limit=3')) as { items: ImageData[] };
      assert.deepEqual(res.ids.slice(0, 3), page.items.map((i) => i.id));
    });
  });
}
