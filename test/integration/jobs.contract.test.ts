// One jobs contract, run against every backend: the table backend on SQLite and on PostgreSQL, and BullMQ on
// Redis (with a SQLite database for the caller's rows). Leases are short (1.6 s) so crashes and long jobs play
// out in seconds; the same arithmetic with the default lease (≤ 2 min) is what "a killed worker's job is picked
// up again within 2 minutes" rests on. Child processes (test/support/jobs-worker.ts) stand in for instances.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { createDb, type DatabaseConfig, type DbHandle } from '../../src/db/db.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createJobsRepo } from '../../src/db/repos/jobs.repo.js';
import type { JobInspector, JobSnapshot } from '../../src/jobs/job-runtime.js';
import type { JobQueue } from '../../src/jobs/queue.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { cleanRedisPrefix, probeRedis, REDIS_TEST_URL, uniqueRedisPrefix } from '../support/redis.js';
import { createTestDatabase, probePostgres, skipUnless } from '../support/services.js';
import {
  overlaps, queueFromSpec, readMarks, runsOf, startWorkerChild, type WorkerChild, type WorkerSpec,
} from '../support/jobs-worker.js';

const pgSkip = skipUnless('PostgreSQL', await probePostgres());
const redisSkip = skipUnless('Redis', await probeRedis());

const LEASE_MS = 1_600;
const POLL_MS = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

type Backend = { name: string; backend: 'table' | 'bullmq'; open(): Promise<{ database: DatabaseConfig; cleanup(): Promise<void> }>; skip?: string };

const sqliteDatabase = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'picora-jobs-'));
  return { database: { kind: 'sqlite' as const, file: path.join(dir, 'jobs.db') }, cleanup: () => rm(dir, { recursive: true, force: true }) };
};

const BACKENDS: Backend[] = [
  { name: 'table on SQLite', backend: 'table', open: sqliteDatabase },
  {
    name: 'table on PostgreSQL', backend: 'table', skip: pgSkip,
    open: async () => {
      const t = await createTestDatabase();
      return { database: { kind: 'postgres', url: t.url }, cleanup: t.drop };
    },
  },
  { name: 'BullMQ on Redis (SQLite db)', backend: 'bullmq', open: sqliteDatabase, skip: redisSkip },
];

describe('jobs: defaults', () => {
  it('the default lease is at most 2 minutes (a killed worker’s job is picked up again within it)', () => {
    const { jobs } = loadConfig({});
    assert.ok(jobs.leaseMs <= 120_000, `default lease ${jobs.leaseMs} ms`);
    assert.ok(jobs.pollMs < jobs.leaseMs);
  });
});

// The three backends run at once (their tests mostly wait on leases and timers); each one's tests in order.
describe('jobs contract', { concurrency: BACKENDS.length }, () => {
  for (const b of BACKENDS) {
    describe(`jobs contract: ${b.name}`, { skip: b.skip, timeout: 120_000, concurrency: 1 }, () => {
      let database: DatabaseConfig;
      let cleanupDatabase: () => Promise<void>;
      let db: DbHandle;
      let dir: string;
      let prefix = '';
      let marks = '';
      let round = 0;
      const opened: JobQueue[] = [];
      const children: WorkerChild[] = [];

      before(async () => {
        ({ database, cleanup: cleanupDatabase } = await b.open());
        db = createDb(database);
        await migrateToLatest(db.db);
        dir = await mkdtemp(path.join(tmpdir(), 'picora-jobs-marks-'));
      });
      after(async () => {
        await db?.close();
        await cleanupDatabase?.();
        if (dir) await rm(dir, { recursive: true, force: true });
      });
      beforeEach(async () => {
        round++;
        marks = path.join(dir, `marks-${round}.jsonl`);
        if (b.backend === 'bullmq') prefix = uniqueRedisPrefix('jobs');
        else {
          await db.db.deleteFrom('jobs').execute();
          await db.db.deleteFrom('jobSchedules').execute();
        }
      });
      afterEach(async () => {
        for (const c of children.splice(0)) {
          c.child.kill('SIGKILL');
          await c.exited;
        }
        for (const q of opened.splice(0)) await q.stop(1_000);
        if (b.backend === 'bullmq') await cleanRedisPrefix(prefix);
      });

      const spec = (extra: Partial<WorkerSpec> = {}): WorkerSpec => ({
        backend: b.backend, database, redisUrl: REDIS_TEST_URL, redisPrefix: prefix || 'unused',
        pollMs: POLL_MS, leaseMs: LEASE_MS, backoffBaseMs: 100, marks, concurrency: 1, ...extra,
      });
      /**
       * An in-process queue on the suite's db handle (SQLite: better-sqlite3 is synchronous, so a second connection
       * in this process would wait for a lock its own thread holds), stopped after the test.
       */
      const open = (extra: Partial<WorkerSpec> = {}, opts: Parameters<typeof queueFromSpec>[1] = {}) => {
        const { queue } = queueFromSpec(spec(extra), { ...opts, db });
        opened.push(queue);
        return queue as JobQueue & JobInspector;
      };
      const child = async (extra: Partial<WorkerSpec> = {}) => {
        const c = await startWorkerChild(spec(extra));
        children.push(c);
        return c;
      };
      const stateOf = (q: JobInspector, key: string) => q.find('test.echo', key);
      const settled = (q: JobInspector, key: string, timeoutMs = 20_000): Promise<JobSnapshot> =>
        waitFor(`job ${key} done or failed`, async () => {
          const s = await stateOf(q, key);
          return s && (s.state === 'done' || s.state === 'failed') ? s : undefined;
        }, timeoutMs);

      it('enqueues with the caller’s transaction: a rollback leaves no job, a commit makes one', async () => {
        const q = open();
        await q.start();
        const rolledBack = q.prepare('test.echo', { n: 1 }, { key: 'tx-1' });
        await assert.rejects(
          db.db.transaction().execute(async (trx) => {
            await rolledBack.inTransaction(trx);
            throw new Error('the caller’s row failed');
          }),
          /the caller’s row failed/,
        );
        const committed = q.prepare('test.echo', { n: 2 }, { key: 'tx-2' });
        await db.db.transaction().execute(async (trx) => committed.inTransaction(trx));
        if (b.backend === 'table') {
          const row = await db.db.selectFrom('jobs').select(['queue', 'state']).where('dedupeKey', '=', 'tx-2').executeTakeFirst();
          // the worker already polls, so it may have claimed (or even run) the job by now: the row exists, that is the point
          assert.equal(row?.queue, 'test.echo', 'the row committed with the transaction');
          assert.ok(['queued', 'active', 'done'].includes(row.state), `state ${row.state}`);
        }
        await committed.afterCommit();
        assert.equal((await settled(q, 'tx-2')).state, 'done');
        await sleep(300);
        assert.equal(await stateOf(q, 'tx-1'), undefined, 'the rolled-back job never existed');
        assert.deepEqual(runsOf(readMarks(marks), 'echo:1'), []);
      });

      it('a key dedupes while the job is queued or running; once done, the key can be enqueued again', async () => {
        const q = open();
        await q.enqueue('test.echo', { n: 1 }, { key: 'same' });
        await q.enqueue('test.echo', { n: 1 }, { key: 'same' });
        const queued = (await q.counts()).find((c) => c.queue === 'test.echo' && c.state === 'queued');
        assert.equal(queued?.count, 1);
        await q.start();
        assert.equal((await settled(q, 'same')).state, 'done');
        await q.enqueue('test.echo', { n: 1 }, { key: 'same' });
        await waitFor('the second run', () => runsOf(readMarks(marks), 'echo:1').filter((r) => r.ev === 'end').length === 2);
        assert.equal((await settled(q, 'same')).state, 'done');
        assert.equal(runsOf(readMarks(marks), 'echo:1').length, 2);
      });

      it('retries a thrown handler with a growing backoff, then succeeds', async () => {
        const q = open({ backoffBaseMs: 400 });
        await q.start();
        await q.enqueue('test.echo', { n: 3, failTimes: 3 }, { key: 'retry', maxAttempts: 5 });
        const s = await settled(q, 'retry');
        assert.equal(s.state, 'done');
        assert.equal(s.attempts, 4);
        const runs = runsOf(readMarks(marks), 'echo:3');
        assert.deepEqual(runs.map((r) => [r.attempt, r.ev]), [[1, 'fail'], [2, 'fail'], [3, 'fail'], [4, 'end']]);
        const gaps = runs.slice(1).map((r, i) => r.start - runs[i]!.end);
        // backoffMs: 400·2^(k-1) ms ± 20 % (then up to a poll interval): the floors double, and the third gap
        // is longer than the first whatever the jitter
        gaps.forEach((g, i) => assert.ok(g >= 0.8 * 400 * 2 ** i - 25, `gap ${i + 1} = ${g} ms (${gaps})`));
        assert.ok(gaps[2]! > gaps[0]!, `gaps grow: ${gaps}`);
      });

      it('a job that keeps failing goes dead with its last error; onDead is called once', async () => {
        const dead: Array<[unknown, string]> = [];
        const q = open({}, { onDead: async (payload, err) => void dead.push([payload, err.message]) });
        await q.start();
        await q.enqueue('test.echo', { n: 4, failTimes: 99 }, { key: 'dead', maxAttempts: 2 });
        const s = await settled(q, 'dead');
        assert.equal(s.state, 'failed');
        assert.equal(s.attempts, 2);
        assert.match(s.lastError ?? '', /echo failure #2/);
        await waitFor('onDead', () => dead.length > 0);
        await sleep(300);
        assert.deepEqual(dead, [[{ n: 4, failTimes: 99 }, 'echo failure #2']]);
      });

      it('a PermanentJobError is dead at once; a run past its time budget is aborted and counts as a failed attempt', async () => {
        const dead: string[] = [];
        const q = open({ concurrency: 2 }, { timeoutMs: 300, onDead: async (_p, err) => void dead.push(err.name) });
        await q.start();
        await q.enqueue('test.echo', { n: 5, marker: 'permanent' }, { key: 'perm', maxAttempts: 5 });
        await q.enqueue('test.echo', { n: 6, sleepMs: 5_000 }, { key: 'slow', maxAttempts: 2 });
        const perm = await settled(q, 'perm');
        assert.equal(perm.state, 'failed');
        assert.equal(perm.attempts, 1);
        assert.match(perm.lastError ?? '', /echo 5 cannot work/);
        const slow = await settled(q, 'slow');
        assert.equal(slow.state, 'failed');
        assert.equal(slow.attempts, 2);
        assert.match(slow.lastError ?? '', /300 ms budget/);
        assert.deepEqual(runsOf(readMarks(marks), 'echo:6').map((r) => r.ev), ['abort', 'abort'], 'the handler saw its signal abort');
        await waitFor('both onDead calls', () => dead.length === 2);
        assert.deepEqual(dead.sort(), ['JobTimeoutError', 'PermanentJobError']);
      });

      it('progress is visible while the job runs', async () => {
        const q = open();
        await q.start();
        await q.enqueue('test.echo', { n: 7, marker: 'progress', sleepMs: 1_500 }, { key: 'progress' });
        const running = await waitFor('progress 40', async () => {
          const s = await stateOf(q, 'progress');
          return s?.progress === 40 ? s : undefined;
        });
        assert.equal(running.state, 'active');
        assert.equal((await settled(q, 'progress')).progress, 100);
      });

      it('kill -9 of a worker mid-job: another worker completes the job once the lease runs out', async () => {
        const victim = await child();
        const q = open({ concurrency: 0 });
        await q.enqueue('test.echo', { n: 8, marker: 'hang-first' }, { key: 'crash' });
        await waitFor('the child started the job', () => runsOf(readMarks(marks), 'echo:8').some((r) => r.pid === victim.pid));
        const survivor = open();
        await survivor.start();
        victim.child.kill('SIGKILL');
        const killedAt = Date.now();
        assert.equal(await victim.exited, 'SIGKILL');
        const s = await settled(survivor, 'crash', LEASE_MS * 4);
        assert.equal(s.state, 'done');
        assert.equal(s.attempts, 2, 'the crashed attempt counts');
        const runs = runsOf(readMarks(marks), 'echo:8');
        assert.deepEqual(runs.map((r) => [r.pid === victim.pid ? 'victim' : 'survivor', r.ev]), [['victim', 'open'], ['survivor', 'end']]);
        const pickedUp = runs[1]!.start - killedAt;
        assert.ok(pickedUp <= LEASE_MS + 1_500, `picked up ${pickedUp} ms after the kill (lease ${LEASE_MS} ms)`);
      });

      it('two processes polling, a job longer than the lease: it runs once, never on both at the same time', async () => {
        const [a, c] = await Promise.all([child(), child()]);
        const q = open({ concurrency: 0 });
        await q.enqueue('test.echo', { n: 100, sleepMs: LEASE_MS * 2.5 }, { key: 'long' });
        for (let n = 101; n <= 104; n++) await q.enqueue('test.echo', { n, sleepMs: 150 }, { key: `short-${n}` });
        for (const key of ['long', 'short-101', 'short-102', 'short-103', 'short-104']) {
          const s = await settled(q, key, LEASE_MS * 6);
          assert.equal(s.state, 'done', key);
          assert.equal(s.attempts, 1, `${key} ran once`);
        }
        const all = readMarks(marks);
        const long = runsOf(all, 'echo:100');
        assert.equal(long.length, 1, JSON.stringify(long));
        assert.ok(long[0]!.end - long[0]!.start >= LEASE_MS * 2.5);
        for (let n = 100; n <= 104; n++) assert.deepEqual(overlaps(runsOf(all, `echo:${n}`)), []);
        const pids = new Set(all.map((m) => m.pid));
        assert.ok(pids.has(a.pid) && pids.has(c.pid), 'both processes took work');
      });

      it('a stop in the middle (SIGTERM) puts running jobs back uncounted; after a restart every job is done', async () => {
        const first = await child({ concurrency: 2 });
        const q = open({ concurrency: 0 });
        for (let n = 20; n < 24; n++) await q.enqueue('test.echo', { n, sleepMs: 1_200 }, { key: `restart-${n}` });
        await waitFor('two jobs running', () => readMarks(marks).filter((m) => m.ev === 'start').length === 2);
        first.child.kill('SIGTERM');
        assert.equal(await first.exited, '0', first.output());
        const aborted = readMarks(marks).filter((m) => m.ev === 'abort');
        assert.equal(aborted.length, 2, 'the running handlers were aborted');
        for (const m of aborted) {
          const s = await stateOf(q, `restart-${m.what.slice(5)}`);
          assert.equal(s?.state, 'queued', `${m.what} is back in the queue`);
          assert.equal(s?.attempts, 0, `${m.what}: the interrupted attempt is not counted`);
        }
        await open({ concurrency: 2 }).start(); // the restarted instance
        for (let n = 20; n < 24; n++) {
          const s = await settled(q, `restart-${n}`);
          assert.equal(s.state, 'done');
          assert.equal(s.attempts, 1);
        }
        assert.equal(readMarks(marks).filter((m) => m.ev === 'end').length, 4);
      });

      it('a periodic task across two processes runs on one instance per round and never overlaps', async () => {
        const tick = { everyMs: 300, sleepMs: 450 }; // longer than its period: the lock must hold the next round off
        await child({ concurrency: 0, tick });
        await open({ concurrency: 0, tick }).start(); // this process is the second instance
        await sleep(2_500);
        const runs = runsOf(readMarks(marks), 'tick'); // a round still running counts as running forever
        assert.ok(runs.filter((r) => r.ev === 'end').length >= 3, `${runs.length} rounds ran`);
        assert.deepEqual(overlaps(runs), [], 'no two rounds at once');
        const starts = runs.map((r) => r.start).sort((x, y) => x - y);
        starts.slice(1).forEach((s, i) => assert.ok(s - starts[i]! >= tick.everyMs - 30, `rounds ${s - starts[i]!} ms apart`));
      });

      it('the reconciler enqueues resources left waiting without a job, never twice', async () => {
        const waiting = new Set([40, 41]);
        const runs: number[] = [];
        const q = open({ concurrency: 0 });
        await q.enqueue('test.echo', { n: 41 }, { key: 'res-41' }); // 40 lost its job (a crash between commit and enqueue)
        q.handle('test.echo', async (p) => {
          runs.push(p.n);
          await sleep(300);
          waiting.delete(p.n);
        }, { concurrency: 2 });
        q.reconcile('test.echo', async () => [...waiting].map((n) => ({ payload: { n }, key: `res-${n}` })), 100);
        await q.start();
        await waitFor('both resources done', () => waiting.size === 0);
        await sleep(500); // more reconcile rounds
        assert.deepEqual(runs.sort(), [40, 41]);
        assert.equal((await stateOf(q, 'res-40'))?.state, 'done');
      });

      it('prunes done jobs older than 7 days, keeps failed ones', { skip: b.backend === 'bullmq' && 'BullMQ trims finished jobs by age itself' }, async () => {
        const repo = createJobsRepo(db.db, db.dialect);
        const t = Date.now();
        const day = 86_400_000;
        const row = (id: string, state: 'done' | 'failed', finishedAt: number) => ({
          id, queue: 'test.echo', payload: '{"n":1}', state, attempts: 1, maxAttempts: 5, runAt: t - 10 * day, leaseUntil: null, leaseToken: null,
          progress: 100, lastError: null, dedupeKey: null, startedAt: null, finishedAt, createdAt: t - 10 * day, updatedAt: finishedAt,
        });
        for (const r of [row('old-done', 'done', t - 8 * day), row('new-done', 'done', t - day), row('old-failed', 'failed', t - 8 * day)]) {
          assert.equal(await repo.insert(db.db, r), true);
        }
        assert.equal(await repo.pruneDone(t - 7 * day), 1);
        const left = await db.db.selectFrom('jobs').select('id').orderBy('id').execute();
        assert.deepEqual(left.map((r) => r.id), ['new-done', 'old-failed']);
      });

      it('counts jobs by state, and /metrics shows the counts and durations', async () => {
        const metrics = createMetrics();
        const q = open({ concurrency: 2 }, { onFinished: (queue, outcome, seconds) => metrics.jobDuration.observe({ queue, outcome }, seconds) });
        metrics.setJobCounts(() => q.counts());
        await q.start();
        await q.enqueue('test.echo', { n: 30 }, { key: 'c-done' });
        await q.enqueue('test.echo', { n: 31, marker: 'permanent' }, { key: 'c-failed' });
        await settled(q, 'c-done');
        await settled(q, 'c-failed');
        await q.enqueue('test.echo', { n: 32, sleepMs: 10_000 }, { key: 'c-active' });
        await waitFor('c-active running', async () => (await stateOf(q, 'c-active'))?.state === 'active');
        await q.enqueue('test.echo', { n: 33 }, { key: 'c-delayed', delayMs: 60_000 });
        const counts = Object.fromEntries((await q.counts()).filter((c) => c.queue === 'test.echo').map((c) => [c.state, c.count]));
        assert.deepEqual(counts, { queued: 0, delayed: 1, active: 1, done: 1, failed: 1 });
        const text = await metrics.registry.metrics();
        assert.match(text, /picora_jobs\{queue="test\.echo",state="done"\} 1/);
        assert.match(text, /picora_jobs\{queue="test\.echo",state="active"\} 1/);
        assert.match(text, /picora_job_duration_seconds_count\{queue="test\.echo",outcome="done"\} 1/);
        assert.match(text, /picora_job_duration_seconds_count\{queue="test\.echo",outcome="failed"\} 1/);
      });
    });
  }
});
