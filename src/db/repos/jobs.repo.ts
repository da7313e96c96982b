// The queries of the table job backend (src/jobs/table-queue.ts): insert in the caller's transaction, claim
// with a lease (one statement: SQLite's single writer makes it atomic; PostgreSQL adds FOR UPDATE SKIP LOCKED),
// and every later write conditional on the claim's lease token, so a worker that lost its lease changes nothing.
// Periodic work: job_schedules rows claimed by advancing next_run_at under a lock that the runner extends.
import { sql, type Insertable, type Kysely } from 'kysely';
import type { Db } from '../db.js';
import type { Database, JobRow, JobsTable } from '../schema.js';

export type JobCountRow = { queue: string; state: 'queued' | 'delayed' | 'active' | 'done' | 'failed'; count: number };

export function createJobsRepo(db: Db, dialect: 'sqlite' | 'postgres') {
  return {
    /** Inserts with the caller's executor (a transaction, usually); false when a live job holds the same key. */
    insert: async (executor: Kysely<Database>, row: Insertable<JobsTable>): Promise<boolean> => {
      const result = await executor.insertInto('jobs').values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    /**
     * Claims the next due job of `queue` (queued and due, or active with a lease that ran out: its worker died)
     * for `leaseMs`; the attempt is counted at claim time, so a worker that dies mid-job spends an attempt.
     */
    claim: async (queue: string, now: number, leaseMs: number, token: string): Promise<JobRow | undefined> => {
      const due = db
        .selectFrom('jobs')
        .select('id')
        .where('queue', '=', queue)
        .where((eb) =>
          eb.or([
            eb.and([eb('state', '=', 'queued'), eb('runAt', '<=', now)]),
            eb.and([eb('state', '=', 'active'), eb('leaseUntil', '<', now)]),
          ]),
        )
        .orderBy('runAt')
        .orderBy('id')
        .limit(1);
      return db
        .updateTable('jobs')
        .set((eb) => ({
          state: 'active',
          attempts: eb('attempts', '+', 1),
          leaseUntil: now + leaseMs,
          leaseToken: token,
          startedAt: now,
          updatedAt: now,
        }))
        .where((eb) => (dialect === 'postgres' ? eb('id', 'in', due.forUpdate().skipLocked()) : eb('id', '=', due)))
        .returningAll()
        .executeTakeFirst();
    },

    /** Extends the lease (and records progress); false when the lease is no longer ours. */
    heartbeat: async (id: string, token: string, leaseUntil: number, now: number): Promise<boolean> =>
      changed(
        await db.updateTable('jobs').set({ leaseUntil, updatedAt: now })
          .where('id', '=', id).where('leaseToken', '=', token).where('state', '=', 'active').executeTakeFirst(),
      ),

    setProgress: async (id: string, token: string, progress: number, now: number): Promise<boolean> =>
      changed(
        await db.updateTable('jobs').set({ progress, updatedAt: now })
          .where('id', '=', id).where('leaseToken', '=', token).where('state', '=', 'active').executeTakeFirst(),
      ),

    complete: async (id: string, token: string, now: number): Promise<boolean> =>
      changed(
        await db.updateTable('jobs')
          .set({ state: 'done', progress: 100, leaseUntil: null, leaseToken: null, lastError: null, finishedAt: now, updatedAt: now })
          .where('id', '=', id).where('leaseToken', '=', token).where('state', '=', 'active').executeTakeFirst(),
      ),

    /** A failed attempt with attempts left: queued again from `runAt`. */
    retry: async (id: string, token: string, runAt: number, error: string, now: number): Promise<boolean> =>
      changed(
        await db.updateTable('jobs')
          .set({ state: 'queued', runAt, leaseUntil: null, leaseToken: null, lastError: error, updatedAt: now })
          .where('id', '=', id).where('leaseToken', '=', token).where('state', '=', 'active').executeTakeFirst(),
      ),

    /** Dead: attempts spent or a permanent error. */
    fail: async (id: string, token: string, error: string, now: number): Promise<boolean> =>
      changed(
        await db.updateTable('jobs')
          .set({ state: 'failed', leaseUntil: null, leaseToken: null, lastError: error, finishedAt: now, updatedAt: now })
          .where('id', '=', id).where('leaseToken', '=', token).where('state', '=', 'active').executeTakeFirst(),
      ),

    /** Shutdown: back to queued at once, the interrupted attempt not counted. */
    release: async (id: string, token: string, now: number): Promise<boolean> =>
      changed(
        await db.updateTable('jobs')
          .set((eb) => ({ state: 'queued', attempts: eb('attempts', '-', 1), runAt: now, leaseUntil: null, leaseToken: null, updatedAt: now }))
          .where('id', '=', id).where('leaseToken', '=', token).where('state', '=', 'active').executeTakeFirst(),
      ),

    /** Counts by queue and state; queued jobs not yet due (a retry's backoff, a delay) count as `delayed`. */
    counts: async (now: number): Promise<JobCountRow[]> => {
      const states = db
        .selectFrom('jobs')
        .select(['queue', sql<JobCountRow['state']>`case when state = 'queued' and run_at > ${now} then 'delayed' else state end`.as('shownState')])
        .as('j');
      const rows = await db
        .selectFrom(states)
        .select(['j.queue', 'j.shownState', (eb) => eb.fn.countAll<number | string>().as('count')])
        .groupBy(['j.queue', 'j.shownState'])
        .execute();
      return rows.map((r) => ({ queue: r.queue, state: r.shownState, count: Number(r.count) }));
    },

    /** The newest job of `queue` with this dedupe key. */
    findByKey: (queue: string, key: string): Promise<JobRow | undefined> =>
      db.selectFrom('jobs').selectAll().where('queue', '=', queue).where('dedupeKey', '=', key)
        .orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst(),

    /** Removes done jobs that finished before `before`; returns how many. */
    pruneDone: async (before: number): Promise<number> =>
      Number((await db.deleteFrom('jobs').where('state', '=', 'done').where('finishedAt', '<', before).executeTakeFirst()).numDeletedRows),

    /** Creates the schedule row if missing (its first round is due at `firstRunAt`). */
    ensureSchedule: async (name: string, firstRunAt: number): Promise<void> => {
      await db.insertInto('jobSchedules').values({ name, nextRunAt: firstRunAt, lastRunAt: null, lockedUntil: null })
        .onConflict((oc) => oc.column('name').doNothing()).execute();
    },

    /**
     * Claims this round of `name` when it is due and nobody holds it: advances next_run_at and locks until
     * `now + lockMs`. Returns the lock's value (the handle for extend/release), or undefined when not claimed.
     */
    claimSchedule: async (name: string, now: number, everyMs: number, lockMs: number): Promise<number | undefined> => {
      const row = await db.updateTable('jobSchedules')
        .set({ nextRunAt: now + everyMs, lastRunAt: now, lockedUntil: now + lockMs })
        .where('name', '=', name).where('nextRunAt', '<=', now)
        .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<', now)]))
        .returning('lockedUntil').executeTakeFirst();
      return row?.lockedUntil ?? undefined;
    },

    /** Moves the lock from `held` to `until` (compare-and-swap: a lock someone else took is left alone). */
    extendSchedule: async (name: string, held: number, until: number): Promise<boolean> =>
      changed(await db.updateTable('jobSchedules').set({ lockedUntil: until }).where('name', '=', name).where('lockedUntil', '=', held).executeTakeFirst()),

    releaseSchedule: async (name: string, held: number): Promise<boolean> =>
      changed(await db.updateTable('jobSchedules').set({ lockedUntil: null }).where('name', '=', name).where('lockedUntil', '=', held).executeTakeFirst()),
  };
}

function changed(result: { numUpdatedRows: bigint }): boolean {
  return result.numUpdatedRows > 0n;
}

export type JobsRepo = ReturnType<typeof createJobsRepo>;
