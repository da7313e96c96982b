// `wm=<templateId>` on the media host (SPEC §7.8, §15): the owner's template is drawn where it belongs and
// nowhere else, every frame of an animation carries it, editing it changes the variant (ETag), and foreign,
// missing or plan-less uses are refused. Run per backend.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Session, TestApp } from '../../support/app.js';
import { startTestApp, type Backend } from '../../support/app.js';
import type { S3TestConfig } from '../../support/s3.js';
import { newId } from '../../../src/lib/ids.js';
import { BASE, account, busyPng, call, createTemplate, differing, json, pixels, setPlan, solidPng, uploadPng, type Uploaded } from './watermarks.support.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');

export function watermarksRenderSuite(name: string, backend: Backend, s3?: () => S3TestConfig | undefined, skip?: string): void {
  describe(`wm= watermark rendering (${name})`, { skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(backend, { s3: s3?.() });
    });
    after(async () => t?.close());

    const media = (img: Uploaded, query: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: `${img.path}?${query}`, headers });
    async function mediaOk(img: Uploaded, query: string, headers: Record<string, string> = {}) {
      const res = await media(img, query, headers);
      assert.equal(res.statusCode, 200, `?${query}: ${res.statusCode} ${res.body.slice(0, 300)}`);
      return res;
    }
    async function assertInvalidWm(img: Uploaded, wm: string): Promise<void> {
      const res = await media(img, `fmt=png&wm=${wm}`);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(json(res).code, 'INVALID_IMAGE_PARAMS');
      assert.equal(json(res).meta.param, 'wm');
    }

    let owner: Session;
    let photo: Uploaded;
    before(async () => {
      owner = await account(t);
      photo = await uploadPng(t, owner, await busyPng(7), {}, 'photo.png');
    });

    it('a text mark changes the bottom-right corner only; everything else matches the plain rendition', async () => {
      const tpl = await createTemplate(t, owner, { name: 'corner', type: 'text', text: 'PICORA', fontSize: 40, opacity: 1 });
      for (const [query, w, h] of [['fmt=png', 400, 300], ['w=200&fmt=png', 200, 150]] as const) {
        const plain = await pixels((await mediaOk(photo, query)).rawPayload);
        const marked = await pixels((await mediaOk(photo, `${query}&wm=${tpl.id}`)).rawPayload);
        assert.equal(marked.width, w);
        assert.equal(marked.height, h);
        const corner = { x0: w / 2, y0: h / 2, x1: w, y1: h };
        assert.ok(differing(plain, marked, corner) > w / 4, `${query}: the corner carries the mark`);
        assert.equal(differing(plain, marked, { x0: 0, y0: 0, x1: w, y1: h / 2 }), 0, `${query}: the top half is untouched`);
        // The mark (about 160 px wide at 40 px) fills most of the bottom of the 200-px output, but never its left edge.
        assert.equal(differing(plain, marked, { x0: 0, y0: h / 2, x1: w / 5, y1: h }), 0, `${query}: the bottom-left is untouched`);
      }
    });

    it('an image mark is drawn from the library, at most a quarter of the width, where its position says', async () => {
      const logo = await uploadPng(t, owner, await solidPng(80, 40, '#ff0000'), {}, 'logo.png');
      const tpl = await createTemplate(t, owner, { name: 'logo', type: 'image', imageUrl: logo.url, position: 'top-left', opacity: 1 });
      const plain = await pixels((await mediaOk(photo, 'fmt=png')).rawPayload);
      const marked = await pixels((await mediaOk(photo, `fmt=png&wm=${tpl.id}`)).rawPayload);
      const at = (x: number, y: number) => [...marked.data.subarray((y * marked.width + x) * 4, (y * marked.width + x) * 4 + 3)];
      assert.deepEqual(at(20, 20), [255, 0, 0], 'the logo sits in the top-left corner');
      assert.ok(differing(plain, marked, { x0: 0, y0: 0, x1: 100, y1: 60 }) >= 80 * 40 * 0.9);
      assert.equal(differing(plain, marked, { x0: 100, y0: 0, x1: 400, y1: 300 }), 0, 'right of the mark is untouched');
      assert.equal(differing(plain, marked, { x0: 0, y0: 60, x1: 100, y1: 300 }), 0, 'below the mark is untouched');
      // On a 200-px output the 80-px logo is scaled to a quarter of the width: 50 px.
      const small = await pixels((await mediaOk(photo, `w=200&fmt=png&wm=${tpl.id}`)).rawPayload);
      const smallPlain = await pixels((await mediaOk(photo, 'w=200&fmt=png')).rawPayload);
      assert.equal(differing(smallPlain, small, { x0: 60, y0: 0, x1: 200, y1: 150 }), 0);
      assert.ok(differing(smallPlain, small, { x0: 0, y0: 0, x1: 60, y1: 40 }) >= 40 * 20);

      // The image behind the mark deleted: the template has nothing to draw.
      assert.equal((await call(t, owner, 'DELETE', `/v1/images/${logo.id}`)).statusCode, 200);
      await assertInvalidWm(photo, tpl.id);
    });

    it('every frame of an animation carries the mark', async () => {
      const gif = await uploadPng(t, owner, await readFile(path.join(FIXTURES, 'animated.gif')), {}, 'animated.gif');
      const logo = await uploadPng(t, owner, await solidPng(8, 8, '#ff0000'), {}, 'dot.png');
      const tpl = await createTemplate(t, owner, { name: 'dot', type: 'image', imageUrl: logo.url, position: 'bottom-right', opacity: 1 });
      const plain = await pixels((await mediaOk(gif, 'fmt=webp&q=100')).rawPayload);
      const marked = await pixels((await mediaOk(gif, `fmt=webp&q=100&wm=${tpl.id}`)).rawPayload);
      assert.ok(marked.pages > 1, 'still animated');
      const w = marked.width;
      const h = marked.pageHeight;
      for (let page = 0; page < marked.pages; page++) {
        assert.ok(differing(plain, marked, { x0: w - 12, y0: h - 12, x1: w, y1: h }, page, 24) >= 16, `frame ${page} carries the mark`);
        assert.equal(differing(plain, marked, { x0: 0, y0: 0, x1: w, y1: h / 2 }, page, 24), 0, `frame ${page}: top half untouched`);
      }
    });

    it('editing the template changes the variant: new ETag, new bytes; the old ETag no longer matches', async () => {
      const tpl = await createTemplate(t, owner, { name: 'versioned', type: 'text', text: 'v1', fontSize: 48, opacity: 1 });
      const q = `fmt=png&wm=${tpl.id}`;
      const first = await mediaOk(photo, q);
      const etag = first.headers.etag as string;
      assert.notEqual(etag, (await mediaOk(photo, 'fmt=png')).headers.etag);
      assert.equal((await media(photo, q, { 'if-none-match': etag })).statusCode, 304);

      t.clock.advance(1000);
      assert.equal((await call(t, owner, 'PATCH', `${BASE}/${tpl.id}`, { text: 'v2 changed' })).statusCode, 200);
      const second = await media(photo, q, { 'if-none-match': etag });
      assert.equal(second.statusCode, 200, 'the old validator is stale');
      assert.notEqual(second.headers.etag, etag);
      assert.ok(!second.rawPayload.equals(first.rawPayload), 'the new text is drawn');
      assert.equal((await media(photo, q, { 'if-none-match': second.headers.etag as string })).statusCode, 304);
    });

    it("a foreign, missing or deleted template is 400 INVALID_IMAGE_PARAMS (param wm)", async () => {
      const other = await account(t);
      const theirs = await createTemplate(t, other, { name: 'theirs', type: 'text', text: 'B' });
      await assertInvalidWm(photo, theirs.id);
      await assertInvalidWm(photo, newId());
      await assertInvalidWm(photo, 'short');
      const mine = await createTemplate(t, owner, { name: 'gone soon', type: 'text', text: 'x' });
      await mediaOk(photo, `fmt=png&wm=${mine.id}`);
      assert.equal((await call(t, owner, 'DELETE', `${BASE}/${mine.id}`)).statusCode, 200);
      await assertInvalidWm(photo, mine.id);
    });

    it('needs the owner to be on a plan with watermarks: otherwise 403 PLAN_REQUIRED, for every viewer', async () => {
      const s = await account(t);
      const img = await uploadPng(t, s, await busyPng(11, 120, 90));
      const tpl = await createTemplate(t, s, { name: 'plan', type: 'text', text: 'P' });
      assert.equal((await media(img, `wm=${tpl.id}`)).statusCode, 200, 'anonymous viewers see watermarked public images');
      await setPlan(t, s.userId, 'pro');
      for (const headers of [{}, { authorization: `Bearer ${s.accessToken}` }] as Array<Record<string, string>>) {
        const res = await media(img, `wm=${tpl.id}`, headers);
        assert.equal(res.statusCode, 403);
        assert.equal(json(res).code, 'PLAN_REQUIRED');
        assert.deepEqual(json(res).meta, { requiredPlan: 'pro_plus' });
      }
      assert.equal((await media(img, 'w=60')).statusCode, 200, 'other transforms still work');
    });
  });
}
