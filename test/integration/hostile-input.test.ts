// Bad input of every kind gets a 4xx with the right code; none reaches a 500.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { bearer, createKey, registerUser, startTestApp, type Session, type TestApp } from '../support/app.js';

const json = (res: { json(): unknown }) => res.json() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const weirdValues: unknown[] = [
  null, 0, -1, 1e308, true, [], {}, [1, 2], '', ' ', 'x'.repeat(10_000), '\u0000', '😀'.repeat(50), '<script>alert(1)</script>',
  "' OR 1=1 --", '../../etc/passwd', { $gt: '' }, '\uD800', 'e\u0301',
];

describe('hostile input never reaches a 500', () => {
  let t: TestApp;
  let s: Session;
  let keyId: string;
  before(async () => {
    t = await startTestApp();
    s = await registerUser(t);
    keyId = (await createKey(t, s)).id;
  });
  after(async () => t?.close());

  async function expect4xx(opts: InjectOptions, allowed: string[]): Promise<void> {
    const res = await t.app.inject(opts);
    const label = `${opts.method ?? 'GET'} ${opts.url} ${JSON.stringify(opts.payload ?? '').slice(0, 80)}`;
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${label} → ${res.statusCode} ${res.body.slice(0, 200)}`);
    const body = json(res);
    assert.equal(body.success, false, label);
    assert.ok(allowed.includes(body.code), `${label} → ${body.code} (allowed: ${allowed.join(', ')})`);
    assert.ok(res.headers['x-request-id'], label);
  }

  it('wrong types, missing fields and odd strings in every JSON body', async () => {
    const bodies: Array<[string, string, Record<string, unknown>]> = [
      ['POST', '/v1/auth/send-code', { email: 'a@b.co', type: 'register' }],
      ['POST', '/v1/auth/register', { email: 'a@b.co', password: 'abcdefg1', code: '123456' }],
      ['POST', '/v1/auth/login', { email: 'a@b.co', password: 'abcdefg1' }],
      ['POST', '/v1/auth/login/code', { email: 'a@b.co', code: '123456' }],
      ['POST', '/v1/auth/forgot-password', { email: 'a@b.co' }],
      ['POST', '/v1/auth/reset-password', { email: 'a@b.co', code: '123456', newPassword: 'abcdefg1' }],
      ['PATCH', '/v1/user/me', { nickname: 'n', locale: 'en', avatarUrl: 'https://x.example/a.png' }],
      ['POST', '/v1/user/me/change-password', { oldPassword: 'x', newPassword: 'abcdefg12' }],
      ['POST', '/v1/api-keys', { name: 'k', scopes: ['media.read'] }],
      ['PATCH', `/v1/api-keys/${'k'}`, { name: 'k' }],
    ];
    for (const [method, url, good] of bodies) {
      const realUrl = url.endsWith('/k') ? `/v1/api-keys/${keyId}` : url;
      for (const field of Object.keys(good)) {
        for (const value of weirdValues) {
          const payload = { ...good, [field]: value };
          const res = await t.app.inject({ method: method as 'POST', url: realUrl, headers: bearer(s.accessToken), payload });
          assert.ok(res.statusCode < 500, `${method} ${realUrl} ${field}=${JSON.stringify(value).slice(0, 40)} → ${res.statusCode} ${res.body.slice(0, 200)}`);
          assert.ok(res.headers['x-request-id']);
        }
        const without = { ...good };
        delete without[field];
        const res = await t.app.inject({ method: method as 'POST', url: realUrl, headers: bearer(s.accessToken), payload: without });
        assert.ok(res.statusCode < 500, `${method} ${realUrl} without ${field} → ${res.statusCode}`);
      }
      for (const payload of ['[]', '"just a string"', 'null', '123', '{"a":']) {
        await expect4xx({ method: method as 'POST', url: realUrl, headers: { ...bearer(s.accessToken), 'content-type': 'application/json' }, payload }, ['BAD_REQUEST', 'VALIDATION_ERROR']);
      }
    }
  });

  it('huge bodies, wrong content types and deep nesting are refused as bad requests', async () => {
    await expect4xx({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(2 * 1024 * 1024) }) }, ['BAD_REQUEST']);
    await expect4xx({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': 'text/plain' }, payload: 'email=a@b.co' }, ['BAD_REQUEST', 'VALIDATION_ERROR']);
    await expect4xx({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': 'application/xml' }, payload: '<a/>' }, ['BAD_REQUEST']);
    await expect4xx({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '['.repeat(5000) + ']'.repeat(5000) }, ['BAD_REQUEST', 'VALIDATION_ERROR']);
    await expect4xx({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '' }, ['BAD_REQUEST']);
    await expect4xx({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"__proto__":{"admin":true},"email":"a@b.co","password":"abcdefg1"}' }, ['BAD_REQUEST', 'UNAUTHORIZED']);
  });

  it('forged and malformed credentials are 401, never 500', async () => {
    const headers = [
      'Bearer', 'Bearer ', 'Bearer  ', `Bearer ${'a'.repeat(5000)}`, 'Bearer a.b', 'Bearer ..', 'Bearer eyJ.eyJ.sig', 'Bearer sk_live_',
      `Bearer sk_live_${'A'.repeat(32)}`, `Bearer ${s.accessToken}x`, 'Token abc', 'bearer\tabc', `Bearer ${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('[]').toString('base64url')}.x`,
      `Bearer ${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{"sub":1}').toString('base64url')}.x`,
    ];
    for (const authorization of headers) {
      await expect4xx({ url: '/v1/user/me', headers: { authorization } }, ['UNAUTHORIZED']);
    }
    for (const token of ['', 'x', 'x'.repeat(43), 'x'.repeat(500), '\u00ff'.repeat(30)]) {
      await expect4xx({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: token } }, ['UNAUTHORIZED']);
      await expect4xx({ method: 'POST', url: '/v1/auth/refresh', cookies: { refresh_token: token } }, ['UNAUTHORIZED']);
    }
  });

  it('odd path parameters and URLs', async () => {
    for (const id of ['%00', '..%2F..%2Fetc', 'x'.repeat(300), '%E0%A4%A', "'; drop table users; --", '😀']) {
      const res = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: bearer(s.accessToken) });
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${id} → ${res.statusCode} ${res.body}`);
    }
    const res = await t.app.inject({ url: '/v1/user/me?x=%E0%A4%A', headers: bearer(s.accessToken) });
    assert.ok(res.statusCode < 500, `bad query → ${res.statusCode}`);
  });

  it('unicode and case in emails are normalised, not duplicated', async () => {
    const upper = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: s.email.toUpperCase(), password: s.password } });
    assert.equal(upper.statusCode, 200);
    await expect4xx({ method: 'POST', url: '/v1/auth/login', payload: { email: 'ünï@exämple.com', password: 'abcdefg1' } }, ['UNAUTHORIZED', 'VALIDATION_ERROR']);
  });
});
