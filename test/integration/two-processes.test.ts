// Two REAL server processes sharing one PostgreSQL database, one S3 bucket and one Redis prefix (CONTRACT §3,
// §8, STYLE "quota is reserved before the bytes land"): a rate limit holds across both, a key revoked on one is
// refused by the other at once, and concurrent uploads spread over both never pass the storage quota.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { paginateListObjectsV2 } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { createDb, type DbHandle } from '../../src/db/db.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createS3Client } from '../../src/storage/s3-store.js';
import { storageKeys } from '../../src/storage/keys.js';
import { uploadBody } from '../support/multipart.js';
import { cleanRedisPrefix, probeRedis, uniqueRedisPrefix } from '../support/redis.js';
import { createTestBucket, probeS3 } from '../support/s3.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { createTestDatabase, probePostgres, skipUnless } from '../support/services.js';

const pg = await probePostgres();
const s3 = await probeS3();
const redis = await probeRedis();
const skip = skipUnless('PostgreSQL', pg) ?? skipUnless('S3', s3) ?? skipUnless('Redis', redis);

const READ_PER_MIN = 10; // burst ceil(10/20) = 1
const UPLOADS = 40;
const FITS = 10;

type Answer = { status: number; body: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
type User = { token: string; id: string };

/** A PNG unique to `seed`; every seed gives the same byte size (stored, not compressed). */
const png = (seed: number): Promise<Buffer> => {
  const raw = Buffer.alloc(24 * 24 * 3, 90);
  raw.writeUInt32BE((seed * 2654435761) >>> 0, 0);
  return sharp(raw, { raw: { width: 24, height: 24, channels: 3 } }).png({ compressionLevel: 0, adaptiveFiltering: false }).toBuffer();
};

describe('two server processes sharing PostgreSQL, S3 and Redis', { skip, timeout: 120_000 }, () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  const prefix = uniqueRedisPrefix('2p');
  let db: DbHandle;
  let bucket: string;
  let a: ServerProcess;
  let b: ServerProcess;
  let size: number;
  let limit: number;
  let reader: User;
  let owner: User;

  const logs = () => `\n--- process A ---\n${a?.output().slice(-3000) ?? ''}\n--- process B ---\n${b?.output().slice(-3000) ?? ''}`;
  async function call(p: ServerProcess, method: string, pathname: string, token?: string, payload?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const init: RequestInit = { method, headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } };
    if (Buffer.isBuffer(payload)) init.body = new Uint8Array(payload);
    else if (payload !== undefined) {
      init.body = JSON.stringify(payload);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const res = await p.fetch(pathname, init);
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Answer['body']) : {} };
  }
  async function register(email: string): Promise<User> {
    const sent = await call(a, 'POST', '/v1/auth/send-code', undefined, { email, type: 'register' });
    assert.equal(sent.status, 200, JSON.stringify(sent.body) + logs());
    const mails = (await readFile(path.join(a.dataDir, 'outbox.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { to: string; text: string });
    const code = /\b(\d{6})\b/.exec(mails.filter((m) => m.to === email).pop()?.text ?? '')?.[1];
    const res = await call(b, 'POST', '/v1/auth/register', undefined, { email, password: 'correct-horse-1', code });
    assert.equal(res.status, 201, `a code mailed by A registers on B: ${JSON.stringify(res.body)}${logs()}`);
    return { token: res.body.data.accessToken as string, id: res.body.data.user.id as string };
  }

  before(async () => {
    if (!pg.ok || !s3.ok || !redis.ok) return;
    size = (await png(0)).length;
    limit = FITS * size + Math.floor(size / 2);
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const made = await createTestBucket(s3.value);
    bucket = made.bucket;
    cleanups.push(made.drop);
    cleanups.push(() => cleanRedisPrefix(prefix, redis.value));
    db = createDb({ kind: 'postgres', url: database.url });
    cleanups.push(() => db.close());
    // Migrate and set the trial plan's storage before either process starts.
    await migrateToLatest(db.db);
    await db.db.updateTable('plans').set({ imgStorageBytes: limit }).where('id', '=', 'trial').execute();
    const env = {
      PICORA_DATABASE_URL: database.url,
      PICORA_STORAGE: 's3', PICORA_S3_ENDPOINT: s3.value.endpoint, PICORA_S3_BUCKET: bucket, PICORA_S3_REGION: s3.value.region,
      PICORA_S3_ACCESS_KEY: s3.value.accessKeyId, PICORA_S3_SECRET_KEY: s3.value.secretAccessKey,
      PICORA_REDIS_URL: redis.value, PICORA_REDIS_PREFIX: prefix,
      PICORA_JWT_SECRET: 'two-processes-share-this-secret-0123456789',
      PICORA_RATE_READ_PER_MIN: String(READ_PER_MIN),
    };
    [a, b] = await Promise.all([startServerProcess(env, { label: 'process A' }), startServerProcess(env, { label: 'process B' })]);
    await register(`admin-${Date.now()}@example.com`); // the first account is the admin (×10 limits): not used below
    reader = await register(`reader-${Date.now()}@example.com`);
    owner = await register(`owner-${Date.now()}@example.com`);
  });

  after(async () => {
    const codes = await Promise.all([a?.stop(), b?.stop()]);
    for (const c of cleanups.reverse()) await c().catch((err: unknown) => console.log(`# cleanup: ${(err as Error).message}`));
    assert.ok(codes.every((c) => c === undefined || c === '0'), `both processes shut down cleanly on SIGTERM: ${codes.join(', ')}${logs()}`);
  });

  it(`admits at most N + burst (${READ_PER_MIN} + 1) across both processes together`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < READ_PER_MIN + 6; i++) statuses.push((await call(i % 2 === 0 ? a : b, 'GET', '/v1/user/me', reader.token)).status);
    const admitted = statuses.filter((s) => s === 200).length;
    assert.ok(admitted <= READ_PER_MIN + 1, `at most ${READ_PER_MIN + 1} admitted, got ${admitted}: ${statuses.join(' ')}`);
    assert.deepEqual(statuses, statuses.map((_, i) => (i < READ_PER_MIN + 1 ? 200 : 429)), `exactly N + burst, then 429: ${statuses.join(' ')}${logs()}`);
    const limited = await call(b, 'GET', '/v1/user/me', reader.token);
    assert.deepEqual([limited.status, limited.body.code, typeof limited.body.meta?.retryAfterSec], [429, 'RATE_LIMITED', 'number']);
  });

  it('an API key revoked on process A is refused on process B at once', async () => {
    const created = await call(a, 'POST', '/v1/api-keys', owner.token, { name: 'shared key' });
    assert.equal(created.status, 201, JSON.stringify(created.body) + logs());
    const { id, key } = created.body.data as { id: string; key: string };
    assert.equal((await call(b, 'GET', '/v1/user/me', key)).status, 200, 'the key works on B');
    const revoked = await call(a, 'DELETE', `/v1/api-keys/${id}`, owner.token);
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    for (const p of [b, a]) {
      const res = await call(p, 'GET', '/v1/user/me', key);
      assert.deepEqual([res.status, res.body.code], [401, 'API_KEY_REVOKED'], JSON.stringify(res.body));
    }
  });

  it(`${UPLOADS} concurrent uploads over both processes never overshoot the storage quota`, async () => {
    const bodies = await Promise.all(Array.from({ length: UPLOADS }, async (_, i) => uploadBody(await png(i + 1), `c${i}.png`)));
    const answers = await Promise.all(bodies.map((u, i) => call(i % 2 === 0 ? a : b, 'POST', '/v1/images', owner.token, u.payload, u.headers)));
    const created = answers.filter((r) => r.status === 201);
    const refused = answers.filter((r) => r.status === 403 && r.body.code === 'QUOTA_EXCEEDED' && r.body.meta?.type === 'img_storage');
    const other = answers.filter((r) => !created.includes(r) && !refused.includes(r));
    assert.deepEqual(other.map((r) => [r.status, r.body.code]), [], `every answer is 201 or QUOTA_EXCEEDED img_storage${logs()}`);
    assert.equal(created.length, FITS, `exactly the ${FITS} images that fit were stored`);
    assert.ok(created.every((r) => r.body.data.sizeBytes === size));

    const usage = await db.db.selectFrom('userUsage').selectAll().where('userId', '=', owner.id).executeTakeFirstOrThrow();
    const rows = await db.db.selectFrom('images').select(['id', 'sizeBytes']).where('userId', '=', owner.id).execute();
    const objects: Array<{ key: string; size: number }> = [];
    const client = createS3Client({ ...(s3.ok ? s3.value : ({} as never)), bucket });
    try {
      for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: storageKeys.userPrefix(owner.id) })) {
        for (const o of page.Contents ?? []) objects.push({ key: o.Key ?? '', size: o.Size ?? -1 });
      }
    } finally {
      client.destroy();
    }
    const rowBytes = rows.reduce((n, r) => n + Number(r.sizeBytes), 0);
    assert.deepEqual([Number(usage.imgStorageBytes), Number(usage.imgCount)], [rowBytes, rows.length], 'user_usage agrees with the image rows');
    assert.deepEqual(rows.map((r) => r.id).sort(), created.map((r) => r.body.data.id as string).sort(), 'one row per 201');
    assert.deepEqual(objects.map((o) => o.key).sort(), rows.map((r) => storageKeys.imageOriginal(owner.id, r.id)).sort(), 'one object per row, nothing else');
    assert.equal(objects.reduce((n, o) => n + o.size, 0), rowBytes, 'the bucket holds exactly the counted bytes');
    assert.ok(rowBytes <= limit, `${rowBytes} B stored within the ${limit} B quota`);
  });
});
