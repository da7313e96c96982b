// Transform parameters through the media host (SQLite + local store): the allow-list and its 400s, what each
// fit, format and quality produces, Accept negotiation and its Vary header, signed transform URLs, and the
// output size bound.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, registerUser, startTestApp, type Session, type TestApp } from '../support/app.js';
import { assertInvalid, json, media, mediaOk, uploadImage, type Uploaded } from './suites/transforms.suite.js';

describe('transform parameters (SQLite + local store)', () => {
  let t: TestApp;
  let s: Session;
  let photo: Uploaded; // 640×400 JPEG
  before(async () => {
    t = await startTestApp();
    s = await registerUser(t);
    photo = await uploadImage(t, s.accessToken, 'photo.jpg');
    assert.deepEqual([photo.width, photo.height], [640, 400]);
  });
  after(async () => t?.close());

  it('w and h take whole numbers 1–4096; anything else is 400 INVALID_IMAGE_PARAMS naming the parameter', async () => {
    for (const p of ['w', 'h'] as const) {
      for (const bad of ['0', '4097', '12a', '-1', '1e3', '', '%20', '1.5', '0x10', '99999', '%2B5']) await assertInvalid(t, photo, `${p}=${bad}`, p);
      await mediaOk(t, photo, `${p}=1&fmt=png`);
      await mediaOk(t, photo, `${p}=4096&fmt=png`);
    }
    const one = await mediaOk(t, photo, 'w=1&h=1&fit=fill&fmt=png');
    assert.deepEqual([one.meta.width, one.meta.height], [1, 1]);
  });

  it('fit, fmt, q and preview take only their listed values', async () => {
    for (const bad of ['crop', 'scale-down', '', 'cover,inside']) await assertInvalid(t, photo, `w=10&fit=${bad}`, 'fit');
    for (const bad of ['gif', 'svg', 'bmp', 'tiff', 'heic', '']) await assertInvalid(t, photo, `fmt=${bad}`, 'fmt');
    for (const bad of ['0', '101', '-5', 'high', '50.5']) await assertInvalid(t, photo, `q=${bad}`, 'q');
    for (const bad of ['0', 'yes', '2']) await assertInvalid(t, photo, `preview=${bad}`, 'preview');
    await assertInvalid(t, photo, 'wm=short', 'wm');
  });

  it('unknown parameters are refused, whatever they look like', async () => {
    for (const p of ['rotate', 'filter', 'text', 'blur', 'W', 'crop', 'dpr', 'sharpen', 'background']) await assertInvalid(t, photo, `${p}=1`, p);
    await assertInvalid(t, photo, 'w=100&rotate=90', 'rotate');
    const res = await media(t, photo, 'blur=5');
    assert.match(json(res).error as string, /blur/);
  });

  it('a parameter given twice (or under its alias too) is refused', async () => {
    await assertInvalid(t, photo, 'w=100&w=100', 'w');
    await assertInvalid(t, photo, 'w=100&w=200', 'w');
    await assertInvalid(t, photo, 'w=100&width=100', 'w');
    await assertInvalid(t, photo, 'fmt=webp&fmt=png', 'fmt');
    await assertInvalid(t, photo, 'q=80&quality=80', 'q');
  });

  it('fit: cover fills the box, contain letterboxes it, inside fits in it, outside covers it, fill stretches to it', async () => {
    const geometry = async (q: string) => {
      const { meta } = await mediaOk(t, photo, `${q}&fmt=png`);
      return [meta.width, meta.height];
    };
    assert.deepEqual(await geometry('w=200&h=200&fit=cover'), [200, 200]);
    assert.deepEqual(await geometry('w=200&h=200&fit=contain'), [200, 200]);
    assert.deepEqual(await geometry('w=200&h=200&fit=inside'), [200, 125]);
    assert.deepEqual(await geometry('w=200&h=200'), [200, 125], 'inside is the default');
    assert.deepEqual(await geometry('w=200&h=200&fit=outside'), [320, 200]);
    assert.deepEqual(await geometry('w=200&h=200&fit=fill'), [200, 200]);
    assert.deepEqual(await geometry('w=320'), [320, 200], 'one side keeps the aspect ratio');
    assert.deepEqual(await geometry('h=100&fit=cover'), [160, 100]);
  });

  it('never enlarges past the original, except fill with both w and h', async () => {
    const geometry = async (q: string) => {
      const { meta } = await mediaOk(t, photo, `${q}&fmt=png`);
      return [meta.width, meta.height];
    };
    assert.deepEqual(await geometry('w=1000'), [640, 400]);
    assert.deepEqual(await geometry('h=1000&fit=outside'), [640, 400]);
    assert.deepEqual(await geometry('w=1000&h=1000&fit=inside'), [640, 400]);
    assert.deepEqual(await geometry('w=1000&h=1000&fit=outside'), [640, 400]);
    const cover = await geometry('w=1000&h=1000&fit=cover');
    assert.ok(cover[0]! <= 640 && cover[1]! <= 400, `cover does not enlarge: ${cover.join('×')}`);
    assert.deepEqual(await geometry('w=1000&h=1000&fit=fill'), [1000, 1000], 'fill with both sides is forced');
  });

  // Regression (was a bug in src/media/render.ts:93-94): fit=fill with a single side is handed to sharp as fill, which stretches the
  // given side and keeps the other at the source size: w=200&fit=fill on 640×400 gives 200×400 (a distorted
  // image) instead of 200×125 (aspect kept, as fill "stretches only when both w and h are given").
  it('fill with only one side keeps the aspect ratio (no stretch, no enlargement)', async () => {
    const a = await mediaOk(t, photo, 'w=200&fit=fill&fmt=png');
    assert.deepEqual([a.meta.width, a.meta.height], [200, 125], 'w=200&fit=fill');
    const b = await mediaOk(t, photo, 'h=1000&fit=fill&fmt=png');
    assert.deepEqual([b.meta.width, b.meta.height], [640, 400], 'h=1000&fit=fill');
  });

  // Regression (was a bug in src/media/render.ts:93-94): contain pads to the requested box even when the box is bigger than the image
  // (withoutEnlargement only stops the content growing): w=1000&h=1000&fit=contain on 640×400 gives a 1000×1000
  // canvas. Expected no side past the original (640×400), like every other non-forced fit.
  it('contain with a box bigger than the image does not grow the output past the original', async () => {
    const { meta } = await mediaOk(t, photo, 'w=1000&h=1000&fit=contain&fmt=png');
    assert.ok(meta.width! <= 640 && meta.height! <= 400, `contain: got ${meta.width}×${meta.height} from a 640×400 original`);
  });

  it('fmt webp, jpeg (and its jpg alias), png and avif give those content types', async () => {
    const cases: Array<[string, string, string]> = [['webp', 'image/webp', 'webp'], ['jpeg', 'image/jpeg', 'jpeg'], ['jpg', 'image/jpeg', 'jpeg'], ['png', 'image/png', 'png'], ['avif', 'image/avif', 'heif']];
    for (const [fmt, type, sharpFormat] of cases) {
      const { res, meta } = await mediaOk(t, photo, `w=64&fmt=${fmt}`, { accept: 'image/avif,image/webp,*/*' });
      assert.equal(res.headers['content-type'], type, fmt);
      assert.equal(meta.format, sharpFormat, `${fmt}: the bytes are ${type}`);
      assert.equal(res.headers.vary, undefined, `${fmt}: an explicit format does not vary on Accept`);
      assert.equal(Number(res.headers['content-length']), res.rawPayload.length);
    }
  });

  it('q changes the size of lossy output', async () => {
    for (const fmt of ['jpeg', 'webp', 'avif']) {
      const low = await mediaOk(t, photo, `fmt=${fmt}&q=10`);
      const high = await mediaOk(t, photo, `fmt=${fmt}&q=95`);
      assert.ok(low.body.length < high.body.length * 0.7, `${fmt}: q=10 ${low.body.length} B vs q=95 ${high.body.length} B`);
      assert.notEqual(low.res.headers.etag, high.res.headers.etag);
    }
  });

  it('no fmt: Accept chooses avif, then webp, then the original format, with Vary: Accept', async () => {
    const cases: Array<[string | undefined, string]> = [
      ['image/avif,image/webp,image/apng,*/*;q=0.8', 'image/avif'],
      ['image/webp,*/*', 'image/webp'],
      ['image/avif;q=0,image/webp', 'image/webp'],
      ['*/*', 'image/jpeg'],
      ['image/*', 'image/jpeg'],
      [undefined, 'image/jpeg'],
    ];
    for (const [accept, type] of cases) {
      const { res } = await mediaOk(t, photo, 'w=50', accept ? { accept } : {});
      assert.equal(res.headers['content-type'], type, `Accept: ${accept}`);
      assert.match(String(res.headers.vary), /\bAccept\b/, `Accept: ${accept}: Vary`);
    }
    const auto = await mediaOk(t, photo, 'w=50&fmt=auto', { accept: 'image/webp' });
    assert.equal(auto.res.headers['content-type'], 'image/webp');
    assert.match(String(auto.res.headers.vary), /\bAccept\b/);
    const plain = await mediaOk(t, photo, '', { accept: 'image/avif,image/webp' });
    assert.equal(plain.res.headers['content-type'], 'image/jpeg', 'a plain URL is the original');
    assert.equal(plain.res.headers.vary, undefined);
  });

  it('a private image: the signed transform URL works; changing or adding a parameter is 403', async () => {
    const img = await uploadImage(t, s.accessToken, 'alpha.png', { isPublic: 'false' });
    assert.equal((await media(t, img, 'w=100&fmt=webp')).statusCode, 401, 'anonymous, unsigned');
    const res = await t.app.inject({ method: 'POST', url: `/v1/images/${img.id}/sign`, headers: bearer(s.accessToken), payload: { transform: 'w=100&fmt=webp' } });
    assert.equal(res.statusCode, 200, res.body);
    const url = new URL(json(res).data.signedUrl as string);
    const signed = await t.app.inject({ method: 'GET', url: `${url.pathname}${url.search}` });
    assert.equal(signed.statusCode, 200, signed.body.slice(0, 200));
    assert.equal(signed.headers['content-type'], 'image/webp');
    assert.equal(signed.headers['cache-control'], 'private, no-store');
    const probe = await media(t, img, 'w=100&fmt=webp', { 'if-none-match': signed.headers.etag as string });
    assert.equal(probe.statusCode, 401, 'a validator never answers for a private image before authorisation');
    const q = url.searchParams;
    const tamper = async (edit: (p: URLSearchParams) => void) => {
      const p = new URLSearchParams(q);
      edit(p);
      const r = await t.app.inject({ method: 'GET', url: `${url.pathname}?${p.toString()}` });
      return [r.statusCode, json(r).code];
    };
    assert.deepEqual(await tamper((p) => p.set('w', '101')), [403, 'FORBIDDEN'], 'w changed');
    assert.deepEqual(await tamper((p) => p.set('w', '4096')), [403, 'FORBIDDEN'], 'w enlarged');
    assert.deepEqual(await tamper((p) => p.delete('fmt')), [403, 'FORBIDDEN'], 'fmt removed');
    assert.deepEqual(await tamper((p) => p.set('q', '10')), [403, 'FORBIDDEN'], 'q added');
    assert.deepEqual(await tamper((p) => { p.delete('w'); p.delete('fmt'); }), [403, 'FORBIDDEN'], 'transform removed');
    assert.deepEqual(await tamper((p) => p.set('preview', '1')), [403, 'FORBIDDEN'], 'preview added');
  });

  it('w=4096&h=4096&fit=fill on a small image is allowed and bounded at 4096×4096', async () => {
    const img = await uploadImage(t, s.accessToken, 'animated.gif');
    const { res, meta } = await mediaOk(t, img, 'w=4096&h=4096&fit=fill&fmt=jpeg');
    assert.deepEqual([meta.width, meta.height], [4096, 4096]);
    assert.equal(res.headers['content-type'], 'image/jpeg');
    await assertInvalid(t, img, 'w=4097&h=4096&fit=fill', 'w');
    await assertInvalid(t, img, 'w=4096&h=4097&fit=fill', 'h');
  });
});
