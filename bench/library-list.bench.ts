// The library on 100k images: `GET /v1/images` through the real service (keyset pagination, filters, total)
// on SQLite and — when it answers — PostgreSQL, with the query plans that show which index serves each query.
// Run: npm run bench -- library-list   (or: npx tsx bench/library-list.bench.ts)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { pino } from 'pino';
import { loadConfig } from '../src/config/config.js';
import { buildDeps, type Deps } from '../src/deps.js';
import type { Principal } from '../src/auth/principal.js';
import type { ImageRow } from '../src/db/schema.js';
import { newId, newImageId } from '../src/lib/ids.js';
import { createTestDatabase, probePostgres } from '../test/support/services.js';

const N = Number(process.env.BENCH_IMAGES ?? 100_000);
const REPS = 40;
const TAGS = ['travel', 'family', 'work', 'screenshots', 'rare-tag'];

async function seed(deps: Deps, userId: string): Promise<void> {
  const db = deps.db.db;
  const start = Date.UTC(2025, 0, 1);
  const batch = deps.db.dialect === 'postgres' ? 2000 : 5000;
  for (let i = 0; i < N; i += batch) {
    const rows: ImageRow[] = [];
    const tags: Array<{ imageId: string; userId: string; tag: string; createdAt: number }> = [];
    for (let j = i; j < Math.min(N, i + batch); j++) {
      const createdAt = start + j * 300_000; // one every 5 minutes: ~347 days
      const id = newImageId();
      const t = j % 1000 === 0 ? ['rare-tag'] : [TAGS[j % 4]!];
      rows.push({
        id, userId, filename: `IMG_${j}.jpg`, title: j % 10 === 0 ? `Holiday ${j}` : null, mimeType: 'image/jpeg', ext: 'jpg', sizeBytes: 1000,
        width: 100, height: 100, frames: 1, sha256: `${j}`.padStart(64, '0'), blurhash: null, dominantColor: null, isPublic: 1,
        allowedReferers: null, tags: JSON.stringify(t), hasMetadata: 0, createdAt, updatedAt: createdAt,
      });
      for (const tag of t) tags.push({ imageId: id, userId, tag, createdAt });
    }
    await db.transaction().execute(async (trx) => {
      for (let k = 0; k < rows.length; k += 500) await trx.insertInto('images').values(rows.slice(k, k + 500)).execute();
      for (let k = 0; k < tags.length; k += 500) await trx.insertInto('imageTags').values(tags.slice(k, k + 500)).execute();
    });
  }
  if (deps.db.dialect === 'postgres') await sql`analyze`.execute(db);
  else await sql`analyze`.execute(db);
}

async function time(label: string, fn: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 3; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]!.toFixed(2);
  console.log(`| ${label} | ${q(0.5)} | ${q(0.99)} |`);
}

async function run(name: string, env: Record<string, string>): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'picora-bench-list-'));
  const deps = await buildDeps(loadConfig({ PICORA_DATA_DIR: dataDir, PICORA_LOG_LEVEL: 'silent', ...env }, 'bench'), pino({ level: 'silent' }));
  try {
    const userId = newId();
    const now = Date.now();
    await deps.db.db.insertInto('users').values({
      id: userId, email: 'bench@example.com', passwordHash: null, nickname: null, avatarUrl: null, plan: 'pro_plus', role: 'user', emailVerified: 1,
      locale: 'en', isActive: 1, failedLoginCount: 0, lockedUntil: null, createdAt: now, updatedAt: now,
    }).execute();
    const t0 = performance.now();
    await seed(deps, userId);
    console.log(`\n### ${name}: ${N} images seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    const p: Principal = { userId, plan: 'pro_plus', role: 'user', authType: 'jwt', scopes: 'all' };
    console.log('| query (GET /v1/images …) | median ms | p99 ms |\n|---|---|---|');
    await time('first page, limit 20 (+ total)', () => deps.images.list(p, { limit: 20 }));
    let cursor: string | undefined;
    const deep = await (async () => {
      for (let i = 0; i < 2500; i++) cursor = (await deps.images.list(p, { limit: 20, cursor })).nextCursor ?? undefined;
      return cursor;
    })();
    await time('page 2,500 (50,000 rows deep, by cursor)', () => deps.images.list(p, { limit: 20, cursor: deep }));
    await time('limit 100', () => deps.images.list(p, { limit: 100 }));
    await time('tag=travel (25 %)', () => deps.images.list(p, { limit: 20, tag: 'travel' }));
    await time('tag=rare-tag (0.1 %)', () => deps.images.list(p, { limit: 20, tag: 'rare-tag' }));
    await time('start_date..end_date (one month)', () => deps.images.list(p, { limit: 20, startDate: '2025-06-01', endDate: '2025-06-30' }));
    await time('q=holiday (title/filename search)', () => deps.images.list(p, { limit: 20, q: 'holiday 99' }));
    const plan = deps.db.dialect === 'sqlite'
      ? await sql<{ detail: string }>`explain query plan select * from images where user_id = ${userId} order by created_at desc, id desc limit 21`.execute(deps.db.db)
      : await sql<{ 'QUERY PLAN': string }>`explain select * from images where user_id = ${userId} order by created_at desc, id desc limit 21`.execute(deps.db.db);
    console.log(`\nplan of the first page: ${plan.rows.map((r) => Object.values(r).join(' ')).join(' / ')}`);
  } finally {
    await deps.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await run('SQLite', {});
const pg = await probePostgres();
if (pg.ok) {
  const db = await createTestDatabase();
  try {
    await run('PostgreSQL', { PICORA_DATABASE_URL: db.url });
  } finally {
    await db.drop();
  }
} else {
  console.log(`\nPostgreSQL skipped: ${pg.reason}`);
}
