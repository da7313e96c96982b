// What both job backends share: one run of a handler (its AbortSignal, its time budget, throttled progress
// writes) turned into an outcome that the backend records; the options every backend takes; and a read-only
// view of one job (for tests and for status pages).
import { PermanentJobError, type JobContext, type JobCounts, type JobHandler, type QueueName } from './queue.js';
import type { JobPayloads } from './job-types.js';

export type JobsLog = {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
};

export type JobOutcome = 'done' | 'failed' | 'retry';

/** Options every backend takes (create-queue.ts fills them from the configuration). */
export type BackendOptions = {
  /** How often an idle worker looks for work (table) / the stalled-job check cadence bound (BullMQ). */
  pollMs: number;
  /** A worker that stops renewing its lease (it died) has its job picked up again at most this long after. */
  leaseMs: number;
  log: JobsLog;
  now?: () => number;
  /** Base of the exponential backoff (default 1 s: 1 s, 2 s, 4 s, … capped at an hour). */
  backoffBaseMs?: number;
  /** Least time between two progress writes of one job (default 1 s). */
  progressEveryMs?: number;
  /** Every finished attempt: the queue, what became of the job, and the attempt's duration. */
  onFinished?: (queue: string, outcome: JobOutcome, seconds: number) => void;
};

export type JobSnapshot = {
  id: string;
  state: 'queued' | 'delayed' | 'active' | 'done' | 'failed';
  /** Attempts spent (a run in progress counts; a run interrupted by a shutdown does not). */
  attempts: number;
  maxAttempts: number;
  progress: number;
  lastError: string | null;
};

/** Looks up the newest job of `queue` enqueued with `key`. */
export type JobInspector = { find(queue: QueueName, key: string): Promise<JobSnapshot | undefined> };

export const DEFAULT_MAX_ATTEMPTS = 5;
export const JOB_STATES = ['queued', 'delayed', 'active', 'done', 'failed'] as const;

/** `rows` plus a zero for every state of every queue in `queues` that has no row (series never vanish). */
export function zeroFilled(rows: JobCounts, queues: Iterable<string>): JobCounts {
  const out = [...rows];
  const seen = new Set(rows.map((r) => `${r.queue}\u0000${r.state}`));
  for (const queue of new Set([...queues, ...rows.map((r) => r.queue)])) {
    for (const state of JOB_STATES) if (!seen.has(`${queue}\u0000${state}`)) out.push({ queue, state, count: 0 });
  }
  return out.sort((a, b) => a.queue.localeCompare(b.queue) || JOB_STATES.indexOf(a.state) - JOB_STATES.indexOf(b.state));
}

/** `Name: message`, bounded (stored as the job's last error). */
export function describeError(err: Error): string {
  const text = err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

export function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

export function isPermanent(err: Error): boolean {
  return err instanceof PermanentJobError || err.name === 'PermanentJobError';
}

export class JobTimeoutError extends Error {
  constructor(ms: number) {
    super(`the job ran longer than its ${ms} ms budget`);
    this.name = 'JobTimeoutError';
  }
}

/** Why the backend stopped a run: its own shutdown, or it no longer holds the job (lease or lock lost). */
export type InterruptReason = 'stop' | 'lease';

export type AttemptResult =
  | { kind: 'done' }
  /** Counts as an attempt (a throw or the time budget); permanent: retrying cannot help. */
  | { kind: 'failed'; error: Error; permanent: boolean }
  /** Does not count: the job goes back (stop) or already belongs to another worker (lease). */
  | { kind: 'interrupted'; reason: InterruptReason };

export type RunningAttempt = {
  readonly result: Promise<AttemptResult>;
  /** Aborts the handler's signal. 'lease' settles at once; 'stop' when the handler returns, or after `graceMs`. */
  interrupt(reason: InterruptReason, graceMs?: number): void;
};

export type AttemptInfo = {
  id: string;
  attempt: number;
  maxAttempts: number;
  timeoutMs: number | undefined;
  progressEveryMs: number;
  writeProgress(percent: number): Promise<unknown>;
};

/** Runs `handler` once. The result settles exactly once and never rejects. */
export function startAttempt<Q extends QueueName>(handler: JobHandler<Q>, payload: JobPayloads[Q], info: AttemptInfo): RunningAttempt {
  const controller = new AbortController();
  let interrupted: InterruptReason | undefined;
  let settleEarly: (r: AttemptResult) => void = () => undefined;
  const early = new Promise<AttemptResult>((resolve) => (settleEarly = resolve));

  let finished = false;
  let lastWrite = 0;
  let pending: number | undefined;
  let trailing: NodeJS.Timeout | undefined;
  const flush = async (): Promise<void> => {
    trailing = undefined;
    if (finished || pending === undefined) return;
    const percent = pending;
    pending = undefined;
    lastWrite = Date.now();
    await info.writeProgress(percent).catch(() => undefined);
  };
  const ctx: JobContext = {
    id: info.id,
    attempt: info.attempt,
    maxAttempts: info.maxAttempts,
    signal: controller.signal,
    progress: async (percent) => {
      if (finished) return;
      pending = Math.max(0, Math.min(100, Math.round(percent)));
      const wait = lastWrite + info.progressEveryMs - Date.now();
      if (wait <= 0) {
        clearTimeout(trailing);
        await flush();
      } else if (!trailing) {
        trailing = setTimeout(() => void flush(), wait).unref();
      }
    },
  };

  const timer =
    info.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          const error = new JobTimeoutError(info.timeoutMs!);
          controller.abort(error);
          settleEarly({ kind: 'failed', error, permanent: false });
        }, info.timeoutMs).unref();

  const run: Promise<AttemptResult> = (async () => handler(payload, ctx))().then(
    (): AttemptResult => ({ kind: 'done' }),
    (err: unknown): AttemptResult => {
      const error = toError(err);
      return { kind: 'failed', error, permanent: isPermanent(error) };
    },
  );
  const result = Promise.race([
    run.then((r): AttemptResult => {
      if (interrupted === 'lease') return { kind: 'interrupted', reason: 'lease' };
      // a handler that finished its work in spite of the stop is done; one that gave up goes back
      if (interrupted === 'stop' && r.kind !== 'done') return { kind: 'interrupted', reason: 'stop' };
      return r;
    }),
    early,
  ]).finally(() => {
    finished = true;
    clearTimeout(timer);
    clearTimeout(trailing);
  });

  return {
    result,
    interrupt(reason, graceMs = 0) {
      if (interrupted) return;
      interrupted = reason;
      controller.abort(new Error(reason === 'stop' ? 'the worker is stopping' : 'the job lease was lost'));
      if (reason === 'lease') settleEarly({ kind: 'interrupted', reason });
      else setTimeout(() => settleEarly({ kind: 'interrupted', reason }), graceMs); // not unref'd: stop() waits on it
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
