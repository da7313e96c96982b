// Rate limits (CONTRACT §8, SPEC §4): both header families, 429 with Retry-After, N + burst, one budget per
// account (keys and JWTs together), anonymous per IP, auth per IP, admin ×10, the status endpoint, media
// outside the budget; then two instances sharing a real Redis, and Redis going away.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { LightMyRequestResponse } from 'fastify';
import { bearer, createKey, registerUser, startTestApp, type Session, type TestApp } from '../support/app.js';
import { uploadBody } from '../support/multipart.js';
import { loadContract } from '../support/openapi.js';
import { cleanRedisPrefix, probeRedis, redisKeys, startRedisProxy, uniqueRedisPrefix } from '../support/redis.js';
import { skipUnless } from '../support/services.js';

// read/upload/mutation 5 per minute → burst ceil(5/20) = 1 and ceil(5/12) = 1: six requests pass, the 7th is refused.
const SMALL = { PICORA_RATE_READ_PER_MIN: '5', PICORA_RATE_UPLOAD_PER_MIN: '5', PICORA_RATE_MUTATION_PER_MIN: '5', PICORA_RATE_PER_HOUR: '100000' };
const ADMITTED = 6;
const JWT_SECRET = 'rate-limit-tests-shared-secret-0123456789abcdef';
const contract = loadContract();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const body = (res: LightMyRequestResponse) => res.json() as Record<string, any>;
const me = (t: TestApp, token: string, remoteAddress?: string) => t.app.inject({ method: 'GET', url: '/v1/user/me', headers: bearer(token), ...(remoteAddress ? { remoteAddress } : {}) });
const plans = (t: TestApp, remoteAddress: string) => t.app.inject({ method: 'GET', url: '/v1/billing/plans', remoteAddress });
const status = async (t: TestApp, token: string) => {
  const res = await t.app.inject({ method: 'GET', url: '/v1/user/me/rate-limits', headers: bearer(token) });
  assert.equal(res.statusCode, 200, res.body);
  return { res, data: body(res).data as Record<'read' | 'upload' | 'mutation' | 'hourly', { limit: number; remaining: number; resetSeconds: number; resetAt: string }> };
};

/** Both header families, checked to agree; numbers. */
function limitHeaders(res: LightMyRequestResponse): { limit: number; remaining: number; reset: number } {
  const h = res.headers;
  for (const n of ['limit', 'remaining', 'reset']) {
    assert.match(String(h[`ratelimit-${n}`]), /^\d+$/, `RateLimit-${n} on ${res.statusCode}: ${String(h[`ratelimit-${n}`])}`);
    assert.equal(h[`x-ratelimit-${n}`], h[`ratelimit-${n}`], `X-RateLimit-${n} equals RateLimit-${n}`);
  }
  const out = { limit: Number(h['ratelimit-limit']), remaining: Number(h['ratelimit-remaining']), reset: Number(h['ratelimit-reset']) };
  assert.ok(out.reset >= 0 && out.reset <= 60, `reset is seconds until the window ends: ${out.reset}`);
  return out;
}

/** The 429 of CONTRACT §2/§8. */
function assertRateLimited(res: LightMyRequestResponse, limit: number, label: string): void {
  assert.equal(res.statusCode, 429, `${label}: ${res.body}`);
  assert.match(String(res.headers['retry-after']), /^[1-9]\d*$/, `${label}: Retry-After is integer seconds`);
  const retry = Number(res.headers['retry-after']);
  assert.ok(retry <= 60, `${label}: Retry-After within the window (${retry})`);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const b = body(res);
  assert.equal(b.success, false);
  assert.equal(b.code, 'RATE_LIMITED');
  assert.equal(typeof b.error, 'string');
  assert.equal(b.meta?.retryAfterSec, retry, `${label}: meta.retryAfterSec equals Retry-After`);
  assert.deepEqual({ ...limitHeaders(res), reset: 0 }, { limit, remaining: 0, reset: 0 }, `${label}: header families on the 429`);
}

/** Sends `n` requests one after the other; the statuses in order. */
async function burst(n: number, send: (i: number) => Promise<LightMyRequestResponse>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await send(i)).statusCode);
  return out;
}
const expectAdmitted = (statuses: number[], admitted: number, label: string) =>
  assert.deepEqual(statuses, statuses.map((_, i) => (i < admitted ? 200 : 429)), `${label}: ${admitted} admitted, then 429`);

describe('rate limits (one instance)', () => {
  let t: TestApp;
  let admin: Session;
  before(async () => {
    t = await startTestApp(undefined, { env: SMALL });
    admin = await registerUser(t); // the first account is the admin
  });
  after(async () => t?.close());

  it('sets RateLimit-* and X-RateLimit-* on success, remaining going down', async () => {
    const u = await registerUser(t);
    const seen = [];
    for (let i = 0; i < 3; i++) {
      const res = await me(t, u.accessToken);
      assert.equal(res.statusCode, 200, res.body);
      seen.push(limitHeaders(res));
    }
    assert.deepEqual(seen.map((s) => [s.limit, s.remaining]), [[5, 4], [5, 3], [5, 2]]);
  });

  it(`admits N + burst (${ADMITTED}) and answers the next with 429, Retry-After and RATE_LIMITED; other tiers stay open`, async () => {
    const u = await registerUser(t);
    const ok = [];
    for (let i = 0; i < ADMITTED; i++) ok.push(await me(t, u.accessToken));
    assert.deepEqual(ok.map((r) => r.statusCode), Array(ADMITTED).fill(200));
    assert.deepEqual(ok.map((r) => limitHeaders(r).remaining), [4, 3, 2, 1, 0, 0], 'the burst request reports 0 left');
    assertRateLimited(await me(t, u.accessToken), 5, 'read over the limit');
    const patch = await t.app.inject({ method: 'PATCH', url: '/v1/user/me', headers: bearer(u.accessToken), payload: { nickname: 'still-writing' } });
    assert.equal(patch.statusCode, 200, `the mutation tier has its own budget: ${patch.body}`);
    const { data } = await status(t, u.accessToken);
    assert.equal(data.read.remaining, 0, 'the status never reports a negative remaining');
  });

  it('counts an API key and a JWT of the same account against one budget', async () => {
    const u = await registerUser(t);
    const { key } = await createKey(t, u);
    const statuses = await burst(ADMITTED + 2, (i) => me(t, i % 2 === 0 ? key : u.accessToken));
    expectAdmitted(statuses, ADMITTED, 'key and JWT alternating');
    assertRateLimited(await me(t, key), 5, 'the key, once the JWT used the rest');
  });

  it('counts anonymous traffic per IP address, apart from accounts', async () => {
    expectAdmitted(await burst(ADMITTED + 2, () => plans(t, '203.0.113.1')), ADMITTED, 'anonymous 203.0.113.1');
    assertRateLimited(await plans(t, '203.0.113.1'), 5, 'anonymous over the limit');
    const other = await plans(t, '203.0.113.2');
    assert.equal(other.statusCode, 200);
    assert.equal(limitHeaders(other).remaining, 4, 'another address has its own budget');
    const u = await registerUser(t);
    assert.equal(limitHeaders(await me(t, u.accessToken, '203.0.113.1')).remaining, 4, 'an account from an exhausted address keeps its own budget');
  });

  it('gives admins ten times every limit', async () => {
    const first = await me(t, admin.accessToken);
    assert.equal(limitHeaders(first).limit, 50);
    const { data } = await status(t, admin.accessToken);
    assert.deepEqual([data.read.limit, data.upload.limit, data.mutation.limit, data.hourly.limit], [50, 50, 50, 1_000_000]);
    const statuses = [first.statusCode, ...(await burst(62, () => me(t, admin.accessToken)))];
    expectAdmitted(statuses, 60, 'admin: 50 + burst 10');
  });

  it('/v1/user/me/rate-limits reports without consuming, in the RateLimitTierStatus shape', async () => {
    const u = await registerUser(t);
    await me(t, u.accessToken);
    const a = await status(t, u.accessToken);
    const b = await status(t, u.accessToken);
    assert.deepEqual([limitHeaders(b.res).limit, limitHeaders(b.res).remaining], [5, 4], 'the status call sends the read tier headers, unconsumed');
    for (const tier of ['read', 'upload', 'mutation', 'hourly'] as const) {
      assert.deepEqual([b.data[tier].limit, b.data[tier].remaining], [a.data[tier].limit, a.data[tier].remaining], `${tier}: same numbers twice`);
      assert.ok(Math.abs(b.data[tier].resetSeconds - a.data[tier].resetSeconds) <= 1, tier);
      assert.ok(Date.parse(a.data[tier].resetAt) > 0, `${tier}: resetAt is a timestamp`);
    }
    assert.deepEqual([a.data.read.limit, a.data.read.remaining, a.data.upload.remaining, a.data.mutation.remaining], [5, 4, 5, 5]);
    assert.deepEqual([a.data.hourly.limit, a.data.hourly.remaining], [100_000, 99_999]);
    assert.equal(limitHeaders(await me(t, u.accessToken)).remaining, 3, 'the next real request sees both status calls unconsumed');
    if ('validator' in contract) assert.ok(contract.validator.check('GET', '/v1/user/me/rate-limits', 200, body(a.res)));
    else console.log(`# contract check skipped: ${contract.skip}`);
  });

  it('does not count media delivery of a public image against the owner or the visitor', async () => {
    const u = await registerUser(t);
    const png = await sharp({ create: { width: 16, height: 12, channels: 3, background: '#3366aa' } }).png().toBuffer();
    const up = uploadBody(png, 'rl.png');
    const res = await t.app.inject({ method: 'POST', url: '/v1/images', headers: { ...bearer(u.accessToken), ...up.headers }, payload: up.payload });
    assert.equal(res.statusCode, 201, res.body);
    const url = new URL(body(res).data.url as string).pathname;
    const before = (await status(t, u.accessToken)).data;
    for (let i = 0; i < 15; i++) {
      for (const headers of [{}, bearer(u.accessToken)]) {
        const media = await t.app.inject({ method: 'GET', url, headers, remoteAddress: '198.18.0.9' });
        assert.equal(media.statusCode, 200, `media request ${i}: ${media.body.slice(0, 200)}`);
        assert.equal(media.headers['ratelimit-limit'], undefined, 'media answers carry no API budget');
      }
    }
    const afterward = (await status(t, u.accessToken)).data;
    assert.deepEqual([afterward.read.remaining, afterward.hourly.remaining], [before.read.remaining, before.hourly.remaining]);
    assert.equal(limitHeaders(await plans(t, '198.18.0.9')).remaining, 4, 'the visitor address still has its whole API budget');
  });

  it('limits /v1/auth/* per IP (20/min by default; 3 here) and /metrics counts the rejections', async () => {
    const a = await startTestApp(undefined, { env: { ...SMALL, PICORA_RATE_AUTH_PER_MIN: '3' } });
    try {
      const login = (ip: string) => a.app.inject({ method: 'POST', url: '/v1/auth/login', remoteAddress: ip, payload: { email: 'nobody@example.com', password: 'wrong-pass-1' } });
      const statuses = await burst(5, () => login('198.51.100.7'));
      assert.deepEqual(statuses, [401, 401, 401, 429, 429], 'three answered, then refused (auth has no burst)');
      assertRateLimited(await login('198.51.100.7'), 3, 'auth over the limit');
      assert.equal((await login('198.51.100.8')).statusCode, 401, 'another address is not limited');
      const metrics = await a.app.inject({ method: 'GET', url: '/metrics' });
      assert.match(metrics.body, /^picora_rate_limit_rejections_total\{tier="auth"\} 3$/m);
    } finally {
      await a.close();
    }
  });

  it('holds every tier of an account to one hourly budget (5 000/h by default; 8 here)', async () => {
    const h = await startTestApp(undefined, { env: { PICORA_RATE_PER_HOUR: '8' } });
    try {
      await registerUser(h); // the admin
      const u = await registerUser(h);
      const mutate = () => h.app.inject({ method: 'PATCH', url: '/v1/user/me', headers: bearer(u.accessToken), payload: { nickname: 'n' } });
      const statuses = await burst(10, (i) => (i % 2 === 0 ? me(h, u.accessToken) : mutate()));
      expectAdmitted(statuses, 8, 'reads and mutations together');
      const res = await me(h, u.accessToken);
      assert.equal(res.statusCode, 429);
      assert.deepEqual([body(res).code, body(res).meta?.tier, res.headers['ratelimit-limit']], ['RATE_LIMITED', 'hourly', '8']);
      assert.ok(Number(res.headers['retry-after']) > 60 && Number(res.headers['retry-after']) <= 3600, `Retry-After within the hour: ${String(res.headers['retry-after'])}`);
      assert.deepEqual([(await status(h, u.accessToken)).data.hourly.remaining], [0]);
    } finally {
      await h.close();
    }
  });
});

const redis = await probeRedis();
const redisSkip = skipUnless('Redis', redis);

describe('rate limits shared through Redis', { skip: redisSkip }, () => {
  const prefix = uniqueRedisPrefix('rl');
  const apps: TestApp[] = [];
  let shared: string;
  let a: TestApp;
  let b: TestApp;
  let u: Session;
  const start = async (redisUrl: string) => {
    const app = await startTestApp(undefined, { env: { ...SMALL, PICORA_REDIS_URL: redisUrl, PICORA_REDIS_PREFIX: prefix, PICORA_DATA_DIR: shared, PICORA_JWT_SECRET: JWT_SECRET } });
    apps.push(app);
    return app;
  };
  before(async () => {
    // One SQLite file and one JWT secret for every instance: the same account and token work on each.
    shared = await mkdtemp(path.join(tmpdir(), 'picora-rl-shared-'));
    a = await start(redis.ok ? redis.value : '');
    b = await start(redis.ok ? redis.value : '');
    await registerUser({ ...a, dataDir: shared }); // the admin
    u = await registerUser({ ...a, dataDir: shared });
  });
  after(async () => {
    for (const app of apps) await app.close();
    if (shared) await rm(shared, { recursive: true, force: true });
    await cleanRedisPrefix(prefix);
  });

  it('two instances share one budget per account', async () => {
    const statuses = await burst(ADMITTED + 2, (i) => me(i % 2 === 0 ? a : b, u.accessToken));
    expectAdmitted(statuses, ADMITTED, 'alternating between two instances');
    assert.ok((await redisKeys(prefix)).some((k) => k.includes(`u:${u.userId}`)), 'the counters live in Redis');
    assert.equal((await status(b, u.accessToken)).data.read.remaining, 0, 'the status endpoint reads the shared counter');
  });

  it('two instances share one budget per anonymous address', async () => {
    expectAdmitted(await burst(ADMITTED + 2, (i) => plans(i % 2 === 0 ? b : a, '192.0.2.10')), ADMITTED, 'anonymous, alternating');
  });

  it('an instance that cannot reach Redis keeps serving with its own limits; /ready says redis degraded, stays 200', async () => {
    const c = await start('redis://127.0.0.1:1');
    const res = await me(c, u.accessToken);
    assert.equal(res.statusCode, 200, `served although the shared budget is spent: ${res.body}`);
    assert.equal(limitHeaders(res).remaining, 4, 'counted by this instance alone');
    expectAdmitted(await burst(ADMITTED + 1, () => plans(c, '192.0.2.20')), ADMITTED, 'per-instance limit still enforced');
    const ready = await c.app.inject({ method: 'GET', url: '/ready' });
    assert.equal(ready.statusCode, 200, ready.body);
    assert.deepEqual(body(ready), { ok: true, checks: { database: 'ok', storage: 'ok', redis: 'degraded' } });
  });

  it('Redis going away mid-flight: requests are still served and /ready turns degraded', async () => {
    const proxy = await startRedisProxy(redis.ok ? redis.value : undefined);
    try {
      const d = await start(proxy.url);
      const readyOf = async () => body(await d.app.inject({ method: 'GET', url: '/ready' })) as { checks: Record<string, string> };
      for (let i = 0; i < 50 && (await readyOf()).checks['redis'] !== 'ok'; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal((await readyOf()).checks['redis'], 'ok', 'connected through the proxy');
      assert.equal(limitHeaders(await plans(d, '192.0.2.30')).remaining, 4);
      assert.equal(limitHeaders(await plans(a, '192.0.2.30')).remaining, 3, 'shared with instance a while Redis is there');
      await proxy.cut();
      for (let i = 0; i < 50 && (await readyOf()).checks['redis'] !== 'degraded'; i++) await new Promise((r) => setTimeout(r, 100));
      const ready = await d.app.inject({ method: 'GET', url: '/ready' });
      assert.equal(ready.statusCode, 200);
      assert.equal(body(ready).checks.redis, 'degraded');
      const started = Date.now();
      expectAdmitted(await burst(ADMITTED + 1, () => plans(d, '192.0.2.30')), ADMITTED, 'without Redis: this instance counts alone');
      assert.ok(Date.now() - started < 5_000, 'no request waits for Redis');
    } finally {
      await proxy.close();
    }
  });
});
