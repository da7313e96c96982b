// What renditions contain (SQLite + local store): no EXIF/GPS/XMP, auto-orientation, sRGB; the owner's
// ?original=1; animations; SVG rasterised; preview=1 (not stored, rate limited); bandwidth counts variant bytes.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { bearer, registerUser, startTestApp, type Session, type TestApp } from '../support/app.js';
import {
  assertNoMetadata, assertSrgbOrNone, fixture, json, media, mediaOk, reopen, sha256, statsOf, uploadImage, variantRows, type Uploaded,
} from './suites/transforms.suite.js';

describe('transform output (SQLite + local store)', () => {
  let t: TestApp;
  let s: Session;
  let gps: Uploaded; // stored 200×320 with EXIF orientation 6 and GPS: shown 320×200
  before(async () => {
    t = await startTestApp();
    s = await registerUser(t);
    gps = await uploadImage(t, s.accessToken, 'photo-exif-orient6-gps.jpg');
  });
  after(async () => t?.close());

  it('the fixture really carries EXIF with GPS and orientation 6', async () => {
    const m = await sharp(await fixture('photo-exif-orient6-gps.jpg')).metadata();
    assert.ok(m.exif, 'EXIF present');
    assert.ok(m.exif.includes(Buffer.from([0x88, 0x25])) || m.exif.includes(Buffer.from([0x25, 0x88])), 'with a GPS IFD (tag 0x8825)');
    assert.equal(m.orientation, 6);
    assert.deepEqual([m.width, m.height], [200, 320], 'stored sideways');
    assert.deepEqual([gps.width, gps.height], [320, 200], 'the API reports the displayed size');
  });

  it('renditions in every format carry no EXIF/GPS/XMP, are turned upright, and are sRGB or untagged', async () => {
    for (const fmt of ['webp', 'jpeg', 'png', 'avif']) {
      const { body, meta } = await mediaOk(t, gps, `w=160&fmt=${fmt}`);
      assertNoMetadata(meta, body, fmt);
      assertSrgbOrNone(meta.icc, fmt);
      assert.deepEqual([meta.width, meta.height], [160, 100], `${fmt}: oriented as displayed (wider than tall)`);
    }
  });

  it('the plain URL of an image with GPS serves a stripped, upright rendition in its own format', async () => {
    const { res, body, meta } = await mediaOk(t, gps, '', { accept: 'image/avif,image/webp,*/*' });
    assert.equal(res.headers['content-type'], 'image/jpeg');
    assert.equal(res.headers.vary, undefined, 'the clean rendition does not depend on Accept');
    assertNoMetadata(meta, body, 'plain URL');
    assertSrgbOrNone(meta.icc, 'plain URL');
    assert.deepEqual([meta.width, meta.height], [320, 200]);
    assert.notEqual(sha256(body), gps.sha256, 'not the uploaded bytes');
    assert.ok(body.length < (await fixture('photo-exif-orient6-gps.jpg')).length * 2);
  });

  it('?original=1 gives the owner the uploaded bytes; anonymous 401, another account 403', async () => {
    const own = await media(t, gps, 'original=1', bearer(s.accessToken));
    assert.equal(own.statusCode, 200);
    assert.equal(sha256(own.rawPayload), gps.sha256);
    assert.equal(sha256(own.rawPayload), sha256(await fixture('photo-exif-orient6-gps.jpg')));
    const anon = await media(t, gps, 'original=1');
    assert.deepEqual([anon.statusCode, json(anon).code], [401, 'UNAUTHORIZED']);
    const other = await registerUser(t);
    const theirs = await media(t, gps, 'original=1', bearer(other.accessToken));
    assert.deepEqual([theirs.statusCode, json(theirs).code], [403, 'FORBIDDEN']);
    const mixed = await media(t, gps, 'original=1&w=10', bearer(s.accessToken));
    assert.deepEqual([mixed.statusCode, json(mixed).code], [400, 'INVALID_IMAGE_PARAMS']);
  });

  it('animated GIF and WebP stay animated as WebP (and as the original GIF); JPEG, PNG and AVIF are stills', async () => {
    for (const name of ['animated.gif', 'animated.webp']) {
      const img = await uploadImage(t, s.accessToken, name);
      const webp = await mediaOk(t, img, 'w=32&fmt=webp');
      assert.equal(webp.meta.format, 'webp');
      assert.equal(webp.meta.pages, 4, `${name} → webp keeps its 4 frames`);
      assert.deepEqual([webp.meta.width, webp.meta.pageHeight ?? webp.meta.height], [32, 24], `${name}: each frame resized`);
      for (const fmt of ['jpeg', 'png', 'avif']) {
        const still = await mediaOk(t, img, `w=32&fmt=${fmt}`);
        assert.ok((still.meta.pages ?? 1) === 1, `${name} → ${fmt} is a still`);
        assert.deepEqual([still.meta.width, still.meta.height], [32, 24], `${name} → ${fmt}: one frame, not a strip`);
      }
    }
    const gif = await uploadImage(t, s.accessToken, { data: await fixture('animated.gif'), name: 'again.gif' });
    const original = await mediaOk(t, gif, 'w=32', { accept: '*/*' });
    assert.equal(original.res.headers['content-type'], 'image/gif');
    assert.equal(original.meta.pages, 4);
  });

  // Regression (was a bug in src/domain/images/delivery.service.ts:115 → src/media/transform-params.ts:113): negotiation prefers AVIF
  // without looking at the source, and render.ts only animates webp/gif, so a browser sending Chrome's Accept gets
  // a still AVIF for `animated.gif?w=32`. Expected: an animation negotiates to an animated format (webp, or gif).
  it('an animated GIF asked for without fmt by a browser stays animated', async () => {
    const img = await uploadImage(t, s.accessToken, { data: await fixture('animated.gif'), name: 'negotiated.gif' });
    const { res, meta } = await mediaOk(t, img, 'w=32', { accept: 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8' });
    assert.ok((meta.pages ?? 1) > 1, `got ${String(res.headers['content-type'])} with ${meta.pages ?? 1} frame(s)`);
  });

  it('SVG is rasterised for every transform and never served as SVG through one', async () => {
    const svg = await uploadImage(t, s.accessToken, 'clean.svg');
    const cases: Array<[string, Record<string, string>, string]> = [
      ['fmt=png', {}, 'image/png'], ['w=60', { accept: 'image/svg+xml,*/*' }, 'image/png'], ['w=60', {}, 'image/png'],
      ['fmt=webp&w=200', {}, 'image/webp'], ['fmt=jpeg', {}, 'image/jpeg'], ['h=40', { accept: 'image/webp' }, 'image/webp'],
    ];
    for (const [q, headers, type] of cases) {
      const { res, body, meta } = await mediaOk(t, svg, q, headers);
      assert.equal(res.headers['content-type'], type, `?${q}`);
      assert.notEqual(meta.format, 'svg', `?${q}: raster bytes`);
      assert.ok(!body.toString('latin1').includes('<svg'), `?${q}: no SVG markup`);
    }
    const png = await mediaOk(t, svg, 'w=60&fmt=png');
    assert.deepEqual([png.meta.width, png.meta.height], [60, 40]);
  });

  it('preview=1 renders without storing, is private/no-store, and the 61st preview in a minute is 429', async () => {
    const owner = await registerUser(t);
    const img = await uploadImage(t, owner.accessToken, 'alpha.png');
    const before = statsOf(t);
    const first = await mediaOk(t, img, 'w=20&fmt=webp&preview=1');
    assert.equal(first.res.headers['cache-control'], 'private, no-store');
    assert.equal(first.res.headers['content-type'], 'image/webp');
    const second = await media(t, img, 'preview=1&w=20&fmt=webp', { 'if-none-match': first.res.headers.etag as string });
    assert.equal(second.statusCode, 200, 'a preview is rendered, not validated');
    assert.equal(t.deps.variants.stats.renders - before.renders, 2, 'each preview renders: nothing cached');
    await t.deps.variants.idle();
    assert.equal((await variantRows(t, img.id)).length, 0, 'no variant row');
    for (let i = 3; i <= 60; i++) assert.equal((await media(t, img, `w=${i}&preview=1`)).statusCode, 200, `preview ${i}`);
    const limited = await media(t, img, 'w=61&preview=1');
    assert.equal(limited.statusCode, 429);
    assert.equal(json(limited).code, 'RATE_LIMITED');
    const retry = Number(limited.headers['retry-after']);
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `Retry-After: ${limited.headers['retry-after']}`);
    assert.equal((await media(t, img, 'w=61')).statusCode, 200, 'ordinary transforms are not limited');
    const other = await uploadImage(t, s.accessToken, 'cmyk.jpg');
    assert.equal((await media(t, other, 'w=61&preview=1')).statusCode, 200, 'another account has its own budget');
  });
});

describe('bandwidth of transforms (SQLite + local store)', () => {
  it("counts the variant's bytes served, not the original's; 304s and HEADs count nothing", async () => {
    const tb = await startTestApp();
    let served = 0;
    let userId = '';
    let originalSize = 0;
    try {
      const user = await registerUser(tb);
      userId = user.userId;
      const photo = await uploadImage(tb, user.accessToken, 'photo.jpg');
      const gpsImg = await uploadImage(tb, user.accessToken, 'photo-exif-orient6-gps.jpg');
      originalSize = photo.sizeBytes + gpsImg.sizeBytes;
      const small = await mediaOk(tb, photo, 'w=40&fmt=webp');
      served += small.body.length;
      assert.ok(small.body.length < photo.sizeBytes / 10);
      served += (await mediaOk(tb, gpsImg, '')).body.length; // the clean rendition
      const part = await media(tb, photo, 'w=40&fmt=webp', { range: 'bytes=0-9' });
      assert.equal(part.statusCode, 206);
      served += part.rawPayload.length;
      assert.equal((await media(tb, photo, 'w=40&fmt=webp', { 'if-none-match': small.res.headers.etag as string })).statusCode, 304);
      assert.equal((await tb.app.inject({ method: 'HEAD', url: `${photo.path}?w=40&fmt=webp` })).statusCode, 200);
    } finally {
      await tb.app.close();
      await tb.deps.close(); // flushes the bandwidth meter
    }
    const tr = await reopen(tb);
    try {
      const rows = await tr.deps.db.db.selectFrom('usageMonthly').selectAll().where('userId', '=', userId).execute();
      const total = rows.reduce((n, r) => n + Number(r.imgBandwidthBytes), 0);
      assert.equal(total, served, `bandwidth ${total} B = variant bytes ${served} B (originals are ${originalSize} B)`);
    } finally {
      await tr.close();
      await rm(tb.dataDir, { recursive: true, force: true });
    }
  });
});
