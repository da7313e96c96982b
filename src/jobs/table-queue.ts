// The table job backend: a `jobs` table in our own database (SQLite by default, PostgreSQL with FOR UPDATE SKIP
// LOCKED). A job row is inserted in the caller's transaction; workers poll every pollMs (and wake at once after a
// commit in this process), claim with a lease and renew it every lease/4 while the handler runs. A renewal that
// finds the lease gone aborts the handler: the job belongs to whoever claimed it since, so a job never runs in two
// places at once. A worker that dies stops renewing; its job is claimed again once the lease ran out.
//
// The lease written is leaseMs − pollMs, so a dead worker's job is picked up again at most leaseMs after its
// last renewal (the next poll after expiry). Periodic work: job_schedules rows (see jobs.repo.ts).
import type { Insertable } from 'kysely';
import type { DbHandle } from '../db/db.js';
import { createJobsRepo } from '../db/repos/jobs.repo.js';
import type { JobRow, JobsTable } from '../db/schema.js';
import { newId } from '../lib/ids.js';
import type { JobPayloads } from './job-types.js';
import { backoffMs, type EnqueueOptions, type HandlerOptions, type JobHandler, type JobQueue, type PendingJob, type QueueName } from './queue.js';
import {
  DEFAULT_MAX_ATTEMPTS, describeError, startAttempt, toError, zeroFilled,
  type AttemptResult, type BackendOptions, type JobInspector, type JobSnapshot, type RunningAttempt,
} from './job-runtime.js';
import { createSchedules } from './job-schedules.js';

const PRUNE_DONE_AFTER_MS = 7 * 86_400_000;
const PRUNE_EVERY_MS = 6 * 3_600_000;

type Registered = {
  name: string;
  handler: JobHandler<QueueName>;
  options: HandlerOptions<QueueName>;
  running: Map<string, RunningAttempt>;
  pumping: boolean;
  again: boolean;
  timer?: NodeJS.Timeout;
};

export function createTableQueue(opts: BackendOptions & { db: DbHandle }): JobQueue & JobInspector {
  const { log, pollMs, leaseMs } = opts;
  const now = opts.now ?? Date.now;
  const repo = createJobsRepo(opts.db.db, opts.db.dialect);
  const lease = Math.max(leaseMs - pollMs, Math.ceil(leaseMs / 2));
  const progressEveryMs = opts.progressEveryMs ?? 1000;
  const registered = new Map<string, Registered>();
  const inFlight = new Set<Promise<void>>();
  const schedules = createSchedules<number>({
    lockMs: lease, pollMs, log,
    lock: {
      ensure: (name) => repo.ensureSchedule(name, now()),
      claim: (name, everyMs) => repo.claimSchedule(name, now(), everyMs, lease),
      extend: async (name, held) => {
        const until = now() + lease;
        return (await repo.extendSchedule(name, held, until)) ? until : undefined;
      },
      release: async (name, held) => void (await repo.releaseSchedule(name, held)),
    },
  });
  let started = false;
  let stopping = false;

  function rowFor(queue: QueueName, payload: unknown, options: EnqueueOptions): Insertable<JobsTable> {
    const t = now();
    return {
      id: newId(), queue, payload: JSON.stringify(payload), state: 'queued', attempts: 0,
      maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, runAt: t + (options.delayMs ?? 0), leaseUntil: null, leaseToken: null,
      progress: 0, lastError: null, dedupeKey: options.key ?? null, startedAt: null, finishedAt: null, createdAt: t, updatedAt: t,
    };
  }

  /** After a commit in this process: claim at once instead of at the next poll. */
  function wake(queue: QueueName, options: EnqueueOptions): void {
    const r = registered.get(queue);
    if (r && started && !stopping && !options.delayMs) kick(r);
  }

  function prepare<Q extends QueueName>(queue: Q, payload: JobPayloads[Q], options: EnqueueOptions = {}): PendingJob {
    const row = rowFor(queue, payload, options);
    return {
      inTransaction: async (trx) => void (await repo.insert(trx, row)),
      afterCommit: async () => wake(queue, options),
    };
  }

  /** Claims while there is room; a wake-up during a round makes it go round again. */
  async function pump(r: Registered): Promise<void> {
    if (r.pumping) {
      r.again = true;
      return;
    }
    r.pumping = true;
    try {
      do {
        r.again = false;
        while (!stopping && r.running.size < (r.options.concurrency ?? 1)) {
          const token = newId();
          const row = await repo.claim(r.name, now(), lease, token);
          if (!row) break;
          track(execute(r, row, token));
        }
      } while (r.again && !stopping);
    } catch (err) {
      log.warn({ err, queue: r.name }, 'job claim failed; the next poll tries again');
    } finally {
      r.pumping = false;
    }
  }

  /** Claims and runs are tracked so that stop() can wait for them. */
  function track(p: Promise<void>): void {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }
  const kick = (r: Registered) => track(pump(r));

  async function execute(r: Registered, row: JobRow, token: string): Promise<void> {
    const runStart = Date.now();
    const seconds = () => (Date.now() - runStart) / 1000;
    if (stopping) {
      await repo.release(row.id, token, now()).catch((err) => log.warn({ err, id: row.id }, 'could not put a job back'));
      return;
    }
    if (row.attempts > row.maxAttempts) {
      // claimed again after the lease of its last attempt ran out: that worker died or hung
      await dead(r, row, token, new Error(`the worker of attempt ${row.maxAttempts} of ${row.maxAttempts} stopped renewing its lease (it died or hung)`), seconds);
      return;
    }
    let payload: JobPayloads[QueueName];
    try {
      payload = JSON.parse(row.payload) as JobPayloads[QueueName];
    } catch (err) {
      await dead(r, row, token, toError(err), seconds);
      return;
    }
    const attempt = startAttempt(r.handler, payload, {
      id: row.id, attempt: row.attempts, maxAttempts: row.maxAttempts, progressEveryMs,
      timeoutMs: r.options.timeoutMs?.(payload),
      writeProgress: (percent) => repo.setProgress(row.id, token, percent, now()),
    });
    r.running.set(row.id, attempt);
    const heartbeat = startHeartbeat(row.id, token, attempt);
    let result: AttemptResult;
    try {
      result = await attempt.result;
    } finally {
      heartbeat.stop();
      r.running.delete(row.id);
    }
    try {
      await record(r, row, token, payload, result, seconds);
    } catch (err) {
      log.error({ err, queue: r.name, id: row.id }, 'could not record a job outcome; it runs again once its lease runs out');
    }
    if (!stopping) kick(r);
  }

  function startHeartbeat(id: string, token: string, attempt: RunningAttempt): { stop(): void } {
    let lastOk = now();
    let beating = false;
    let stopped = false;
    const timer = setInterval(() => {
      if (beating) return;
      beating = true;
      const t = now();
      repo.heartbeat(id, token, t + lease, t)
        .then((ours) => {
          if (ours) lastOk = t;
          else if (!stopped) {
            log.warn({ id }, 'job lease lost (another worker claimed it): abandoning this run');
            attempt.interrupt('lease');
          }
        })
        .catch((err) => {
          log.warn({ err, id }, 'job heartbeat failed');
          if (!stopped && now() - lastOk >= lease) attempt.interrupt('lease');
        })
        .finally(() => (beating = false));
    }, Math.max(10, Math.floor(leaseMs / 4))).unref();
    return {
      stop: () => {
        stopped = true;
        clearInterval(timer);
      },
    };
  }

  async function record(r: Registered, row: JobRow, token: string, payload: JobPayloads[QueueName], result: AttemptResult, seconds: () => number): Promise<void> {
    if (result.kind === 'interrupted') {
      if (result.reason === 'stop') await repo.release(row.id, token, now());
      return;
    }
    if (result.kind === 'done') {
      if (!(await repo.complete(row.id, token, now()))) log.warn({ id: row.id, queue: r.name }, 'job finished after its lease was lost');
      opts.onFinished?.(r.name, 'done', seconds());
      return;
    }
    if (result.permanent || row.attempts >= row.maxAttempts) {
      await dead(r, row, token, result.error, seconds, payload);
      return;
    }
    const t = now();
    if (await repo.retry(row.id, token, t + backoffMs(row.attempts, r.options.backoffBaseMs ?? opts.backoffBaseMs), describeError(result.error), t)) {
      log.warn({ queue: r.name, id: row.id, attempt: row.attempts, err: result.error.message }, 'job attempt failed; retrying after a backoff');
      opts.onFinished?.(r.name, 'retry', seconds());
    }
  }

  async function dead(r: Registered, row: JobRow, token: string, error: Error, seconds: () => number, payload?: JobPayloads[QueueName]): Promise<void> {
    if (!(await repo.fail(row.id, token, describeError(error), now()))) return;
    log.error({ queue: r.name, id: row.id, attempts: row.attempts, err: error.message }, 'job failed for good');
    opts.onFinished?.(r.name, 'failed', seconds());
    if (!r.options.onDead) return;
    try {
      await r.options.onDead(payload ?? (JSON.parse(row.payload) as JobPayloads[QueueName]), error);
    } catch (err) {
      log.error({ err, queue: r.name, id: row.id }, 'onDead of a failed job threw');
    }
  }

  function start(r: Registered): void {
    r.timer = setInterval(() => kick(r), pollMs).unref();
    kick(r);
  }

  const queue: JobQueue & JobInspector = {
    backend: 'table',
    prepare,
    async enqueue(name, payload, options = {}) {
      await repo.insert(opts.db.db, rowFor(name, payload, options));
      wake(name, options);
    },
    handle(name, handler, options = {}) {
      if (registered.has(name)) throw new Error(`a handler for ${name} is already registered`);
      const r: Registered = {
        name, running: new Map(), pumping: false, again: false,
        handler: handler as unknown as JobHandler<QueueName>, options: options as unknown as HandlerOptions<QueueName>,
      };
      registered.set(name, r);
      if (started) start(r);
    },
    reconcile(name, find, everyMs) {
      // The job row is written with its resource, so nothing should be missing; a resource that is still
      // waiting while its job is dead (an onDead that failed) gets a new job, as on BullMQ.
      schedules.add(`reconcile:${name}`, everyMs, async () => {
        const since = now();
        let added = 0;
        for (const { payload, key } of await find()) {
          const last = await repo.findByKey(name, key);
          // live, or finished after `find` looked (its answer about this resource may predate the job's work)
          if (last && (last.state === 'queued' || last.state === 'active' || (last.finishedAt ?? 0) >= since)) continue;
          await queue.enqueue(name, payload, { key });
          added++;
        }
        if (added > 0) log.warn({ queue: name, added }, 'reconciler enqueued work that had no live job');
      });
    },
    schedule: (name, everyMs, task) => schedules.add(name, everyMs, task),
    async start() {
      if (started) return;
      started = true;
      schedules.add('jobs.prune-done', PRUNE_EVERY_MS, async () => {
        const pruned = await repo.pruneDone(now() - PRUNE_DONE_AFTER_MS);
        if (pruned > 0) log.info({ pruned }, 'pruned done jobs older than 7 days');
      });
      for (const r of registered.values()) start(r);
      await schedules.start();
    },
    async stop(graceMs = 10_000) {
      stopping = true;
      for (const r of registered.values()) clearInterval(r.timer);
      for (const r of registered.values()) for (const attempt of r.running.values()) attempt.interrupt('stop', graceMs);
      const draining = (async () => {
        while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      })();
      await Promise.all([draining, schedules.stop(graceMs)]);
    },
    async counts() {
      return zeroFilled(await repo.counts(now()), registered.keys());
    },
    async find(name, key): Promise<JobSnapshot | undefined> {
      const row = await repo.findByKey(name, key);
      if (!row) return undefined;
      const state = row.state === 'queued' && row.runAt > now() ? 'delayed' : row.state;
      return { id: row.id, state, attempts: row.attempts, maxAttempts: row.maxAttempts, progress: row.progress, lastError: row.lastError };
    },
  };
  return queue;
}
