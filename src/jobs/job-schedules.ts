// Periodic work on one instance at a time, the same loop on every backend. Each schedule has a lock in shared
// storage (a job_schedules row, or Redis keys): claiming a round advances its next run and takes the lock, the
// runner extends the lock while the task runs and releases it after. A round nobody can claim (not due yet, or
// the previous round still running somewhere) is skipped; a dead runner's lock expires after `lockMs`.
import type { JobsLog } from './job-runtime.js';

/** Storage of the schedules' next runs and locks; `Held` identifies the lock a claim took. */
export type ScheduleLock<Held> = {
  ensure(name: string): Promise<void>;
  /** Takes this round if due and unlocked: next run = now + everyMs, locked for lockMs. */
  claim(name: string, everyMs: number): Promise<Held | undefined>;
  /** Extends the lock for another lockMs; undefined when it is no longer ours. */
  extend(name: string, held: Held): Promise<Held | undefined>;
  release(name: string, held: Held): Promise<void>;
};

type Schedule = { name: string; everyMs: number; task: () => Promise<void>; timer?: NodeJS.Timeout; running?: Promise<void> };

export type Schedules = {
  add(name: string, everyMs: number, task: () => Promise<void>): void;
  start(): Promise<void>;
  /** Stops claiming; waits ≤ graceMs for rounds in progress (a round still running keeps its lock until it ends). */
  stop(graceMs: number): Promise<void>;
};

export function createSchedules<Held>(opts: { lock: ScheduleLock<Held>; lockMs: number; pollMs: number; log: JobsLog }): Schedules {
  const { lock, lockMs, log } = opts;
  const schedules = new Map<string, Schedule>();
  let started = false;
  let stopping = false;

  async function round(s: Schedule, held: Held): Promise<void> {
    let current = held;
    let lost = false;
    let extending = Promise.resolve();
    const timer = setInterval(() => {
      extending = extending
        .then(async () => {
          if (lost) return;
          const next = await lock.extend(s.name, current);
          if (next === undefined) {
            lost = true;
            log.warn({ schedule: s.name }, 'periodic task outlived its lock; another instance may start the next round');
          } else current = next;
        })
        .catch((err) => log.warn({ err, schedule: s.name }, 'could not extend a periodic task lock'));
    }, Math.max(10, Math.floor(lockMs / 4))).unref();
    try {
      await s.task();
    } catch (err) {
      log.warn({ err, schedule: s.name }, 'periodic task failed; the next round runs on schedule');
    } finally {
      clearInterval(timer);
      await extending;
    }
    if (!lost) await lock.release(s.name, current).catch((err) => log.warn({ err, schedule: s.name }, 'could not release a periodic task lock'));
  }

  async function tick(s: Schedule): Promise<void> {
    if (stopping || s.running) return;
    let held: Held | undefined;
    try {
      held = await lock.claim(s.name, s.everyMs);
    } catch (err) {
      log.warn({ err, schedule: s.name }, 'could not claim a periodic task round');
      return;
    }
    if (held === undefined) return;
    if (stopping) {
      await lock.release(s.name, held).catch(() => undefined);
      return;
    }
    s.running = round(s, held);
    await s.running;
    s.running = undefined;
  }

  async function begin(s: Schedule): Promise<void> {
    await lock.ensure(s.name);
    if (stopping) return;
    // look a few times per period (not more often than pollMs, at least every minute)
    const checkMs = Math.min(Math.max(opts.pollMs, Math.floor(s.everyMs / 10)), 60_000);
    s.timer = setInterval(() => void tick(s), checkMs).unref();
    void tick(s);
  }

  return {
    add(name, everyMs, task) {
      if (schedules.has(name)) throw new Error(`schedule ${name} is already registered`);
      const s: Schedule = { name, everyMs, task };
      schedules.set(name, s);
      if (started) void begin(s).catch((err) => log.warn({ err, schedule: name }, 'could not start a schedule'));
    },
    async start() {
      started = true;
      await Promise.all([...schedules.values()].map((s) => begin(s)));
    },
    async stop(graceMs) {
      stopping = true;
      for (const s of schedules.values()) clearInterval(s.timer);
      const running = [...schedules.values()].flatMap((s) => (s.running ? [s.running] : []));
      if (running.length === 0) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled(running), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    },
  };
}
