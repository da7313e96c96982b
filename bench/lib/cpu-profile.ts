// Reads a V8 .cpuprofile written by `node --cpu-prof` and sums self time over a time window, by function and
// by area (idle, GC, project code, each npm package, Node internals). The window is given in the monotonic
// clock of process.hrtime (microseconds), which on Linux is the clock V8 stamps its samples with.
// Only the main JS thread is profiled: time libvips spends on its own threads does not appear here.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type CpuProfile = { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] };

export type ProfileSummary = {
  file: string;
  windowMs: number;
  /** Whether the window matched the profile's clock; when not, the whole profile was summed. */
  windowed: boolean;
  areas: Array<{ area: string; ms: number; share: number }>;
  functions: Array<{ fn: string; area: string; ms: number; share: number }>;
};

export const nowMicros = (): number => Number(process.hrtime.bigint() / 1000n);

function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(garbage collector)') return '(garbage collector)';
    if (functionName === '(program)') return '(program: native, outside JS)';
    return '(native / builtin)';
  }
  if (url.startsWith('node:')) return 'node internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return `picora ${url.slice(dist + 6).split('/').slice(0, -1).join('/') || '.'}`;
  return url;
}

/** The newest .cpuprofile in `dir`. */
export async function newestProfile(dir: string): Promise<string | undefined> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.cpuprofile')).sort();
  return names.length ? path.join(dir, names[names.length - 1]!) : undefined;
}

export async function summariseProfile(file: string, window: { fromUs: number; toUs: number }, top = 25): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const windowed = window.fromUs >= profile.startTime && window.toUs <= profile.endTime + 1_000_000;
  const from = windowed ? window.fromUs : profile.startTime;
  const to = windowed ? window.toUs : profile.endTime;
  const fnMs = new Map<string, { area: string; ms: number }>();
  const areaMs = new Map<string, number>();
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000; // the time until the next sample belongs to this one
    if (t < from || t > to || dt <= 0) continue;
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    const area = areaOf(node.callFrame);
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    const entry = fnMs.get(key) ?? { area, ms: 0 };
    entry.ms += dt;
    fnMs.set(key, entry);
    areaMs.set(area, (areaMs.get(area) ?? 0) + dt);
    total += dt;
  }
  const share = (ms: number) => (total > 0 ? ms / total : 0);
  return {
    file,
    windowMs: total,
    windowed,
    areas: [...areaMs].map(([area, ms]) => ({ area, ms, share: share(ms) })).sort((a, b) => b.ms - a.ms),
    functions: [...fnMs]
      .map(([fn, e]) => ({ fn, area: e.area, ms: e.ms, share: share(e.ms) }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top),
  };
}

export function printProfile(s: ProfileSummary): void {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(6);
  console.log(`  main-thread profile ${s.file} (${s.windowed ? 'measured window' : 'WHOLE RUN: window did not match'}, ${s.windowMs.toFixed(0)} ms)`);
  console.log('  by area (self time):');
  for (const a of s.areas.slice(0, 15)) console.log(`    ${pct(a.share)}  ${a.ms.toFixed(0).padStart(6)} ms  ${a.area}`);
  console.log('  top functions (self time):');
  for (const f of s.functions) console.log(`    ${pct(f.share)}  ${f.ms.toFixed(0).padStart(6)} ms  ${f.fn}  [${f.area}]`);
}
