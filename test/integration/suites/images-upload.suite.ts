// POST /v1/images that succeed: every accepted format, the Image it answers, SVG sanitising, dedupe, and the
// quotas under concurrency. Run against each backend by the images.*.test.ts files.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { bearer, registerUser, startTestApp, type Backend, type Session, type TestApp } from '../../support/app.js';
import { multipart } from '../../support/multipart.js';
import type { S3TestConfig } from '../../support/s3.js';
import {
  distinctPng, fixture, json, leftovers, login, mediaPath, objectKeys, rowsOf, setTrialPlan, storedBytes, upload, uploadOk, usageOf,
} from './images.suite.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

type Expect = { file: string; mime: string; ext: string; width: number; height: number; pages?: number; alpha?: boolean; storedFormat: string };
const FORMATS: Expect[] = [
  { file: 'photo.jpg', mime: 'image/jpeg', ext: 'jpg', width: 640, height: 400, storedFormat: 'jpeg' },
  { file: 'photo-exif-orient6-gps.jpg', mime: 'image/jpeg', ext: 'jpg', width: 320, height: 200, storedFormat: 'jpeg' },
  { file: 'alpha.png', mime: 'image/png', ext: 'png', width: 128, height: 96, alpha: true, storedFormat: 'png' },
  { file: 'animated.gif', mime: 'image/gif', ext: 'gif', width: 64, height: 48, pages: 4, storedFormat: 'gif' },
  { file: 'animated.webp', mime: 'image/webp', ext: 'webp', width: 64, height: 48, pages: 4, storedFormat: 'webp' },
  { file: 'image.avif', mime: 'image/avif', ext: 'avif', width: 160, height: 100, storedFormat: 'heif' },
  { file: 'clean.svg', mime: 'image/svg+xml', ext: 'svg', width: 120, height: 80, storedFormat: 'svg' },
  { file: 'image.heic', mime: 'image/jpeg', ext: 'jpg', width: 320, height: 200, storedFormat: 'jpeg' },
  { file: 'image-irot.heic', mime: 'image/jpeg', ext: 'jpg', width: 320, height: 200, storedFormat: 'jpeg' },
  { file: 'wrong-extension.png', mime: 'image/jpeg', ext: 'jpg', width: 160, height: 100, storedFormat: 'jpeg' },
];

const HOSTILE_SVGS = ['hostile-script.svg', 'hostile-onload.svg', 'hostile-javascript-link.svg', 'hostile-foreignobject.svg', 'hostile-external.svg'];
const UNSAFE_SVG = /<script|<html:|\son[a-z]+\s*=|foreignObject|javascript:|data:text\/html|data:image\/svg|evil\.example|file:|@import|<iframe/i;

export function imagesUploadSuite(name: string, backend: Backend, s3?: () => S3TestConfig | undefined, skip?: string): void {
  describe(`image upload (${name})`, { skip }, () => {
    let t: TestApp;
    let s: Session;
    before(async () => {
      t = await startTestApp(backend, { s3: s3?.() });
      s = await registerUser(t);
    });
    after(async () => t?.close());

    it('stores every accepted format and answers 201 with the Image of CONTRACT §5', async () => {
      for (const f of FORMATS) {
        const bytes = await fixture(f.file);
        const img = await uploadOk(t, s.accessToken, bytes, f.file, { title: `  ${f.file} title `, tags: '["travel","2026"]', isPublic: 'true' });
        const label = f.file;
        assert.match(img.id, /^[A-Za-z0-9_-]{11}$/, label);
        assert.equal(img.url, `${t.config.mediaBaseUrl}/${img.id}.${f.ext}`, label);
        assert.equal(img.userId, s.userId, label);
        assert.equal(img.filename, f.file, label);
        assert.equal(img.title, `${f.file} title`, label);
        assert.equal(img.mimeType, f.mime, label);
        assert.deepEqual([img.width, img.height], [f.width, f.height], `${label}: dimensions as displayed (EXIF orientation / irot applied)`);
        assert.deepEqual(img.tags, ['travel', '2026'], label);
        assert.equal(img.isPublic, true, label);
        assert.equal(img.allowedReferers, null, label);
        assert.equal(img.sha256, sha256(bytes), `${label}: sha256 of the uploaded bytes`);
        assert.match(img.blurhash ?? '', /^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]{6,}$/, label);
        assert.match(img.dominantColor ?? '', /^#[0-9a-f]{6}$/, label);
        assert.equal(img.createdAt, img.updatedAt, label);
        assert.equal(new Date(img.createdAt).toISOString(), img.createdAt, label);

        const stored = await storedBytes(t, img);
        assert.equal(stored.length, img.sizeBytes, `${label}: sizeBytes is the stored size`);
        if (f.mime === 'image/svg+xml' || f.file.endsWith('.heic')) assert.notEqual(sha256(stored), img.sha256, `${label}: converted`);
        else assert.ok(stored.equals(bytes), `${label}: the original bytes are kept`);
        const meta = await sharp(stored, { pages: -1 }).metadata();
        assert.equal(meta.format, f.storedFormat, label);
        if (f.pages) assert.equal(meta.pages, f.pages, `${label}: every frame kept`);
        if (f.alpha) assert.equal(meta.hasAlpha, true, `${label}: alpha kept`);

        const served = await t.app.inject({ url: mediaPath(img) });
        assert.equal(served.statusCode, 200, label);
        assert.equal(served.headers['content-type'], f.mime, label);
        const shown = await sharp(served.rawPayload, { pages: -1 }).metadata();
        assert.equal(shown.exif, undefined, `${label}: no EXIF (GPS) is served`);
        const oriented = (shown.orientation ?? 1) >= 5 ? [shown.height, shown.width] : [shown.width, shown.height];
        assert.deepEqual([oriented[0], f.pages ? shown.pageHeight : oriented[1]], [img.width, img.height], `${label}: served as displayed`);
        if (!stored.equals(served.rawPayload)) assert.ok((await sharp(stored).metadata()).exif, `${label}: only originals with metadata are re-encoded`);
      }
    });

    it('sanitises hostile SVGs on upload: the served bytes hold no script, handler, foreignObject or external reference', async () => {
      for (const file of HOSTILE_SVGS) {
        const img = await uploadOk(t, s.accessToken, await fixture(file), file);
        assert.equal(img.mimeType, 'image/svg+xml', file);
        const served = await t.app.inject({ url: mediaPath(img) });
        assert.equal(served.statusCode, 200, file);
        const text = served.body;
        assert.doesNotMatch(text, UNSAFE_SVG, file);
        assert.match(text, /id="keep"/, `${file}: the harmless content stays`);
        assert.match(String(served.headers['content-security-policy']), /sandbox/, file);
      }
    });

    it('reads the form fields: defaults, is_public, comma tags, and ignores unknown fields', async () => {
      const plain = await uploadOk(t, s.accessToken, await distinctPng(1), 'plain.png', { unknownField: 'x' });
      assert.deepEqual([plain.isPublic, plain.tags, plain.title], [true, [], null]);
      const named = await uploadOk(t, s.accessToken, await distinctPng(9), '../..\\etc/passwd\u0007.png');
      assert.equal(named.filename, 'passwd.png', 'no path or control characters in the display name');
      assert.match(named.url, /\/[A-Za-z0-9_-]{11}\.png$/);
      const priv = await uploadOk(t, s.accessToken, await distinctPng(2), 'p.png', { is_public: 'false', tags: ' cats , dogs ,cats' });
      assert.deepEqual([priv.isPublic, priv.tags], [false, ['cats', 'dogs']]);
      const late = multipart([{ name: 'file', filename: 'late.png', data: await distinctPng(3) }, { name: 'isPublic', value: 'false' }, { name: 'tags', value: '["late"]' }]);
      const res = await t.app.inject({ method: 'POST', url: '/v1/images', headers: { ...bearer(s.accessToken), ...late.headers }, payload: late.payload });
      assert.equal(res.statusCode, 201, res.body);
      assert.deepEqual([json(res).data.isPublic, json(res).data.tags], [false, ['late']], 'fields after the file count too');
    });

    it('dedupes: the same bytes again answer 200 with X-Picora-Duplicate, the same id, and no quota used', async () => {
      const u = await registerUser(t);
      const bytes = await fixture('photo.jpg');
      const first = await uploadOk(t, u.accessToken, bytes, 'photo.jpg', { tags: '["a"]' });
      const usage = await usageOf(t, u.userId);
      assert.deepEqual(usage, { imgStorageBytes: first.sizeBytes, imgCount: 1, uploadsToday: 1 });
      const again = await upload(t, u.accessToken, bytes, 'renamed.jpg', { tags: '["b"]', isPublic: 'false' });
      assert.equal(again.statusCode, 200);
      assert.equal(again.headers['x-picora-duplicate'], 'true');
      assert.deepEqual(json(again).data, first, 'the existing Image, unchanged');
      assert.deepEqual(await usageOf(t, u.userId), usage, 'quota unchanged');
      assert.equal((await objectKeys(t, u.userId)).length, 1);
      assert.equal(first.id.length, 11);
      const other = await registerUser(t);
      const theirs = await upload(t, other.accessToken, bytes, 'photo.jpg');
      assert.equal(theirs.statusCode, 201, 'dedupe is per account');
      assert.notEqual(json(theirs).data.id, first.id);
    });

    it('a duplicate is answered even when the account is at its storage or daily limit (no quota is used)', async () => {
      const u = await registerUser(t);
      const bytes = await distinctPng(31);
      const first = await uploadOk(t, u.accessToken, bytes, 'full.png');
      const undo = await setTrialPlan(t, { imgStorageBytes: first.sizeBytes, uploadsPerDay: 1 });
      try {
        const again = await upload(t, u.accessToken, bytes, 'full.png');
        assert.equal(again.statusCode, 200, again.body);
        assert.equal(again.headers['x-picora-duplicate'], 'true');
        assert.equal(json(again).data.id, first.id);
        const fresh = await upload(t, u.accessToken, await distinctPng(32), 'new.png');
        assert.deepEqual([fresh.statusCode, json(fresh).code], [403, 'QUOTA_EXCEEDED'], 'new bytes are still refused');
      } finally {
        await undo();
      }
    });

    it('identical concurrent uploads store one image', async () => {
      const u = await registerUser(t);
      const bytes = await distinctPng(4242);
      const results = await Promise.all(Array.from({ length: 6 }, () => upload(t, u.accessToken, bytes, 'same.png')));
      assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 200, 200, 200, 200, 201], results.map((r) => r.body.slice(0, 120)).join('\n'));
      assert.equal(new Set(results.map((r) => json(r).data.id)).size, 1);
      assert.equal((await rowsOf(t, u.userId)).length, 1);
      assert.equal((await objectKeys(t, u.userId)).length, 1);
      assert.deepEqual(await usageOf(t, u.userId), { imgStorageBytes: bytes.length, imgCount: 1, uploadsToday: 1 });
    });

    it('50 concurrent uploads never pass the storage quota; rows, objects and usage agree afterwards', async () => {
      const u = await registerUser(t);
      const images = await Promise.all(Array.from({ length: 50 }, (_, i) => distinctPng(1000 + i)));
      const size = images[0]!.length;
      assert.ok(images.every((b) => b.length === size) && new Set(images.map(sha256)).size === 50, 'distinct images of one size');
      const limit = 25 * size + Math.floor(size / 2);
      const undo = await setTrialPlan(t, { imgStorageBytes: limit });
      try {
        let polling = true;
        let peak = 0;
        const poll = (async () => {
          while (polling) {
            peak = Math.max(peak, (await usageOf(t, u.userId)).imgStorageBytes);
            await new Promise((r) => setTimeout(r, 2));
          }
        })();
        const results = await Promise.all(images.map((b, i) => upload(t, u.accessToken, b, `race-${i}.png`)));
        polling = false;
        await poll;
        const ok = results.filter((r) => r.statusCode === 201);
        const refused = results.filter((r) => r.statusCode !== 201);
        assert.equal(ok.length, 25, 'exactly as many as fit');
        for (const r of refused) {
          assert.equal(r.statusCode, 403, r.body);
          assert.equal(json(r).code, 'QUOTA_EXCEEDED');
          assert.equal(json(r).meta.type, 'img_storage');
        }
        const usage = await usageOf(t, u.userId);
        assert.ok(peak <= limit && usage.imgStorageBytes <= limit, `usage ${usage.imgStorageBytes} / peak ${peak} ≤ ${limit}`);
        const rows = await rowsOf(t, u.userId);
        assert.equal(rows.length, ok.length);
        assert.equal(usage.imgStorageBytes, rows.reduce((n, r) => n + Number(r.sizeBytes), 0));
        assert.equal(usage.imgCount, rows.length);
        assert.deepEqual((await objectKeys(t, u.userId)).sort(), rows.map((r) => `images/${u.userId}/${r.id}/original`).sort());
        assert.deepEqual(await leftovers(t), []);
      } finally {
        await undo();
      }
    });

    it('uploads_per_day: the third upload of a 2/day plan is refused, the next day is fine', async () => {
      const u = await registerUser(t);
      const undo = await setTrialPlan(t, { uploadsPerDay: 2 });
      try {
        await uploadOk(t, u.accessToken, await distinctPng(71), 'a.png');
        await uploadOk(t, u.accessToken, await distinctPng(72), 'b.png');
        const third = await upload(t, u.accessToken, await distinctPng(73), 'c.png');
        assert.equal(third.statusCode, 403);
        assert.deepEqual([json(third).code, json(third).meta.type, json(third).meta.limit], ['QUOTA_EXCEEDED', 'uploads_per_day', 2]);
        assert.equal((await rowsOf(t, u.userId)).length, 2);
        t.clock.advance(24 * 3600 * 1000);
        const token = await login(t, u);
        await uploadOk(t, token, await distinctPng(73), 'c.png');
        assert.equal((await usageOf(t, u.userId)).uploadsToday, 1);
      } finally {
        await undo();
      }
    });

    it('one upload over the storage quota is refused with nothing left behind', async () => {
      const u = await registerUser(t);
      const bytes = await fixture('photo.jpg');
      const undo = await setTrialPlan(t, { imgStorageBytes: bytes.length - 1 });
      try {
        const res = await upload(t, u.accessToken, bytes, 'photo.jpg');
        assert.equal(res.statusCode, 403);
        assert.deepEqual(json(res).meta, { type: 'img_storage', limit: bytes.length - 1, used: 0 });
        assert.deepEqual(await objectKeys(t, u.userId), []);
        assert.deepEqual(await usageOf(t, u.userId), { imgStorageBytes: 0, imgCount: 0, uploadsToday: 0 });
      } finally {
        await undo();
      }
    });
  });
}
