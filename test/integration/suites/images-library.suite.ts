// The library API: list (keyset pages, filters), get, patch, delete one and many, hash lookup, signed URLs,
// and the Image bodies checked against the OpenAPI contract. Run against each backend by images.*.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, createKey, registerUser, startTestApp, type Backend, type TestApp } from '../../support/app.js';
import { loadContract } from '../../support/openapi.js';
import type { S3TestConfig } from '../../support/s3.js';
import { distinctPng, json, mediaPath, objectKeys, originalKey, upload, uploadOk, usageOf, type ImageData } from './images.suite.js';

const DAY = 86_400_000;
const contract = loadContract();

export function imagesLibrarySuite(name: string, backend: Backend, s3?: () => S3TestConfig | undefined, skip?: string): void {
  describe(`image library (${name})`, { skip }, () => {
    let t: TestApp;
    let seed = 20_000;
    const png = () => distinctPng(seed++);
    before(async () => {
      t = await startTestApp(backend, { s3: s3?.() });
    });
    after(async () => t?.close());

    const list = async (token: string, query = '') => t.app.inject({ url: `/v1/images${query}`, headers: bearer(token) });
    const ids = (res: { json(): unknown }) => (json(res).data.items as ImageData[]).map((i) => i.id);

    it('lists newest first and pages by keyset cursor with no duplicates or gaps, even while uploads arrive', async () => {
      const s = await registerUser(t);
      const uploaded: ImageData[] = [];
      for (let i = 0; i < 7; i++) {
        if (i % 3 === 0) t.clock.advance(1000); // some share a createdAt: the id breaks the tie
        uploaded.push(await uploadOk(t, s.accessToken, await png(), `img-${i}.png`));
      }
      const expected = [...uploaded].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || (a.id < b.id ? 1 : -1)).map((i) => i.id);
      const all = await list(s.accessToken);
      assert.deepEqual(Object.keys(json(all).data).sort(), ['hasMore', 'items', 'nextCursor', 'total']);
      assert.deepEqual(ids(all), expected);
      assert.deepEqual([json(all).data.total, json(all).data.hasMore, json(all).data.nextCursor], [7, false, null]);

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await list(s.accessToken, `?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.equal(res.statusCode, 200, res.body);
        const d = json(res).data;
        seen.push(...ids(res));
        assert.equal(d.hasMore, d.nextCursor !== null);
        assert.equal(d.total, 7 + (pages > 0 ? 1 : 0));
        cursor = d.nextCursor;
        if (pages++ === 0) {
          t.clock.advance(1000);
          await uploadOk(t, s.accessToken, await png(), 'arrives-mid-way.png');
        }
      } while (cursor);
      assert.equal(pages, 3);
      assert.deepEqual(seen, expected, 'every image once, in order');
    });

    it('refuses out-of-range limits (422) and tampered cursors (400)', async () => {
      const s = await registerUser(t);
      for (let i = 0; i < 2; i++) await uploadOk(t, s.accessToken, await png(), 'p.png');
      for (const limit of ['0', '101', '-1', 'abc', '1.5']) {
        const res = await list(s.accessToken, `?limit=${limit}`);
        assert.equal(res.statusCode, 422, `limit=${limit}: ${res.body}`);
        assert.equal(json(res).meta.field, 'limit');
      }
      assert.equal(json(await list(s.accessToken, '?limit=100')).data.items.length, 2);
      const cursor = json(await list(s.accessToken, '?limit=1')).data.nextCursor as string;
      assert.equal((await list(s.accessToken, `?limit=1&cursor=${cursor}`)).statusCode, 200);
      const flipped = `${cursor.slice(0, 5)}${cursor[5] === 'A' ? 'B' : 'A'}${cursor.slice(6)}`;
      const forged = `${Buffer.from(JSON.stringify({ c: 0, i: 'x' })).toString('base64url')}.${cursor.split('.')[1]}`;
      for (const bad of [flipped, forged, 'abc', 'a.b.c', '%00', 'x'.repeat(250)]) {
        const res = await list(s.accessToken, `?cursor=${encodeURIComponent(bad)}`);
        assert.ok([400, 422].includes(res.statusCode), `${bad.slice(0, 20)}: ${res.statusCode}`);
        if (bad.length < 250) assert.equal(json(res).code, 'BAD_REQUEST', bad);
      }
      const other = await registerUser(t);
      assert.deepEqual(ids(await list(other.accessToken, `?cursor=${cursor}`)), [], "another account's cursor shows nothing of this one");
    });

    it('filters by tag, by inclusive start_date/end_date, and by q on title or filename', async () => {
      const s = await registerUser(t);
      const { key } = await createKey(t, s, { name: 'lib', scopes: ['read_write_delete'] }); // outlives the test clock's jumps
      const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      const d0 = t.clock.now();
      const a = await uploadOk(t, key, await png(), 'IMG_0042.JPG.png', { tags: '["travel","2026"]', title: 'Sunset at the beach' });
      t.clock.advance(2 * DAY);
      const b = await uploadOk(t, key, await png(), 'cat.png', { tags: '["pets"]', title: 'Discount 50%' });
      t.clock.advance(2 * DAY);
      const c = await uploadOk(t, key, await png(), 'dog.png', { tags: '["pets","travel"]', title: '500 dogs' });
      const q = async (query: string) => ids(await list(key, query));
      assert.deepEqual(await q('?tag=travel'), [c.id, a.id]);
      assert.deepEqual(await q('?tag=pets'), [c.id, b.id]);
      assert.deepEqual(await q('?tag=Travel'), [], 'exact match');
      assert.deepEqual(await q('?tag=trav'), []);
      assert.deepEqual(await q(`?start_date=${day(d0 + 2 * DAY)}&end_date=${day(d0 + 2 * DAY)}`), [b.id], 'one day, inclusive');
      assert.deepEqual(await q(`?start_date=${day(d0)}&end_date=${day(d0 + 2 * DAY)}`), [b.id, a.id]);
      assert.deepEqual(await q(`?start_date=${day(d0 + DAY)}`), [c.id, b.id]);
      assert.deepEqual(await q(`?end_date=${day(d0 + 3 * DAY)}`), [b.id, a.id]);
      assert.deepEqual(await q(`?tag=travel&start_date=${day(d0 + DAY)}`), [c.id], 'filters combine');
      assert.equal(json(await list(key, `?tag=travel&start_date=${day(d0 + DAY)}`)).data.total, 1, 'total follows the filters');
      assert.deepEqual(await q('?q=SUNSET'), [a.id], 'title, case-insensitive');
      assert.deepEqual(await q('?q=img_00'), [a.id], 'filename; _ is literal');
      assert.deepEqual(await q('?q=50%25'), [b.id], '% is literal');
      assert.deepEqual(await q('?q=dog'), [c.id]);
      for (const bad of ['?start_date=2026-02-30', '?start_date=yesterday', '?end_date=2026-1-1', `?start_date=${day(d0 + DAY)}&end_date=${day(d0)}`]) {
        const res = await list(key, bad);
        assert.equal(res.statusCode, 422, `${bad}: ${res.body}`);
        assert.match(json(res).meta.field, /^(start_date|end_date)$/);
      }
    });

    it("GET/PATCH/DELETE one image: another account's is 403 FORBIDDEN, a missing one 404 NOT_FOUND", async () => {
      const s = await registerUser(t);
      const other = await registerUser(t);
      const img = await uploadOk(t, s.accessToken, await png(), 'mine.png', { tags: '["old"]', title: 'first' });
      const got = await t.app.inject({ url: `/v1/images/${img.id}`, headers: bearer(s.accessToken) });
      assert.deepEqual(json(got).data, img);
      const missing = 'AAAAAAAAAAA';
      for (const [method, payload] of [['GET'], ['PATCH', { title: 'x' }], ['DELETE'], ['POST', {}]] as const) {
        const url = method === 'POST' ? `/v1/images/${img.id}/sign` : `/v1/images/${img.id}`;
        const theirs = await t.app.inject({ method, url, headers: bearer(other.accessToken), ...(payload ? { payload } : {}) });
        assert.equal(theirs.statusCode, 403, `${method}: ${theirs.body}`);
        assert.equal(json(theirs).code, 'FORBIDDEN');
        const gone = await t.app.inject({ method, url: url.replace(img.id, missing), headers: bearer(s.accessToken), ...(payload ? { payload } : {}) });
        assert.equal(gone.statusCode, 404, `${method}: ${gone.body}`);
        assert.equal(json(gone).code, 'NOT_FOUND');
      }
      assert.equal((await t.app.inject({ url: `/v1/images/${img.id}` })).statusCode, 401);
      assert.equal(json(await t.app.inject({ url: `/v1/images/${img.id}`, headers: bearer(s.accessToken) })).data.title, 'first', 'untouched');
    });

    it('PATCH changes title, replaces tags, flips visibility (isPublic and is_public) and sets allowedReferers', async () => {
      const s = await registerUser(t);
      const img = await uploadOk(t, s.accessToken, await png(), 'p.png', { tags: '["old","keep"]' });
      const patch = async (payload: Record<string, unknown>) => t.app.inject({ method: 'PATCH', url: `/v1/images/${img.id}`, headers: bearer(s.accessToken), payload });
      t.clock.advance(5000);
      const r1 = json(await patch({ title: '  New title ', tags: ['keep', 'new'], isPublic: false })).data;
      assert.deepEqual([r1.title, r1.tags, r1.isPublic], ['New title', ['keep', 'new'], false]);
      assert.equal(Date.parse(r1.updatedAt) - Date.parse(img.updatedAt), 5000, 'updatedAt refreshed');
      assert.equal(r1.createdAt, img.createdAt);
      assert.deepEqual(ids(await list(s.accessToken, '?tag=old')), [], 'tags fully replaced');
      assert.deepEqual(ids(await list(s.accessToken, '?tag=new')), [img.id]);
      assert.equal(json(await patch({ is_public: true })).data.isPublic, true, 'snake_case is_public');
      assert.equal(json(await patch({ title: null })).data.title, null);
      const refs = json(await patch({ allowedReferers: ['Blog.Example.com', '*.example.org', 'self', 'self'] })).data;
      assert.deepEqual(refs.allowedReferers, ['blog.example.com', '*.example.org', 'self']);
      assert.deepEqual(json(await patch({ allowedReferers: [] })).data.allowedReferers, []);
      assert.equal(json(await patch({ allowedReferers: null })).data.allowedReferers, null);
      const bad: Array<[Record<string, unknown>, RegExp]> = [
        [{ allowedReferers: ['sub.*.com'] }, /^allowedReferers/], [{ allowedReferers: ['*example.com'] }, /^allowedReferers/],
        [{ allowedReferers: ['https://blog.example.com/'] }, /^allowedReferers/], [{ allowedReferers: ['localhost'] }, /^allowedReferers/],
        [{ tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, /^tags/], [{ tags: ['x'.repeat(33)] }, /^tags/], [{ tags: [1, {}] }, /^tags/],
        [{ isPublic: 'yes' }, /^isPublic/], [{ title: 'x'.repeat(201) }, /^title/],
      ];
      for (const [payload, field] of bad) {
        const res = await patch(payload);
        assert.equal(res.statusCode, 422, `${JSON.stringify(payload).slice(0, 50)}: ${res.body}`);
        assert.match(json(res).meta.field, field);
      }
      assert.deepEqual(json(await t.app.inject({ url: `/v1/images/${img.id}`, headers: bearer(s.accessToken) })).data.tags, ['keep', 'new'], 'refusals change nothing');
    });

    it('DELETE frees the quota and the bytes; the URL then answers 404', async () => {
      const s = await registerUser(t);
      const keep = await uploadOk(t, s.accessToken, await png(), 'keep.png');
      const img = await uploadOk(t, s.accessToken, await png(), 'bye.png');
      assert.equal((await usageOf(t, s.userId)).imgStorageBytes, keep.sizeBytes + img.sizeBytes);
      assert.ok(await t.deps.blobs.head(originalKey(img)));
      const del = await t.app.inject({ method: 'DELETE', url: `/v1/images/${img.id}`, headers: bearer(s.accessToken) });
      assert.deepEqual(del.json(), { success: true, data: null });
      assert.deepEqual(await usageOf(t, s.userId), { imgStorageBytes: keep.sizeBytes, imgCount: 1, uploadsToday: 2 });
      assert.equal(await t.deps.blobs.head(originalKey(img)), undefined, 'object gone');
      assert.equal((await t.app.inject({ url: mediaPath(img) })).statusCode, 404);
      assert.equal((await t.app.inject({ url: `/v1/images/${img.id}`, headers: bearer(s.accessToken) })).statusCode, 404);
      assert.equal((await t.app.inject({ method: 'DELETE', url: `/v1/images/${img.id}`, headers: bearer(s.accessToken) })).statusCode, 404);
      assert.equal((await t.app.inject({ url: mediaPath(keep) })).statusCode, 200);
      const { key } = await createKey(t, s, { name: 'no delete' });
      const denied = await t.app.inject({ method: 'DELETE', url: `/v1/images/${keep.id}`, headers: bearer(key) });
      assert.deepEqual([denied.statusCode, json(denied).meta.requiredScope], [403, 'media.delete']);
      const again = await upload(t, s.accessToken, await distinctPng(seed - 1), 'bye.png');
      assert.equal(again.statusCode, 201, 'the same bytes upload anew after a delete');

      const raced = json(again).data as ImageData;
      const deletes = await Promise.all(Array.from({ length: 5 }, () => t.app.inject({ method: 'DELETE', url: `/v1/images/${raced.id}`, headers: bearer(s.accessToken) })));
      assert.deepEqual(deletes.map((r) => r.statusCode).sort(), [200, 404, 404, 404, 404], 'concurrent deletes: one wins');
      assert.deepEqual(await usageOf(t, s.userId), { imgStorageBytes: keep.sizeBytes, imgCount: 1, uploadsToday: 3 }, 'freed once');
    });

    it('batch DELETE answers {deleted, failed}; one failure does not stop the others', async () => {
      const s = await registerUser(t);
      const other = await registerUser(t);
      const mine = [await uploadOk(t, s.accessToken, await png(), 'a.png'), await uploadOk(t, s.accessToken, await png(), 'b.png')];
      const kept = await uploadOk(t, s.accessToken, await png(), 'c.png');
      const theirs = await uploadOk(t, other.accessToken, await png(), 'x.png');
      const res = await t.app.inject({ method: 'DELETE', url: '/v1/images', headers: bearer(s.accessToken), payload: { ids: [mine[0]!.id, theirs.id, mine[1]!.id, 'AAAAAAAAAAA'] } });
      assert.deepEqual(res.json(), { success: true, data: { deleted: 2, failed: 2 } });
      assert.deepEqual(ids(await list(s.accessToken)), [kept.id]);
      assert.deepEqual(await objectKeys(t, s.userId), [originalKey(kept)]);
      assert.equal((await usageOf(t, s.userId)).imgStorageBytes, kept.sizeBytes);
      assert.equal((await t.app.inject({ url: `/v1/images/${theirs.id}`, headers: bearer(other.accessToken) })).statusCode, 200, "the other account's image stays");
      for (const payload of [{ ids: [] }, { ids: Array.from({ length: 51 }, (_, i) => `id${i}`) }, {}, { ids: [''] }]) {
        const bad = await t.app.inject({ method: 'DELETE', url: '/v1/images', headers: bearer(s.accessToken), payload });
        assert.equal(bad.statusCode, 422, JSON.stringify(payload).slice(0, 40));
      }
    });

    it('POST /v1/images/exists sorts hashes into existing and missing; bad hashes are 422', async () => {
      const s = await registerUser(t);
      const other = await registerUser(t);
      const img = await uploadOk(t, s.accessToken, await png(), 'a.png');
      const foreign = await uploadOk(t, other.accessToken, await png(), 'b.png');
      const unknown = 'f'.repeat(64);
      const res = await t.app.inject({ method: 'POST', url: '/v1/images/exists', headers: bearer(s.accessToken), payload: { hashes: [img.sha256, unknown, foreign.sha256, img.sha256] } });
      assert.deepEqual(res.json(), { success: true, data: { existing: { [img.sha256]: { id: img.id, url: img.url } }, missing: [unknown, foreign.sha256] } });
      for (const hashes of [['XYZ'], [img.sha256.toUpperCase()], [`${img.sha256}0`], [], Array.from({ length: 201 }, () => unknown)]) {
        const bad = await t.app.inject({ method: 'POST', url: '/v1/images/exists', headers: bearer(s.accessToken), payload: { hashes } });
        assert.equal(bad.statusCode, 422, `${JSON.stringify(hashes).slice(0, 40)}: ${bad.body}`);
        assert.match(json(bad).meta.field, /^hashes/);
      }
      assert.deepEqual(await usageOf(t, s.userId), { imgStorageBytes: img.sizeBytes, imgCount: 1, uploadsToday: 1 }, 'read-only');
    });

    it('sign answers {signedUrl, expiresAt, exp}; expSeconds is 1–86400, default 3600', async () => {
      const s = await registerUser(t);
      const img = await uploadOk(t, s.accessToken, await png(), 'a.png', { isPublic: 'false' });
      const sign = (payload?: unknown) => t.app.inject({ method: 'POST', url: `/v1/images/${img.id}/sign`, headers: bearer(s.accessToken), ...(payload === undefined ? {} : { payload: payload as object }) });
      const now = Math.floor(t.clock.now() / 1000);
      const d = json(await sign({ expSeconds: 60 })).data;
      assert.deepEqual(Object.keys(d).sort(), ['exp', 'expiresAt', 'signedUrl']);
      assert.equal(d.exp, now + 60);
      assert.equal(d.expiresAt, new Date(d.exp * 1000).toISOString());
      const u = new URL(d.signedUrl);
      assert.equal(`${u.origin}${u.pathname}`, img.url);
      assert.equal(u.searchParams.get('exp'), String(d.exp));
      assert.match(u.searchParams.get('sig') ?? '', /^[A-Za-z0-9_-]{20,}$/);
      assert.equal(json(await sign()).data.exp, now + 3600);
      assert.equal(json(await sign({})).data.exp, now + 3600);
      for (const expSeconds of [0, 86_401, -5, 'soon']) assert.equal((await sign({ expSeconds })).statusCode, 422, String(expSeconds));
    });

    it('Image bodies conform to the OpenAPI contract (upload 201, GET, PATCH, DELETE, errors)', async (ctx) => {
      if ('skip' in contract) return ctx.skip(contract.skip);
      const v = contract.validator;
      const s = await registerUser(t);
      const up = await upload(t, s.accessToken, await png(), 'c.png', { tags: '["a"]', title: 'T' });
      assert.ok(v.check('POST', '/v1/images', 201, up.json()));
      const id = json(up).data.id as string;
      assert.ok(v.check('GET', '/v1/images/{id}', 200, (await t.app.inject({ url: `/v1/images/${id}`, headers: bearer(s.accessToken) })).json()));
      const patched = await t.app.inject({ method: 'PATCH', url: `/v1/images/${id}`, headers: bearer(s.accessToken), payload: { title: 'U', is_public: false } });
      assert.ok(v.check('PATCH', '/v1/images/{id}', 200, patched.json()));
      v.check('GET', '/v1/images/{id}', 404, (await t.app.inject({ url: '/v1/images/AAAAAAAAAAA', headers: bearer(s.accessToken) })).json());
      v.check('POST', '/v1/images', 422, (await upload(t, s.accessToken, Buffer.from('plain text'), 'a.txt')).json());
      v.check('POST', '/v1/images', 401, (await upload(t, undefined, await png(), 'a.png')).json());
      v.check('DELETE', '/v1/images/{id}', 200, (await t.app.inject({ method: 'DELETE', url: `/v1/images/${id}`, headers: bearer(s.accessToken) })).json());
      console.log('# conformance: GET /v1/images is not validated — it answers {items, nextCursor, hasMore, total} (CONTRACT §5), the OpenAPI ImageList says `images`');
    });
  });
}
