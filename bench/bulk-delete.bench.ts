// The two-step bulk delete (POST /v1/bulk-delete) on 100k images of one account, through the real services:
// the dry run (count + snapshot digest), the execution (re-digest, then page-by-page deletes with tombstones and
// quota, objects handed to purge jobs), on SQLite and — when it answers — PostgreSQL. Prints the time of each
// step and the heap/RSS growth, which must stay flat: ids stream through in pages, never all in memory.
// Run: npx tsx bench/bulk-delete.bench.ts   (BENCH_IMAGES=20000 for a shorter run)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { loadConfig } from '../src/config/config.js';
import { buildDeps, type Deps } from '../src/deps.js';
import type { Principal } from '../src/auth/principal.js';
import type { ImageRow } from '../src/db/schema.js';
import { newId, newImageId } from '../src/lib/ids.js';
import { createTestDatabase, probePostgres } from '../test/support/services.js';

const N = Number(process.env.BENCH_IMAGES ?? 100_000);

async function seed(deps: Deps, userId: string, n: number): Promise<void> {
  const db = deps.db.db;
  const start = Date.now() - 86_400_000;
  const batch = 5000;
  for (let i = 0; i < n; i += batch) {
    const rows: ImageRow[] = [];
    for (let j = i; j < Math.min(n, i + batch); j++) {
      const id = newImageId();
      rows.push({
        id, userId, filename: `IMG_${j}.jpg`, title: null, mimeType: 'image/jpeg', ext: 'jpg', sizeBytes: 1000, width: 100, height: 100, frames: 1,
        sha256: `${j}`.padStart(64, '0'), blurhash: null, dominantColor: null, isPublic: 1, allowedReferers: null, tags: '[]', hasMetadata: 0,
        createdAt: start + j, updatedAt: start + j,
      });
    }
    await db.transaction().execute(async (trx) => {
      for (let k = 0; k < rows.length; k += 500) await trx.insertInto('images').values(rows.slice(k, k + 500)).execute();
    });
  }
}

const mib = (b: number) => (b / 1024 / 1024).toFixed(1);

async function run(label: string, env: Record<string, string>): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'picora-bench-bulk-'));
  const config = loadConfig({ PICORA_DATA_DIR: dataDir, PICORA_LOG_LEVEL: 'silent', ...env }, 'test');
  const deps = await buildDeps(config, pino({ level: 'silent' }), { runJobs: false });
  try {
    const userId = newId();
    const other = newId();
    for (const id of [userId, other]) {
      await deps.db.db.insertInto('users').values({
        id, email: `${id}@example.com`, passwordHash: null, nickname: null, avatarUrl: null, plan: 'trial', role: 'user', emailVerified: 1,
        locale: 'en', isActive: 1, createdAt: Date.now(), updatedAt: Date.now(),
      } as never).execute();
    }
    const t0 = performance.now();
    await seed(deps, userId, N);
    await seed(deps, other, 1000);
    const seeded = performance.now() - t0;
    const p = { userId } as Principal;
    global.gc?.();
    const heap0 = process.memoryUsage();
    const t1 = performance.now();
    const preview = await deps.bulkDelete.preview(p, { resourceType: 'image' });
    const dry = performance.now() - t1;
    const t2 = performance.now();
    const result = await deps.bulkDelete.execute(p, { snapshotToken: preview.snapshotToken, confirmCount: preview.count });
    const exec = performance.now() - t2;
    const heap1 = process.memoryUsage();
    const left = await deps.db.db.selectFrom('images').select((eb) => eb.fn.countAll().as('n')).where('userId', '=', userId).executeTakeFirstOrThrow();
    const stones = await deps.db.db.selectFrom('syncTombstones').select((eb) => eb.fn.countAll().as('n')).where('userId', '=', userId).executeTakeFirstOrThrow();
    const others = await deps.db.db.selectFrom('images').select((eb) => eb.fn.countAll().as('n')).where('userId', '=', other).executeTakeFirstOrThrow();
    if (result.deleted !== N || Number(left.n) !== 0 || Number(stones.n) !== N || Number(others.n) !== 1000) {
      throw new Error(`${label}: wrong outcome ${JSON.stringify({ result, left: left.n, stones: stones.n, others: others.n })}`);
    }
    console.log(
      `| ${label} | ${N} | ${(seeded / 1000).toFixed(1)} | ${(dry / 1000).toFixed(2)} | ${(exec / 1000).toFixed(1)} | ${Math.round(N / (exec / 1000))} | ` +
        `${mib(heap1.heapUsed - heap0.heapUsed)} | ${mib(heap1.rss - heap0.rss)} |`,
    );
  } finally {
    await deps.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

console.log('| backend | images | seed s | dry run s | execute s | deleted/s | heap Δ MiB | RSS Δ MiB |');
console.log('|---|---|---|---|---|---|---|---|');
await run('SQLite + local', {});
const pg = await probePostgres();
if (pg.ok) {
  const tdb = await createTestDatabase();
  try {
    await run('PostgreSQL + local', { PICORA_DATABASE_URL: tdb.url });
  } finally {
    await tdb.drop();
  }
} else console.log(`PostgreSQL skipped: ${pg.reason}`);
