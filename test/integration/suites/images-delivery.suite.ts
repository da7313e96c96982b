// The media host, GET|HEAD /{id}.{ext}: visibility, signatures, the hotlink allow-list, validators, ranges and
// bandwidth metering. Run against each backend by the images.*.test.ts files.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import sharp from 'sharp';
import { bearer, createKey, registerUser, startTestApp, type Backend, type Session, type TestApp } from '../../support/app.js';
import type { S3TestConfig } from '../../support/s3.js';
import { distinctPng, fixture, json, mediaPath, setTrialPlan, uploadOk, type ImageData } from './images.suite.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';

export function imagesDeliverySuite(name: string, backend: Backend, s3?: () => S3TestConfig | undefined, skip?: string): void {
  describe(`image delivery (${name})`, { skip }, () => {
    let t: TestApp;
    let s: Session;
    let seed = 30_000;
    before(async () => {
      t = await startTestApp(backend, { s3: s3?.() });
      s = await registerUser(t);
    });
    after(async () => t?.close());

    const get = (img: ImageData, opts: Omit<InjectOptions, 'url'> & { query?: string } = {}) => {
      const { query, ...rest } = opts;
      return t.app.inject({ ...rest, url: `${mediaPath(img)}${query ?? ''}` });
    };
    const patch = (img: ImageData, payload: Record<string, unknown>) =>
      t.app.inject({ method: 'PATCH', url: `/v1/images/${img.id}`, headers: bearer(s.accessToken), payload });
    const signed = async (img: ImageData, expSeconds = 600) =>
      new URL(json(await t.app.inject({ method: 'POST', url: `/v1/images/${img.id}/sign`, headers: bearer(s.accessToken), payload: { expSeconds } })).data.signedUrl);
    const expectError = (res: { statusCode: number; body: string; json(): unknown }, status: number, code: string, label: string) => {
      assert.equal(res.statusCode, status, `${label}: ${res.body.slice(0, 200)}`);
      if (res.body !== '') assert.equal(json(res).code, code, label); // HEAD has no body
    };

    it('serves public images to anyone (GET and HEAD) with immutable public caching and nosniff', async () => {
      const bytes = await fixture('alpha.png');
      const img = await uploadOk(t, s.accessToken, bytes, 'alpha.png');
      const res = await get(img);
      assert.equal(res.statusCode, 200);
      assert.ok(res.rawPayload.equals(bytes));
      assert.equal(res.headers['content-type'], 'image/png');
      assert.equal(res.headers['cache-control'], IMMUTABLE);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['content-length'], String(bytes.length));
      assert.equal(res.headers['accept-ranges'], 'bytes');
      assert.match(String(res.headers.etag), /^"[^"]+"$/);
      assert.ok(res.headers['x-request-id']);
      const head = await get(img, { method: 'HEAD' });
      assert.equal(head.statusCode, 200);
      assert.equal(head.rawPayload.length, 0);
      for (const h of ['content-type', 'content-length', 'etag', 'cache-control', 'x-content-type-options']) assert.equal(head.headers[h], res.headers[h], h);

      const svg = await uploadOk(t, s.accessToken, await fixture('clean.svg'), 'clean.svg');
      const svgRes = await get(svg);
      assert.equal(svgRes.headers['content-type'], 'image/svg+xml');
      assert.match(String(svgRes.headers['content-security-policy']), /default-src 'none'.*sandbox/);
      assert.equal(svgRes.headers['x-content-type-options'], 'nosniff');
    });

    it('a wrong extension still serves the stored type; unknown parameters are 400 INVALID_IMAGE_PARAMS; unknown ids 404', async () => {
      const jpeg = await sharp(await distinctPng(seed++)).jpeg().toBuffer();
      const img = await uploadOk(t, s.accessToken, jpeg, 'photo.jpg');
      assert.ok(img.url.endsWith('.jpg'));
      const asPng = await t.app.inject({ url: `/${img.id}.png` });
      assert.equal(asPng.statusCode, 200);
      assert.equal(asPng.headers['content-type'], 'image/jpeg');
      assert.ok(asPng.rawPayload.equals(jpeg));
      for (const query of ['?bogus=1', '?w=0', '?w=abc', '?fit=squash', '?w=10&w=20']) {
        const res = await get(img, { query });
        expectError(res, 400, 'INVALID_IMAGE_PARAMS', query);
      }
      for (const url of ['/AAAAAAAAAAA.jpg', `/${img.id}`, `/${img.id}x.jpg`, '/short.jpg']) expectError(await t.app.inject({ url }), 404, 'NOT_FOUND', url);
    });

    it('private images: anonymous 401, another account 403, the owner (JWT or key) 200, signatures valid until they expire', async () => {
      const bytes = await distinctPng(seed++);
      const img = await uploadOk(t, s.accessToken, bytes, 'secret.png', { isPublic: 'false' });
      expectError(await get(img), 401, 'UNAUTHORIZED', 'anonymous');
      expectError(await get(img, { method: 'HEAD' }), 401, 'UNAUTHORIZED', 'anonymous HEAD');
      const other = await registerUser(t);
      expectError(await get(img, { headers: bearer(other.accessToken) }), 403, 'FORBIDDEN', 'another account');
      const owner = await get(img, { headers: bearer(s.accessToken) });
      assert.equal(owner.statusCode, 200);
      assert.ok(owner.rawPayload.equals(bytes));
      assert.equal(owner.headers['cache-control'], 'private, no-store');
      const { key } = await createKey(t, s);
      assert.equal((await get(img, { headers: bearer(key) })).statusCode, 200, 'owner API key');
      const { key: writeOnly } = await createKey(t, s, { name: 'w', scopes: ['images:write'] });
      expectError(await get(img, { headers: bearer(writeOnly) }), 403, 'FORBIDDEN', 'a key without media.read');

      const url = await signed(img, 60);
      const ok = await t.app.inject({ url: `${url.pathname}${url.search}` });
      assert.equal(ok.statusCode, 200);
      assert.equal(ok.headers['cache-control'], 'private, no-store');
      const sig = url.searchParams.get('sig')!;
      const exp = url.searchParams.get('exp')!;
      const tamper = (e: string, g: string) => `${url.pathname}?exp=${e}&sig=${encodeURIComponent(g)}`;
      for (const [label, u] of [
        ['tampered sig', tamper(exp, `${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`)], ['longer exp', tamper(String(Number(exp) + 3600), sig)],
        ['exp without sig', `${url.pathname}?exp=${exp}`], ['sig without exp', `${url.pathname}?sig=${sig}`], ['empty sig', tamper(exp, '')],
      ] as const) {
        expectError(await t.app.inject({ url: u }), 403, 'FORBIDDEN', label);
      }
      const otherImg = await uploadOk(t, s.accessToken, await distinctPng(seed++), 'o.png', { isPublic: 'false' });
      expectError(await t.app.inject({ url: `${mediaPath(otherImg)}${url.search}` }), 403, 'FORBIDDEN', "another image's signature");
      t.clock.advance(61_000);
      expectError(await t.app.inject({ url: `${url.pathname}${url.search}` }), 403, 'FORBIDDEN', 'expired signature');
    });

    it('the hotlink allow-list: null, [], exact host, *.subdomains, self; a non-empty list needs a Referer', async () => {
      const img = await uploadOk(t, s.accessToken, await distinctPng(seed++), 'hot.png');
      const status = async (referer?: string) => (await get(img, referer === undefined ? {} : { headers: { referer } })).statusCode;
      const expect = async (list: string[] | null, cases: Array<[string | undefined, number]>) => {
        assert.equal((await patch(img, { allowedReferers: list })).statusCode, 200);
        for (const [referer, want] of cases) assert.equal(await status(referer), want, `${JSON.stringify(list)} with Referer ${referer}`);
      };
      await expect(null, [[undefined, 200], ['https://anyone.example.net/', 200]]);
      await expect([], [[undefined, 403], ['https://blog.example.com/', 403], [`${t.config.publicUrl}/`, 403]]);
      const url = await signed(img);
      assert.equal((await t.app.inject({ url: `${url.pathname}${url.search}`, headers: { referer: 'https://evil.example/' } })).statusCode, 200, 'a signature bypasses the list');
      assert.equal((await get(img, { headers: bearer(s.accessToken) })).statusCode, 200, 'the owner bypasses the list');
      await expect(['blog.example.com'], [
        ['https://blog.example.com/post/1', 200], ['http://BLOG.Example.COM:8080/x', 200], ['https://www.blog.example.com/', 403],
        ['https://example.com/', 403], ['https://blog.example.com.evil.net/', 403], ['not a url', 403], [undefined, 403],
      ]);
      const limited = await get(img, { headers: { referer: 'https://blog.example.com/' } });
      assert.match(String(limited.headers.vary), /Referer/);
      assert.notEqual(limited.headers['cache-control'], IMMUTABLE, 'shared caches must not serve it to other referers');
      await expect(['*.example.com'], [
        ['https://a.example.com/', 200], ['https://x.y.example.com/', 200], ['https://example.com/', 403], ['https://badexample.com/', 403], [undefined, 403],
      ]);
      await expect(['self'], [
        [`${t.config.publicUrl}/dashboard`, 200], ['https://picora.me/', 200], ['https://docs.picora.me/a', 200], ['https://web.moraya.app/', 200],
        ['https://notpicora.me/', 403], ['https://picora.me.evil.net/', 403], [undefined, 403],
      ]);
      const denied = await get(img, { headers: { referer: 'https://evil.example/' } });
      expectError(denied, 403, 'FORBIDDEN', 'hotlink');
    });

    it('ETag and If-None-Match answer 304 with no body', async () => {
      const img = await uploadOk(t, s.accessToken, await distinctPng(seed++), 'etag.png');
      const first = await get(img);
      const etag = String(first.headers.etag);
      for (const inm of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
        const res = await get(img, { headers: { 'if-none-match': inm } });
        assert.equal(res.statusCode, 304, inm);
        assert.equal(res.rawPayload.length, 0);
        assert.equal(res.headers.etag, etag);
        assert.equal(res.headers['cache-control'], IMMUTABLE);
      }
      assert.equal((await get(img, { headers: { 'if-none-match': '"something-else"' } })).statusCode, 200);
      const priv = await uploadOk(t, s.accessToken, await distinctPng(seed++), 'p.png', { isPublic: 'false' });
      const pe = String((await get(priv, { headers: bearer(s.accessToken) })).headers.etag);
      assert.equal((await get(priv, { headers: { ...bearer(s.accessToken), 'if-none-match': pe } })).statusCode, 304);
      expectError(await get(priv, { headers: { 'if-none-match': pe } }), 401, 'UNAUTHORIZED', 'a validator does not bypass visibility');
    });

    it('Range answers 206 with the right bytes and Content-Range; an unsatisfiable or malformed range gets the whole body', async () => {
      const bytes = await fixture('animated.gif');
      const img = await uploadOk(t, s.accessToken, bytes, 'range.gif');
      const size = bytes.length;
      const cases: Array<[string, number, number]> = [['bytes=0-99', 0, 99], ['bytes=100-', 100, size - 1], ['bytes=-10', size - 10, size - 1], [`bytes=5-${size + 500}`, 5, size - 1]];
      for (const [range, start, end] of cases) {
        const res = await get(img, { headers: { range } });
        assert.equal(res.statusCode, 206, range);
        assert.equal(res.headers['content-range'], `bytes ${start}-${end}/${size}`, range);
        assert.equal(res.headers['content-length'], String(end - start + 1), range);
        assert.ok(res.rawPayload.equals(bytes.subarray(start, end + 1)), `${range}: the right bytes`);
      }
      for (const range of [`bytes=${size}-`, 'bytes=50-10', 'bytes=-0', 'bytes=abc', 'pages=1-2']) {
        const res = await get(img, { headers: { range } });
        assert.equal(res.statusCode, 200, range);
        assert.equal(res.headers['content-range'], undefined, range);
        assert.ok(res.rawPayload.equals(bytes), `${range}: the whole body`);
      }
      const multi = await get(img, { headers: { range: 'bytes=0-1,5-6' } });
      assert.equal(multi.statusCode, 200, 'several ranges: the whole body');
      assert.ok(multi.rawPayload.equals(bytes));
    });

    it('bandwidth: served bytes (ranges count their length; HEAD and 304 count nothing) stop delivery at the plan limit', async () => {
      const u = await registerUser(t);
      const bytes = await distinctPng(seed++);
      const img = await uploadOk(t, u.accessToken, bytes, 'bw.png');
      const size = bytes.length;
      const undo = await setTrialPlan(t, { imgBandwidthBytes: size + 10 });
      try {
        const etag = String((await get(img, { method: 'HEAD' })).headers.etag);
        for (let i = 0; i < 3; i++) assert.equal((await get(img, { headers: { 'if-none-match': etag } })).statusCode, 304);
        assert.equal((await get(img, { headers: { range: 'bytes=0-9' } })).statusCode, 206, '10 bytes used');
        assert.equal((await get(img)).statusCode, 200, `${size + 10} of ${size + 10} bytes used`);
        for (const opts of [{}, { method: 'HEAD' as const }, { headers: bearer(u.accessToken) }]) {
          const res = await get(img, opts);
          assert.equal(res.statusCode, 403, JSON.stringify(opts));
          if (opts.method !== 'HEAD') assert.deepEqual([json(res).code, json(res).meta.type], ['QUOTA_EXCEEDED', 'img_bandwidth']);
        }
        const other = await registerUser(t);
        const theirs = await uploadOk(t, other.accessToken, await distinctPng(seed++), 'x.png');
        assert.equal((await get(theirs)).statusCode, 200, "another owner's images are unaffected");
        await t.deps.db.db.updateTable('plans').set({ imgBandwidthBytes: 1024 ** 3 }).where('id', '=', 'trial').execute();
        assert.equal((await get(img)).statusCode, 200, 'a bigger plan serves again');
      } finally {
        await undo();
      }
    });
  });
}
