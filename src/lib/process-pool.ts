// A pool of child processes that run one task at a time each, with a hard time budget per task: a task past
// its budget gets its process killed (SIGKILL) and replaced. Native work (libvips, WebAssembly) cannot be
// interrupted from a thread of the same process, so only a process boundary makes the budget real.
//
// Wire protocol (Node IPC with 'advanced' serialisation, so Buffers cross as Buffers):
//   parent → child  { id, op, payload }
//   child → parent  { id, ok: true, result } | { id, ok: false, error: { name, message, kind? } }
// The child side is `serveProcessTasks(handlers)` in process-pool-child.ts.
import { fork, type ChildProcess } from 'node:child_process';

export type TaskError = { name: string; message: string; kind?: string | undefined };

/** Why a task failed without an answer from its handler. */
export class PoolTaskError extends Error {
  override readonly name = 'PoolTaskError';
  constructor(
    readonly reason: 'timeout' | 'crashed' | 'closed' | 'failed',
    message: string,
    /** For 'failed': what the handler threw, as the child reported it. */
    readonly remote?: TaskError,
  ) {
    super(message);
  }
}

export type ProcessPoolOptions = {
  /** The child's entry module (a file URL or path). */
  entry: string | URL;
  size: number;
  /** Extra arguments for node (e.g. a loader); defaults to the loaders this process runs with. */
  execArgv?: string[];
  /** Arguments for the child's module (process.argv.slice(2) there). */
  args?: string[];
  log?: { warn(obj: object, msg: string): void };
  /**
   * A worker is replaced (between tasks) after this many tasks or once its resident memory passes this many
   * MiB: native allocators keep freed memory, so a long-lived worker's footprint only grows.
   */
  recycle?: { maxTasks?: number; maxRssMb?: number };
};

type Task = {
  op: string;
  payload: unknown;
  timeoutMs: number;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
};

type Slot = {
  child: ChildProcess;
  /** The child has loaded its modules and said so: budgets count from here, not from the spawn. */
  ready: boolean;
  /** A task given to the slot before it was ready. */
  waiting?: Task;
  task?: Task & { id: number; timer: NodeJS.Timeout };
  killedByUs?: boolean;
  done: number;
};

/** How long a new worker may take to load before it counts as crashed. */
const STARTUP_MS = 60_000;

/** The loader flags of this process (tsx in development and tests), which a child needs to load our modules. */
export function inheritedLoaderArgs(execArgv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (/^--(import|loader|experimental-loader|require)$/.test(arg) && i + 1 < execArgv.length) out.push(arg, execArgv[++i]!);
    else if (/^--(import|loader|experimental-loader|require)=/.test(arg)) out.push(arg);
  }
  return out;
}

export function createProcessPool(opts: ProcessPoolOptions) {
  const size = Math.max(1, opts.size);
  const execArgv = opts.execArgv ?? inheritedLoaderArgs();
  const idle: Slot[] = [];
  const busy = new Set<Slot>();
  const queue: Task[] = [];
  let live = 0;
  let nextId = 1;
  let closed = false;
  const stats = { started: 0, killed: 0, crashed: 0, completed: 0, recycled: 0 };

  // whatever way this process ends (a forced exit at shutdown included), its workers end with it
  const all = new Set<ChildProcess>();
  const killAll = (): void => {
    for (const child of all) child.kill('SIGKILL');
  };
  process.once('exit', killAll);

  function spawnSlot(): Slot {
    const child = fork(opts.entry, opts.args ?? [], {
      execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    stats.started++;
    live++;
    all.add(child);
    const slot: Slot = { child, ready: false, done: 0 };
    const startup = setTimeout(() => child.kill('SIGKILL'), STARTUP_MS);
    startup.unref();
    child.on('message', (msg: { id: number; ok: boolean; result?: unknown; error?: TaskError; ready?: true; rss?: number }) => {
      if (msg.ready) {
        clearTimeout(startup);
        slot.ready = true;
        const waiting = slot.waiting;
        slot.waiting = undefined;
        if (waiting) dispatch(slot, waiting);
        return;
      }
      const task = slot.task;
      if (!task || msg.id !== task.id) return;
      clearTimeout(task.timer);
      slot.task = undefined;
      stats.completed++;
      slot.done++;
      if (msg.ok) task.resolve(msg.result);
      else task.reject(new PoolTaskError('failed', msg.error?.message ?? 'task failed', msg.error));
      const worn = (opts.recycle?.maxTasks !== undefined && slot.done >= opts.recycle.maxTasks) ||
        (opts.recycle?.maxRssMb !== undefined && (msg.rss ?? 0) > opts.recycle.maxRssMb * 1024 * 1024);
      if (worn && !closed) {
        stats.recycled++;
        busy.delete(slot);
        slot.killedByUs = true; // its 'exit' starts a replacement
        slot.child.kill('SIGKILL');
        return;
      }
      release(slot);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(startup);
      all.delete(child);
      live--;
      if (slot.waiting) {
        slot.waiting.reject(new PoolTaskError('crashed', `the worker process ended before it was ready (${signal ?? `exit ${code}`})`));
        slot.waiting = undefined;
      }
      busy.delete(slot);
      const at = idle.indexOf(slot);
      if (at >= 0) idle.splice(at, 1);
      const task = slot.task;
      if (task) {
        clearTimeout(task.timer);
        slot.task = undefined;
        stats.crashed++;
        opts.log?.warn({ op: task.op, code, signal }, 'a worker process died during a task');
        task.reject(new PoolTaskError('crashed', `the worker process ended during the task (${signal ?? `exit ${code}`})`));
      }
      if (slot.killedByUs && !closed && live < size) {
        // replace a process we killed at once, so the next task does not pay for its start-up
        const fresh = spawnSlot();
        idle.push(fresh);
        setRef(fresh, false);
      }
      pump();
    });
    child.on('error', (err) => opts.log?.warn({ err }, 'worker process error'));
    return slot;
  }

  function setRef(slot: Slot, on: boolean): void {
    // an idle worker must not keep this process alive; a busy one must (its answer is awaited)
    const channel = slot.child.channel as { ref?(): void; unref?(): void } | undefined;
    if (on) {
      slot.child.ref();
      channel?.ref?.();
    } else {
      slot.child.unref();
      channel?.unref?.();
    }
  }

  function release(slot: Slot): void {
    busy.delete(slot);
    if (closed) {
      slot.child.kill('SIGKILL');
      return;
    }
    idle.push(slot);
    setRef(slot, false);
    pump();
  }

  function start(slot: Slot, task: Task): void {
    busy.add(slot);
    setRef(slot, true);
    if (slot.ready) dispatch(slot, task);
    else slot.waiting = task;
  }

  function dispatch(slot: Slot, task: Task): void {
    const id = nextId++;
    const timer = setTimeout(() => {
      if (slot.task?.id !== id) return;
      slot.task = undefined;
      stats.killed++;
      slot.killedByUs = true;
      slot.child.kill('SIGKILL'); // 'exit' removes the slot; the next task gets a fresh process
      task.reject(new PoolTaskError('timeout', `the task did not finish within ${task.timeoutMs} ms`));
    }, task.timeoutMs);
    slot.task = { ...task, id, timer };
    slot.child.send({ id, op: task.op, payload: task.payload }, (err) => {
      if (err && slot.task?.id === id) {
        clearTimeout(timer);
        slot.task = undefined;
        slot.child.kill('SIGKILL');
        task.reject(new PoolTaskError('crashed', `the task could not be sent to its worker: ${err.message}`));
      }
    });
  }

  function pump(): void {
    while (queue.length > 0 && !closed) {
      let slot = idle.pop();
      if (!slot) {
        if (live >= size) return;
        slot = spawnSlot();
      }
      start(slot, queue.shift()!);
    }
  }

  return {
    stats,
    /** Runs `op` in a worker process; rejects with PoolTaskError ('timeout' kills that process). */
    run<T>(op: string, payload: unknown, timeoutMs: number): Promise<T> {
      if (closed) return Promise.reject(new PoolTaskError('closed', 'the worker pool is closed'));
      return new Promise<T>((resolve, reject) => {
        queue.push({ op, payload, timeoutMs, resolve: resolve as (v: unknown) => void, reject });
        pump();
      });
    },
    /** Tasks waiting for a free worker. */
    get queued(): number {
      return queue.length;
    },
    /** Starts the workers now instead of on first use. */
    warm(): void {
      while (live < size && !closed) {
        const slot = spawnSlot();
        idle.push(slot);
        setRef(slot, false);
      }
    },
    /** Ends every worker at once (running tasks are refused with 'closed'). */
    async close(): Promise<void> {
      closed = true;
      process.removeListener('exit', killAll);
      for (const task of queue.splice(0)) task.reject(new PoolTaskError('closed', 'the worker pool is closed'));
      const slots = [...idle, ...busy];
      for (const slot of slots) setRef(slot, true); // awaiting their exit must keep this process alive
      const children = slots.map((s) => s.child);
      for (const slot of busy) {
        slot.waiting?.reject(new PoolTaskError('closed', 'the worker pool is closed'));
        slot.waiting = undefined;
        if (slot.task) {
          clearTimeout(slot.task.timer);
          slot.task.reject(new PoolTaskError('closed', 'the worker pool closed during the task'));
          slot.task = undefined;
        }
      }
      await Promise.all(
        children.map((child) =>
          child.exitCode !== null || child.signalCode !== null
            ? undefined
            : new Promise<void>((resolve) => {
                child.once('exit', () => resolve());
                child.kill('SIGKILL');
              }),
        ),
      );
    },
  };
}

export type ProcessPool = ReturnType<typeof createProcessPool>;
