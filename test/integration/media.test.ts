// The unified library (issue 10, SPEC §10) on SQLite + local and PostgreSQL + S3: images and videos in one
// newest-first keyset list (ties in one millisecond included) with filters; one item by id; the mixed delete with
// partial success that never touches another account's items; every body matches openapi.json.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, registerUser, startTestApp, type Session, type TestApp } from '../support/app.js';
import { distinctPng, json, objectKeys, originalKey, uploadOk, usageOf } from './suites/images.suite.js';
import { backendCases, conforms, insertVideo } from './suites/media.support.js';

type Item = { id: string; type: string; createdAt: string; isPublic: boolean; url?: string; playbackUrl?: string; title?: string };

for (const c of await backendCases()) {
  describe(`unified media (${c.name})`, { skip: c.skip }, () => {
    let t: TestApp;
    let a: Session;
    let b: Session;
    const made: Array<{ id: string; type: string }> = [];

    before(async () => {
      t = await startTestApp(c.backend, { s3: c.s3 });
      a = await registerUser(t);
      b = await registerUser(t);
      // images and videos interleaved in time; three share one millisecond
      for (let i = 0; i < 9; i++) {
        if (i % 3 === 2) made.push({ id: (await insertVideo(t, a.userId, { title: `Holiday clip ${i}`, isPublic: i === 5 ? 0 : 1 })).id, type: 'video' });
        else made.push({ id: (await uploadOk(t, a.accessToken, await distinctPng(i + 1), `photo-${i}.png`, { isPublic: i === 4 ? 'false' : 'true' })).id, type: 'image' });
        if (i !== 3 && i !== 4) t.clock.advance(5);
      }
      await uploadOk(t, b.accessToken, await distinctPng(99), 'b.png');
    });
    after(async () => t?.close());

    const get = (s: Session, url: string) => t.app.inject({ method: 'GET', url, headers: bearer(s.accessToken) });

    async function all(query: string, limit: number): Promise<Item[]> {
      const items: Item[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 50; pages++) {
        const res = await get(a, `/v1/media?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.equal(res.statusCode, 200, res.body);
        conforms('GET', '/v1/media', res);
        const d = json(res).data as { items: Item[]; nextCursor: string | null; hasMore: boolean };
        assert.ok(d.items.length <= limit);
        items.push(...d.items);
        assert.equal(d.hasMore, d.nextCursor !== null);
        if (!d.hasMore) return items;
        cursor = d.nextCursor;
      }
      throw new Error('too many pages');
    }

    it('lists images and videos in one newest-first order, page by page, exactly once each', async () => {
      const first = await all('', 20);
      assert.equal(first.length, 9);
      const paged = await all('', 2);
      assert.deepEqual(paged.map((i) => i.id), first.map((i) => i.id));
      assert.deepEqual(new Set(first.map((i) => `${i.type}:${i.id}`)), new Set(made.map((m) => `${m.type}:${m.id}`)));
      for (let i = 1; i < first.length; i++) assert.ok(first[i - 1]!.createdAt >= first[i]!.createdAt, 'created_at desc');
      const img = first.find((i) => i.type === 'image')!;
      const vid = first.find((i) => i.type === 'video')!;
      assert.ok(img.url && !img.playbackUrl);
      assert.ok(vid.playbackUrl && !vid.url);
    });

    it('filters: type, q, is_public', async () => {
      assert.deepEqual((await all('&type=video', 2)).map((i) => i.type), ['video', 'video', 'video']);
      assert.equal((await all('&type=image', 4)).length, 6);
      assert.equal((await all('&type=audio', 4)).length, 0);
      assert.deepEqual((await all('&q=HOLIDAY', 10)).map((i) => i.type), ['video', 'video', 'video']);
      assert.equal((await all('&q=photo-1', 10)).length, 1);
      assert.equal((await all('&q=%25', 10)).length, 0, 'LIKE wildcards are literal');
      const priv = await all('&is_public=false', 10);
      assert.deepEqual(new Set(priv.map((i) => i.id)), new Set([made[4]!.id, made[5]!.id]));
      assert.equal((await all('&is_public=true&type=image', 10)).length, 5);
    });

    it('one item by id; another account → 403; unknown → 404', async () => {
      for (const m of [made[0]!, made[2]!]) {
        const res = await get(a, `/v1/media/${m.id}`);
        assert.equal(res.statusCode, 200, res.body);
        conforms('GET', '/v1/media/{id}', res);
        assert.deepEqual([json(res).data.id, json(res).data.type], [m.id, m.type]);
      }
      const foreign = await get(b, `/v1/media/${made[0]!.id}`);
      assert.deepEqual([foreign.statusCode, json(foreign).code], [403, 'FORBIDDEN']);
      conforms('GET', '/v1/media/{id}', foreign);
      const unknown = await get(a, '/v1/media/nope-nope-nope');
      assert.deepEqual([unknown.statusCode, json(unknown).code], [404, 'NOT_FOUND']);
      conforms('GET', '/v1/media/{id}', unknown);
    });

    it('bad input → 4xx: tampered cursor 400, limit out of range 422, bad type 422; no credentials 401', async () => {
      for (const [q, status] of [['cursor=abc.def', 400], ['limit=0', 422], ['limit=101', 422], ['type=doc', 422], ['is_public=maybe', 422]] as const) {
        const res = await get(a, `/v1/media?${q}`);
        assert.equal(res.statusCode, status, `${q}: ${res.body}`);
        conforms('GET', '/v1/media', res);
      }
      const anon = await t.app.inject({ method: 'GET', url: '/v1/media' });
      assert.equal(anon.statusCode, 401);
      conforms('GET', '/v1/media', anon);
      for (const payload of [{}, { items: [] }, { items: [{ id: 'x', type: 'doc' }] }, { items: Array.from({ length: 101 }, () => ({ id: 'x', type: 'image' })) }]) {
        const res = await t.app.inject({ method: 'DELETE', url: '/v1/media', headers: bearer(a.accessToken), payload });
        assert.deepEqual([res.statusCode, json(res).code], [422, 'VALIDATION_ERROR'], JSON.stringify(payload).slice(0, 80));
        conforms('DELETE', '/v1/media', res);
      }
    });

    it('DELETE /v1/media: partial success; a foreign or unknown id fails and is never deleted; objects and quota go', async () => {
      const bImage = (await t.deps.db.db.selectFrom('images').select(['id', 'userId']).where('userId', '=', b.userId).executeTakeFirstOrThrow());
      const before = await usageOf(t, a.userId);
      const img = made[0]!;
      const vid = made[2]!;
      const imgSize = (await t.deps.db.db.selectFrom('images').select('sizeBytes').where('id', '=', img.id).executeTakeFirstOrThrow()).sizeBytes;
      assert.ok((await objectKeys(t, a.userId)).includes(originalKey({ userId: a.userId, id: img.id })));
      const res = await t.app.inject({
        method: 'DELETE', url: '/v1/media', headers: bearer(a.accessToken),
        payload: { items: [{ id: img.id, type: 'image' }, { id: vid.id, type: 'video' }, { id: bImage.id, type: 'image' }, { id: 'unknownid01', type: 'image' }, { id: vid.id, type: 'image' }, { id: 'KkVO6hcQTwBXgPTvb-_uE', type: 'audio' }] },
      });
      assert.equal(res.statusCode, 200, res.body);
      conforms('DELETE', '/v1/media', res);
      const d = json(res).data as { deleted: string[]; failed: Array<{ id: string; type: string; reason: string }> };
      assert.deepEqual(d.deleted.sort(), [img.id, vid.id].sort());
      assert.deepEqual(d.failed.map((f) => f.id).sort(), [bImage.id, 'unknownid01', vid.id, 'KkVO6hcQTwBXgPTvb-_uE'].sort());
      assert.ok(d.failed.every((f) => f.reason.length > 3));
      assert.ok(await t.deps.db.db.selectFrom('images').select('id').where('id', '=', bImage.id).executeTakeFirst(), "the other account's image stays");
      assert.equal(await t.deps.db.db.selectFrom('images').select('id').where('id', '=', img.id).executeTakeFirst(), undefined);
      assert.equal(await t.deps.db.db.selectFrom('videos').select('id').where('id', '=', vid.id).executeTakeFirst(), undefined);
      assert.ok(!(await objectKeys(t, a.userId)).includes(originalKey({ userId: a.userId, id: img.id })), 'the original is gone from the store');
      const after = await usageOf(t, a.userId);
      assert.deepEqual([after.imgStorageBytes, after.imgCount], [before.imgStorageBytes - imgSize, before.imgCount - 1]);
      assert.equal((await all('', 50)).length, 7);
    });
  });
}
