// POST /v1/images that must fail: wrong types, hostile and oversized files, bad fields, broken multipart,
// missing credentials or scope. Each gets its 4xx (never a 500) and leaves nothing behind.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { makeGifBomb, makePngBomb } from '../../fixtures/bombs.js';
import { bearer, createKey, registerUser, startTestApp, type Backend, type Session, type TestApp } from '../../support/app.js';
import { multipart, multipartStream, paddedBytes, uploadBody } from '../../support/multipart.js';
import type { S3TestConfig } from '../../support/s3.js';
import { assertNothingLeft, distinctPng, fixture, json, setTrialPlan, upload } from './images.suite.js';

const MB = 1024 * 1024;

export function imagesRejectsSuite(name: string, backend: Backend, s3?: () => S3TestConfig | undefined, skip?: string): void {
  describe(`image upload refusals (${name})`, { skip }, () => {
    let t: TestApp;
    let s: Session;
    before(async () => {
      t = await startTestApp(backend, { s3: s3?.() });
      s = await registerUser(t);
    });
    after(async () => t?.close());

    async function expectRefused(res: { statusCode: number; body: string; json(): unknown }, status: number, code: string, label: string) {
      assert.equal(res.statusCode, status, `${label}: ${res.body.slice(0, 300)}`);
      assert.equal(json(res).code, code, label);
      assert.equal(json(res).success, false, label);
      await assertNothingLeft(t, s.userId, label);
    }

    it('judges the type by magic bytes: text, a PDF polyglot, a ZIP and HTML named .svg are INVALID_FILE_TYPE', async () => {
      const cases: Array<[string, string]> = [
        ['not-image.txt', 'photo.jpg'], ['polyglot-pdf-jpeg.pdf', 'scan.jpg'], ['jpeg-in-zip.zip', 'photos.jpg'], ['html-with-svg.svg', 'page.svg'],
        ['not-image.txt', 'not-image.txt'], ['polyglot-pdf-jpeg.pdf', 'polyglot-pdf-jpeg.pdf'],
      ];
      for (const [file, sentAs] of cases) {
        const res = await upload(t, s.accessToken, await fixture(file), sentAs);
        await expectRefused(res, 422, 'INVALID_FILE_TYPE', `${file} as ${sentAs}`);
        assert.match(json(res).error, /JPEG, PNG, GIF, WebP, AVIF, SVG or HEIC/);
      }
    });

    it('pixel bombs and truncated or corrupt images are 422 VALIDATION_ERROR on field file', async () => {
      const cases: Array<[string, Buffer]> = [
        ['bomb-50000x50000.png', await fixture('bomb-50000x50000.png')],
        ['bomb-65535x65535.gif', await fixture('bomb-65535x65535.gif')],
        ['complete 20000×20000 PNG', makePngBomb(20_000, 20_000)],
        ['20000×20000 GIF', makeGifBomb(20_000, 20_000)],
        ['truncated.jpg', await fixture('truncated.jpg')],
        ['JPEG header only', (await fixture('photo.jpg')).subarray(0, 700)],
        ['PNG signature + garbage', Buffer.concat([(await fixture('alpha.png')).subarray(0, 40), Buffer.alloc(400, 7)])],
        ['an empty file', Buffer.alloc(0)],
      ];
      for (const [label, bytes] of cases) {
        const res = await upload(t, s.accessToken, bytes, 'x.png');
        await expectRefused(res, 422, 'VALIDATION_ERROR', label);
        assert.equal(json(res).meta.field, 'file', label);
      }
    });

    it("the pixel limit follows the plan, and an animation may hold 4 frames' worth of it", async () => {
      const frame = (n: number) => sharp({ create: { width: 64, height: 48, channels: 3, background: { r: n * 40, g: 80, b: 160 } } }).png().toBuffer();
      const sixFrames = await sharp(await Promise.all([0, 1, 2, 3, 4, 5].map(frame)), { join: { animated: true } }).gif().toBuffer();
      assert.equal((await sharp(sixFrames, { pages: -1 }).metadata()).pages, 6);
      const undo = await setTrialPlan(t, { maxImagePixels: 64 * 48 });
      try {
        const six = await upload(t, s.accessToken, sixFrames, 'six.gif');
        await expectRefused(six, 422, 'VALIDATION_ERROR', '6 frames over a 4-frame budget');
        assert.match(json(six).error, /6 frames/);
        const u = await registerUser(t);
        assert.equal((await upload(t, u.accessToken, await fixture('animated.gif'), 'four.gif')).statusCode, 201, '4 frames fit');
        await t.deps.db.db.updateTable('plans').set({ maxImagePixels: 64 * 48 - 1 }).where('id', '=', 'trial').execute();
        await expectRefused(await upload(t, s.accessToken, await fixture('animated.webp'), 'a.webp'), 422, 'VALIDATION_ERROR', 'one frame over the limit');
      } finally {
        await undo();
      }
    });

    it('every fixture in the corpus gets 201 or a 4xx, never a 500', async () => {
      const u = await registerUser(t);
      const files = ['alpha.png', 'animated.gif', 'animated.webp', 'bomb-50000x50000.png', 'bomb-65535x65535.gif', 'clean-prolog.svg', 'clean.svg', 'cmyk.jpg',
        'hostile-entities.svg', 'hostile-external.svg', 'hostile-foreignobject.svg', 'hostile-javascript-link.svg', 'hostile-onload.svg', 'hostile-script.svg',
        'html-with-svg.svg', 'image-irot.heic', 'image.avif', 'image.heic', 'jpeg-in-zip.zip', 'not-image.txt', 'photo-exif-orient6-gps.jpg', 'photo.jpg',
        'polyglot-pdf-jpeg.pdf', 'truncated.jpg', 'wrong-extension.png'];
      for (const file of files) {
        const res = await upload(t, u.accessToken, await fixture(file), file);
        assert.ok(res.statusCode === 201 || (res.statusCode >= 400 && res.statusCode < 500), `${file} → ${res.statusCode} ${res.body.slice(0, 200)}`);
        assert.ok(res.headers['x-request-id'], file);
      }
    });

    it('FILE_TOO_LARGE: a streamed body past the 10 MB trial limit stops mid-way and leaves no spool file', async () => {
      const head = (await fixture('alpha.png')).subarray(0, 64);
      const body = multipartStream([{ name: 'tags', value: '["big"]' }, { name: 'file', filename: 'big.png', contentType: 'image/png', data: paddedBytes(head, 10 * MB + 1) }]);
      const res = await t.app.inject({ method: 'POST', url: '/v1/images', headers: { ...bearer(s.accessToken), ...body.headers }, payload: body.payload });
      await expectRefused(res, 422, 'FILE_TOO_LARGE', '10 MB + 1');
      assert.equal(json(res).meta.maxBytes, 10 * MB);
      const under = multipartStream([{ name: 'file', filename: 'big.png', data: paddedBytes(head, 10 * MB) }]);
      const underRes = await t.app.inject({ method: 'POST', url: '/v1/images', headers: { ...bearer(s.accessToken), ...under.headers }, payload: under.payload });
      await expectRefused(underRes, 422, 'VALIDATION_ERROR', 'exactly 10 MB of a broken PNG: read whole, then refused as corrupt');
    });

    it('FILE_TOO_LARGE follows the plan: one byte over refused, exactly at the limit accepted; SVG has its own cap', async () => {
      const photo = await fixture('photo.jpg');
      const undo = await setTrialPlan(t, { maxImageBytes: photo.length - 1, maxSvgBytes: 500 });
      try {
        await expectRefused(await upload(t, s.accessToken, photo, 'photo.jpg'), 422, 'FILE_TOO_LARGE', 'photo over the plan limit');
        await expectRefused(await upload(t, s.accessToken, await fixture('clean.svg'), 'clean.svg'), 422, 'FILE_TOO_LARGE', 'SVG over the SVG cap');
        await t.deps.db.db.updateTable('plans').set({ maxImageBytes: photo.length }).where('id', '=', 'trial').execute();
        const u = await registerUser(t);
        assert.equal((await upload(t, u.accessToken, photo, 'photo.jpg')).statusCode, 201, 'exactly at the limit');
      } finally {
        await undo();
      }
    });

    it('a missing file is 422 on field file; a second file or a file under another name is refused', async () => {
      const png = await distinctPng(5);
      const only = multipart([{ name: 'title', value: 'no file here' }, { name: 'tags', value: '["x"]' }]);
      const res = await t.app.inject({ method: 'POST', url: '/v1/images', headers: { ...bearer(s.accessToken), ...only.headers }, payload: only.payload });
      await expectRefused(res, 422, 'VALIDATION_ERROR', 'no file');
      assert.equal(json(res).meta.field, 'file');
      const two = multipart([{ name: 'file', filename: 'a.png', data: png }, { name: 'file', filename: 'b.png', data: await distinctPng(6) }]);
      const twoRes = await t.app.inject({ method: 'POST', url: '/v1/images', headers: { ...bearer(s.accessToken), ...two.headers }, payload: two.payload });
      await expectRefused(twoRes, 422, 'VALIDATION_ERROR', 'two files');
      const other = multipart([{ name: 'image', filename: 'a.png', data: png }]);
      const otherRes = await t.app.inject({ method: 'POST', url: '/v1/images', headers: { ...bearer(s.accessToken), ...other.headers }, payload: other.payload });
      await expectRefused(otherRes, 422, 'VALIDATION_ERROR', 'file under "image"');
      assert.equal(json(otherRes).meta.field, 'image');
    });

    it('bad isPublic, tags and title fields are 422 naming the field', async () => {
      const png = await distinctPng(7);
      const cases: Array<[Record<string, string>, string]> = [
        [{ isPublic: 'maybe' }, 'isPublic'], [{ isPublic: '' }, 'isPublic'], [{ is_public: 'yes please' }, 'isPublic'],
        [{ tags: '["ok", 1]' }, 'tags'], [{ tags: '{"a":"b"}' }, 'tags'], [{ tags: '"just a string"' }, 'tags'],
        [{ tags: JSON.stringify(Array.from({ length: 11 }, (_, i) => `t${i}`)) }, 'tags'], [{ tags: JSON.stringify(['x'.repeat(33)]) }, 'tags'],
        [{ tags: '["bad\\u0000tag"]' }, 'tags'], [{ tags: '[""]' }, 'tags'], [{ title: 'x'.repeat(201) }, 'title'],
      ];
      for (const [fields, field] of cases) {
        const res = await upload(t, s.accessToken, png, 'p.png', fields);
        await expectRefused(res, 422, 'VALIDATION_ERROR', JSON.stringify(fields).slice(0, 60));
        assert.equal(json(res).meta.field, field, JSON.stringify(fields).slice(0, 60));
      }
    });

    it('broken multipart framing is 400 BAD_REQUEST', async () => {
      const good = uploadBody(await fixture('photo.jpg'), 'photo.jpg', { tags: '["x"]' });
      const h = { ...bearer(s.accessToken), ...good.headers };
      const cases: Array<[string, Record<string, string>, Buffer | string]> = [
        ['cut inside the file', h, good.payload.subarray(0, good.payload.length - 5_000)],
        ['cut inside the closing boundary', h, good.payload.subarray(0, good.payload.length - 10)],
        ['boundary that does not match the header', { ...bearer(s.accessToken), 'content-type': 'multipart/form-data; boundary=not-the-one' }, good.payload],
        ['no boundary parameter', { ...bearer(s.accessToken), 'content-type': 'multipart/form-data' }, good.payload],
        ['not multipart at all', h, 'hello, world'],
        ['empty body', h, ''],
        ['JSON instead of multipart', { ...bearer(s.accessToken), 'content-type': 'application/json' }, '{"file":"x"}'],
      ];
      for (const [label, headers, payload] of cases) {
        const res = await t.app.inject({ method: 'POST', url: '/v1/images', headers, payload });
        await expectRefused(res, 400, 'BAD_REQUEST', label);
      }
    });

    it('no credentials → 401; an API key without media.write → 403 FORBIDDEN; with it → 201', async () => {
      const png = await distinctPng(8);
      const anon = await upload(t, undefined, png, 'p.png');
      await expectRefused(anon, 401, 'UNAUTHORIZED', 'anonymous');
      const { key: readOnly } = await createKey(t, s, { name: 'read only', scopes: ['read'] });
      const res = await upload(t, readOnly, png, 'p.png');
      await expectRefused(res, 403, 'FORBIDDEN', 'read-only key');
      assert.equal(json(res).meta.requiredScope, 'media.write');
      const { key } = await createKey(t, await registerUser(t), { name: 'uploader', scopes: ['images:write'] });
      assert.equal((await upload(t, key, png, 'p.png')).statusCode, 201);
    });
  });
}
