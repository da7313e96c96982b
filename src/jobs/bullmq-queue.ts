// The BullMQ job backend (Redis), for many instances: BullMQ locks each running job for lockDuration and renews
// the lock while the handler runs; a worker that dies stops renewing and another worker's stalled-job check moves
// the job back to wait. It cannot join our database transaction, so `inTransaction` does nothing and
// `afterCommit` adds the job; a reconciler re-adds whatever a crash between commit and add left without a job.
// The job id is the enqueue key, so the same work is never queued twice.
//
// Timing: the stalled check runs every min(30 s, lease/4) and the lock lasts lease minus that, so a dead worker's
// job is back in wait at most `leaseMs` after its last lock renewal (BullMQ's default would be lease + 30 s).
// A crash costs an attempt, as on the table backend: the stalled count is added to the attempts made.
import { randomUUID } from 'node:crypto';
import { Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { JobPayloads } from './job-types.js';
import { backoffMs, type EnqueueOptions, type HandlerOptions, type JobCounts, type JobHandler, type JobQueue, type PendingJob, type QueueName } from './queue.js';
import {
  DEFAULT_MAX_ATTEMPTS, describeError, startAttempt, toError, zeroFilled,
  type BackendOptions, type JobInspector, type JobSnapshot, type RunningAttempt,
} from './job-runtime.js';
import { createSchedules, type ScheduleLock } from './job-schedules.js';

const KEEP_DONE = { age: 7 * 86_400, count: 10_000 };
const KEEP_FAILED = { age: 30 * 86_400, count: 10_000 };
const BACKOFF_TYPE = 'picora';

/** BullMQ refuses custom ids with ':' or that look like integers: an injective mapping of the key. */
export const bullJobId = (key: string): string => `k-${key.replace(/%/g, '%25').replace(/:/g, '%3A')}`;

type Registered = { name: string; handler: JobHandler<QueueName>; options: HandlerOptions<QueueName>; worker?: Worker };

export function createBullmqQueue(opts: BackendOptions & { redisUrl: string; redisPrefix: string }): JobQueue & JobInspector {
  const { log, leaseMs } = opts;
  const prefix = `${opts.redisPrefix}:bull`;
  const stalledInterval = Math.max(50, Math.min(30_000, Math.floor(leaseMs / 4)));
  const lockDuration = leaseMs - stalledInterval;
  const progressEveryMs = opts.progressEveryMs ?? 1000;
  const registered = new Map<string, Registered>();
  const queues = new Map<string, Queue>();
  /** Runs in progress by `queue/jobId` (BullMQ's own ids are per queue). */
  const running = new Map<string, RunningAttempt>();
  /** The handler's own error behind an UnrecoverableError, for onDead. */
  const deadCause = new Map<string, Error>();
  const ref = (queue: string, id: string | undefined) => `${queue}/${id ?? ''}`;
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 2 });
  // every connection reports the same outage: say it once, and once when it is over
  let down = false;
  const onError = (where: string) => (err: Error) => {
    if (!down) log.warn({ err: err.message, where }, 'jobs: redis unavailable; enqueues fail and workers wait until it is back');
    down = true;
  };
  redis.on('error', onError('schedules'));
  redis.on('ready', () => {
    if (down) log.info({}, 'jobs: redis is back');
    down = false;
  });
  const queuesKey = `${opts.redisPrefix}:jobs:queues`;
  const schedules = createSchedules<string>({ lock: redisScheduleLock(redis, `${opts.redisPrefix}:jobs:schedules`, lockDuration), lockMs: lockDuration, pollMs: opts.pollMs, log });
  let started = false;
  let stopping = false;

  function queueFor(name: string): Queue {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: { url: opts.redisUrl, maxRetriesPerRequest: 2 }, prefix });
      q.on('error', onError(`queue ${name}`));
      queues.set(name, q);
      void redis.sadd(queuesKey, name).catch(() => undefined);
    }
    return q;
  }

  /** BullMQ waits for Redis without end: callers get an error after REDIS_WAIT_MS instead. */
  async function add<Q extends QueueName>(name: Q, payload: JobPayloads[Q], options: EnqueueOptions): Promise<void> {
    await bounded(`enqueue to ${name}`, addNow(name, payload, options));
  }

  async function addNow<Q extends QueueName>(name: Q, payload: JobPayloads[Q], options: EnqueueOptions): Promise<void> {
    const q = queueFor(name);
    const jobId = options.key === undefined ? undefined : bullJobId(options.key);
    if (jobId) {
      // a finished job keeps its id (for counts and inspection): make room so the key can be enqueued again
      const existing = await q.getJob(jobId);
      const state = existing ? await existing.getState() : undefined;
      if (existing && (state === 'completed' || state === 'failed')) await existing.remove().catch(() => undefined);
    }
    await q.add(name, payload, {
      jobId, attempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, backoff: { type: BACKOFF_TYPE }, delay: options.delayMs,
      removeOnComplete: KEEP_DONE, removeOnFail: KEEP_FAILED,
    });
  }

  /** Attempts spent before this run: failures plus crashes (a stall moves the job back without counting it). */
  const spent = (job: Job) => job.attemptsMade + (job.stalledCounter ?? 0);

  function processor(r: Registered) {
    return async (job: Job, token?: string): Promise<void> => {
      const maxAttempts = job.opts.attempts ?? DEFAULT_MAX_ATTEMPTS;
      const attemptNo = spent(job) + 1;
      if (attemptNo > maxAttempts) {
        throw new UnrecoverableError(`the worker of attempt ${maxAttempts} of ${maxAttempts} stopped renewing its lock (it died or hung)`);
      }
      const payload = job.data as JobPayloads[QueueName];
      const attempt = startAttempt(r.handler, payload, {
        id: job.id ?? '', attempt: attemptNo, maxAttempts, progressEveryMs,
        timeoutMs: r.options.timeoutMs?.(payload),
        writeProgress: (percent) => job.updateProgress(percent),
      });
      running.set(ref(r.name, job.id), attempt);
      if (stopping) attempt.interrupt('stop', 0);
      const result = await attempt.result;
      running.delete(ref(r.name, job.id));
      if (result.kind === 'done') {
        await job.updateProgress(100);
        return;
      }
      if (result.kind === 'interrupted') {
        // stop: back to wait at once, the attempt not counted; lease: the job is no longer ours, leave it be
        if (result.reason === 'stop') await job.moveToWait(token);
        throw new WaitingError();
      }
      if (result.permanent || attemptNo >= maxAttempts) {
        deadCause.set(ref(r.name, job.id), result.error);
        throw new UnrecoverableError(describeError(result.error));
      }
      throw result.error;
    };
  }

  function startWorker(r: Registered): void {
    const worker = new Worker(r.name, processor(r), {
      connection: { url: opts.redisUrl, maxRetriesPerRequest: null }, prefix, autorun: true,
      concurrency: r.options.concurrency ?? 1, lockDuration, stalledInterval,
      // crashes are counted against the job's attempts in the processor; BullMQ itself never fails a stalled job
      maxStalledCount: 1_000_000,
      settings: { backoffStrategy: (attemptsMade: number) => backoffMs(attemptsMade, r.options.backoffBaseMs ?? opts.backoffBaseMs) },
    });
    worker.on('error', onError(`worker ${r.name}`));
    worker.on('lockRenewalFailed', (ids: string[]) => {
      for (const id of ids) running.get(ref(r.name, id))?.interrupt('lease');
    });
    worker.on('completed', (job: Job) => opts.onFinished?.(r.name, 'done', seconds(job)));
    worker.on('failed', (job: Job | undefined, err: Error) => {
      if (!job) return;
      const isDead = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? DEFAULT_MAX_ATTEMPTS);
      if (!isDead) {
        log.warn({ queue: r.name, id: job.id, attempt: spent(job), err: err.message }, 'job attempt failed; retrying after a backoff');
        opts.onFinished?.(r.name, 'retry', seconds(job));
        return;
      }
      const cause = deadCause.get(ref(r.name, job.id)) ?? err;
      deadCause.delete(ref(r.name, job.id));
      log.error({ queue: r.name, id: job.id, attempts: spent(job), err: cause.message }, 'job failed for good');
      opts.onFinished?.(r.name, 'failed', seconds(job));
      void r.options.onDead?.(job.data as JobPayloads[QueueName], cause).catch((e: unknown) =>
        log.error({ err: toError(e), queue: r.name, id: job.id }, 'onDead of a failed job threw'),
      );
    });
    r.worker = worker;
  }

  const seconds = (job: Job) => Math.max(0, Date.now() - (job.processedOn ?? Date.now())) / 1000;

  const queue: JobQueue & JobInspector = {
    backend: 'bullmq',
    prepare<Q extends QueueName>(name: Q, payload: JobPayloads[Q], options: EnqueueOptions = {}): PendingJob {
      return { inTransaction: async () => undefined, afterCommit: () => add(name, payload, options) };
    },
    enqueue: (name, payload, options = {}) => add(name, payload, options),
    handle(name, handler, options = {}) {
      if (registered.has(name)) throw new Error(`a handler for ${name} is already registered`);
      const r: Registered = { name, handler: handler as unknown as JobHandler<QueueName>, options: options as unknown as HandlerOptions<QueueName> };
      registered.set(name, r);
      queueFor(name);
      if (started) startWorker(r);
    },
    reconcile(name, find, everyMs) {
      schedules.add(`reconcile:${name}`, everyMs, async () => {
        const since = Date.now();
        let added = 0;
        for (const { payload, key } of await find()) {
          // the state first: when it says finished, the job hash read after it has finishedOn
          const state = await queueFor(name).getJobState(bullJobId(key));
          const existing = state === 'unknown' ? undefined : await queueFor(name).getJob(bullJobId(key));
          const finished = state === 'completed' || state === 'failed';
          // live, or finished after `find` looked (its answer about this resource may predate the job's work)
          if (state !== 'unknown' && (!finished || (existing?.finishedOn ?? 0) >= since)) continue;
          await add(name, payload, { key });
          added++;
        }
        if (added > 0) log.warn({ queue: name, added }, 'reconciler enqueued work that had no live job');
      });
    },
    schedule: (name, everyMs, task) => schedules.add(name, everyMs, task),
    async start() {
      if (started) return;
      started = true;
      for (const r of registered.values()) startWorker(r);
      await schedules.start();
    },
    async stop(graceMs = 10_000) {
      stopping = true;
      // close() first: the workers stop fetching; then the running handlers are told to stop and put back
      const closing = [...registered.values()].flatMap((r) => (r.worker ? [r.worker.close()] : []));
      for (const attempt of running.values()) attempt.interrupt('stop', graceMs);
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        Promise.allSettled(closing).then(() => 'closed' as const),
        new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs + 5_000))),
      ]);
      clearTimeout(timer);
      if (outcome === 'late') log.warn({}, 'jobs: workers did not close in time; their jobs return to wait when their locks expire');
      await schedules.stop(graceMs);
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
      redis.disconnect();
    },
    counts: () => bounded('job counts', countsNow()),
    find: (name, key) => bounded('job lookup', findNow(name, key)),
  };

  async function countsNow(): Promise<JobCounts> {
    const names = new Set([...registered.keys(), ...(await redis.smembers(queuesKey))]);
    const rows: JobCounts = [];
    for (const name of names) {
      const c = await queueFor(name).getJobCounts('waiting', 'prioritized', 'waiting-children', 'active', 'completed', 'failed', 'delayed');
      const n = (k: string) => c[k] ?? 0;
      rows.push(
        { queue: name, state: 'queued', count: n('waiting') + n('prioritized') + n('waiting-children') },
        { queue: name, state: 'delayed', count: n('delayed') },
        { queue: name, state: 'active', count: n('active') },
        { queue: name, state: 'done', count: n('completed') },
        { queue: name, state: 'failed', count: n('failed') },
      );
    }
    return zeroFilled(rows, names);
  }

  async function findNow(name: QueueName, key: string): Promise<JobSnapshot | undefined> {
    // the job's hash and its state are two reads: retry until the state is the same on both sides of the hash
    let job: Job | undefined;
    let state = 'unknown';
    for (let i = 0; i < 5; i++) {
      const before = await queueFor(name).getJobState(bullJobId(key));
      job = await queueFor(name).getJob(bullJobId(key));
      state = job ? await job.getState() : 'unknown';
      if (before === state) break;
    }
    if (!job) return undefined;
    const shown: JobSnapshot['state'] =
      state === 'completed' ? 'done' : state === 'failed' ? 'failed' : state === 'active' ? 'active' : state === 'delayed' ? 'delayed' : 'queued';
    return {
      id: job.id ?? '', state: shown, attempts: spent(job) + (shown === 'active' ? 1 : 0),
      maxAttempts: job.opts.attempts ?? DEFAULT_MAX_ATTEMPTS,
      progress: typeof job.progress === 'number' ? job.progress : 0, lastError: job.failedReason || null,
    };
  }

  return queue;
}

const REDIS_WAIT_MS = 5_000;

async function bounded<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: redis did not answer within ${REDIS_WAIT_MS} ms`)), REDIS_WAIT_MS);
  });
  work.catch(() => undefined); // a late failure after the timeout is not unhandled
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

// Schedule locks in Redis (`<base>:<name>:next` = next run, epoch ms; `<base>:<name>:lock` = holder's token),
// with Redis's own clock so instances with skewed clocks agree on when a round is due.
const CLAIM = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nextRun = tonumber(redis.call('GET', KEYS[1]) or '0')
if nextRun > now or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
redis.call('SET', KEYS[1], tostring(now + tonumber(ARGV[2])))
return 1`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

function redisScheduleLock(redis: Redis, base: string, lockMs: number): ScheduleLock<string> {
  return {
    ensure: async () => undefined,
    claim: async (name, everyMs) => {
      const token = randomUUID();
      const won = await redis.eval(CLAIM, 2, `${base}:${name}:next`, `${base}:${name}:lock`, token, everyMs, lockMs);
      return won === 1 ? token : undefined;
    },
    extend: async (name, token) => ((await redis.eval(EXTEND, 1, `${base}:${name}:lock`, token, lockMs)) === 1 ? token : undefined),
    release: async (name, token) => void (await redis.eval(RELEASE, 1, `${base}:${name}:lock`, token)),
  };
}
