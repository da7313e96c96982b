// transform: fit-512 renditions of real photos (JPEG q80, WebP q75, AVIF, PNG), every request a new URL so
// every request renders, at 2 and 16 concurrent clients (wrk). Rivals in the same run: the ceiling (Picora's
// renderImage in a bare process on photos in memory, as many loops as the server's render limit) and ipx
// serving the same files. Targets: ≥ 0.9× the ceiling and ahead of ipx on every format.
// Flags: --cpu-prof (profile every Picora cell on a second, profiled server), --no-prof (no profile even for a
// miss; by default the cells that miss are profiled), --what-if (afterwards, variations of the render pipeline
// in the ceiling's loops: lib/render-what-if.mjs). Env: BENCH_SECONDS (10), BENCH_WARMUP_S (2),
// BENCH_CLIENTS ("2,16"), BENCH_FORMATS ("jpeg,webp,avif,png"), BENCH_ATTEMPTS (2: a cell that others
// contended by > 0.2 cores is measured again; the least contended is kept), BENCH_RENDER_CONCURRENCY.
import { availableParallelism, tmpdir } from 'node:os';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { newestProfile, nowMicros, printProfile, summariseProfile } from './lib/cpu-profile.js';
import { describeContention, measured, runWrk, wrkErrors, type Contention, type WrkResult } from './lib/load.js';
import { printMachine } from './lib/machine.js';
import { printNativeProfile, startPerf, type NativeProfile } from './lib/perf-profile.js';
import { startMediaServer, statusCounts, type MediaServer } from './lib/media-server.js';
import { ensurePhotos } from './lib/photos.js';
import { awaitQuietMachine, mb, readRss } from './lib/proc.js';
import { printResult, printTable, verdict } from './lib/report.js';
import { buildServer } from './lib/server.js';
import {
  FORMATS, ipxPath, picoraPath, runCeiling, runWhatIf, startIpx, uniqueCapacity, type CeilingResult, type FormatCase, type IpxServer, type WhatIfRow,
} from './lib/transform-rivals.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 2);
const CLIENTS = (process.env.BENCH_CLIENTS ?? '2,16').split(',').map(Number);
const FORMAT_NAMES = (process.env.BENCH_FORMATS ?? 'jpeg,webp,avif,png').split(',');
const ATTEMPTS = Number(process.env.BENCH_ATTEMPTS ?? 2);
const MAX_OTHER_CORES = 0.2;
const RENDER_CONCURRENCY = Number(process.env.BENCH_RENDER_CONCURRENCY ?? availableParallelism());
const PROFILE_ALL = process.argv.includes('--cpu-prof');
const PROFILE_NONE = process.argv.includes('--no-prof');
const WHAT_IF = process.argv.includes('--what-if');
const TARGET_RATIO = 0.9;

type Side = 'picora' | 'ipx';
type Cell = {
  side: Side; fmt: string; clients: number; wrk: WrkResult; contention: Contention; attempts: number[];
  cpuMsPerImage: number; threadCpu?: Array<{ group: string; seconds: number }>; rssMiB: { before: number; after: number };
};

/** Per side and format, the next unused URL number: URLs never repeat on one server. */
class Cursors {
  private next = new Map<string, number>();
  take(side: Side, f: FormatCase, count: number, images: MediaServer['images']): string[] {
    const start = this.next.get(`${side}:${f.fmt}`) ?? 0;
    const cap = side === 'picora' ? uniqueCapacity(images) : Number.MAX_SAFE_INTEGER;
    const n = Math.min(count, cap - start);
    const make = side === 'picora' ? picoraPath : ipxPath;
    return Array.from({ length: Math.max(1, n) }, (_, i) => make(images, f, start + i));
  }
  advance(side: Side, f: FormatCase, used: number): void {
    const key = `${side}:${f.fmt}`;
    this.next.set(key, (this.next.get(key) ?? 0) + used);
  }
}

const pathsFor = (seconds: number) => Math.ceil(seconds * 400) + 500;

async function httpCell(side: Side, f: FormatCase, clients: number, target: { baseUrl: string; pid: number }, ms: MediaServer, cursors: Cursors): Promise<Cell> {
  const load = (seconds: number) => runWrk({ url: `${target.baseUrl}/`, connections: clients, seconds, paths: cursors.take(side, f, pathsFor(seconds), ms.images), timeoutS: 60 });
  const warm = await load(WARMUP_S);
  cursors.advance(side, f, warm.sent);
  let best: Cell | undefined;
  const others: number[] = [];
  for (let a = 1; a <= ATTEMPTS; a++) {
    await awaitQuietMachine();
    const m = await measured({ [side]: target.pid }, async () => {
      const r = await load(SECONDS);
      return { value: r, helperCpuSeconds: r.cpuSeconds };
    }, { threadsOf: target.pid });
    cursors.advance(side, f, m.value.sent);
    others.push(m.contention.otherCores);
    const cpuS = (m.contention.cores[side] ?? 0) * m.contention.wallSeconds;
    const cell: Cell = {
      side, fmt: f.fmt, clients, wrk: m.value, contention: m.contention, attempts: others, cpuMsPerImage: (cpuS * 1000) / Math.max(1, m.value.requests),
      threadCpu: m.threadCpu, rssMiB: { before: Number(mb(m.rss[side]!.before)), after: Number(mb(m.rss[side]!.after)) },
    };
    if (!best || cell.contention.otherCores < best.contention.otherCores) best = cell;
    if (cell.contention.otherCores <= MAX_OTHER_CORES) break;
  }
  return best!;
}

async function ceilingCell(f: FormatCase, files: string[]): Promise<{ r: CeilingResult; contention: Contention; attempts: number[] }> {
  let best: { r: CeilingResult; contention: Contention; attempts: number[] } | undefined;
  const attempts: number[] = [];
  for (let a = 1; a <= ATTEMPTS; a++) {
    await awaitQuietMachine();
    const m = await measured({}, async () => {
      const r = await runCeiling({ files, f, concurrency: RENDER_CONCURRENCY, threads: RENDER_CONCURRENCY, warmupSeconds: WARMUP_S, seconds: SECONDS });
      return { value: r, helperCpuSeconds: r.childCpuSeconds, helperLabel: 'ceiling' };
    });
    attempts.push(m.contention.otherCores);
    if (!best || m.contention.otherCores < best.contention.otherCores) best = { r: m.value, contention: m.contention, attempts };
    if (m.contention.otherCores <= MAX_OTHER_CORES) break;
  }
  return best!;
}

/** One request per side and format, checked: 200, the asked format, 512 px wide. */
async function checkOutputs(ms: MediaServer, ipx: IpxServer, cursors: Cursors, formats: FormatCase[]): Promise<string[]> {
  const problems: string[] = [];
  for (const f of formats) {
    for (const [side, base] of [['picora', ms.server.baseUrl], ['ipx', ipx.baseUrl]] as const) {
      const [p] = cursors.take(side, f, 1, ms.images);
      cursors.advance(side, f, 1);
      const res = await fetch(`${base}${p}`, { signal: AbortSignal.timeout(60_000) });
      const body = Buffer.from(await res.arrayBuffer());
      const meta = res.ok ? await sharp(body).metadata().catch(() => undefined) : undefined;
      const fmt = meta?.format === 'heif' ? 'avif' : meta?.format;
      const line = `${side} ${f.fmt}: ${res.status} ${res.headers.get('content-type')} ${meta?.width}×${meta?.height} ${body.length} B`;
      console.log(`  check ${line}`);
      if (!res.ok || fmt !== f.fmt || meta?.width !== 512) problems.push(line);
    }
  }
  return problems;
}

async function profilePass(cells: Array<{ f: FormatCase; clients: number }>, photos: Awaited<ReturnType<typeof ensurePhotos>>): Promise<unknown[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'picora-bench-prof-'));
  const ms = await startMediaServer(photos.photos, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  const cursors = new Cursors();
  const windows: Array<{ f: FormatCase; clients: number; fromUs: number; toUs: number; perSecond: number; requests: number; native?: NativeProfile }> = [];
  try {
    for (const { f, clients } of cells) {
      const load = (seconds: number) => runWrk({ url: `${ms.server.baseUrl}/`, connections: clients, seconds, paths: cursors.take('picora', f, pathsFor(seconds), ms.images) });
      cursors.advance('picora', f, (await load(WARMUP_S)).sent);
      await awaitQuietMachine();
      const perf = await startPerf(ms.server.pid);
      const fromUs = nowMicros();
      const r = await load(SECONDS);
      const toUs = nowMicros();
      windows.push({ f, clients, fromUs, toUs, perSecond: r.perSecond, requests: r.requests, native: await perf?.stop() });
      cursors.advance('picora', f, r.sent);
    }
  } finally {
    await ms.close();
  }
  const file = await newestProfile(dir);
  if (!file) return [];
  const out: unknown[] = [];
  for (const w of windows) {
    console.log(`\n  profile of Picora, ${w.f.fmt}, ${w.clients} clients (${w.perSecond.toFixed(1)} req/s under the profiler):`);
    const s = await summariseProfile(file, w, 15);
    printProfile(s);
    if (w.native) printNativeProfile(w.native, w.requests, 'image');
    out.push({ fmt: w.f.fmt, clients: w.clients, perSecondProfiled: w.perSecond, requests: w.requests, areas: s.areas.slice(0, 12), functions: s.functions, native: w.native });
  }
  return out;
}

async function main(): Promise<void> {
  const formats = FORMATS.filter((f) => FORMAT_NAMES.includes(f.fmt));
  console.log(`# transform: fit-512 ${formats.map((f) => f.fmt).join('/')}, unique URLs, clients ${CLIENTS.join(' and ')}, ${SECONDS} s per cell; render limit ${RENDER_CONCURRENCY}`);
  const machine = printMachine();
  await buildServer();
  const photos = await ensurePhotos();
  console.log(`  photos: ${photos.photos.length} from plasma-workspace-wallpapers, ${photos.photos[0]!.width}×${photos.photos[0]!.height} (long side 2040), mean ${(photos.meanBytes / 1024).toFixed(0)} KiB`);
  const ms = await startMediaServer(photos.photos);
  const ipx = await startIpx(photos.dir);
  console.log(`  picora ${ms.server.baseUrl} (pid ${ms.server.pid}, env ${JSON.stringify({ ...ms.env, PICORA_METRICS_TOKEN: '(random)' })}); ipx ${ipx.baseUrl} ${JSON.stringify(ipx.info)}`);
  const cursors = new Cursors();
  const cells: Cell[] = [];
  const ceilings: Record<string, Awaited<ReturnType<typeof ceilingCell>>> = {};
  let problems: string[] = [];
  let statuses: Record<string, number> = {};
  const rssStart = Number(mb(readRss(ms.server.pid) ?? 0));
  try {
    problems = await checkOutputs(ms, ipx, cursors, formats);
    for (const f of formats) {
      console.log(`\n## ${f.fmt}`);
      const c = (ceilings[f.fmt] = await ceilingCell(f, ms.images.map((i) => i.photo.file)));
      console.log(`  ceiling: ${c.r.perSecond.toFixed(1)} ops/s, p50 ${c.r.latencyMs.p50.toFixed(1)} ms, p99 ${c.r.latencyMs.p99.toFixed(1)} ms, ${((c.r.cpuSeconds * 1000) / c.r.ops).toFixed(1)} CPU ms/op; ${describeContention(c.contention)}`);
      console.log(`           threads: ${c.r.threadCpu.map((t) => `${t.group} ${((t.seconds * 1000) / Math.max(1, c.r.ops)).toFixed(1)} ms/op`).join(', ')}`);
      for (const clients of CLIENTS) {
        for (const side of ['picora', 'ipx'] as const) {
          const cell = await httpCell(side, f, clients, side === 'picora' ? ms.server : ipx, ms, cursors);
          cells.push(cell);
          const w = cell.wrk;
          console.log(
            `  ${side.padEnd(6)} c${String(clients).padEnd(2)}: ${w.perSecond.toFixed(1)} req/s (×${(w.perSecond / c.r.perSecond).toFixed(2)} ceiling), p50 ${w.latencyMs.p50.toFixed(1)} ms, p99 ${w.latencyMs.p99.toFixed(1)} ms, ` +
              `${cell.cpuMsPerImage.toFixed(1)} CPU ms/img, errors ${wrkErrors(w)}${w.wrapped ? `, ${w.wrapped} REPEATED URLS` : ''}; ${describeContention(cell.contention)}`,
          );
          if (cell.threadCpu) console.log(`           threads: ${cell.threadCpu.map((t) => `${t.group} ${((t.seconds * 1000) / Math.max(1, w.requests)).toFixed(1)} ms/img`).join(', ')}`);
          if (!ms.server.alive()) throw new Error('the Picora server exited during the run');
        }
      }
    }
    statuses = await statusCounts(ms);
  } finally {
    await ipx.stop();
    const rssEnd = Number(mb(readRss(ms.server.pid) ?? 0));
    console.log(`\n  Picora RSS ${rssStart} → ${rssEnd} MiB over the run; media answers by class: ${JSON.stringify(statuses)}`);
    await ms.close();
  }

  const rows = [];
  const misses: Array<{ f: FormatCase; clients: number; why: string }> = [];
  for (const f of formats) {
    const ceil = ceilings[f.fmt]!.r;
    for (const clients of CLIENTS) {
      const p = cells.find((c) => c.side === 'picora' && c.fmt === f.fmt && c.clients === clients)!;
      const x = cells.find((c) => c.side === 'ipx' && c.fmt === f.fmt && c.clients === clients)!;
      const ratio = p.wrk.perSecond / ceil.perSecond;
      const vsIpx = p.wrk.perSecond / x.wrk.perSecond;
      const why = [ratio < TARGET_RATIO ? `×${ratio.toFixed(2)} ceiling` : '', vsIpx <= 1 ? `×${vsIpx.toFixed(2)} ipx` : ''].filter(Boolean).join(', ');
      if (why) misses.push({ f, clients, why });
      rows.push({
        format: f.fmt, clients, 'ceiling/s': ceil.perSecond, 'picora/s': p.wrk.perSecond, '×ceiling': ratio.toFixed(2), 'ipx/s': x.wrk.perSecond, '×ipx': vsIpx.toFixed(2),
        'picora p50/p99 ms': `${p.wrk.latencyMs.p50.toFixed(0)}/${p.wrk.latencyMs.p99.toFixed(0)}`, 'ipx p50/p99 ms': `${x.wrk.latencyMs.p50.toFixed(0)}/${x.wrk.latencyMs.p99.toFixed(0)}`,
        'CPU ms/img c·p·i': `${((ceil.cpuSeconds * 1000) / ceil.ops).toFixed(1)}·${p.cpuMsPerImage.toFixed(1)}·${x.cpuMsPerImage.toFixed(1)}`,
        'KiB c·p·i': `${(ceil.meanBytes / 1024).toFixed(1)}·${(p.wrk.meanBytes / 1024).toFixed(1)}·${(x.wrk.meanBytes / 1024).toFixed(1)}`,
        errors: wrkErrors(p.wrk) + wrkErrors(x.wrk), 'others (cores)': `${ceilings[f.fmt]!.contention.otherCores.toFixed(2)}·${p.contention.otherCores.toFixed(2)}·${x.contention.otherCores.toFixed(2)}`,
      });
    }
  }
  console.log('\nsummary (c·p·i = ceiling · Picora · ipx; KiB per answer, ipx and Picora including headers):');
  printTable(rows);
  const ok = misses.length === 0 && problems.length === 0;
  console.log(`target: ≥ ${TARGET_RATIO}× ceiling and ahead of ipx on every format → ${verdict(ok)}${misses.length ? ` (missed: ${misses.map((m) => `${m.f.fmt} c${m.clients} ${m.why}`).join(', ')})` : ''}`);
  if (problems.length) console.log(`  output checks failed: ${problems.join('; ')}`);

  let profiles: unknown[] = [];
  const toProfile = PROFILE_ALL ? formats.flatMap((f) => CLIENTS.map((clients) => ({ f, clients }))) : PROFILE_NONE ? [] : misses;
  if (toProfile.length) {
    console.log(`\nprofiling Picora (node --cpu-prof, fresh server) for: ${toProfile.map((m) => `${m.f.fmt} c${m.clients}`).join(', ')}`);
    profiles = await profilePass(toProfile, photos);
  }
  const whatIf: Record<string, WhatIfRow[]> = {};
  if (WHAT_IF) {
    for (const f of formats) {
      await awaitQuietMachine();
      const rows = (whatIf[f.fmt] = await runWhatIf({ files: photos.photos.map((p) => p.file), f, loops: RENDER_CONCURRENCY, threads: RENDER_CONCURRENCY, seconds: SECONDS / 2 }));
      console.log(`\nwhat-if, ${f.fmt} (${RENDER_CONCURRENCY} loops × ${RENDER_CONCURRENCY} libvips threads unless said, photos in memory, no HTTP):`);
      printTable(rows.map((r) => ({ variant: r.name, loops: r.loops, threads: r.threads, 'ops/s': r.perSecond, '×first': (r.perSecond / rows[0]!.perSecond).toFixed(2), 'CPU ms/op': r.cpuMsPerOp.toFixed(2), 'KiB/op': (r.meanBytes / 1024).toFixed(1) })));
    }
  }
  printResult('transform', { machine, photos: { count: photos.photos.length, meanBytes: photos.meanBytes }, renderConcurrency: RENDER_CONCURRENCY, ipx: ipx.info, ceilings, cells, rows, misses: misses.map((m) => ({ fmt: m.f.fmt, clients: m.clients, why: m.why })), problems, statuses, profiles, whatIf });
  if (problems.length || (statuses['5xx'] ?? 0) > 0) process.exitCode = 1;
}

await main();
