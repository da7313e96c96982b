// Upload from URL (issue 11): POST /v1/images with JSON {url} fetches the image through the SSRF guard
// (src/lib/safe-fetch.ts). Every refused address class is tried (literals, names that resolve to them, redirects
// to them); the legitimate fetches come from a loopback server allowed only through PICORA_FETCH_ALLOW_HOSTS.
// Nothing here reaches an outside host: every URL is loopback, or refused before any lookup or connection, and
// names other than `localhost` are resolved by an injected resolver, never by outside DNS.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { createSafeFetcher, SafeFetchError, type Resolver } from '../../src/lib/safe-fetch.js';
import { bearer, registerUser, startTestApp, type Session, type TestApp } from '../support/app.js';
import { assertNothingLeft, distinctPng, json, mediaPath, upload, usageOf, type ImageData } from './suites/images.suite.js';

const MB = 1024 * 1024;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

type Server = { port: number; close(): Promise<void> };

async function listen(handler: http.RequestListener): Promise<Server> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** The "internal" service an attacker wants: loopback, NOT on the allow-list. Any request to it is a failure. */
const secretHits: string[] = [];
/** Bytes the big-body route managed to write before the fetch hung up. */
const sent = { stream: 0 };

function origin(port: number): http.RequestListener {
  return (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const hop = /^\/hop\/(\d+)$/.exec(u.pathname);
    if (hop) {
      const n = Number(hop[1]);
      // relative and absolute Locations alternate: both are resolved against the hop that sent them
      const next = n > 1 ? (n % 2 ? `/hop/${n - 1}${u.search}` : `http://127.0.0.1:${port}/hop/${n - 1}${u.search}`) : `/hops.png${u.search}`;
      res.writeHead(302, { location: next }).end();
      return;
    }
    switch (u.pathname) {
      case '/cat.png':
      case '/hops.png':
        void distinctPng(Number(u.searchParams.get('seed') ?? 1)).then((png) => res.writeHead(200, { 'content-type': 'image/png' }).end(png));
        return;
      case '/download':
        void distinctPng(7).then((png) => res.writeHead(200, { 'content-disposition': 'attachment; filename="../../etc/holiday.png"' }).end(png));
        return;
      case '/to-secret':
        res.writeHead(302, { location: `http://127.0.0.1:${u.searchParams.get('port')}/secret` }).end();
        return;
      case '/to-name': // port 80: the name itself must be refused, once resolved
        res.writeHead(301, { location: `http://${u.searchParams.get('host')}/secret` }).end();
        return;
      case '/to-metadata':
        res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' }).end();
        return;
      case '/to-file':
        res.writeHead(302, { location: 'file:///etc/passwd' }).end();
        return;
      case '/no-location':
        res.writeHead(302).end();
        return;
      case '/missing':
        res.writeHead(404).end('not here');
        return;
      case '/text':
        res.writeHead(200, { 'content-type': 'image/png' }).end('just some text, whatever the header says');
        return;
      case '/big': {
        // chunked, no length: a real PNG, then zeros without end until the client hangs up (200 MB at most)
        const zeros = Buffer.alloc(64 * 1024);
        res.writeHead(200, { 'content-type': 'image/png' });
        void distinctPng(999).then((head) => {
          res.write(head);
          sent.stream = head.length;
          const pump = () => {
            while (sent.stream < 200 * MB && !res.destroyed) {
              sent.stream += zeros.length;
              if (!res.write(zeros)) return void res.once('drain', pump);
            }
            res.end();
          };
          pump();
        });
        return;
      }
      case '/big-declared':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(11 * MB) });
        res.write(PNG_SIGNATURE);
        return; // and never more: the length alone must refuse it (reading on would wait for the time cap)
      case '/slow-headers':
        return; // never answers
      case '/slow-body': {
        res.writeHead(200, { 'content-type': 'image/png' });
        void distinctPng(998).then((head) => res.write(head.subarray(0, 40)));
        const timer = setInterval(() => res.write(Buffer.alloc(1)), 100);
        res.once('close', () => clearInterval(timer));
        return;
      }
      default:
        res.writeHead(404).end();
    }
  };
}

let originServer: Server;
let secretServer: Server;
let t: TestApp;
let owner: Session; // uploads that succeed
let refused: Session; // every refusal: this account must stay empty

before(async () => {
  secretServer = await listen((req, res) => {
    secretHits.push(req.url ?? '');
    res.end('SECRET');
  });
  let port = 0;
  originServer = await listen((req, res) => origin(port)(req, res));
  port = originServer.port;
  t = await startTestApp(undefined, { env: { PICORA_FETCH_ALLOW_HOSTS: `127.0.0.1:${originServer.port}` } });
  await registerUser(t); // the first account is the admin
  owner = await registerUser(t);
  refused = await registerUser(t);
});

after(async () => {
  await t?.close();
  await originServer?.close();
  await secretServer?.close();
  assert.deepEqual(secretHits, [], 'nothing ever reached the internal (non-allow-listed) server');
});

const allowed = (path: string) => `http://127.0.0.1:${originServer.port}${path}`;

function fromUrl(app: TestApp, token: string | undefined, body: unknown) {
  return app.app.inject({
    method: 'POST', url: '/v1/images', headers: { ...(token ? bearer(token) : {}), 'content-type': 'application/json' }, payload: JSON.stringify(body),
  });
}

/** The refusal: its status, code and field, and nothing left behind (no row, object, spool file, usage, reservation). */
async function expectRefused(url: string, code: string, message?: RegExp, on: { app: TestApp; as: Session } = { app: t, as: refused }): Promise<string> {
  const { app, as: refused } = on;
  const res = await fromUrl(app, refused.accessToken, { url });
  const body = json(res);
  assert.equal(res.statusCode, 422, `${url}: ${res.body}`);
  assert.equal(body.code, code, `${url}: ${res.body}`);
  if (code === 'VALIDATION_ERROR') assert.equal(body.meta?.field, 'url', `${url}: ${res.body}`);
  if (message) assert.match(body.error, message, url);
  await assertNothingLeft(app, refused.userId, url);
  assert.equal((await usageOf(app, refused.userId)).uploadsToday, 0, `${url}: no upload counted`);
  assert.deepEqual(await app.deps.db.db.selectFrom('quotaReservations').selectAll().execute(), [], `${url}: no reservation row`);
  return body.error as string;
}

describe('POST /v1/images with {url}: legitimate fetches', () => {
  it('fetches the image, answers 201 with the Image and the fields, and the image serves', async () => {
    const res = await fromUrl(t, owner.accessToken, { url: allowed('/cat.png?seed=1'), isPublic: true, tags: ['cats', 'remote'], title: ' A cat ' });
    assert.equal(res.statusCode, 201, res.body);
    const img = json(res).data as ImageData;
    assert.equal(img.mimeType, 'image/png');
    assert.equal(img.filename, 'cat.png');
    assert.deepEqual(img.tags, ['cats', 'remote']);
    assert.equal(img.title, 'A cat');
    assert.equal(img.isPublic, true);
    const served = await t.app.inject({ method: 'GET', url: mediaPath(img) });
    assert.equal(served.statusCode, 200);
    assert.deepEqual(served.rawPayload, await distinctPng(1));
  });

  it('the same bytes again answer 200 with the existing Image and X-Picora-Duplicate', async () => {
    const res = await fromUrl(t, owner.accessToken, { url: allowed('/cat.png?seed=1') });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['x-picora-duplicate'], 'true');
  });

  it('takes is_public, tags as a string, and the name from Content-Disposition (a bare name, no path)', async () => {
    const res = await fromUrl(t, owner.accessToken, { url: allowed('/download'), is_public: false, tags: 'a,b' });
    assert.equal(res.statusCode, 201, res.body);
    const img = json(res).data as ImageData;
    assert.equal(img.isPublic, false);
    assert.deepEqual(img.tags, ['a', 'b']);
    assert.equal(img.filename, 'holiday.png');
  });

  it('follows up to 3 redirects (relative and absolute), each hop checked', async () => {
    for (const n of [1, 2, 3]) {
      const res = await fromUrl(t, owner.accessToken, { url: allowed(`/hop/${n}?seed=${100 + n}`) });
      assert.equal(res.statusCode, 201, `${n} redirects: ${res.body}`);
      assert.deepEqual((await t.app.inject({ url: mediaPath(json(res).data as ImageData) })).rawPayload, await distinctPng(100 + n));
    }
  });

  it('multipart uploads work as before, and other content types still get the multipart answer', async () => {
    const res = await upload(t, owner.accessToken, await distinctPng(55), 'm.png');
    assert.equal(res.statusCode, 201, res.body);
    const text = await t.app.inject({ method: 'POST', url: '/v1/images', headers: { ...bearer(owner.accessToken), 'content-type': 'text/plain' }, payload: allowed('/cat.png') });
    assert.equal(text.statusCode, 400);
    assert.match(json(text).error, /Expected a multipart\/form-data body/);
  });

  it('wants a signed-in caller and a usable url field (a JSON body without one is 400, as any non-upload body)', async () => {
    assert.equal((await fromUrl(t, undefined, { url: allowed('/cat.png') })).statusCode, 401);
    for (const body of [{}, { file: 'x' }, ['url'], null]) {
      const res = await fromUrl(t, refused.accessToken, body);
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`);
      assert.match(json(res).error, /or JSON with "url"/);
    }
    for (const [body, problem] of [
      [{ url: 42 }, /url must be a string/],
      [{ url: `http://example.com/${'a'.repeat(2048)}` }, /at most 2048/],
      [{ url: allowed('/cat.png?seed=9'), isPublic: 'maybe' }, /isPublic/],
      [{ url: allowed('/cat.png?seed=9'), tags: { a: 1 } }, /tags/],
    ] as const) {
      const res = await fromUrl(t, refused.accessToken, body);
      assert.equal(res.statusCode, 422, `${JSON.stringify(body).slice(0, 80)}: ${res.body}`);
      assert.match(json(res).error, problem);
    }
    await assertNothingLeft(t, refused.userId, 'bad bodies');
  });
});

describe('POST /v1/images with {url}: refusals (422, nothing stored, nothing left)', () => {
  const notPublic = /url (does not point to a public address|resolves to an address that is not public)/;

  it('refuses every non-public address class, given as a literal in any spelling', async () => {
    for (const url of [
      'http://127.0.0.1/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://[::ffff:7f00:1]/', 'http://0.0.0.0/', 'http://[::]/',
      'http://2130706433/', 'http://0x7f.1/', 'http://127.1/', 'http://0177.0.0.1/', 'http://169.254.169.254/latest/meta-data',
      'http://[fd00:ec2::254]/latest/meta-data', 'http://10.0.0.1/', 'http://192.168.1.1/', 'http://172.16.0.1/', 'http://100.64.0.1/',
      'http://100.100.100.200/', 'http://192.0.0.192/', 'http://224.0.0.1/', 'http://255.255.255.255/', 'http://[fe80::1]/',
      'http://[fc00::1]/', 'http://[ff02::1]/', 'http://[64:ff9b::a00:1]/', 'http://[2002:7f00:1::]/', 'http://[::7f00:1]/',
      `http://127.0.0.1:${secretServer.port}/secret`, // loopback on a port the allow-list does not name
    ]) {
      const message = await expectRefused(url, 'VALIDATION_ERROR', notPublic);
      assert.doesNotMatch(message, /127\.0\.0\.1|::1/, 'the answer names no address the caller did not send');
    }
  });

  it('refuses a name that resolves to loopback (localhost, from /etc/hosts) without saying which address', async () => {
    for (const url of ['http://localhost/', 'https://LOCALHOST/latest/meta-data']) {
      const message = await expectRefused(url, 'VALIDATION_ERROR', /url resolves to an address that is not public/);
      assert.doesNotMatch(message, /127\.0\.0\.1|::1/);
    }
    // a name on a port no allow-list entry names is refused before it is even looked up
    await expectRefused(`http://localhost:${secretServer.port}/secret`, 'VALIDATION_ERROR', /url uses a port other than 80 or 443/);
  });

  it('refuses other schemes, user info and other ports before any lookup', async () => {
    await expectRefused('ftp://example.com/cat.png', 'VALIDATION_ERROR', /url does not use http or https/);
    await expectRefused('file:///etc/passwd', 'VALIDATION_ERROR', /url does not use http or https/);
    await expectRefused('data:image/png;base64,iVBORw0KGgo=', 'VALIDATION_ERROR', /url does not use http or https/);
    await expectRefused('javascript:alert(1)', 'VALIDATION_ERROR', /url does not use http or https/);
    await expectRefused('http://user:pass@example.com/cat.png', 'VALIDATION_ERROR', /url contains a user name or password/);
    await expectRefused('http://example.com:8080/cat.png', 'VALIDATION_ERROR', /url uses a port other than 80 or 443/);
    await expectRefused('not a url', 'VALIDATION_ERROR', /url is not a valid URL/);
  });

  it('re-checks every redirect: an allowed server cannot bounce the fetch to the internal one', async () => {
    await expectRefused(allowed(`/to-secret?port=${secretServer.port}`), 'VALIDATION_ERROR', /url redirects to a URL that does not point to a public address/);
    await expectRefused(allowed('/to-name?host=localhost'), 'VALIDATION_ERROR', /url redirects to a URL that resolves to an address that is not public/);
    await expectRefused(allowed('/to-metadata'), 'VALIDATION_ERROR', /url redirects to a URL that does not point to a public address/);
    await expectRefused(allowed('/to-file'), 'VALIDATION_ERROR', /url redirects to a URL that does not use http or https/);
    await expectRefused(allowed('/no-location'), 'VALIDATION_ERROR', /answered HTTP 302 without a location/);
    assert.deepEqual(secretHits, []);
  });

  it('refuses a 4th redirect', async () => {
    await expectRefused(allowed('/hop/4?seed=200'), 'VALIDATION_ERROR', /url redirects more than 3 times/);
  });

  it('refuses a remote error status and bytes that are no image', async () => {
    await expectRefused(allowed('/missing'), 'VALIDATION_ERROR', /url answered HTTP 404/);
    await expectRefused(allowed('/text'), 'INVALID_FILE_TYPE');
  });

  it('stops a body past the plan limit while it streams (FILE_TOO_LARGE), and one whose length says so before reading', async () => {
    const started = Date.now();
    await expectRefused(allowed('/big'), 'FILE_TOO_LARGE', /maximum allowed size for your plan \(10 MB\)/);
    // The trial limit is 10 MB: the fetch hung up soon after it, far from the 200 MB the server would send.
    assert.ok(sent.stream > 10 * MB && sent.stream < 40 * MB, `the server wrote ${sent.stream} bytes`);
    assert.ok(Date.now() - started < 10_000);
    const declared = Date.now();
    await expectRefused(allowed('/big-declared'), 'FILE_TOO_LARGE');
    assert.ok(Date.now() - declared < 5_000, 'refused on its Content-Length, not after reading');
  });
});

describe('POST /v1/images with {url}: the time cap (PICORA_FETCH_TIMEOUT_MS=500)', () => {
  let slow: TestApp;
  let someone: Session;
  before(async () => {
    slow = await startTestApp(undefined, { env: { PICORA_FETCH_ALLOW_HOSTS: `127.0.0.1:${originServer.port}`, PICORA_FETCH_TIMEOUT_MS: '500' } });
    await registerUser(slow);
    someone = await registerUser(slow);
  });
  after(async () => slow?.close());

  it('gives up on a server that never answers, and on one that dribbles its body', async () => {
    for (const path of ['/slow-headers', '/slow-body']) {
      const started = Date.now();
      await expectRefused(allowed(path), 'VALIDATION_ERROR', /url took longer than 0\.5 s to fetch/, { app: slow, as: someone });
      const took = Date.now() - started;
      assert.ok(took >= 450 && took < 3000, `${path}: answered after ${took} ms`);
    }
  });
});

describe('the guard with an injected resolver (names that resolve to refused addresses; no outside DNS)', () => {
  const names: Record<string, string[]> = {
    'evil.test': ['127.0.0.1'],
    'evil6.test': ['::1'],
    'mapped.test': ['::ffff:10.0.0.1'],
    'metadata.test': ['169.254.169.254'],
    'unspecified.test': ['0.0.0.0'],
    'mixed.test': ['127.0.0.1', '10.0.0.1'],
    'origin.test': ['127.0.0.1'],
  };
  const lookups: string[] = [];
  const lookup: Resolver = async (host) => {
    lookups.push(host);
    const found = names[host];
    if (!found) throw Object.assign(new Error(`${host}: not found`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  const guard = () => createSafeFetcher({ allowList: [`127.0.0.1:${originServer.port}`], lookup, timeoutMs: 5000 });
  const refusal = async (url: string) => {
    try {
      const r = await guard()(url, { maxBytes: MB });
      r.body.destroy();
    } catch (err) {
      assert.ok(err instanceof SafeFetchError, String(err));
      return err;
    }
    assert.fail(`${url} was fetched`);
  };

  it('refuses names resolving to loopback, IPv6 loopback, IPv4-mapped private, metadata and unspecified addresses', async () => {
    for (const host of ['evil.test', 'evil6.test', 'mapped.test', 'metadata.test', 'unspecified.test', 'mixed.test']) {
      const err = await refusal(`http://${host}/latest/meta-data`);
      assert.equal(err.reason, 'address', host);
      assert.equal(err.message, 'resolves to an address that is not public');
    }
    const nx = await refusal('http://nowhere.test/cat.png');
    assert.equal(nx.reason, 'dns');
  });

  it('refuses redirects to a name that resolves to a refused address, and to the internal server', async () => {
    for (const host of ['evil.test', 'evil6.test', 'mapped.test']) {
      const err = await refusal(`http://origin.test:${originServer.port}/to-name?host=${host}`);
      assert.deepEqual([err.reason, err.hop, err.message], ['address', 1, 'redirects to a URL that resolves to an address that is not public'], host);
    }
    const err = await refusal(`http://origin.test:${originServer.port}/to-secret?port=${secretServer.port}`);
    assert.deepEqual([err.reason, err.hop], ['address', 1]);
  });

  it('connects to the address it checked: one lookup per hop, and the allowed name fetches', async () => {
    lookups.length = 0;
    const r = await guard()(`http://origin.test:${originServer.port}/hop/2?seed=300`, { maxBytes: MB });
    const chunks: Buffer[] = [];
    for await (const c of r.body) chunks.push(c as Buffer);
    assert.deepEqual(Buffer.concat(chunks), await distinctPng(300));
    assert.equal(r.url, `http://127.0.0.1:${originServer.port}/hops.png?seed=300`);
    // hop 0 by name (one lookup), hop 1 absolute by IP (none), hop 2 relative to it (none)
    assert.deepEqual(lookups, ['origin.test']);
  });

  it('refuses allow-list entries that are not addresses (configuration and guard)', () => {
    assert.throws(() => createSafeFetcher({ allowList: ['localhost:8080'] }), /not IP:port/);
    assert.throws(() => loadConfig({ PICORA_FETCH_ALLOW_HOSTS: '127.0.0.1:8080, localhost:80,10.0.0.0/33' }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.filter((p) => p.startsWith('PICORA_FETCH_ALLOW_HOSTS')).length, 2, err.message);
      return true;
    });
    const config = loadConfig({ PICORA_FETCH_ALLOW_HOSTS: '127.0.0.1:8080, [::1]:9000,10.1.0.0/16' });
    assert.deepEqual(config.fetchAllowList, ['127.0.0.1:8080', '[::1]:9000', '10.1.0.0/16']);
    assert.equal(config.fetchTimeoutMs, 30_000);
    assert.deepEqual(loadConfig({}).fetchAllowList, []);
  });
});
