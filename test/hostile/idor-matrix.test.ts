// Issue 14: the IDOR matrix, generated from the route table. Every route whose path has an id parameter is
// called, with every method it has, as account B (session and a full-scope API key) against a resource owned
// by account A. B must never get a 2xx nor see A's data: the answer is the envelope with 403 FORBIDDEN or
// 404 NOT_FOUND (CONTRACT §2). Afterwards A's resources are exactly as they were. A route with an id parameter
// nobody has mapped to a resource kind fails the test (idor/routes.ts says where to add it). Runs on SQLite,
// and on PostgreSQL when it answers (CI=true makes a missing PostgreSQL fail).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { bearer, startTestApp, type Backend, type TestApp } from '../support/app.js';
import { probePostgres, skipUnless } from '../support/services.js';
import { CONTRACT_CODES } from './corpus/contract.js';
import { makeCast, snapshot, type Cast } from './idor/fixture.js';
import { collectRoutes, kindsOf, paramsOf, type Kind, type SeenRoute } from './idor/routes.js';

/** A body B might send to change A's resource (valid, so validation cannot answer before the ownership check). */
const BODIES: Partial<Record<Kind, Record<string, unknown>>> = {
  image: { title: 'B-was-here', tags: ['b'], isPublic: true, allowedReferers: null, expSeconds: 60 },
  video: { title: 'B-was-here', tags: ['b'], isPublic: true },
  audio: { title: 'B-was-here', isPublic: true },
  apiKey: { name: 'B-was-here', scopes: ['media.read'] },
  webhook: { url: 'https://b-was-here.example.test/x', events: ['image.uploaded'], enabled: false },
  collection: { name: 'B-was-here', description: 'B-was-here' },
  watermark: { name: 'B-was-here', text: 'B-was-here', opacity: 1 },
  user: { plan: 'trial', role: 'admin', isActive: false },
  plan: { apiKeysMax: 999, name: 'B-was-here' },
};
/** Fields a route does not take are stripped or refused by its schema; these routes take only their own. */
const BODY_FOR_ROUTE: Record<string, Record<string, unknown>> = {
  'POST /v1/images/:id/sign': { expSeconds: 60 },
  'POST /v1/videos/:id/sign': { expSeconds: 60 },
  'POST /v1/audio/:id/sign': { expSeconds: 60 },
  'PATCH /v1/images/:id': { title: 'B-was-here', tags: ['b'], isPublic: true, allowedReferers: null },
  'PATCH /v1/admin/users/:id': { plan: 'trial', role: 'admin', isActive: false },
};

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);
/** Requests that speak a protocol of their own: B sends them well-formed, so only ownership can refuse them. */
const HEADERS_FOR_ROUTE: Record<string, Record<string, string>> = {
  'PATCH /v1/uploads/:id': { 'tus-resumable': '1.0.0', 'content-type': 'application/offset+octet-stream', 'upload-offset': '100' },
  'HEAD /v1/uploads/:id': { 'tus-resumable': '1.0.0' },
  'GET /v1/uploads/:id': { 'tus-resumable': '1.0.0' },
  'DELETE /v1/uploads/:id': { 'tus-resumable': '1.0.0' },
};
const RAW_BODY_FOR_ROUTE: Record<string, Buffer> = { 'PATCH /v1/uploads/:id': Buffer.alloc(50, 9) };
/** The tus capabilities (OPTIONS) are public and the same for every id: no data of anyone's. */
const CAPABILITIES = new Set(['OPTIONS /v1/uploads/:id']);
/** Routes whose contract answers someone else's id with 200 `{ success: true, data: null }` (existence not disclosed). */
const NULL_FOR_OTHERS = new Set(['GET /v1/api-keys/:id/tool-configs', 'HEAD /v1/api-keys/:id/tool-configs']);
/** Routes public by contract: anyone gets A's avatar as image bytes (SPEC §12), never JSON with A's data. */
const PUBLIC_FOR_ANYONE = new Set(['GET /v1/user/avatar/:userId', 'HEAD /v1/user/avatar/:userId']);

function matrix(label: string, backend: Backend, skip?: string): void {
  describe(`IDOR matrix on ${label}`, { skip, timeout: 120_000 }, () => {
    let t: TestApp;
    let routes: SeenRoute[];
    let cast: Cast;
    let before_: Record<string, unknown>;

    before(async () => {
      const built = await collectRoutes(() => startTestApp(backend));
      t = built.value;
      routes = built.routes;
      cast = await makeCast(t);
      before_ = await snapshot(t, cast);
    });
    after(async () => t?.close());

    const withIds = () => routes.filter((r) => paramsOf(r.url).length > 0);

    it('the route table was read, and every id parameter maps to a resource kind', () => {
      assert.ok(routes.some((r) => r.url === '/v1/images/:id'), `the route table looks empty: ${routes.length} routes`);
      const unmapped = withIds().flatMap((r) => kindsOf(r.url).unknown.map((p) => `${r.method} ${r.url} (:${p})`));
      assert.deepEqual(
        unmapped,
        [],
        'these routes take an id parameter the IDOR matrix does not know: add each to KIND_BY_ROUTE in test/hostile/idor/routes.ts ' +
          '(and, for a new kind of resource, create one owned by A in idor/fixture.ts and snapshot it)',
      );
    });

    it('B never reaches A\'s resources through any route with an id parameter', async (t2) => {
      const principals: Array<[string, string]> = [['B session', cast.b.accessToken], ['B API key (all scopes)', cast.bKey]];
      let calls = 0;
      for (const route of withIds()) {
        const { kinds, unknown } = kindsOf(route.url);
        if (unknown.length > 0) continue; // failed above, by name
        const params = Object.entries(kinds);
        // every combination of targets (one parameter today; more are multiplied out)
        let urls = [route.url];
        for (const [param, kind] of params) {
          urls = urls.flatMap((u) => cast.targets[kind].map((id) => u.replace(`:${param}`, id)));
        }
        // a wildcard tail (the video playback route): the files a player asks for
        urls = urls.flatMap((u) => (u.endsWith('/*') ? ['master.m3u8', 'poster.jpg', '240p/index.m3u8', '240p/seg_000.m4s'].map((f) => u.slice(0, -1) + f) : [u]));
        for (const url of urls) {
          for (const [who, token] of principals) {
            const name = `${route.method} ${route.url} as ${who} → ${url}`;
            await t2.test(name, async () => {
              const key = `${route.method} ${route.url}`;
              const opts: InjectOptions = { method: route.method as InjectOptions['method'], url, headers: { ...bearer(token), ...HEADERS_FOR_ROUTE[key] } };
              if (WITH_BODY.has(route.method)) opts.payload = RAW_BODY_FOR_ROUTE[key] ?? BODY_FOR_ROUTE[key] ?? BODIES[kinds[params[0]![0]]!] ?? {};
              const res = await t.app.inject(opts);
              calls++;
              const text = res.body;
              if (NULL_FOR_OTHERS.has(`${route.method} ${route.url}`) && res.statusCode === 200) {
                if (route.method !== 'HEAD') assert.deepEqual(res.json(), { success: true, data: null }, `${name}: ${text.slice(0, 300)}`);
                return;
              }
              if (CAPABILITIES.has(key) && res.statusCode === 204) {
                assert.equal(res.headers['tus-version'], '1.0.0', `${name}: not the tus capabilities`);
                assert.equal(res.body, '', `${name}: ${text.slice(0, 200)}`);
                return;
              }
              if (PUBLIC_FOR_ANYONE.has(`${route.method} ${route.url}`) && res.statusCode === 200) {
                assert.match(String(res.headers['content-type']), /^image\//, `${name}: ${text.slice(0, 200)}`);
                return;
              }
              assert.ok(res.statusCode === 403 || res.statusCode === 404, `${name}: B got ${res.statusCode}, not 403/404: ${text.slice(0, 300)}`);
              assert.ok(res.headers['x-request-id'], `${name}: no x-request-id`);
              if (route.method !== 'HEAD') {
                const body = res.json() as { success?: unknown; error?: unknown; code?: string };
                assert.equal(body.success, false, `${name}: ${text.slice(0, 200)}`);
                assert.ok(typeof body.error === 'string' && body.error.length > 0, `${name}: ${text.slice(0, 200)}`);
                assert.ok(body.code === 'FORBIDDEN' || body.code === 'NOT_FOUND', `${name}: code ${body.code}: ${text.slice(0, 200)}`);
                assert.equal(CONTRACT_CODES[body.code], res.statusCode, `${name}: ${body.code} with status ${res.statusCode}`);
              }
              for (const secret of cast.secrets) assert.ok(!text.includes(secret), `${name}: the answer shows A's data (${secret}): ${text.slice(0, 300)}`);
            });
          }
        }
      }
      assert.ok(calls >= 20, `the matrix made ${calls} calls`);
    });

    it('A\'s resources are exactly as they were, and A\'s key and session still work', async () => {
      assert.deepEqual(await snapshot(t, cast), before_, 'B changed something of A\'s');
      const verify = await t.app.inject({ url: '/v1/auth/verify', headers: bearer(cast.aKey.key) });
      assert.equal(verify.statusCode, 200, `A's API key: ${verify.body}`);
      const me = await t.app.inject({ url: '/v1/user/me', headers: bearer(cast.a.accessToken) });
      assert.equal(me.statusCode, 200, `A's session: ${me.body}`);
    });
  });
}

matrix('SQLite + local store', { db: 'sqlite', store: 'local' });
const pg = await probePostgres();
matrix('PostgreSQL + local store', { db: 'postgres', store: 'local' }, skipUnless('PostgreSQL', pg));
