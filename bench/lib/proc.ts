// What a process costs, read from /proc: resident memory (VmRSS) sampled every 50 ms, and CPU time
// (utime + stime) of the whole process and of each of its threads (main JS thread, libuv pool, libvips).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const MB = 1024 * 1024;

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** VmRSS of `pid` in bytes, or undefined once the process is gone. */
export function readRss(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The pids of every live descendant of `pid` (children, their children …), from the parent pid in /proc/<n>/stat. */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid);
      if (list) list.push(Number(entry));
      else children.set(ppid, [Number(entry)]);
    } catch {
      // ended meanwhile
    }
  }
  const out: number[] = [];
  const queue = [...(children.get(pid) ?? [])];
  while (queue.length > 0) {
    const next = queue.shift()!;
    out.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return out;
}

/** utime + stime in seconds from a /proc/…/stat line (fields 14 and 15; the name may hold spaces). */
function cpuOfStat(stat: string): { name: string; seconds: number } {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14 → index 11, stime field 15 → index 12
  return { name: stat.slice(open + 1, close), seconds: (Number(fields[11]) + Number(fields[12])) / ticksPerSecond() };
}

/** CPU seconds the whole process has used so far (all threads, live and exited). */
export function readCpuSeconds(pid: number): number | undefined {
  try {
    return cpuOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).seconds;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of a process tree so far: the process itself, the children it has reaped (cutime + cstime), and
 * its live descendants (media workers). Take the difference of two readings.
 */
export function readTreeCpuSeconds(pid: number): number | undefined {
  const own = readCpuSeconds(pid);
  if (own === undefined) return undefined;
  const reaped = (p: number) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[13]) + Number(fields[14])) / ticksPerSecond(); // cutime, cstime: fields 16 and 17
    } catch {
      return 0;
    }
  };
  return own + reaped(pid) + descendantsOf(pid).reduce((sum, child) => sum + (readCpuSeconds(child) ?? 0), 0);
}

/** CPU seconds of each live thread, keyed by thread id, with the thread's name. */
export function readThreadCpu(pid: number): Map<number, { name: string; seconds: number }> {
  const out = new Map<number, { name: string; seconds: number }>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      out.set(Number(tid), cpuOfStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

export type RssSummary = {
  samples: number;
  /** Longest gap between two samples: shows whether the sampler itself was starved. */
  maxGapMs: number;
  firstBytes: number;
  peakBytes: number;
  peakAtMs: number;
  lastBytes: number;
  /** Peak before / after a mark set with `mark()` (e.g. the last byte sent); undefined without a mark. */
  peakBeforeMarkBytes: number | undefined;
  peakAfterMarkBytes: number | undefined;
};

export type RssSampler = { mark(): void; stop(): RssSummary };

/** Samples VmRSS of `pid` every `intervalMs` until stop(). */
export function sampleRss(pid: number, intervalMs = 50): RssSampler {
  const started = performance.now();
  let last = started;
  let maxGap = 0;
  let samples = 0;
  let first = readRss(pid) ?? 0;
  let peak = first;
  let peakAt = 0;
  let latest = first;
  let afterMark: number | undefined;
  let beforeMark: number | undefined;
  const take = () => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    const rss = readRss(pid);
    if (rss === undefined) return;
    if (samples === 0) first = rss;
    samples++;
    latest = rss;
    if (rss > peak) {
      peak = rss;
      peakAt = now - started;
    }
    if (afterMark !== undefined) afterMark = Math.max(afterMark, rss);
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    mark() {
      beforeMark = peak;
      afterMark = latest;
    },
    stop() {
      clearInterval(timer);
      take();
      return { samples, maxGapMs: maxGap, firstBytes: first, peakBytes: peak, peakAtMs: peakAt, lastBytes: latest, peakBeforeMarkBytes: beforeMark, peakAfterMarkBytes: afterMark };
    },
  };
}

export type ThreadCpuTracker = { stop(): Array<{ group: string; seconds: number }> };

/**
 * CPU used by each thread of `pid` between start and stop(), grouped by thread name ("node", "libuv-worker",
 * "vips-…" …). Threads are re-read every `intervalMs` so that ones which end before stop() still count.
 */
export function trackThreadCpu(pid: number, intervalMs = 250): ThreadCpuTracker {
  const start = readThreadCpu(pid);
  const latest = new Map(start);
  const poll = () => {
    for (const [tid, t] of readThreadCpu(pid)) latest.set(tid, t);
  };
  const timer = setInterval(poll, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      poll();
      const groups = new Map<string, number>();
      for (const [tid, t] of latest) {
        const used = t.seconds - (start.get(tid)?.seconds ?? 0);
        // Node 20 leaves its libuv pool and V8 helper threads named after the process ("node")
        const name = t.name.replace(/[-_ ]?\d+$/, '');
        const group = tid === pid ? 'main JS thread' : name === 'node' ? 'libuv pool + V8 helpers' : name;
        groups.set(group, (groups.get(group) ?? 0) + used);
      }
      return [...groups].map(([group, seconds]) => ({ group, seconds })).filter((g) => g.seconds > 0).sort((a, b) => b.seconds - a.seconds);
    },
  };
}

export const mb = (bytes: number, digits = 1): string => (bytes / MB).toFixed(digits);

/** CPU seconds the whole machine has spent busy (user, nice, system, irq, softirq, steal) and in all, from /proc/stat. */
export function readSystemCpu(): { busySeconds: number; totalSeconds: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const busy = user + nice + system + irq + softirq + steal;
  return { busySeconds: busy / ticksPerSecond(), totalSeconds: (busy + idle + iowait) / ticksPerSecond() };
}

/** Cores' worth of CPU that the machine spent busy since `from` (a readSystemCpu() result). */
export function busyCoresSince(from: { busySeconds: number }, wallSeconds: number): number {
  return (readSystemCpu().busySeconds - from.busySeconds) / wallSeconds;
}

/**
 * Waits (at most `maxWaitMs`) until the machine has been quiet for one second: fewer than `maxBusyCores`
 * cores busy. Benchmarks share the machine with whatever else runs (test suites, builds); this keeps them
 * from measuring that, and says so when it could not.
 */
export async function waitForQuiet(opts: { maxWaitMs: number; maxBusyCores: number }): Promise<{ quiet: boolean; busyCores: number; waitedMs: number }> {
  const started = performance.now();
  let busyCores = Number.POSITIVE_INFINITY;
  while (performance.now() - started < opts.maxWaitMs) {
    const before = readSystemCpu();
    await new Promise((r) => setTimeout(r, 1000));
    busyCores = busyCoresSince(before, 1);
    if (busyCores < opts.maxBusyCores) return { quiet: true, busyCores, waitedMs: performance.now() - started };
  }
  return { quiet: false, busyCores, waitedMs: performance.now() - started };
}

/** Prints and returns the outcome of waitForQuiet with the defaults of the benchmarks (BENCH_QUIET_WAIT_S, 0 skips). */
export async function awaitQuietMachine(): Promise<{ quiet: boolean; busyCores: number }> {
  const maxWaitMs = Number(process.env.BENCH_QUIET_WAIT_S ?? 300) * 1000;
  if (maxWaitMs <= 0) return { quiet: false, busyCores: Number.NaN };
  const r = await waitForQuiet({ maxWaitMs, maxBusyCores: 0.25 });
  console.log(
    r.quiet
      ? `  machine quiet (${r.busyCores.toFixed(2)} cores busy) after ${(r.waitedMs / 1000).toFixed(0)} s`
      : `  WARNING: machine still busy (${r.busyCores.toFixed(2)} cores used by other processes) after ${(r.waitedMs / 1000).toFixed(0)} s: figures below include that contention`,
  );
  return r;
}

export type ProcessSnapshot = Map<number, { name: string; seconds: number }>;

/** CPU seconds of every process on the machine (kernel threads included), to find who else was busy. */
export function snapshotProcesses(): ProcessSnapshot {
  const out: ProcessSnapshot = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      out.set(Number(entry), cpuOfStat(readFileSync(`/proc/${entry}/stat`, 'utf8')));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

function commandOf(pid: number, fallback: string): string {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return (cmd || fallback).slice(0, 100);
  } catch {
    return fallback;
  }
}

/** The processes other than `exclude` that used the most CPU since `before`, in cores over `wallSeconds`. */
export function otherBusyProcesses(before: ProcessSnapshot, wallSeconds: number, exclude: number[], top = 5): Array<{ pid: number; cores: number; command: string }> {
  const skip = new Set(exclude);
  const rows: Array<{ pid: number; cores: number; command: string }> = [];
  for (const [pid, now] of snapshotProcesses()) {
    if (skip.has(pid)) continue;
    const used = now.seconds - (before.get(pid)?.seconds ?? 0);
    if (used > 0.01 * wallSeconds) rows.push({ pid, cores: used / wallSeconds, command: commandOf(pid, now.name) });
  }
  return rows.sort((a, b) => b.cores - a.cores).slice(0, top);
}
