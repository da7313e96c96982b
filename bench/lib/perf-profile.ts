// A native profile of a whole process, every thread included (libvips workers, the libuv pool, kernel time):
// `perf record -e cpu-clock` on the pid for a window, then `perf report` summed by thread group, by library
// and by symbol. It complements `node --cpu-prof`, which sees only the main JS thread. Needs Linux `perf`
// (Debian's linux-perf) and the right to profile the pid (root, or kernel.perf_event_paranoid ≤ 1); without
// them start() returns undefined and the benchmark goes on without it. libvips is stripped: its own frames
// show as addresses and are summed as "(libvips, stripped)".
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HZ = 999;

export type NativeProfile = {
  samples: number;
  /** Milliseconds of CPU by thread group, by library within a group, and the top symbols. */
  groups: Array<{ group: string; ms: number }>;
  libraries: Array<{ group: string; dso: string; ms: number }>;
  symbols: Array<{ group: string; dso: string; symbol: string; ms: number }>;
};

function groupOf(pid: number, tid: number, comm: string): string {
  if (tid === pid) return 'main JS thread';
  if (comm.startsWith('libvips')) return 'libvips worker';
  if (comm === 'node') return 'libuv pool + V8 helpers';
  return comm;
}

const top = <T extends { ms: number }>(m: Map<string, T>, n: number): T[] => [...m.values()].sort((a, b) => b.ms - a.ms).slice(0, n);

/** Starts `perf record` on `pid`; stop() ends it and returns the summary (undefined when perf is missing or refused). */
export async function startPerf(pid: number): Promise<{ stop(): Promise<NativeProfile | undefined> } | undefined> {
  try {
    await run('perf', ['--version'], { timeout: 10_000 });
  } catch {
    return undefined;
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'picora-bench-perf-'));
  const file = path.join(dir, 'perf.data');
  const child = spawn('perf', ['record', '-q', '-e', 'cpu-clock', '-F', String(HZ), '-p', String(pid), '-o', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30 * 60_000); // never outlive a scenario
  await new Promise((r) => setTimeout(r, 300)); // let it attach
  return {
    async stop() {
      child.kill('SIGINT');
      await exited;
      clearTimeout(killer);
      try {
        const { stdout } = await run('perf', ['report', '-i', file, '--stdio', '--no-children', '-g', 'none', '-n', '--sort', 'pid,dso,sym', '-t', '|'], {
          timeout: 120_000, maxBuffer: 256 * 1024 * 1024,
        });
        const groups = new Map<string, { group: string; ms: number }>();
        const libraries = new Map<string, { group: string; dso: string; ms: number }>();
        const symbols = new Map<string, { group: string; dso: string; symbol: string; ms: number }>();
        let samples = 0;
        for (const line of stdout.split('\n')) {
          if (line.startsWith('#') || !line.includes('|')) continue;
          const [, count = '', thread = '', dsoRaw = '', symRaw = ''] = line.split('|').map((s) => s.trim());
          const n = Number(count);
          const m = /^(\d+):(.*)$/.exec(thread);
          if (!(n > 0) || !m) continue;
          samples += n;
          const ms = (n / HZ) * 1000;
          const group = groupOf(pid, Number(m[1]), m[2]!.trim());
          const dso = dsoRaw.startsWith('[JIT]') ? '[JIT] (V8 code)' : dsoRaw;
          const stripped = /^\[.\] 0x[0-9a-f]+$/.test(symRaw);
          const symbol = stripped ? `(${dso.replace(/[-.]cpp|\.so.*$/g, '')}, stripped)` : symRaw.replace(/^\[.\] /, '');
          const add = <T extends { ms: number }>(map: Map<string, T>, key: string, init: T) => ((map.get(key) ?? map.set(key, init).get(key)!).ms += ms);
          add(groups, group, { group, ms: 0 });
          add(libraries, `${group}|${dso}`, { group, dso, ms: 0 });
          add(symbols, `${group}|${dso}|${symbol}`, { group, dso, symbol, ms: 0 });
        }
        return { samples, groups: top(groups, 10), libraries: top(libraries, 20), symbols: top(symbols, 25) };
      } catch (e) {
        console.log(`  perf report failed: ${String(e)} ${err}`);
        return undefined;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Prints a native profile per unit of work (`units` requests or renders in the window). */
export function printNativeProfile(p: NativeProfile, units: number, unitName: string): void {
  const per = (ms: number) => `${(ms / Math.max(1, units)).toFixed(2).padStart(6)} ms/${unitName}`;
  console.log(`  native profile (perf, all threads, ${p.samples} samples at ${HZ} Hz, ${units} ${unitName}s):`);
  for (const g of p.groups) console.log(`    ${per(g.ms)}  ${g.group}`);
  console.log('  by library:');
  for (const l of p.libraries.slice(0, 14)) console.log(`    ${per(l.ms)}  ${l.group.padEnd(24)} ${l.dso}`);
  console.log('  top symbols:');
  for (const s of p.symbols.slice(0, 18)) console.log(`    ${per(s.ms)}  ${s.group.padEnd(24)} ${s.symbol}  [${s.dso}]`);
}
