// cached-delivery: one ~100 KB variant already rendered (Picora's memory tier answers it), 64 keep-alive
// connections for 10 s (wrk). Rivals in the same run: Debian's nginx serving the very same bytes from disk,
// with its default worker count (auto: one per core) and with one worker; and, to show what one Node process
// can do at all, a bare Fastify answering the same bytes from memory (lib/rival-fastify.mjs).
// Target: ≥ 0.5× nginx (auto) with p99 < 20 ms. Flags: --cpu-prof (profile Picora on a second server even when the target is met), --no-prof.
// Env: BENCH_SECONDS (10), BENCH_WARMUP_S (2), BENCH_CONNECTIONS (64), BENCH_WRK_THREADS (2),
// BENCH_VARIANT_BYTES (100 KiB target), BENCH_ATTEMPTS (2).
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestProfile, nowMicros, printProfile, summariseProfile } from './lib/cpu-profile.js';
import { describeContention, measured, runWrk, wrkErrors, type Contention, type MeasureTargets, type WrkResult } from './lib/load.js';
import { printMachine } from './lib/machine.js';
import { printNativeProfile, startPerf, type NativeProfile } from './lib/perf-profile.js';
import { startMediaServer, statusCounts, type MediaServer } from './lib/media-server.js';
import { nginxWorkers, startNginx } from './lib/nginx.js';
import { ensurePhotos } from './lib/photos.js';
import { startRival } from './lib/rival-process.js';
import { awaitQuietMachine, mb } from './lib/proc.js';
import { printResult, printTable, verdict } from './lib/report.js';
import { buildServer } from './lib/server.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const WRK_THREADS = Number(process.env.BENCH_WRK_THREADS ?? 2);
const TARGET_BYTES = Number(process.env.BENCH_VARIANT_BYTES ?? 100 * 1024);
const ATTEMPTS = Number(process.env.BENCH_ATTEMPTS ?? 2);
const MAX_OTHER_CORES = 0.2;
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 20;

type Cell = { name: string; wrk: WrkResult; contention: Contention; attempts: number[]; cores: number; rssMiB?: { before: number; after: number } };

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function fetchBytes(url: string): Promise<{ status: number; body: Buffer; type: string | null }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') };
}

/** A JPEG variant of the most detailed photo whose size is closest to TARGET_BYTES: w=1280, q found by bisection. */
async function pickVariant(ms: MediaServer): Promise<{ path: string; body: Buffer }> {
  const img = [...ms.images].sort((a, b) => b.photo.bytes - a.photo.bytes)[0]!;
  const pathOf = (q: number) => `/${img.id}.${img.ext}?w=1280&fmt=jpeg&q=${q}`;
  const size = async (q: number) => {
    const r = await fetchBytes(`${ms.server.baseUrl}${pathOf(q)}`);
    if (r.status !== 200) throw new Error(`variant q${q}: ${r.status} ${r.body.toString().slice(0, 200)}`);
    return r.body;
  };
  let lo = 1;
  let hi = 100;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if ((await size(mid)).length <= TARGET_BYTES) lo = mid;
    else hi = mid - 1;
  }
  const below = await size(lo);
  const above = lo < 100 ? await size(lo + 1) : undefined;
  const q = above && above.length - TARGET_BYTES < TARGET_BYTES - below.length ? lo + 1 : lo;
  return { path: pathOf(q), body: q === lo ? below : above! };
}

async function cell(name: string, url: string, targets: MeasureTargets, threadsOf?: number): Promise<Cell> {
  await runWrk({ url, connections: CONNECTIONS, threads: WRK_THREADS, seconds: WARMUP_S, timeoutS: 10 });
  let best: Cell | undefined;
  const attempts: number[] = [];
  for (let a = 1; a <= ATTEMPTS; a++) {
    await awaitQuietMachine();
    const m = await measured(targets, async () => {
      const r = await runWrk({ url, connections: CONNECTIONS, threads: WRK_THREADS, seconds: SECONDS, timeoutS: 10 });
      return { value: r, helperCpuSeconds: r.cpuSeconds };
    }, { threadsOf });
    attempts.push(m.contention.otherCores);
    const key = Object.keys(targets)[0]!;
    const c: Cell = { name, wrk: m.value, contention: m.contention, attempts, cores: m.contention.cores[key] ?? 0, rssMiB: { before: Number(mb(m.rss[key]!.before)), after: Number(mb(m.rss[key]!.after)) } };
    const w = c.wrk;
    console.log(
      `  ${name.padEnd(16)} ${w.perSecond.toFixed(0)} req/s, ${((w.perSecond * w.meanBytes) / 1024 ** 2).toFixed(0)} MiB/s, p50 ${w.latencyMs.p50.toFixed(2)} ms, p99 ${w.latencyMs.p99.toFixed(2)} ms, ` +
        `max ${w.latencyMs.max.toFixed(1)} ms, errors ${wrkErrors(w)}; ${describeContention(m.contention)}`,
    );
    if (m.threadCpu) console.log(`                   threads: ${m.threadCpu.map((t) => `${t.group} ${(t.seconds / m.contention.wallSeconds).toFixed(2)} cores`).join(', ')}`);
    if (!best || c.contention.otherCores < best.contention.otherCores) best = c;
    if (c.contention.otherCores <= MAX_OTHER_CORES) break;
  }
  return best!;
}

async function profilePass(photos: Awaited<ReturnType<typeof ensurePhotos>>, variantQuery: string): Promise<unknown> {
  const dir = await mkdtemp(path.join(tmpdir(), 'picora-bench-prof-'));
  const ms = await startMediaServer(photos.photos, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  let window: { fromUs: number; toUs: number } | undefined;
  let perSecond = 0;
  let requests = 0;
  let native: NativeProfile | undefined;
  try {
    // the same photo and parameters on a fresh server (new image id): rendered once by the warm-up
    const img = [...ms.images].sort((a, b) => b.photo.bytes - a.photo.bytes)[0]!;
    const target = `${ms.server.baseUrl}/${img.id}.${img.ext}?${variantQuery.split('?')[1]}`;
    await runWrk({ url: target, connections: CONNECTIONS, threads: WRK_THREADS, seconds: WARMUP_S, timeoutS: 10 });
    await awaitQuietMachine();
    const perf = await startPerf(ms.server.pid);
    const fromUs = nowMicros();
    const r = await runWrk({ url: target, connections: CONNECTIONS, threads: WRK_THREADS, seconds: SECONDS, timeoutS: 10 });
    window = { fromUs, toUs: nowMicros() };
    native = await perf?.stop();
    perSecond = r.perSecond;
    requests = r.requests;
  } finally {
    await ms.close();
  }
  const file = await newestProfile(dir);
  if (!file || !window) return undefined;
  console.log(`\n  profile of Picora's cached delivery (${perSecond.toFixed(0)} req/s under the profiler):`);
  const s = await summariseProfile(file, window, 25);
  printProfile(s);
  if (native) printNativeProfile(native, requests / 1000, 'k req');
  return { perSecondProfiled: perSecond, requests, areas: s.areas.slice(0, 15), functions: s.functions, native };
}

async function main(): Promise<void> {
  console.log(`# cached-delivery: one ~${(TARGET_BYTES / 1024).toFixed(0)} KiB variant, ${CONNECTIONS} connections, wrk ${WRK_THREADS} threads, ${SECONDS} s; target ≥ ${TARGET_RATIO}× nginx with p99 < ${TARGET_P99_MS} ms`);
  const machine = printMachine();
  await buildServer();
  const photos = await ensurePhotos();
  const ms = await startMediaServer(photos.photos);
  const root = await mkdtemp(path.join(tmpdir(), 'picora-bench-www-'));
  const cells: Cell[] = [];
  let variant: { path: string; body: Buffer } | undefined;
  let counters: Record<string, number> = {};
  let statuses: Record<string, number> = {};
  try {
    variant = await pickVariant(ms);
    await chmod(root, 0o755);
    await writeFile(path.join(root, 'variant.jpg'), variant.body, { mode: 0o644 });
    const picoraUrl = `${ms.server.baseUrl}${variant.path}`;
    const again = await fetchBytes(picoraUrl);
    console.log(`  variant ${variant.path}: ${variant.body.length} B (${again.type}), sha256 ${sha(variant.body).slice(0, 16)}…; served again identical: ${sha(again.body) === sha(variant.body)}`);
    const before = { renders: await ms.metric('picora_renders_total'), memory: await ms.metric('picora_variant_cache_hits_total', 'tier="memory"') };

    cells.push(await cell('picora', picoraUrl, { picora: ms.server.pid }, ms.server.pid));
    counters = {
      rendersDuringLoad: (await ms.metric('picora_renders_total')) - before.renders,
      memoryHits: (await ms.metric('picora_variant_cache_hits_total', 'tier="memory"')) - before.memory,
    };
    statuses = await statusCounts(ms);
    console.log(`  Picora counters over warm-up + runs: renders +${counters.rendersDuringLoad}, memory-tier hits +${counters.memoryHits}; media answers by class ${JSON.stringify(statuses)}`);

    // one Node process with nothing but Fastify and the bytes in memory: the floor of Picora's own stack
    const bare = await startRival(path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib', 'rival-fastify.mjs'), [path.join(root, 'variant.jpg')]);
    try {
      cells.push(await cell('bare Fastify', `${bare.baseUrl}/variant.jpg`, { fastify: bare.pid }, bare.pid));
    } finally {
      await bare.stop();
    }

    for (const workers of ['auto', 1] as const) {
      const ngx = await startNginx({ root, workers });
      try {
        const got = await fetchBytes(`${ngx.baseUrl}/variant.jpg`);
        if (sha(got.body) !== sha(variant.body)) throw new Error('nginx does not serve the same bytes');
        const pids = await nginxWorkers(ngx.pid);
        cells.push(await cell(`nginx (${workers === 'auto' ? `auto: ${pids.length}` : 1} worker${pids.length > 1 ? 's' : ''})`, `${ngx.baseUrl}/variant.jpg`, { nginx: pids }));
        console.log(`                   (${ngx.version}, workers ${pids.join(', ')})`);
      } finally {
        await ngx.stop();
      }
    }
  } finally {
    await ms.close();
    await rm(root, { recursive: true, force: true });
  }

  const picora = cells[0]!;
  const nginxAuto = cells.find((c) => c.name.startsWith('nginx (auto'))!;
  const ratio = picora.wrk.perSecond / nginxAuto.wrk.perSecond;
  printTable(cells.map((c) => ({
    server: c.name, 'req/s': c.wrk.perSecond, '×nginx auto': (c.wrk.perSecond / nginxAuto.wrk.perSecond).toFixed(2),
    'MiB/s': (c.wrk.perSecond * c.wrk.meanBytes) / 1024 ** 2, 'p50 ms': c.wrk.latencyMs.p50.toFixed(2), 'p99 ms': c.wrk.latencyMs.p99.toFixed(2),
    'p99.9 ms': c.wrk.latencyMs.p999.toFixed(2), 'max ms': c.wrk.latencyMs.max.toFixed(1), errors: wrkErrors(c.wrk),
    'server cores': c.cores.toFixed(2), 'wrk cores': (c.contention.cores.wrk ?? 0).toFixed(2), 'others cores': c.contention.otherCores.toFixed(2),
    'bytes/answer': Math.round(c.wrk.meanBytes),
  })));
  const ok = ratio >= TARGET_RATIO && picora.wrk.latencyMs.p99 < TARGET_P99_MS && wrkErrors(picora.wrk) === 0;
  console.log(`target: ${ratio.toFixed(2)}× nginx (auto) ≥ ${TARGET_RATIO}, p99 ${picora.wrk.latencyMs.p99.toFixed(2)} ms < ${TARGET_P99_MS} ms → ${verdict(ok)}`);
  let profile: unknown;
  if ((!ok && !process.argv.includes('--no-prof')) || process.argv.includes('--cpu-prof')) profile = await profilePass(photos, variant!.path);
  printResult('cached-delivery', { machine, variant: { path: variant?.path, bytes: variant?.body.length }, connections: CONNECTIONS, wrkThreads: WRK_THREADS, cells, ratio, ok, counters, statuses, profile });
  if ((statuses['5xx'] ?? 0) > 0 || wrkErrors(picora.wrk) > 0) process.exitCode = 1;
}

await main();
