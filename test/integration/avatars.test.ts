// Avatars (issue 10, SPEC §12) on SQLite + local and PostgreSQL + S3: POST /v1/user/me/avatar takes a JPEG, PNG,
// WebP or GIF (by its bytes) of at most 2 MB, re-encodes it to a square WebP of at most 256 px (first frame), replaces the old one
// in place (one object per user, never an orphan), counts against no quota, and shows in /v1/user/me; the public
// GET /v1/user/avatar/{userId} answers with an hour of caching, an ETag and 304s, 404 when there is none. Refused
// uploads (wrong type, too big, pixel bomb, truncated, no file) are 4xx and leave the previous avatar as it was.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { bearer, createKey, registerUser, type Session, type TestApp } from '../support/app.js';
import { startTestApp } from '../support/app.js';
import { multipart, uploadBody } from '../support/multipart.js';
import { storageKeys } from '../../src/storage/keys.js';
import { fixture, json, leftovers, usageOf } from './suites/images.suite.js';
import { backendCases, conforms } from './suites/media.support.js';

for (const c of await backendCases()) {
  describe(`avatars (${c.name})`, { skip: c.skip }, () => {
    let t: TestApp;
    let a: Session;
    let b: Session;

    before(async () => {
      t = await startTestApp(c.backend, { s3: c.s3 });
      a = await registerUser(t);
      b = await registerUser(t);
    });
    after(async () => t?.close());

    const post = (s: Session | string | undefined, data: Buffer, filename = 'me.png') => {
      const body = uploadBody(data, filename);
      const token = typeof s === 'string' ? s : s?.accessToken;
      return t.app.inject({ method: 'POST', url: '/v1/user/me/avatar', headers: { ...(token ? bearer(token) : {}), ...body.headers }, payload: body.payload });
    };
    const read = (userId: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: `/v1/user/avatar/${userId}`, headers });
    const avatarKeys = async (userId: string) => {
      const keys: string[] = [];
      for await (const k of t.deps.blobs.list(`avatars/${userId}/`)) keys.push(k);
      return keys;
    };
    const me = async (s: Session) => json(await t.app.inject({ method: 'GET', url: '/v1/user/me', headers: bearer(s.accessToken) })).data as { avatarUrl: string | null };

    it('no avatar yet: 404 in the envelope, /v1/user/me says null', async () => {
      const res = await read(a.userId);
      assert.deepEqual([res.statusCode, json(res).code], [404, 'NOT_FOUND']);
      conforms('GET', '/v1/user/avatar/{userId}', res);
      assert.equal((await me(a)).avatarUrl, null);
      for (const id of ['nobody-at-all-here-xx', '..%2F..%2Fetc', '%00']) {
        const r = await read(id);
        assert.deepEqual([r.statusCode, json(r).code], [404, 'NOT_FOUND'], `${id}: ${r.body}`);
      }
      const long = await read('x'.repeat(65));
      assert.deepEqual([long.statusCode, json(long).code], [422, 'VALIDATION_ERROR'], long.body);
    });

    let firstUrl = '';
    let firstEtag = '';

    it('a PNG becomes a square WebP (centre crop, ≤ 256 px), public with an hour of caching, an ETag and 304; no quota used', async () => {
      const before = await usageOf(t, a.userId);
      const wide = await sharp({ create: { width: 600, height: 200, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toBuffer();
      const res = await post(a, wide);
      assert.equal(res.statusCode, 200, res.body);
      conforms('POST', '/v1/user/me/avatar', res);
      firstUrl = json(res).data.avatarUrl as string;
      assert.match(firstUrl, new RegExp(`/v1/user/avatar/${a.userId}\\?v=\\d+$`));
      assert.equal((await me(a)).avatarUrl, firstUrl, '/v1/user/me shows the new avatar');
      conforms('GET', '/v1/user/me', await t.app.inject({ method: 'GET', url: '/v1/user/me', headers: bearer(a.accessToken) }));

      const got = await t.app.inject({ method: 'GET', url: new URL(firstUrl).pathname + new URL(firstUrl).search });
      assert.equal(got.statusCode, 200);
      assert.equal(got.headers['content-type'], 'image/webp');
      assert.equal(got.headers['cache-control'], 'public, max-age=3600');
      firstEtag = String(got.headers['etag']);
      assert.match(firstEtag, /^"[^"]+"$/);
      const meta = await sharp(got.rawPayload).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 200, 200], 'the centre square, not enlarged');
      const notModified = await read(a.userId, { 'if-none-match': firstEtag });
      assert.equal(notModified.statusCode, 304);
      assert.equal(notModified.rawPayload.length, 0);
      assert.equal(notModified.headers['etag'], firstEtag);
      // someone else (or nobody) sees the same public bytes
      const anon = await read(a.userId);
      assert.equal(anon.statusCode, 200);
      assert.ok(anon.rawPayload.equals(got.rawPayload));

      const after = await usageOf(t, a.userId);
      assert.deepEqual(after, before, 'an avatar counts against no quota');
      assert.deepEqual(await avatarKeys(a.userId), [storageKeys.userAvatar(a.userId)]);
      assert.equal((await t.deps.db.db.selectFrom('images').select('id').where('userId', '=', a.userId).execute()).length, 0, 'not an image of the library');
    });

    it('a JPEG replaces it in place (new version and ETag, one object); an animated GIF keeps its first frame', async () => {
      const res = await post(a, await fixture('photo.jpg'), 'photo.jpg');
      assert.equal(res.statusCode, 200, res.body);
      const url = json(res).data.avatarUrl as string;
      assert.notEqual(url, firstUrl);
      const got = await read(a.userId, { 'if-none-match': firstEtag });
      assert.equal(got.statusCode, 200, 'the old ETag no longer matches');
      assert.notEqual(got.headers['etag'], firstEtag);
      const photo = await sharp(got.rawPayload).metadata();
      assert.deepEqual([photo.format, photo.width, photo.height], ['webp', 256, 256], 'a large photo is scaled down to 256');
      assert.deepEqual(await avatarKeys(a.userId), [storageKeys.userAvatar(a.userId)], 'the old bytes were replaced, not left behind');

      const gif = await post(b, await fixture('animated.gif'), 'anim.gif');
      assert.equal(gif.statusCode, 200, gif.body);
      const meta = await sharp((await read(b.userId)).rawPayload).metadata();
      assert.equal(meta.format, 'webp');
      assert.equal(meta.width, meta.height);
      assert.equal(meta.pages ?? 1, 1, 'only the first frame');
      const webp = await post(b, await fixture('animated.webp'), 'anim.webp');
      assert.equal(webp.statusCode, 200, webp.body);
    });

    it('refused uploads: wrong type, SVG, over 2 MB, pixel bomb, truncated, no file → 4xx; the avatar stays as it was', async () => {
      const current = await read(a.userId);
      const etag = current.headers['etag'];
      const big = Buffer.concat([await fixture('photo.jpg'), Buffer.alloc(2 * 1024 * 1024)]);
      const cases: Array<[string, Buffer, string, number, string]> = [
        ['text', await fixture('not-image.txt'), 'x.png', 422, 'INVALID_FILE_TYPE'],
        ['svg', await fixture('clean.svg'), 'x.svg', 422, 'INVALID_FILE_TYPE'],
        ['avif', await fixture('image.avif'), 'x.avif', 422, 'INVALID_FILE_TYPE'],
        ['too big', big, 'big.jpg', 422, 'FILE_TOO_LARGE'],
        ['pixel bomb', await fixture('bomb-50000x50000.png'), 'bomb.png', 422, 'VALIDATION_ERROR'],
        ['truncated', await fixture('truncated.jpg'), 'cut.jpg', 422, 'VALIDATION_ERROR'],
      ];
      for (const [label, data, name, status, code] of cases) {
        const res = await post(a, data, name);
        assert.deepEqual([res.statusCode, json(res).code], [status, code], `${label}: ${res.body}`);
        assert.ok((json(res).error as string).length > 5);
        conforms('POST', '/v1/user/me/avatar', res);
      }
      const noFile = multipart([{ name: 'title', value: 'x' }]);
      const nf = await t.app.inject({ method: 'POST', url: '/v1/user/me/avatar', headers: { ...bearer(a.accessToken), ...noFile.headers }, payload: noFile.payload });
      assert.ok([400, 422].includes(nf.statusCode), nf.body);
      const notMultipart = await t.app.inject({ method: 'POST', url: '/v1/user/me/avatar', headers: bearer(a.accessToken), payload: { file: 'x' } });
      assert.equal(notMultipart.statusCode, 400, notMultipart.body);

      const still = await read(a.userId);
      assert.equal(still.headers['etag'], etag);
      assert.ok(still.rawPayload.equals(current.rawPayload), 'the previous avatar is untouched');
      assert.deepEqual(await avatarKeys(a.userId), [storageKeys.userAvatar(a.userId)]);
      assert.deepEqual(await leftovers(t), [], 'no spool or temp file left');
    });

    it('only a signed-in user sets their own avatar: anonymous → 401, an API key → refused', async () => {
      const png = await readFile(new URL('../fixtures/alpha.png', import.meta.url));
      const anon = await post(undefined, png);
      assert.deepEqual([anon.statusCode, json(anon).code], [401, 'UNAUTHORIZED']);
      conforms('POST', '/v1/user/me/avatar', anon);
      const key = await createKey(t, b, { name: 'k', scopes: ['media.read', 'media.write', 'account.read'] });
      const byKey = await post(key.key, png);
      assert.ok([401, 403].includes(byKey.statusCode), byKey.body);
    });

    it('deleting the account removes the avatar bytes', async () => {
      assert.equal((await avatarKeys(b.userId)).length, 1);
      const del = await t.app.inject({ method: 'DELETE', url: '/v1/user/me', headers: bearer(b.accessToken) });
      assert.equal(del.statusCode, 200, del.body);
      assert.deepEqual(await avatarKeys(b.userId), []);
      assert.equal((await read(b.userId)).statusCode, 404);
    });
  });
}
