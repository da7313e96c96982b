// Builds the real app on a temp data folder for tests, on SQLite or PostgreSQL and a local or S3 store.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { buildDeps, type Deps } from '../../src/deps.js';
import type { Clock } from '../../src/lib/clock.js';
import { createTestBucket, type S3TestConfig } from './s3.js';
import { createTestDatabase } from './services.js';

export type Backend = { db: 'sqlite' | 'postgres'; store: 'local' | 's3' };

export type TestApp = {
  app: FastifyInstance;
  deps: Deps;
  config: Config;
  dataDir: string;
  clock: MutableClock;
  close(): Promise<void>;
};

export type MutableClock = Clock & { advance(ms: number): void; set(ms: number): void };

export function mutableClock(start = Date.now()): MutableClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms), set: (ms) => void (t = ms) };
}

export async function startTestApp(
  backend: Backend = { db: 'sqlite', store: 'local' },
  options: { env?: Record<string, string>; s3?: S3TestConfig; realClock?: boolean; beforeReady?: (app: FastifyInstance) => void; runJobs?: boolean } = {},
): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'picora-test-'));
  const cleanups: Array<() => Promise<void>> = [];
  // Generous rate limits by default: most suites send hundreds of requests from one address in seconds.
  // The rate-limit tests set their own. The delivery cache is off unless a test turns it on.
  const generous = {
    PICORA_RATE_READ_PER_MIN: '1000000', PICORA_RATE_UPLOAD_PER_MIN: '1000000', PICORA_RATE_MUTATION_PER_MIN: '1000000',
    PICORA_RATE_AUTH_PER_MIN: '1000000', PICORA_RATE_PER_HOUR: '100000000',
    // tests change plans and rows directly in the database and expect the next request to see it
    PICORA_DELIVERY_CACHE_MS: '0',
  };
  const env: Record<string, string> = { PICORA_DATA_DIR: dataDir, PICORA_LOG_LEVEL: 'silent', ...generous, ...options.env };
  if (backend.db === 'postgres') {
    const tdb = await createTestDatabase();
    cleanups.push(tdb.drop);
    env['PICORA_DATABASE_URL'] = tdb.url;
  }
  if (backend.store === 's3') {
    if (!options.s3) throw new Error('an S3 test configuration is needed for the s3 backend');
    const bucket = await createTestBucket(options.s3);
    cleanups.push(bucket.drop);
    Object.assign(env, {
      PICORA_STORAGE: 's3',
      PICORA_S3_ENDPOINT: options.s3.endpoint,
      PICORA_S3_BUCKET: bucket.bucket,
      PICORA_S3_REGION: options.s3.region,
      PICORA_S3_ACCESS_KEY: options.s3.accessKeyId,
      PICORA_S3_SECRET_KEY: options.s3.secretAccessKey,
    });
  }
  const config = loadConfig(env, 'test');
  const clock = mutableClock();
  const log = pino({ level: 'silent' });
  const deps = await buildDeps(config, log, { ...(options.realClock ? {} : { clock }), runJobs: options.runJobs ?? false });
  const app = await buildApp(deps, log);
  options.beforeReady?.(app);
  await app.ready();
  return {
    app, deps, config, dataDir, clock,
    async close() {
      await app.close();
      await deps.close();
      for (const c of cleanups.reverse()) await c();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Mails written to the outbox so far. */
export async function outbox(t: TestApp): Promise<Array<{ to: string; subject: string; text: string; at: string }>> {
  try {
    const raw = await readFile(path.join(t.dataDir, 'outbox.jsonl'), 'utf8');
    return raw.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { to: string; subject: string; text: string; at: string });
  } catch {
    return [];
  }
}

/** The newest code mailed to an address. */
export async function lastCode(t: TestApp, email: string): Promise<string> {
  const mails = (await outbox(t)).filter((m) => m.to === email);
  const m = /\b(\d{6})\b/.exec(mails[mails.length - 1]?.text ?? '');
  if (!m) throw new Error(`no code mailed to ${email}`);
  return m[1]!;
}

export type Session = { accessToken: string; refreshCookie: string; userId: string; email: string; password: string };

let counter = 0;
/** Registers a fresh account through the public API (send-code → outbox → register). */
export async function registerUser(t: TestApp, email = `user${++counter}-${Date.now()}@example.com`, password = 'correct-horse-1'): Promise<Session> {
  const sent = await t.app.inject({ method: 'POST', url: '/v1/auth/send-code', payload: { email, type: 'register' } });
  if (sent.statusCode !== 200) throw new Error(`send-code: ${sent.statusCode} ${sent.body}`);
  const code = await lastCode(t, email);
  const res = await t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email, password, code } });
  if (res.statusCode !== 201) throw new Error(`register: ${res.statusCode} ${res.body}`);
  const body = res.json() as { data: { accessToken: string; user: { id: string } } };
  return { accessToken: body.data.accessToken, refreshCookie: refreshCookieOf(res), userId: body.data.user.id, email, password };
}

export function refreshCookieOf(res: LightMyRequestResponse): string {
  const c = res.cookies.find((x) => x.name === 'refresh_token');
  if (!c) throw new Error('no refresh_token cookie');
  return c.value;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function createKey(t: TestApp, s: Session, body: Record<string, unknown> = { name: 'test key' }): Promise<{ id: string; key: string }> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(s.accessToken), payload: body });
  if (res.statusCode !== 201) throw new Error(`create key: ${res.statusCode} ${res.body}`);
  return (res.json() as { data: { id: string; key: string } }).data;
}
