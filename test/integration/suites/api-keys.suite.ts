// API keys through the public API, run against each backend by the *.test.ts files.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, createKey, registerUser, startTestApp, type Backend, type TestApp } from '../../support/app.js';
import type { S3TestConfig } from '../../support/s3.js';

const json = (res: { json(): unknown }) => res.json() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function apiKeysSuite(name: string, backend: Backend, s3?: () => S3TestConfig | undefined, skip?: string): void {
  describe(`API keys (${name})`, { skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(backend, { s3: s3?.() });
    });
    after(async () => t?.close());

    it('creates a key shown once, lists it by prefix and last four, never the secret', async () => {
      const s = await registerUser(t);
      const res = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(s.accessToken), payload: { name: 'PicGo laptop' } });
      assert.equal(res.statusCode, 201);
      const created = json(res).data;
      assert.match(created.key, /^sk_live_[A-Za-z0-9_-]{32}$/);
      assert.equal(created.key.length, 40);
      assert.deepEqual(created.scopesV2, ['account.read', 'media.read', 'media.write', 'usage.read']);
      const list = await t.app.inject({ url: '/v1/api-keys', headers: bearer(s.accessToken) });
      const [k] = json(list).data;
      assert.equal(k.keyPrefix, created.key.slice(0, 12));
      assert.equal(k.lastFour, created.key.slice(-4));
      assert.equal(k.scope, 'read_write');
      assert.equal(k.scopeVersion, 2);
      assert.equal(k.lastUsedAt, null);
      assert.ok(!list.body.includes(created.key), 'the plaintext never appears again');
      const stored = await t.deps.db.db.selectFrom('apiKeys').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
      assert.match(stored.keyHash, /^[0-9a-f]{64}$/);
      assert.ok(!JSON.stringify(stored).includes(created.key.slice(12, -4)), 'only the hash is stored');
    });

    it('authenticates with the key, records lastUsedAt, and refuses it on /v1/api-keys', async () => {
      const s = await registerUser(t);
      const { id, key } = await createKey(t, s);
      const v = await t.app.inject({ url: '/v1/auth/verify', headers: bearer(key) });
      assert.deepEqual(v.json(), { success: true, data: { valid: true, userId: s.userId, plan: 'trial', authType: 'apiKey', apiKeyId: id } });
      assert.equal((await t.app.inject({ url: '/v1/user/me', headers: bearer(key) })).statusCode, 200);
      await new Promise((r) => setTimeout(r, 50));
      const list = json(await t.app.inject({ url: '/v1/api-keys', headers: bearer(s.accessToken) })).data;
      assert.notEqual(list[0].lastUsedAt, null);
      const viaKey = await t.app.inject({ url: '/v1/api-keys', headers: bearer(key) });
      assert.equal(viaKey.statusCode, 403);
      assert.equal(json(viaKey).code, 'FORBIDDEN');
      const mint = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(key), payload: { name: 'x' } });
      assert.equal(mint.statusCode, 403);
    });

    it('enforces scopes: a key without account.read gets 403 FORBIDDEN naming the scope', async () => {
      const s = await registerUser(t);
      const { key } = await createKey(t, s, { name: 'uploader', scopes: ['images:write'] });
      const res = await t.app.inject({ url: '/v1/user/me', headers: bearer(key) });
      assert.equal(res.statusCode, 403);
      assert.deepEqual(res.json(), { success: false, error: 'This API key lacks the account.read scope', code: 'FORBIDDEN', meta: { requiredScope: 'account.read' } });
      const unknown = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(s.accessToken), payload: { name: 'x', scopes: ['root.everything'] } });
      assert.equal(unknown.statusCode, 422);
      assert.equal(json(unknown).meta.field, 'scopes');
    });

    it('maps v1 tiers and colon aliases onto v2 scopes; PATCH changes name, description and scopes at once', async () => {
      const s = await registerUser(t);
      const { id, key } = await createKey(t, s, { name: 'old', scopes: ['read'] });
      const patched = await t.app.inject({ method: 'PATCH', url: `/v1/api-keys/${id}`, headers: bearer(s.accessToken), payload: { name: 'new', description: 'CI uploads', scopes: ['read_write_delete'] } });
      assert.equal(patched.statusCode, 200);
      const d = json(patched).data;
      assert.equal(d.name, 'new');
      assert.equal(d.description, 'CI uploads');
      assert.equal(d.scope, 'read_write_delete');
      assert.ok(d.scopesV2.includes('media.delete'));
      const narrowed = await t.app.inject({ method: 'PATCH', url: `/v1/api-keys/${id}`, headers: bearer(s.accessToken), payload: { scopes: ['media:read'] } });
      assert.deepEqual(json(narrowed).data.scopesV2, ['media.read']);
      assert.equal((await t.app.inject({ url: '/v1/user/me', headers: bearer(key) })).statusCode, 403, 'new scopes apply on the next request');
      const empty = await t.app.inject({ method: 'PATCH', url: `/v1/api-keys/${id}`, headers: bearer(s.accessToken), payload: {} });
      assert.equal(empty.statusCode, 422);
    });

    it('revocation is effective on the next request with API_KEY_REVOKED', async () => {
      const s = await registerUser(t);
      const { id, key } = await createKey(t, s);
      assert.equal((await t.app.inject({ url: '/v1/auth/verify', headers: bearer(key) })).statusCode, 200);
      const del = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: bearer(s.accessToken) });
      assert.deepEqual(del.json(), { success: true, data: null });
      const after = await t.app.inject({ url: '/v1/auth/verify', headers: bearer(key) });
      assert.equal(after.statusCode, 401);
      assert.deepEqual(after.json(), { success: false, error: 'The API key has been revoked', code: 'API_KEY_REVOKED' });
      assert.equal(json(await t.app.inject({ url: '/v1/api-keys', headers: bearer(s.accessToken) })).data.length, 0);
      const again = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: bearer(s.accessToken) });
      assert.equal(again.statusCode, 404);
    });

    it("another account's key is FORBIDDEN, a missing one NOT_FOUND, a malformed key UNAUTHORIZED", async () => {
      const a = await registerUser(t);
      const b = await registerUser(t);
      const { id } = await createKey(t, a);
      const foreign = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: bearer(b.accessToken) });
      assert.equal(foreign.statusCode, 403);
      assert.equal(json(foreign).code, 'FORBIDDEN');
      const missing = await t.app.inject({ method: 'PATCH', url: '/v1/api-keys/AAAAAAAAAAAAAAAAAAAAA', headers: bearer(a.accessToken), payload: { name: 'x' } });
      assert.deepEqual(missing.json(), { success: false, error: 'API key not found', code: 'NOT_FOUND' });
      for (const bad of ['sk_live_short', `sk_live_${'x'.repeat(32)}`, 'sk_test_abc']) {
        const r = await t.app.inject({ url: '/v1/auth/verify', headers: bearer(bad) });
        assert.equal(r.statusCode, 401, bad);
        assert.equal(json(r).code, 'UNAUTHORIZED');
      }
    });

    it('caps keys at the plan limit with 403 QUOTA_EXCEEDED api_key_count, even under concurrent creates', async () => {
      const s = await registerUser(t);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(s.accessToken), payload: { name: `k${i}` } })),
      );
      assert.equal(results.filter((r) => r.statusCode === 201).length, 3);
      const refused = results.filter((r) => r.statusCode === 403);
      assert.equal(refused.length, 5);
      assert.deepEqual(refused[0]!.json(), { success: false, error: 'Quota exceeded: api_key_count', code: 'QUOTA_EXCEEDED', meta: { type: 'api_key_count', limit: 3 } });
      const [first] = json(await t.app.inject({ url: '/v1/api-keys', headers: bearer(s.accessToken) })).data;
      await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${first.id}`, headers: bearer(s.accessToken) });
      assert.equal((await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(s.accessToken), payload: { name: 'again' } })).statusCode, 201, 'revoking frees a slot');
    });
  });
}
