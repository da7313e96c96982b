// Rate-limit hardening (issue 14, items 6 and 7; CONTRACT §2, §8):
// - failed credentials have a budget per address (PICORA_RATE_FAILED_AUTH_PER_MIN, 30 by default): once spent,
//   every request from that address that presents credentials answers 429 until the window resets; only
//   failures consume it; it holds across instances sharing Redis, with the in-memory fallback without it;
// - GET /v1/user/me/rate-limits sends the header families of the caller's read tier without consuming;
// - GET /v1/auth/verify is in the read tier of the key's account, not the per-IP auth tier.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { nanoid } from 'nanoid';
import { bearer, createKey, registerUser, startTestApp, type Session, type TestApp } from '../support/app.js';
import { cleanRedisPrefix, probeRedis, redisKeys, uniqueRedisPrefix } from '../support/redis.js';
import { skipUnless } from '../support/services.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const body = (res: LightMyRequestResponse) => res.json() as Record<string, any>;
const wrongKey = () => `sk_live_${nanoid(32)}`;
const me = (t: TestApp, token: string, remoteAddress: string) => t.app.inject({ method: 'GET', url: '/v1/user/me', headers: bearer(token), remoteAddress });
const verify = (t: TestApp, token: string, remoteAddress: string) => t.app.inject({ method: 'GET', url: '/v1/auth/verify', headers: bearer(token), remoteAddress });

/** Both header families, checked to agree; numbers. */
function limitHeaders(res: LightMyRequestResponse): { limit: number; remaining: number; reset: number } {
  const h = res.headers;
  for (const n of ['limit', 'remaining', 'reset']) {
    assert.match(String(h[`ratelimit-${n}`]), /^\d+$/, `RateLimit-${n} on ${res.statusCode}: ${String(h[`ratelimit-${n}`])}`);
    assert.equal(h[`x-ratelimit-${n}`], h[`ratelimit-${n}`], `X-RateLimit-${n} equals RateLimit-${n}`);
  }
  return { limit: Number(h['ratelimit-limit']), remaining: Number(h['ratelimit-remaining']), reset: Number(h['ratelimit-reset']) };
}

/** The 429 of CONTRACT §2/§8. */
function assertRateLimited(res: LightMyRequestResponse, limit: number, label: string): void {
  assert.equal(res.statusCode, 429, `${label}: ${res.body}`);
  assert.match(String(res.headers['retry-after']), /^[1-9]\d*$/, `${label}: Retry-After is integer seconds`);
  const retry = Number(res.headers['retry-after']);
  assert.ok(retry <= 60, `${label}: Retry-After within the minute (${retry})`);
  const b = body(res);
  assert.deepEqual([b.success, b.code, typeof b.error], [false, 'RATE_LIMITED', 'string'], label);
  assert.equal(b.meta?.retryAfterSec, retry, `${label}: meta.retryAfterSec equals Retry-After`);
  assert.ok(res.headers['x-request-id'], `${label}: x-request-id`);
  assert.deepEqual([limitHeaders(res).limit, limitHeaders(res).remaining], [limit, 0], `${label}: header families on the 429`);
}

async function sequence(n: number, send: (i: number) => Promise<LightMyRequestResponse>): Promise<LightMyRequestResponse[]> {
  const out: LightMyRequestResponse[] = [];
  for (let i = 0; i < n; i++) out.push(await send(i));
  return out;
}
const statuses = (rs: LightMyRequestResponse[]) => rs.map((r) => r.statusCode);
const expectRefusedAfter = (rs: LightMyRequestResponse[], answered: number, label: string) =>
  assert.deepEqual(statuses(rs), rs.map((_, i) => (i < answered ? 401 : 429)), `${label}: ${answered} × 401, then 429`);

describe('failed-credential budget per address (one instance)', () => {
  let t: TestApp;
  let u: Session;
  let key: string;
  before(async () => {
    t = await startTestApp(undefined, { env: { PICORA_RATE_FAILED_AUTH_PER_MIN: '5' } });
    u = await registerUser(t);
    key = (await createKey(t, u)).key;
  });
  after(async () => t?.close());

  it('150 wrong API keys from one address with the defaults: 30 × 401, then 429 RATE_LIMITED for any credentials from it', async () => {
    const d = await startTestApp();
    try {
      const owner = await registerUser(d);
      const valid = (await createKey(d, owner)).key;
      const ip = '198.51.100.20';
      const rs = await sequence(150, () => me(d, wrongKey(), ip));
      expectRefusedAfter(rs, 30, 'wrong keys');
      assert.deepEqual(body(rs[0]!), { success: false, error: 'Invalid API key', code: 'UNAUTHORIZED' });
      assertRateLimited(rs[149]!, 30, 'the 150th wrong key');
      assertRateLimited(await me(d, valid, ip), 30, 'a valid key from the refused address (no oracle for guessed keys)');
      assertRateLimited(await me(d, owner.accessToken, ip), 30, 'a valid token from the refused address');
      const anonymous = await d.app.inject({ method: 'GET', url: '/v1/billing/plans', remoteAddress: ip });
      assert.equal(anonymous.statusCode, 200, `requests without credentials still pass: ${anonymous.body}`);
      const elsewhere = await me(d, valid, '198.51.100.21');
      assert.equal(elsewhere.statusCode, 200, `another address is not refused: ${elsewhere.body}`);
    } finally {
      await d.close();
    }
  });

  it('only failures consume it: valid keys and tokens never do', async () => {
    const ip = '198.51.100.30';
    const ok = await sequence(20, (i) => me(t, i % 2 === 0 ? key : u.accessToken, ip));
    assert.deepEqual(statuses(ok), Array(20).fill(200));
    const rs = await sequence(7, () => me(t, wrongKey(), ip));
    expectRefusedAfter(rs, 5, 'wrong keys after 20 valid requests');
    assertRateLimited(rs[6]!, 5, 'the 7th wrong key');
    assertRateLimited(await verify(t, key, ip), 5, 'GET /v1/auth/verify with a valid key from the refused address');
  });

  it('counts forged tokens, malformed headers, bad key formats and revoked keys; expired access tokens do not count', async () => {
    const s = await registerUser(t);
    const revoked = await createKey(t, s);
    const del = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${revoked.id}`, headers: bearer(s.accessToken) });
    assert.equal(del.statusCode, 200, del.body);
    const stale = s.accessToken;
    t.clock.advance(901_000);
    const ip = '198.51.100.40';
    const expired = await sequence(8, () => me(t, stale, ip));
    assert.deepEqual(expired.map((r) => [r.statusCode, body(r).code]), Array(8).fill([401, 'TOKEN_EXPIRED']), 'an expired token is a client to refresh, not a guess');
    const bad = [
      { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged' },
      { authorization: 'Basic dXNlcjpwYXNz' },
      { authorization: 'Bearer sk_live_short' },
      bearer(revoked.key),
      bearer(wrongKey()),
      bearer(wrongKey()),
    ];
    const rs = await sequence(bad.length, (i) => t.app.inject({ method: 'GET', url: '/v1/user/me', headers: bad[i]!, remoteAddress: ip }));
    assert.deepEqual(rs.slice(0, 5).map((r) => body(r).code), ['UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED', 'API_KEY_REVOKED', 'UNAUTHORIZED']);
    expectRefusedAfter(rs, 5, 'mixed bad credentials');
    assertRateLimited(await me(t, stale, ip), 5, 'even an expired token is refused once the address is spent');
  });
});

const redis = await probeRedis();
const redisSkip = skipUnless('Redis', redis);

describe('failed-credential budget shared through Redis', { skip: redisSkip }, () => {
  const prefix = uniqueRedisPrefix('fa');
  const apps: TestApp[] = [];
  let shared: string;
  let a: TestApp;
  let b: TestApp;
  let key: string;
  const start = async (redisUrl: string) => {
    const app = await startTestApp(undefined, {
      env: { PICORA_RATE_FAILED_AUTH_PER_MIN: '5', PICORA_REDIS_URL: redisUrl, PICORA_REDIS_PREFIX: prefix, PICORA_DATA_DIR: shared, PICORA_JWT_SECRET: 'failed-auth-tests-shared-secret-0123456789abcdef' },
    });
    apps.push(app);
    return app;
  };
  before(async () => {
    shared = await mkdtemp(path.join(tmpdir(), 'picora-fa-shared-'));
    a = await start(redis.ok ? redis.value : '');
    b = await start(redis.ok ? redis.value : '');
    const u = await registerUser({ ...a, dataDir: shared });
    key = (await createKey(a, u)).key;
  });
  after(async () => {
    for (const app of apps) await app.close();
    if (shared) await rm(shared, { recursive: true, force: true });
    await cleanRedisPrefix(prefix);
  });

  it('two instances share one budget per address', async () => {
    const ip = '192.0.2.50';
    const rs = await sequence(8, (i) => me(i % 2 === 0 ? a : b, wrongKey(), ip));
    expectRefusedAfter(rs, 5, 'alternating between two instances');
    assertRateLimited(await me(a, key, ip), 5, 'instance a, valid key');
    assertRateLimited(await me(b, key, ip), 5, 'instance b, valid key');
    assert.equal((await me(b, key, '192.0.2.51')).statusCode, 200, 'another address');
    assert.ok((await redisKeys(prefix)).some((k) => k.includes('ip:192.0.2.50')), 'the counter lives in Redis');
  });

  it('an instance that cannot reach Redis keeps its own budget in memory', async () => {
    const c = await start('redis://127.0.0.1:1');
    const ip = '192.0.2.60';
    assert.equal((await me(c, key, ip)).statusCode, 200, 'served without Redis');
    const rs = await sequence(7, () => me(c, wrongKey(), ip));
    expectRefusedAfter(rs, 5, 'without Redis');
    assertRateLimited(rs[6]!, 5, 'without Redis');
  });
});

describe('GET /v1/user/me/rate-limits and GET /v1/auth/verify (CONTRACT §8)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(undefined, { env: { PICORA_RATE_READ_PER_MIN: '600', PICORA_RATE_AUTH_PER_MIN: '20' } });
    await registerUser(t); // the admin (×10 limits); the tests use ordinary accounts
  });
  after(async () => t?.close());

  it('/v1/user/me/rate-limits sends the read tier header families without consuming', async () => {
    const u = await registerUser(t);
    const ip = '203.0.113.70';
    assert.equal(limitHeaders(await me(t, u.accessToken, ip)).remaining, 599);
    const status = () => t.app.inject({ method: 'GET', url: '/v1/user/me/rate-limits', headers: bearer(u.accessToken), remoteAddress: ip });
    const first = await status();
    const second = await status();
    for (const res of [first, second]) {
      assert.equal(res.statusCode, 200, res.body);
      const h = limitHeaders(res);
      assert.deepEqual([h.limit, h.remaining], [600, 599], 'the read tier as it stands');
      assert.deepEqual([body(res).data.read.limit, body(res).data.read.remaining], [h.limit, h.remaining], 'headers agree with the body');
      assert.ok(h.reset >= 0 && h.reset <= 60, `reset within the window: ${h.reset}`);
    }
    assert.equal(limitHeaders(await me(t, u.accessToken, ip)).remaining, 598, 'the status calls consumed nothing');
  });

  it('40 verifies from one key all succeed, counted in the read tier of the account, not the per-IP auth tier', async () => {
    const u = await registerUser(t);
    const { key } = await createKey(t, u);
    const ip = '203.0.113.80';
    const rs = await sequence(40, () => verify(t, key, ip));
    assert.deepEqual(statuses(rs), Array(40).fill(200), rs.find((r) => r.statusCode !== 200)?.body);
    assert.deepEqual(rs.map((r) => limitHeaders(r).limit), Array(40).fill(600), 'read tier limit in the headers');
    assert.deepEqual([limitHeaders(rs[0]!).remaining, limitHeaders(rs[39]!).remaining], [599, 560]);
    assert.equal(body(rs[0]!).data.valid, true);
    assert.equal(limitHeaders(await me(t, key, ip)).remaining, 559, 'the same account budget as its other reads');
    assert.equal(limitHeaders(await verify(t, u.accessToken, '203.0.113.81')).remaining, 558, 'a session token, from another address: still the account');
    const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', remoteAddress: ip, payload: { email: u.email, password: u.password } });
    assert.equal(login.statusCode, 200, login.body);
    assert.deepEqual([limitHeaders(login).limit, limitHeaders(login).remaining], [20, 19], 'the address still has its whole auth budget');
  });
});
