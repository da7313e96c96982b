// Picks the job backend from the configuration: our own `jobs` table (SQLite or PostgreSQL), or BullMQ when
// Redis is configured for it (config.jobs.backend resolves 'auto').
import type { Config } from '../config/config.js';
import type { DbHandle } from '../db/db.js';
import { createBullmqQueue } from './bullmq-queue.js';
import type { BackendOptions, JobInspector, JobOutcome, JobsLog } from './job-runtime.js';
import type { JobQueue } from './queue.js';
import { createTableQueue } from './table-queue.js';

export type CreateJobQueueOptions = {
  db: DbHandle;
  jobs: Config['jobs'];
  redisUrl: string | undefined;
  redisPrefix: string;
  log: JobsLog;
  now?: () => number;
  /** Every finished attempt (for the duration histogram): 'retry' = failed with attempts left. */
  onFinished?: (queue: string, outcome: JobOutcome, seconds: number) => void;
  /** Base of the retry backoff (default 1 s); tests shorten it. */
  backoffBaseMs?: number;
  /** Least time between two progress writes of one job (default 1 s). */
  progressEveryMs?: number;
};

export function createJobQueue(options: CreateJobQueueOptions): JobQueue & JobInspector {
  const common: BackendOptions = {
    pollMs: options.jobs.pollMs, leaseMs: options.jobs.leaseMs, log: options.log, now: options.now,
    onFinished: options.onFinished, backoffBaseMs: options.backoffBaseMs, progressEveryMs: options.progressEveryMs,
  };
  if (options.jobs.backend === 'bullmq') {
    if (!options.redisUrl) throw new Error('the bullmq job backend needs a Redis URL (PICORA_REDIS_URL)');
    return createBullmqQueue({ ...common, redisUrl: options.redisUrl, redisPrefix: options.redisPrefix });
  }
  return createTableQueue({ ...common, db: options.db });
}
