// The one jobs interface (STYLE: "slow work is a job"): typed payloads, idempotent enqueue, retries with
// exponential backoff, a dead state with the last error, progress, leases that a running worker keeps extending,
// and periodic work that runs on one instance at a time. Two backends sit behind it:
//   - table-queue.ts: a `jobs` table in our own database (SQLite by default, PostgreSQL with FOR UPDATE SKIP
//     LOCKED); the job row is inserted in the same transaction as the row that needs it.
//   - bullmq-queue.ts: BullMQ on Redis, for many instances; it cannot join our transaction, so enqueue happens
//     after commit and a reconciler re-enqueues (job id = dedupe key, never twice) any resource left waiting.
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { JobPayloads } from './job-types.js';

export type QueueName = keyof JobPayloads & string;

export type JobContext = {
  /** The job's id (table: row id; BullMQ: job id). */
  id: string;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
  /** Aborted when the worker stops (shutdown) or loses the lease: stop work, leave partial output to the retry. */
  signal: AbortSignal;
  /** 0–100; cheap to call often (writes are throttled by the backend). */
  progress(percent: number): Promise<void>;
};

export type JobHandler<Q extends QueueName> = (payload: JobPayloads[Q], ctx: JobContext) => Promise<void>;

export type HandlerOptions<Q extends QueueName> = {
  /** Jobs of this queue run at once in this process (default 1). */
  concurrency?: number;
  /** A run longer than this is aborted and counts as a failed attempt. */
  timeoutMs?: (payload: JobPayloads[Q]) => number;
  /** First retry delay of this queue (doubling after each attempt); default: the queue-wide setting. */
  backoffBaseMs?: number;
  /** Called once when the job is dead (attempts spent, or a PermanentJobError): the domain records the failure. */
  onDead?: (payload: JobPayloads[Q], error: Error) => Promise<void>;
};

export type EnqueueOptions = {
  /** At most one queued-or-active job per (queue, key): a second enqueue is a no-op. */
  key?: string;
  /** Attempts before the job is dead (default 5). */
  maxAttempts?: number;
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
};

/**
 * A job prepared by enqueue: `inTransaction(trx)` writes it with the caller's row (table backend; a no-op on
 * BullMQ), `afterCommit()` makes it visible to workers (wakes the table's pollers; adds it to BullMQ).
 */
export type PendingJob = {
  inTransaction(trx: Transaction<Database>): Promise<void>;
  afterCommit(): Promise<void>;
};

/** Lists resources that should have a job (for the BullMQ reconciler; harmless on the table backend). */
export type Reconciler<Q extends QueueName> = () => Promise<Array<{ payload: JobPayloads[Q]; key: string }>>;

export type JobCounts = Array<{ queue: string; state: 'queued' | 'active' | 'done' | 'failed' | 'delayed'; count: number }>;

export interface JobQueue {
  readonly backend: 'table' | 'bullmq';
  prepare<Q extends QueueName>(queue: Q, payload: JobPayloads[Q], options?: EnqueueOptions): PendingJob;
  /** Enqueue outside any transaction (prepare + both steps). */
  enqueue<Q extends QueueName>(queue: Q, payload: JobPayloads[Q], options?: EnqueueOptions): Promise<void>;
  handle<Q extends QueueName>(queue: Q, handler: JobHandler<Q>, options?: HandlerOptions<Q>): void;
  reconcile<Q extends QueueName>(queue: Q, find: Reconciler<Q>, everyMs: number): void;
  /** Runs `task` about every `everyMs` on exactly one instance at a time (whichever claims the round). */
  schedule(name: string, everyMs: number, task: () => Promise<void>): void;
  /** Starts polling for the queues with handlers (a process that only enqueues never calls it). */
  start(): Promise<void>;
  /** Stops claiming, aborts running jobs and puts them back without an attempt penalty; waits ≤ `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  counts(): Promise<JobCounts>;
}

/** A failure that retrying cannot fix (a corrupt file): the job goes dead at once. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

/** Backoff after attempt `attempt`: base · 2^(attempt − 1) (1 s, 2 s, 4 s … capped at an hour) with ±20 % jitter. */
export function backoffMs(attempt: number, baseMs = 1000, random: () => number = Math.random): number {
  const raw = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 3_600_000);
  return Math.round(raw * (0.8 + 0.4 * random()));
}
