// The error contract: exact status and body per code, the request id on every response, and no 500 for bad input.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, createKey, registerUser, startTestApp, type TestApp } from '../support/app.js';

const json = (res: { json(): unknown }) => res.json() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('error contract', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(undefined, {
      beforeReady: (app) => {
        app.get('/test/boom', async () => {
          throw new Error('secret internal detail: db password hunter2');
        });
      },
    });
  });
  after(async () => t?.close());

  it('unknown route → 404 NOT_FOUND with the envelope and a request id', async () => {
    const res = await t.app.inject({ url: '/v1/nothing-here' });
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), { success: false, error: 'Route GET /v1/nothing-here not found', code: 'NOT_FOUND' });
    assert.match(String(res.headers['x-request-id']), /^req_[A-Za-z0-9_-]{16}$/);
  });

  it('echoes a sane inbound X-Request-Id and replaces an unsafe one', async () => {
    const sane = await t.app.inject({ url: '/health', headers: { 'x-request-id': 'client-abc-12345' } });
    assert.equal(sane.headers['x-request-id'], 'client-abc-12345');
    for (const bad of ['short', 'x'.repeat(200), 'has spaces in it', 'semi;colon;value', 'ünïcødé-ids']) {
      const res = await t.app.inject({ url: '/health', headers: { 'x-request-id': bad } });
      assert.match(String(res.headers['x-request-id']), /^req_/, bad);
    }
  });

  it('unparsable JSON → 400 BAD_REQUEST', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"email": ' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), { success: false, error: 'Malformed JSON body', code: 'BAD_REQUEST' });
    assert.ok(res.headers['x-request-id']);
  });

  it('schema failure → 422 VALIDATION_ERROR naming the field in error and meta.field', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'not-an-email', password: 'x' } });
    assert.equal(res.statusCode, 422);
    assert.deepEqual(res.json(), { success: false, error: 'Validation error: email must match format "email"', code: 'VALIDATION_ERROR', meta: { field: 'email' } });
    const missing = await t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email: 'a@b.co', password: 'abcdefg1' } });
    assert.deepEqual(missing.json(), { success: false, error: 'Validation error: code is required', code: 'VALIDATION_ERROR', meta: { field: 'code' } });
  });

  it('no credentials → 401 UNAUTHORIZED with the envelope', async () => {
    const res = await t.app.inject({ url: '/v1/user/me' });
    assert.equal(res.statusCode, 401);
    assert.deepEqual(res.json(), { success: false, error: 'Missing Authorization header: send "Bearer sk_live_…" or an access token', code: 'UNAUTHORIZED' });
    const scheme = await t.app.inject({ url: '/v1/user/me', headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    assert.equal(json(scheme).code, 'UNAUTHORIZED');
  });

  it('API_KEY_REVOKED, TOKEN_EXPIRED, FORBIDDEN, CONFLICT and QUOTA_EXCEEDED keep their exact shape', async () => {
    const s = await registerUser(t);
    const { id, key } = await createKey(t, s);
    await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: bearer(s.accessToken) });
    assert.deepEqual(json(await t.app.inject({ url: '/v1/auth/verify', headers: bearer(key) })), {
      success: false, error: 'The API key has been revoked', code: 'API_KEY_REVOKED',
    });
    const live = await createKey(t, s);
    assert.deepEqual(json(await t.app.inject({ url: '/v1/api-keys', headers: bearer(live.key) })), {
      success: false, error: 'This endpoint needs a signed-in session; API keys cannot use it', code: 'FORBIDDEN',
    });
    await createKey(t, s);
    await createKey(t, s);
    assert.deepEqual(json(await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(s.accessToken), payload: { name: 'four' } })), {
      success: false, error: 'Quota exceeded: api_key_count', code: 'QUOTA_EXCEEDED', meta: { type: 'api_key_count', limit: 3 },
    });
    assert.deepEqual(json(await t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email: s.email, password: 'abcdefg1', code: '123456' } })), {
      success: false, error: 'Email already registered', code: 'CONFLICT',
    });
    t.clock.advance(15 * 60_000);
    assert.deepEqual(json(await t.app.inject({ url: '/v1/user/me', headers: bearer(s.accessToken) })), {
      success: false, error: 'Access token expired, refresh it via POST /v1/auth/refresh', code: 'TOKEN_EXPIRED',
    });
  });

  it('anything unexpected → 500 INTERNAL without internals in the body', async () => {
    const res = await t.app.inject({ url: '/test/boom' });
    assert.equal(res.statusCode, 500);
    assert.deepEqual(res.json(), { success: false, error: 'Internal server error', code: 'INTERNAL' });
    assert.ok(!res.body.includes('hunter2'));
    assert.ok(res.headers['x-request-id']);
  });

  it('serves the generated OpenAPI document and the docs page', async () => {
    const doc = await t.app.inject({ url: '/openapi.json' });
    assert.equal(doc.statusCode, 200);
    const paths = Object.keys(json(doc).paths);
    for (const p of ['/v1/auth/register', '/v1/auth/refresh', '/v1/api-keys', '/v1/api-keys/{id}', '/v1/user/me', '/health']) assert.ok(paths.includes(p), p);
    const page = await t.app.inject({ url: '/docs/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /swagger/i);
  });

  it('sets security headers and CORS that expose the request id, Retry-After and rate-limit headers', async () => {
    const res = await t.app.inject({ method: 'OPTIONS', url: '/v1/auth/login', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    assert.equal(res.statusCode, 204);
    const get = await t.app.inject({ url: '/health', headers: { origin: 'https://app.example' } });
    const exposed = String(get.headers['access-control-expose-headers']);
    for (const h of ['x-request-id', 'retry-after', 'ratelimit-limit', 'x-ratelimit-remaining']) assert.ok(exposed.includes(h), h);
    assert.equal(get.headers['x-content-type-options'], 'nosniff');
    assert.ok(get.headers['x-frame-options']);
  });
});
