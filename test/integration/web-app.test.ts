// Serving the dashboard at /app/ (src/http/plugins/web-app.ts) from a folder made here: hashed assets cached
// for a year, index.html never, SPA fallback for routes, 404 for missing files, no way out of the folder,
// and a plain page (not a crash) when the dashboard has not been built.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { webAppRoutes } from '../../src/http/plugins/web-app.js';

const BIG = Buffer.from(`export const words = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => `word-${i}`))};\n`);

async function appFor(root: string): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(webAppRoutes({ root, mediaBaseUrl: 'https://media.example.com' }));
  await app.ready();
  return app;
}

describe('the dashboard at /app/', () => {
  let dir: string;
  let built: FastifyInstance;
  let missing: FastifyInstance;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'picora-web-'));
    await mkdir(path.join(dir, 'dist', 'assets'), { recursive: true });
    await writeFile(path.join(dir, 'dist', 'index.html'), '<!doctype html><script type="module" src="/app/assets/index-abc123.js"></script>');
    await writeFile(path.join(dir, 'dist', 'assets', 'index-abc123.js'), 'console.log(1)');
    await writeFile(path.join(dir, 'secret.txt'), 'outside the web root');
    // a larger asset with the copies the build writes next to it (scripts/compress-web.mjs)
    await writeFile(path.join(dir, 'dist', 'assets', 'page-def456.js'), BIG);
    await writeFile(path.join(dir, 'dist', 'assets', 'page-def456.js.br'), brotliCompressSync(BIG));
    await writeFile(path.join(dir, 'dist', 'assets', 'page-def456.js.gz'), gzipSync(BIG));
    built = await appFor(path.join(dir, 'dist'));
    missing = await appFor(path.join(dir, 'nothing-here'));
  });

  after(async () => {
    await built?.close();
    await missing?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('redirects / and /app to /app/', async () => {
    const root = await built.inject('/');
    assert.equal(root.statusCode, 302);
    assert.equal(root.headers.location, '/app/');
    assert.equal((await built.inject('/app')).headers.location, '/app/');
  });

  it('serves index.html without caching, with a CSP that allows the media host', async () => {
    const res = await built.inject('/app/');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.match(String(res.headers['content-security-policy']), /img-src 'self' data: blob: https:\/\/media\.example\.com/);
    assert.match(res.body, /index-abc123\.js/);
  });

  it('answers app routes with index.html (SPA fallback)', async () => {
    for (const url of ['/app/images/abc', '/app/keys', '/app/login?next=%2Fusage']) {
      const res = await built.inject(url);
      assert.equal(res.statusCode, 200, url);
      assert.match(res.body, /<!doctype html>/, url);
    }
  });

  it('caches hashed assets for a year', async () => {
    const res = await built.inject('/app/assets/index-abc123.js');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /javascript/);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(res.body, 'console.log(1)');
  });

  it('404s missing files instead of sending HTML for them', async () => {
    assert.equal((await built.inject('/app/assets/index-old.js')).statusCode, 404);
    assert.equal((await built.inject('/app/favicon.ico')).statusCode, 404);
  });

  it('never serves files outside the web root', async () => {
    for (const url of ['/app/../secret.txt', '/app/%2e%2e/secret.txt', '/app/%2e%2e%2fsecret.txt', '/app/assets/..%2f..%2fsecret.txt']) {
      const res = await built.inject(url);
      assert.doesNotMatch(res.body, /outside the web root/, url);
    }
  });

  it('explains how to build the dashboard when web/dist is missing', async () => {
    for (const url of ['/app/', '/app/images/abc']) {
      const res = await missing.inject(url);
      assert.equal(res.statusCode, 503, url);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.match(res.body, /npm run build:web/);
    }
  });

  it('sends the pre-compressed copy the client accepts (brotli, then gzip), the file itself otherwise', async () => {
    const url = '/app/assets/page-def456.js';
    const br = await built.inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(br.statusCode, 200);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.match(String(br.headers['content-type']), /javascript/);
    assert.match(String(br.headers['vary']), /accept-encoding/i);
    assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.deepEqual(brotliDecompressSync(br.rawPayload), BIG);
    assert.ok(br.rawPayload.length < BIG.length / 2, 'the brotli copy is what went out');

    const gz = await built.inject({ url, headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(gz.rawPayload), BIG);

    const plain = await built.inject({ url, headers: { 'accept-encoding': 'identity' } });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.deepEqual(plain.rawPayload, BIG);

    // a file the build left without copies still goes out, as it is
    const small = await built.inject({ url: '/app/assets/index-abc123.js', headers: { 'accept-encoding': 'br' } });
    assert.equal(small.statusCode, 200);
    assert.equal(small.headers['content-encoding'], undefined);
    assert.equal(small.body, 'console.log(1)');
  });
});
