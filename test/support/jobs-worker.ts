// The jobs contract suite's worker: the `test.echo` handler and `test.tick` periodic task that write start/end
// marks to a file (so runs in several processes can be checked for overlap), a child-process entry
// (`node --import tsx test/support/jobs-worker.ts --worker '<spec json>'`: prints "ready", stops on SIGTERM, is
// meant to be killed with SIGKILL too), and the test-side helpers to start such children and read the marks.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createDb, type DatabaseConfig, type DbHandle } from '../../src/db/db.js';
import { createJobQueue, type CreateJobQueueOptions } from '../../src/jobs/create-queue.js';
import type { JobsLog } from '../../src/jobs/job-runtime.js';
import { PermanentJobError, type HandlerOptions, type JobHandler, type JobQueue } from '../../src/jobs/queue.js';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export type WorkerSpec = {
  backend: 'table' | 'bullmq';
  database: DatabaseConfig;
  redisUrl?: string;
  redisPrefix: string;
  pollMs: number;
  leaseMs: number;
  backoffBaseMs?: number;
  marks: string;
  /** Handle test.echo with this many at once (0: no handler). */
  concurrency: number;
  /** Also run the periodic task test.tick. */
  tick?: { everyMs: number; sleepMs: number };
};

export type Mark = { pid: number; ev: 'start' | 'end' | 'abort' | 'fail'; what: string; attempt: number; t: number };

export function writeMark(file: string, mark: Omit<Mark, 'pid' | 't'>): void {
  appendFileSync(file, `${JSON.stringify({ pid: process.pid, t: Date.now(), ...mark })}\n`);
}

export function readMarks(file: string): Mark[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Mark);
}

/** [start, end] of each run of `what` (end = the end/abort/fail mark of the same process and attempt; open runs end at Infinity). */
export function runsOf(marks: Mark[], what: string): Array<{ pid: number; attempt: number; start: number; end: number; ev: Mark['ev'] | 'open' }> {
  const runs: Array<{ pid: number; attempt: number; start: number; end: number; ev: Mark['ev'] | 'open' }> = [];
  for (const m of marks) {
    if (m.what !== what) continue;
    if (m.ev === 'start') runs.push({ pid: m.pid, attempt: m.attempt, start: m.t, end: Infinity, ev: 'open' });
    else {
      const open = runs.find((r) => r.pid === m.pid && r.attempt === m.attempt && r.ev === 'open');
      if (open) Object.assign(open, { end: m.t, ev: m.ev });
    }
  }
  return runs;
}

/** Pairs of runs that overlap in time. */
export function overlaps<T extends { start: number; end: number }>(runs: T[]): Array<[T, T]> {
  const sorted = [...runs].sort((a, b) => a.start - b.start);
  const out: Array<[T, T]> = [];
  for (let i = 1; i < sorted.length; i++) {
    for (let j = 0; j < i; j++) if (sorted[j]!.end > sorted[i]!.start) out.push([sorted[j]!, sorted[i]!]);
  }
  return out;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/**
 * The test.echo handler. Marks use `echo:<n>`. `failTimes`: the first attempts throw; marker 'permanent': a
 * PermanentJobError; 'progress': reports 40 % then sleeps; 'hang-first': attempt 1 sleeps a minute.
 */
export function echoHandler(marks: string): JobHandler<'test.echo'> {
  return async (p, ctx) => {
    const what = `echo:${p.n}`;
    writeMark(marks, { ev: 'start', what, attempt: ctx.attempt });
    try {
      if (p.marker === 'progress') await ctx.progress(40);
      await sleep(p.marker === 'hang-first' && ctx.attempt === 1 ? 60_000 : (p.sleepMs ?? 0), ctx.signal);
      if (p.marker === 'permanent') throw new PermanentJobError(`echo ${p.n} cannot work`);
      if (ctx.attempt <= (p.failTimes ?? 0)) throw new Error(`echo failure #${ctx.attempt}`);
    } catch (err) {
      writeMark(marks, { ev: ctx.signal.aborted ? 'abort' : 'fail', what, attempt: ctx.attempt });
      throw err;
    }
    writeMark(marks, { ev: 'end', what, attempt: ctx.attempt });
  };
}

export function tickTask(marks: string, sleepMs: number): () => Promise<void> {
  let round = 0;
  return async () => {
    const attempt = ++round;
    writeMark(marks, { ev: 'start', what: 'tick', attempt });
    await sleep(sleepMs);
    writeMark(marks, { ev: 'end', what: 'tick', attempt });
  };
}

const quietLog: JobsLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Builds a queue from a spec (the child does this; tests can do it in-process too). */
export function queueFromSpec(
  spec: WorkerSpec,
  opts: {
    log?: JobsLog; onDead?: HandlerOptions<'test.echo'>['onDead']; timeoutMs?: number; onFinished?: CreateJobQueueOptions['onFinished'];
    /** Use this handle instead of opening one (SQLite: one connection per process, as the app has). */
    db?: DbHandle;
  } = {},
) {
  const db = opts.db ?? createDb(spec.database);
  const queue: JobQueue = createJobQueue({
    db, jobs: { backend: spec.backend, pollMs: spec.pollMs, leaseMs: spec.leaseMs },
    redisUrl: spec.redisUrl, redisPrefix: spec.redisPrefix, log: opts.log ?? quietLog, onFinished: opts.onFinished, backoffBaseMs: spec.backoffBaseMs, progressEveryMs: 50,
  });
  if (spec.concurrency > 0) {
    queue.handle('test.echo', echoHandler(spec.marks), {
      concurrency: spec.concurrency, onDead: opts.onDead,
      timeoutMs: opts.timeoutMs === undefined ? undefined : () => opts.timeoutMs!,
    });
  }
  if (spec.tick) queue.schedule('test.tick', spec.tick.everyMs, tickTask(spec.marks, spec.tick.sleepMs));
  return { db, queue };
}

export type WorkerChild = { child: ChildProcess; pid: number; exited: Promise<string>; output(): string };

/** Starts a worker child and waits for its "ready". */
export async function startWorkerChild(spec: WorkerSpec, readyMs = 60_000): Promise<WorkerChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/jobs-worker.ts', '--worker', JSON.stringify(spec)], {
    cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => void (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => void (out += c.toString()));
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code))));
  const deadline = Date.now() + readyMs;
  while (!out.includes('ready\n')) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`jobs worker exited before it was ready:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`jobs worker not ready within ${readyMs} ms:\n${out}`);
    }
    await sleep(20);
  }
  return { child, pid: child.pid!, exited, output: () => out };
}

async function main(spec: WorkerSpec): Promise<void> {
  const log: JobsLog = {
    info: (o, m) => process.stderr.write(`info ${m} ${JSON.stringify(o)}\n`),
    warn: (o, m) => process.stderr.write(`warn ${m} ${JSON.stringify(o)}\n`),
    error: (o, m) => process.stderr.write(`error ${m} ${JSON.stringify(o)}\n`),
  };
  const { db, queue } = queueFromSpec(spec, { log });
  await queue.start();
  process.stdout.write('ready\n');
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && process.exit(3), 500).unref(); // the test runner died
  process.once('SIGTERM', () => {
    void (async () => {
      await queue.stop(3_000);
      await db.close();
      process.exit(0);
    })();
  });
  setInterval(() => undefined, 60_000);
}

if (process.argv[2] === '--worker') await main(JSON.parse(process.argv[3]!) as WorkerSpec);
