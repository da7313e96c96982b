// The variant cache through the media host, run against each backend by transforms-cache*.test.ts:
// validators before rendering, single-flight, the store + index tiers, canonical keys, bounded negotiation, delete.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, registerUser, startTestApp, type Backend, type Session, type TestApp } from '../../support/app.js';
import type { S3TestConfig } from '../../support/s3.js';
import { media, mediaOk, reopen, statsOf, uploadImage, variantObjects, variantRows, type Uploaded } from './transforms.suite.js';

export function transformsCacheSuite(name: string, backend: Backend, s3?: () => S3TestConfig | undefined, skip?: string): void {
  describe(`transform cache (${name})`, { skip }, () => {
    let t: TestApp;
    let s: Session;
    let photo: Uploaded;
    before(async () => {
      t = await startTestApp(backend, { s3: s3?.() });
      s = await registerUser(t);
      photo = await uploadImage(t, s.accessToken, 'photo.jpg');
    });
    after(async () => t?.close());

    it('If-None-Match answers 304 from the validator alone: no render, on a warm and on a cold instance', async () => {
      const first = await mediaOk(t, photo, 'w=120&fmt=webp');
      const etag = first.res.headers.etag as string;
      assert.match(etag, /^"v-[0-9a-f]{40}"$/);
      assert.equal(first.res.headers['cache-control'], 'public, max-age=31536000, immutable');
      const before = statsOf(t);
      const again = await media(t, photo, 'w=120&fmt=webp', { 'if-none-match': etag });
      assert.equal(again.statusCode, 304);
      assert.equal(again.rawPayload.length, 0);
      assert.equal(again.headers.etag, etag);
      assert.deepEqual(statsOf(t), before, 'no render and no cache read for a 304');
      // an ETag the client never got, for parameters never rendered: still answered without rendering
      const unseen = await media(t, photo, 'w=121&fmt=webp', { 'if-none-match': etag });
      assert.equal(unseen.statusCode, 200, 'a different variant has a different validator');

      await t.deps.variants.idle();
      const cold = await reopen(t);
      try {
        const res = await media(cold, photo, 'fmt=webp&w=120', { 'if-none-match': `W/${etag}` });
        assert.equal(res.statusCode, 304);
        assert.deepEqual(statsOf(cold), { renders: 0, hotHits: 0, storeHits: 0 }, 'a cold instance answers 304 without reading or rendering');
        const neverRendered = await media(cold, photo, 'w=77&fmt=png', { 'if-none-match': (await mediaOk(t, photo, 'w=77&fmt=png')).res.headers.etag as string });
        assert.equal(neverRendered.statusCode, 304);
        assert.equal(statsOf(cold).renders, 0);
      } finally {
        await cold.close();
      }
    });

    it('64 concurrent requests for one uncached variant render once and get identical bodies', async () => {
      const img = await uploadImage(t, s.accessToken, 'alpha.png');
      const before = statsOf(t);
      const all = await Promise.all(Array.from({ length: 64 }, () => media(t, img, 'w=100&h=50&fit=cover&fmt=webp&q=70')));
      assert.equal(t.deps.variants.stats.renders - before.renders, 1, 'exactly one render');
      assert.ok(all.every((r) => r.statusCode === 200 && r.headers['content-type'] === 'image/webp'));
      const first = all[0]!.rawPayload;
      assert.ok(first.length > 0);
      assert.ok(all.every((r) => r.rawPayload.equals(first)), 'all 64 bodies are identical');
      assert.equal(new Set(all.map((r) => r.headers.etag)).size, 1);
    });

    it('persists a variant (row + object) and a new instance serves it from the store without rendering', async () => {
      const img = await uploadImage(t, s.accessToken, 'wrong-extension.png');
      const { body } = await mediaOk(t, img, 'w=80&fmt=png');
      await t.deps.variants.idle();
      const rows = await variantRows(t, img.id);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.mimeType, 'image/png');
      assert.equal(Number(rows[0]!.sizeBytes), body.length);
      assert.match(rows[0]!.params, /(^|&)w=80(&|$)/);
      const objects = await variantObjects(t, img);
      assert.equal(objects.length, 1);
      assert.ok(objects[0]!.endsWith(`/variants/${rows[0]!.variantKey}`), 'the object is named by the row key');

      const before = statsOf(t);
      await mediaOk(t, img, 'w=80&fmt=png');
      assert.equal(t.deps.variants.stats.hotHits, before.hotHits + 1, 'the same instance answers from memory');

      const cold = await reopen(t);
      try {
        const again = await mediaOk(cold, img, 'fmt=png&w=80');
        assert.ok(again.body.equals(body), 'the stored bytes are served');
        assert.deepEqual(statsOf(cold), { renders: 0, hotHits: 0, storeHits: 1 });
        await mediaOk(cold, img, 'fmt=png&w=80');
        assert.deepEqual(statsOf(cold), { renders: 0, hotHits: 1, storeHits: 1 }, 'then from memory');
      } finally {
        await cold.close();
      }
    });

    it('canonical parameters: order, aliases, case and explicit defaults share one ETag and one cache entry', async () => {
      const img = await uploadImage(t, s.accessToken, 'cmyk.jpg');
      const first = await mediaOk(t, img, 'w=90&h=60&fmt=jpeg');
      const etag = first.res.headers.etag;
      const before = statsOf(t);
      for (const q of ['h=60&w=90&fmt=jpeg', 'fmt=jpg&w=90&h=60', 'w=90&h=60&fmt=JPEG', 'w=90&h=60&fmt=jpeg&q=85&fit=inside', 'width=90&height=60&format=jpg&quality=85', 'fit=INSIDE&q=85&h=60&fmt=jpeg&w=90']) {
        const r = await mediaOk(t, img, q);
        assert.equal(r.res.headers.etag, etag, `?${q}: same ETag`);
        assert.ok(r.body.equals(first.body), `?${q}: same bytes`);
      }
      assert.equal(t.deps.variants.stats.renders, before.renders, 'no new render');
      await t.deps.variants.idle();
      assert.equal((await variantRows(t, img.id)).length, 1, 'one variant row');
      const other = await mediaOk(t, img, 'w=90&h=60&fmt=jpeg&q=84');
      assert.notEqual(other.res.headers.etag, etag, 'a different quality is a different variant');
    });

    it('Accept cannot mint variants: many distinct Accept headers give at most 2 rows for an animation (webp, original; AVIF output would be a still)', async () => {
      const img = await uploadImage(t, s.accessToken, 'animated.gif');
      const accepts = [
        'image/avif,image/webp,*/*', 'image/avif', 'image/webp', 'image/webp,image/apng,*/*;q=0.8', '*/*', 'text/html',
        'image/avif;q=0.9, image/webp;q=0.8', 'image/png,image/jpeg', 'image/webp;q=0,image/avif;q=0', 'image/*', '',
        ...Array.from({ length: 20 }, (_, i) => `image/webp, x-noise/${i}`),
      ];
      const types = new Set<string>();
      for (const accept of accepts) {
        const res = await media(t, img, 'w=40', accept ? { accept } : {});
        assert.equal(res.statusCode, 200, accept);
        types.add(res.headers['content-type'] as string);
      }
      await t.deps.variants.idle();
      assert.deepEqual([...types].sort(), ['image/gif', 'image/webp']);
      assert.ok((await variantRows(t, img.id)).length <= 2, 'at most 2 variant rows');
    });

    it('deleting an image deletes its variants: rows cascade, objects leave the store', async () => {
      const img = await uploadImage(t, s.accessToken, 'animated.webp');
      for (const q of ['w=32&fmt=webp', 'w=32&fmt=png', 'h=20&fmt=avif']) await mediaOk(t, img, q);
      await t.deps.variants.idle();
      assert.equal((await variantRows(t, img.id)).length, 3);
      assert.equal((await variantObjects(t, img)).length, 3);
      const del = await t.app.inject({ method: 'DELETE', url: `/v1/images/${img.id}`, headers: bearer(s.accessToken) });
      assert.ok(del.statusCode === 200 || del.statusCode === 204, del.body);
      assert.equal((await variantRows(t, img.id)).length, 0, 'no variant row');
      assert.deepEqual(await variantObjects(t, img), [], 'no variant object');
      assert.equal((await media(t, img, 'w=32&fmt=webp')).statusCode, 404, 'not served from the memory tier either');
    });
  });
}
