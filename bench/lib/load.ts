// Load for the media benchmarks: wrk (Debian's, one process, bounded by -d and by a kill timer) with
// lib/wrk-paths.lua, which sends unique paths from a file or one URL over and over; and `measured()`, which
// wraps one run with the CPU bookkeeping every scenario reports: CPU of the processes under test, of the load
// generator, and of everything else on the machine (the contention).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { busyCoresSince, otherBusyProcesses, readCpuSeconds, readRss, readSystemCpu, snapshotProcesses, trackThreadCpu } from './proc.js';

const LUA = path.join(path.dirname(fileURLToPath(import.meta.url)), 'wrk-paths.lua');

export type WrkResult = {
  requests: number;
  seconds: number;
  perSecond: number;
  /** Mean bytes per answer, headers included (wrk counts what it read). */
  meanBytes: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyMs: { mean: number; p50: number; p90: number; p99: number; p999: number; max: number };
  /** Requests wrk generated (sent or in flight at the end) and how many of them reused a path. */
  sent: number;
  wrapped: number;
  /** CPU seconds wrk itself used (user + system, from the shell's `times`). */
  cpuSeconds: number;
};

export type WrkOptions = {
  url: string;
  connections: number;
  threads?: number;
  seconds: number;
  /** Unique request paths (with query); without them every request is `url`. */
  paths?: string[];
  headers?: Record<string, string>;
  /** wrk's per-request timeout (a request slower than this counts as a timeout error). */
  timeoutS?: number;
};

const toSeconds = (s: string) => {
  const m = /^(\d+)m([\d.]+)s$/.exec(s);
  return m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
};

/**
 * Runs a command to its end (killed after `killAfterMs`) and returns its output and the CPU seconds it and its
 * children used: `times` in the wrapping shell prints them, so load generators and rivals can be charged for
 * the cores they share with the server.
 */
export async function runTimed(cmd: string, args: string[], killAfterMs: number): Promise<{ code: number | null; stdout: string; stderr: string; cpuSeconds: number }> {
  const child = spawn('sh', ['-c', `"$0" "$@"; s=$?; echo; echo TIMES_BEGIN; times; exit $s`, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(killer);
  const at = out.lastIndexOf('TIMES_BEGIN');
  const [, children = ''] = at >= 0 ? out.slice(at).trim().split('\n').slice(1) : [];
  const [cu = '', cs = ''] = children.trim().split(/\s+/);
  return { code, stdout: at >= 0 ? out.slice(0, at) : out, stderr: err, cpuSeconds: toSeconds(cu) + toSeconds(cs) };
}

export async function runWrk(opts: WrkOptions): Promise<WrkResult> {
  const threads = Math.min(opts.threads ?? 1, opts.connections);
  const dir = opts.paths ? await mkdtemp(path.join(tmpdir(), 'picora-bench-wrk-')) : undefined;
  try {
    const pathsFile = dir ? path.join(dir, 'paths.txt') : '-';
    if (dir) await writeFile(pathsFile, `${opts.paths!.join('\n')}\n`);
    const args = ['-t', String(threads), '-c', String(opts.connections), '-d', `${opts.seconds}s`, '--timeout', `${opts.timeoutS ?? 60}s`, '-s', LUA];
    for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}: ${v}`);
    args.push(opts.url, '--', pathsFile, String(threads));
    const { code, stdout: out, stderr: err, cpuSeconds } = await runTimed('wrk', args, (opts.seconds + (opts.timeoutS ?? 60) + 30) * 1000);
    const line = out.split('\n').find((l) => l.startsWith('WRK_JSON '));
    if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}): ${err.trim() || out.trim()}`);
    const j = JSON.parse(line.slice('WRK_JSON '.length)) as {
      requests: number; durationUs: number; bytes: number; errors: WrkResult['errors'];
      latencyUs: { mean: number; p50: number; p90: number; p99: number; p999: number; max: number }; sent: number; wrapped: number;
    };
    const seconds = j.durationUs / 1e6;
    const ms = (us: number) => us / 1000;
    return {
      requests: j.requests, seconds, perSecond: j.requests / seconds, meanBytes: j.requests ? j.bytes / j.requests : 0, errors: j.errors,
      latencyMs: { mean: ms(j.latencyUs.mean), p50: ms(j.latencyUs.p50), p90: ms(j.latencyUs.p90), p99: ms(j.latencyUs.p99), p999: ms(j.latencyUs.p999), max: ms(j.latencyUs.max) },
      sent: j.sent, wrapped: j.wrapped, cpuSeconds,
    };
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

export const wrkErrors = (r: WrkResult): number => r.errors.connect + r.errors.read + r.errors.write + r.errors.status + r.errors.timeout;

export type Contention = {
  wallSeconds: number;
  /** Cores busy on the whole machine during the run. */
  machineCores: number;
  /** Cores used by each process under test (by label), by the load generator, and by this process. */
  cores: Record<string, number>;
  /** Cores used by everything else: the disturbance. */
  otherCores: number;
  others: Array<{ pid: number; cores: number; command: string }>;
};

/** The processes under test: label → pid, or several pids counted together (nginx's workers). */
export type MeasureTargets = Record<string, number | number[]>;

const pidsOf = (v: number | number[]): number[] => (Array.isArray(v) ? v : [v]);
const cpuOf = (v: number | number[], fallback: number[] = []): number[] => pidsOf(v).map((pid, i) => readCpuSeconds(pid) ?? fallback[i] ?? 0);
const rssOf = (v: number | number[]): number => pidsOf(v).reduce((sum, pid) => sum + (readRss(pid) ?? 0), 0);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * Runs `fn` and accounts for the machine's CPU meanwhile. `targets` are the pids under test (label → pid);
 * `fn` returns its value and the CPU seconds of the helpers it ran and waited for (wrk). `threadsOf` adds a
 * per-thread split of one target (main JS thread, libvips workers, libuv pool).
 */
export async function measured<T>(
  targets: MeasureTargets,
  fn: () => Promise<{ value: T; helperCpuSeconds: number; helperLabel?: string }>,
  opts: { threadsOf?: number } = {},
): Promise<{ value: T; contention: Contention; threadCpu?: Array<{ group: string; seconds: number }>; rss: Record<string, { before: number; after: number }> }> {
  const sys0 = readSystemCpu();
  const procs0 = snapshotProcesses();
  const cpu0 = Object.fromEntries(Object.entries(targets).map(([k, v]) => [k, cpuOf(v)]));
  const rss0 = Object.fromEntries(Object.entries(targets).map(([k, v]) => [k, rssOf(v)]));
  const threads = opts.threadsOf ? trackThreadCpu(opts.threadsOf) : undefined;
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  const { value, helperCpuSeconds, helperLabel } = await fn();
  const wall = (performance.now() - t0) / 1000;
  const threadCpu = threads?.stop();
  const machine = busyCoresSince(sys0, wall);
  const self = process.cpuUsage(self0);
  const cores: Record<string, number> = {};
  for (const [k, v] of Object.entries(targets)) cores[k] = (sum(cpuOf(v, cpu0[k])) - sum(cpu0[k]!)) / wall;
  if (helperLabel !== 'none') cores[helperLabel ?? 'wrk'] = helperCpuSeconds / wall;
  cores['bench script'] = (self.user + self.system) / 1e6 / wall;
  const ours = Object.values(cores).reduce((a, b) => a + b, 0);
  const rss = Object.fromEntries(Object.entries(targets).map(([k, v]) => [k, { before: rss0[k]!, after: rssOf(v) }]));
  const exclude = [process.pid, ...Object.values(targets).flatMap(pidsOf)];
  return {
    value,
    contention: { wallSeconds: wall, machineCores: machine, cores, otherCores: Math.max(0, machine - ours), others: otherBusyProcesses(procs0, wall, exclude, 3) },
    threadCpu,
    rss,
  };
}

export function describeContention(c: Contention): string {
  const ours = Object.entries(c.cores).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
  const others = c.others.map((o) => `${o.cores.toFixed(2)} ${o.command.slice(0, 60)}`).join('; ');
  return `machine ${c.machineCores.toFixed(2)} cores busy (${ours}; others ${c.otherCores.toFixed(2)}${others ? `: ${others}` : ''})`;
}
