// Quotas (CONTRACT §2/§4, SPEC §6.3–§6.5): every implemented dimension refuses with its meta.type and gives
// back what it should (delete, revoke, next day, next month); usage drift and its reconciliation (service and
// CLI); the usage/subscription/plans endpoints against the contract; the admin API; /metrics.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { LightMyRequestResponse } from 'fastify';
import type { PlanRow } from '../../src/db/schema.js';
import { bearer, createKey, registerUser, startTestApp, type Session, type TestApp } from '../support/app.js';
import { uploadBody } from '../support/multipart.js';
import { loadContract } from '../support/openapi.js';
import { REPO_ROOT, baseEnv } from '../support/server-process.js';

const run = promisify(execFile);
const contract = loadContract();
const DAY = 86_400_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const body = (res: LightMyRequestResponse) => res.json() as Record<string, any>;

/** A PNG unique to `seed`; every seed gives the same byte size (stored, not compressed). */
const png = (seed: number): Promise<Buffer> => {
  const raw = Buffer.alloc(24 * 24 * 3, 180);
  raw.writeUInt32BE((seed * 2654435761) >>> 0, 0);
  return sharp(raw, { raw: { width: 24, height: 24, channels: 3 } }).png({ compressionLevel: 0, adaptiveFiltering: false }).toBuffer();
};

const atLeast = (value: number, min: number, what: string) => assert.ok(value >= min, `${what}: ${value} < ${min}`);

function assertQuota(res: LightMyRequestResponse, type: string, label = type): void {
  assert.equal(res.statusCode, 403, `${label}: ${res.body}`);
  const b = body(res);
  assert.deepEqual([b.success, b.code, b.meta?.type], [false, 'QUOTA_EXCEEDED', type], `${label}: ${res.body}`);
}

describe('quotas, usage and the admin API', () => {
  let t: TestApp;
  let admin: Session;
  let size: number;
  let seed = 0;
  const undo: Array<() => Promise<void>> = [];

  const upload = async (token: string) => {
    const u = uploadBody(await png(++seed), `q${seed}.png`);
    return t.app.inject({ method: 'POST', url: '/v1/images', headers: { ...bearer(token), ...u.headers }, payload: u.payload });
  };
  const uploadOk = async (token: string): Promise<{ id: string; url: string; sizeBytes: number }> => {
    const res = await upload(token);
    assert.equal(res.statusCode, 201, res.body);
    return body(res).data;
  };
  const get = (url: string, token?: string, remoteAddress?: string) =>
    t.app.inject({ method: 'GET', url, headers: token ? bearer(token) : {}, ...(remoteAddress ? { remoteAddress } : {}) });
  const usage = async (token: string) => {
    const res = await get('/v1/user/me/usage', token);
    assert.equal(res.statusCode, 200, res.body);
    return body(res).data as { plan: string; images: { storageUsed: number; bandwidthUsed: number; uploadCountToday: number; uploadCountMonth: number; totalCount: number } };
  };
  /** Changes the trial plan in the database, restored after the suite. */
  const setTrial = async (patch: Partial<Omit<PlanRow, 'id'>>) => {
    const db = t.deps.db.db;
    const was = await db.selectFrom('plans').selectAll().where('id', '=', 'trial').executeTakeFirstOrThrow();
    await db.updateTable('plans').set(patch).where('id', '=', 'trial').execute();
    const back = Object.fromEntries(Object.keys(patch).map((k) => [k, was[k as keyof PlanRow]]));
    undo.push(async () => void (await db.updateTable('plans').set(back).where('id', '=', 'trial').execute()));
  };
  const restore = async () => {
    while (undo.length) await undo.pop()!();
  };
  /** The stored monthly bandwidth, polled until it reaches `expected` (the meter flushes every 5 s) or 8 s pass. */
  const flushedBandwidth = async (userId: string, month: string, expected: number): Promise<number> => {
    for (let i = 0; ; i++) {
      const row = await t.deps.db.db.selectFrom('usageMonthly').select('imgBandwidthBytes').where('userId', '=', userId).where('month', '=', month).executeTakeFirst();
      const stored = Number(row?.imgBandwidthBytes ?? 0);
      if (stored >= expected || i >= 80) return stored;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const metric = async (line: RegExp): Promise<number> => {
    const m = line.exec((await get('/metrics')).body);
    return m ? Number(m[1]) : 0;
  };

  before(async () => {
    t = await startTestApp(undefined, { env: { PICORA_RATE_READ_PER_MIN: '100' } });
    admin = await registerUser(t);
    size = (await png(0)).length;
  });
  after(async () => {
    if (t) await restore();
    await t?.close();
  });

  it('img_storage: refuses the upload past the plan, and deleting an image gives its bytes back', async () => {
    const u = await registerUser(t);
    await setTrial({ imgStorageBytes: 2 * size + Math.floor(size / 2) });
    const first = await uploadOk(u.accessToken);
    await uploadOk(u.accessToken);
    assertQuota(await upload(u.accessToken), 'img_storage');
    assert.deepEqual([(await usage(u.accessToken)).images.storageUsed, (await usage(u.accessToken)).images.totalCount], [2 * size, 2], 'the refusal used nothing');
    const del = await t.app.inject({ method: 'DELETE', url: `/v1/images/${first.id}`, headers: bearer(u.accessToken) });
    assert.equal(del.statusCode, 200, del.body);
    assert.deepEqual([(await usage(u.accessToken)).images.storageUsed, (await usage(u.accessToken)).images.totalCount], [size, 1], 'storage back after delete');
    await uploadOk(u.accessToken);
    await restore();
  });

  it('api_key_count: the 4th key of a trial account is refused; revoking one frees its slot', async () => {
    const u = await registerUser(t);
    const keys = [await createKey(t, u), await createKey(t, u), await createKey(t, u)];
    const fourth = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(u.accessToken), payload: { name: 'one too many' } });
    assertQuota(fourth, 'api_key_count');
    const revoke = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${keys[0]!.id}`, headers: bearer(u.accessToken) });
    assert.equal(revoke.statusCode, 200, revoke.body);
    assert.equal(body(await get('/v1/user/me', keys[0]!.key)).code, 'API_KEY_REVOKED');
    await createKey(t, u, { name: 'in the freed slot' });
  });

  it('usage, subscription and plans show real numbers and match the contract', async () => {
    const u = await registerUser(t);
    const a = await uploadOk(u.accessToken);
    await uploadOk(u.accessToken);
    const path = new URL(a.url).pathname;
    for (let i = 0; i < 2; i++) assert.equal((await get(path)).statusCode, 200);
    const stats = await get('/v1/user/me/usage', u.accessToken);
    assert.deepEqual(body(stats).data.images, { storageUsed: 2 * size, bandwidthUsed: 2 * size, uploadCountToday: 2, uploadCountMonth: 2, totalCount: 2 });
    assert.equal(body(stats).data.plan, 'trial');
    const sub = await get('/v1/me/subscription', u.accessToken);
    const s = body(sub).data;
    assert.deepEqual([s.plan, s.usage.imgStorageBytes, s.usage.imgBandwidthBytes, s.limits.imgStorageBytes, s.limits.videoEnabled], ['trial', 2 * size, 2 * size, 100 * 1024 * 1024, false]);
    const catalogue = await get('/v1/billing/plans');
    assert.equal(catalogue.statusCode, 200, 'public');
    const c = body(catalogue).data;
    assert.deepEqual(Object.keys(c).sort(), ['pro', 'pro_plus', 'trial']);
    assert.deepEqual([c.trial.limits.imgStorageBytes, c.trial.limits.apiKeysMax, c.pro_plus.limits.apiKeysMax, c.pro.limits.uploadsPerDay], [100 * 1024 * 1024, 3, 10, 5000]);
    if ('validator' in contract) {
      assert.ok(contract.validator.check('GET', '/v1/user/me/usage', 200, body(stats)));
      assert.ok(contract.validator.check('GET', '/v1/me/subscription', 200, body(sub)));
      assert.ok(contract.validator.check('GET', '/v1/billing/plans', 200, body(catalogue)));
    } else console.log(`# contract checks skipped: ${contract.skip}`);
    // Served bytes reach the database on the meter's next flush (every 5 s).
    assert.equal(await flushedBandwidth(u.userId, new Date(t.clock.now()).toISOString().slice(0, 7), 2 * size), 2 * size, 'the flushed monthly bandwidth');
  });

  it('admin API: non-admins and API keys get 403; admins list users with their usage', async () => {
    const u = await registerUser(t);
    await uploadOk(u.accessToken);
    for (const token of [u.accessToken, (await createKey(t, admin)).key]) {
      const res = await get('/v1/admin/users', token);
      assert.deepEqual([res.statusCode, body(res).code], [403, 'FORBIDDEN'], res.body);
    }
    const patch = await t.app.inject({ method: 'PATCH', url: `/v1/admin/users/${u.userId}`, headers: bearer(u.accessToken), payload: { plan: 'pro' } });
    assert.equal(patch.statusCode, 403);
    const list = await get(`/v1/admin/users?q=${encodeURIComponent(u.email)}`, admin.accessToken);
    assert.equal(list.statusCode, 200, list.body);
    const items = body(list).data.items as Array<{ id: string; plan: string; isActive: boolean; usage: { imgStorageBytes: number; imageCount: number } }>;
    assert.deepEqual(items.map((i) => [i.id, i.plan, i.isActive, i.usage]), [[u.userId, 'trial', true, { imgStorageBytes: size, imageCount: 1, mediaStorageBytes: 0, videoCount: 0 }]]);
  });

  it('admin API: PATCH plan moves an account, and its next upload gets the new limits', async () => {
    const u = await registerUser(t);
    await setTrial({ imgStorageBytes: size });
    await uploadOk(u.accessToken);
    assertQuota(await upload(u.accessToken), 'img_storage', 'on trial');
    const res = await t.app.inject({ method: 'PATCH', url: `/v1/admin/users/${u.userId}`, headers: bearer(admin.accessToken), payload: { plan: 'pro' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(body(res).data.plan, 'pro');
    await uploadOk(u.accessToken);
    assert.equal(body(await get('/v1/me/subscription', u.accessToken)).data.limits.imgStorageBytes, 10 * 1024 ** 3);
    await restore();
  });

  it('admin API: isActive false shuts out the account\'s tokens and keys at once; true lets them back', async () => {
    const u = await registerUser(t);
    const { key } = await createKey(t, u);
    const patch = (isActive: boolean) => t.app.inject({ method: 'PATCH', url: `/v1/admin/users/${u.userId}`, headers: bearer(admin.accessToken), payload: { isActive } });
    assert.equal((await patch(false)).statusCode, 200);
    for (const token of [u.accessToken, key]) assert.deepEqual([(await get('/v1/user/me', token)).statusCode, body(await get('/v1/user/me', token)).code], [401, 'UNAUTHORIZED']);
    assert.equal((await patch(true)).statusCode, 200);
    for (const token of [u.accessToken, key]) assert.equal((await get('/v1/user/me', token)).statusCode, 200);
  });

  it('admin API: PATCH /v1/admin/plans/{id} changes a limit that the next request honours', async () => {
    const u = await registerUser(t);
    const plans = await get('/v1/admin/plans', admin.accessToken);
    assert.deepEqual((body(plans).data as Array<{ id: string }>).map((p) => p.id), ['trial', 'pro', 'pro_plus']);
    const set = (apiKeysMax: number) => t.app.inject({ method: 'PATCH', url: '/v1/admin/plans/trial', headers: bearer(admin.accessToken), payload: { apiKeysMax } });
    const res = await set(1);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(body(res).data.apiKeysMax, 1);
    try {
      await createKey(t, u);
      const second = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(u.accessToken), payload: { name: 'second' } });
      assertQuota(second, 'api_key_count');
      assert.equal(body(second).meta.limit, 1);
    } finally {
      assert.equal((await set(3)).statusCode, 200);
    }
  });

  it('reconcile: reports hand-made drift (service and CLI) and fixes it', async () => {
    const u = await registerUser(t);
    await uploadOk(u.accessToken);
    await uploadOk(u.accessToken);
    await t.deps.db.db.updateTable('userUsage').set({ imgStorageBytes: 12345, imgCount: 99 }).where('userId', '=', u.userId).execute();
    const expected = {
      userId: u.userId, storedBytes: 12345, actualBytes: 2 * size, storedCount: 99, actualCount: 2,
      storedMediaBytes: 0, actualMediaBytes: 0, storedMediaCount: 0, actualMediaCount: 0,
    };
    assert.deepEqual(await t.deps.admin.reconcile(false), [expected], 'only the corrupted account drifted');
    assert.equal((await usage(u.accessToken)).images.storageUsed, 12345, 'a report changes nothing');
    const cli = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'admin', 'reconcile'], {
      cwd: REPO_ROOT, env: { ...baseEnv(), PICORA_DATA_DIR: t.dataDir, PICORA_LOG_LEVEL: 'warn' }, timeout: 60_000,
    });
    assert.match(cli.stdout, new RegExp(`drift ${u.userId}: images stored 12345 B / 99, actual ${2 * size} B / 2; media stored 0 B / 0, actual 0 B / 0`));
    assert.match(cli.stdout, /no orphaned objects in the store/);
    assert.match(cli.stdout, /1 account\(s\) drifted \(run with --fix to correct\)/);
    assert.deepEqual(await t.deps.admin.reconcile(true), [expected]);
    assert.deepEqual(await t.deps.admin.reconcile(false), []);
    const after = await usage(u.accessToken);
    assert.deepEqual([after.images.storageUsed, after.images.totalCount], [2 * size, 2]);
  });

  it('/metrics: requests, quota rejections and rate-limit rejections after they happen', async () => {
    atLeast(await metric(/^picora_http_requests_total\{method="POST",route="\/v1\/images",status="201"\} (\d+)$/m), 5, 'picora_http_requests_total{method="POST",route="/v1/images",status="201"}');
    atLeast(await metric(/^picora_quota_rejections_total\{type="img_storage"\} (\d+)$/m), 2, 'picora_quota_rejections_total{type="img_storage"}');
    atLeast(await metric(/^picora_quota_rejections_total\{type="api_key_count"\} (\d+)$/m), 2, 'picora_quota_rejections_total{type="api_key_count"}');
    for (let i = 0; i < 106; i++) await get('/v1/billing/plans', undefined, '198.51.100.99');
    assert.equal(await metric(/^picora_rate_limit_rejections_total\{tier="read"\} (\d+)$/m), 1, 'read: 100 + burst 5, the 106th refused');
  });

  it('/metrics: picora_bytes_served_total counts media bytes after they are served', async () => {
    const img = await uploadOk(admin.accessToken);
    const before = await metric(/^picora_bytes_served_total (\d+)$/m);
    assert.equal((await get(new URL(img.url).pathname)).statusCode, 200);
    const after = await metric(/^picora_bytes_served_total (\d+)$/m);
    assert.equal(after - before, size, `served ${size} bytes: counter went ${before} → ${after}`);
  });

  it('/metrics: picora_renders_total counts a render after it happens', async () => {
    const img = await uploadOk(admin.accessToken);
    const before = await metric(/^picora_renders_total (\d+)$/m);
    const res = await get(`${new URL(img.url).pathname}?w=8&fmt=png`);
    assert.deepEqual([res.statusCode, res.headers['content-type']], [200, 'image/png']);
    const after = await metric(/^picora_renders_total (\d+)$/m);
    assert.equal(after - before, 1, `one render: counter went ${before} → ${after}`);
  });

  // The clock moves from here on: access tokens expire, so these use API keys.
  it('uploads_per_day: refused past the plan (a delete does not give it back), open again the next day', async () => {
    const u = await registerUser(t);
    const { key } = await createKey(t, u);
    await setTrial({ uploadsPerDay: 2 });
    const first = await uploadOk(key);
    await uploadOk(key);
    assertQuota(await upload(key), 'uploads_per_day');
    await t.app.inject({ method: 'DELETE', url: `/v1/images/${first.id}`, headers: bearer(u.accessToken) });
    assertQuota(await upload(key), 'uploads_per_day', 'after a delete');
    t.clock.advance(DAY);
    await uploadOk(key);
    assert.equal((await usage(key)).images.uploadCountToday, 1);
    await restore();
  });

  it('img_bandwidth: served bytes count against the owner; refused past the plan, open again next month', async () => {
    const u = await registerUser(t);
    const { key } = await createKey(t, u);
    const img = await uploadOk(key);
    await setTrial({ imgBandwidthBytes: size });
    const path = new URL(img.url).pathname;
    assert.equal((await get(path)).statusCode, 200);
    assertQuota(await get(path), 'img_bandwidth');
    atLeast(await metric(/^picora_quota_rejections_total\{type="img_bandwidth"\} (\d+)$/m), 1, 'picora_quota_rejections_total{type="img_bandwidth"}');
    const now = new Date(t.clock.now());
    const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1, 1);
    t.clock.set(next);
    assert.equal((await get(path)).statusCode, 200, 'a new month, a new allowance');
    assert.equal((await usage(key)).images.bandwidthUsed, size);
    const months = [now, new Date(next)].map((d) => d.toISOString().slice(0, 7));
    const stored = [await flushedBandwidth(u.userId, months[0]!, size), await flushedBandwidth(u.userId, months[1]!, size)];
    assert.deepEqual(stored, [size, size], `bytes served before the rollover stay in ${months[0]}, the new ones go to ${months[1]}`);
    await restore();
  });
});
