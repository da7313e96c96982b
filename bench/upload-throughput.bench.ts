// upload-throughput: ~1 MiB JPEG uploads per second from 8 concurrent clients against SQLite + the local
// store. Target: ≥ 200 uploads/s. Every upload is a distinct file (lib/jpeg-corpus.ts), so each one runs the
// whole path: spool + SHA-256, dedupe lookup, probe + verifying decode, placeholder, store, row.
// Reports uploads/s, latency (median, p90, p99, max), server CPU (utime + stime from /proc, per thread group)
// and RSS. Flags: --cpu-prof (profile the server's main thread, summarised over the measured window);
// --steps (afterwards, the cost of each upload step on its own: lib/upload-steps.ts).
// Env: BENCH_UPLOADS (default 400 measured), BENCH_WARMUP (32), BENCH_CONCURRENCY (8), BENCH_MAX_SECONDS (120),
// BENCH_ATTEMPTS (3: a run that other processes contended is repeated on a fresh server; the least contended is reported).
import http from 'node:http';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newestProfile, nowMicros, printProfile, summariseProfile } from './lib/cpu-profile.js';
import { ensureCorpus } from './lib/jpeg-corpus.js';
import { printMachine } from './lib/machine.js';
import {
  awaitQuietMachine, busyCoresSince, mb, otherBusyProcesses, readCpuSeconds, readRss, readSystemCpu, sampleRss, snapshotProcesses, trackThreadCpu,
} from './lib/proc.js';
import { percentile, printResult, printTable, sleep, verdict } from './lib/report.js';
import { benchAccount, buildServer, login, prepareDataDir, removeDataDir, startServer, type BenchServer } from './lib/server.js';
import { multipartEnvelope, postUpload } from './lib/upload-client.js';
import { measureUploadSteps, printUploadSteps } from './lib/upload-steps.js';

const COUNT = Number(process.env.BENCH_UPLOADS ?? 400);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 32);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS ?? 120);
const TARGET_PER_SECOND = 200;
const CPU_PROF = process.argv.includes('--cpu-prof');
const STEPS = process.argv.includes('--steps');
const ATTEMPTS = Number(process.env.BENCH_ATTEMPTS ?? 3);
/** A run during which other processes used more than this many cores is tried again (up to ATTEMPTS). */
const MAX_OTHER_CORES = 0.2;

type Failure = { file: string; status: number | string; body: unknown };
type RunResult = { ok: number; failures: Failure[]; latenciesMs: number[]; wallMs: number; stoppedByTime: boolean };

/** Uploads `files` with `concurrency` workers on one keep-alive agent; stops starting new ones after `maxMs`. */
async function runUploads(server: BenchServer, token: string, files: Buffer[], names: string[], concurrency: number, maxMs: number): Promise<RunResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const url = `${server.baseUrl}/v1/images`;
  const latenciesMs: number[] = [];
  const failures: Failure[] = [];
  let next = 0;
  let ok = 0;
  let stoppedByTime = false;
  const started = performance.now();
  const worker = async () => {
    while (next < files.length) {
      if (performance.now() - started > maxMs) {
        stoppedByTime = true;
        return;
      }
      const i = next++;
      const envelope = multipartEnvelope(path.basename(names[i]!), 'image/jpeg');
      try {
        const res = await postUpload({ url, token, agent, envelope, data: files[i]!, timeoutMs: 60_000 });
        latenciesMs.push(res.msResponse);
        if (res.status === 201) ok++;
        else failures.push({ file: names[i]!, status: res.status, body: res.body });
      } catch (err) {
        failures.push({ file: names[i]!, status: 'network error', body: String(err) });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - started;
  agent.destroy();
  return { ok, failures, latenciesMs: latenciesMs.sort((a, b) => a - b), wallMs, stoppedByTime };
}

async function libraryTotal(server: BenchServer, token: string): Promise<number | string> {
  try {
    const res = await fetch(`${server.baseUrl}/v1/images?limit=1`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as { data?: { total?: number } };
    return body.data?.total ?? `${res.status} ${JSON.stringify(body)}`;
  } catch (err) {
    return `GET /v1/images failed: ${String((err as Error).cause ?? err)}`;
  }
}

type Corpus = Awaited<ReturnType<typeof ensureCorpus>>;
type Attempt = Record<string, unknown> & { uploadsPerSecond: number; otherProcessesCores: number; failed: boolean };

/** One measured run on a fresh data folder and server: warm-up, wait for a quiet machine, upload, check. */
async function attempt(n: number, corpus: Corpus, files: Buffer[], cores: number): Promise<Attempt> {
  const dataDir = await prepareDataDir({ account: benchAccount, overrides: { uploads_per_day: 1_000_000, img_storage_bytes: 1024 ** 4 } });
  const profDir = CPU_PROF ? await mkdtemp(path.join(tmpdir(), 'picora-bench-prof-')) : undefined;
  const server = await startServer(dataDir, { nodeArgs: profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [] });
  let result: Attempt | undefined;
  try {
    console.log(`-- attempt ${n}`);
    const token = await login(server, benchAccount);
    const warm = await runUploads(server, token, files.slice(0, WARMUP), corpus.files.slice(0, WARMUP), CONCURRENCY, 60_000);
    if (warm.failures.length) throw new Error(`warm-up failed: ${JSON.stringify(warm.failures.slice(0, 3))}\n${server.logTail()}`);
    await sleep(1000);
    const quiet = await awaitQuietMachine();

    const sys0 = readSystemCpu();
    const procs0 = snapshotProcesses();
    const baseline = readRss(server.pid) ?? 0;
    const cpu0 = readCpuSeconds(server.pid) ?? 0;
    const client0 = process.cpuUsage();
    const threads = trackThreadCpu(server.pid);
    const rss = sampleRss(server.pid);
    const fromUs = nowMicros();
    const run = await runUploads(server, token, files.slice(WARMUP), corpus.files.slice(WARMUP), CONCURRENCY, MAX_SECONDS * 1000);
    const toUs = nowMicros();
    const rssSummary = rss.stop();
    const threadCpu = threads.stop();
    const serverCpu = (readCpuSeconds(server.pid) ?? cpu0) - cpu0;
    const clientCpu = process.cpuUsage(client0);
    const machineBusy = busyCoresSince(sys0, run.wallMs / 1000);
    const others = otherBusyProcesses(procs0, run.wallMs / 1000, [server.pid, process.pid]);
    await sleep(2000);
    const after = readRss(server.pid) ?? 0;

    const wallS = run.wallMs / 1000;
    const perSecond = run.ok / wallS;
    const clientS = (clientCpu.user + clientCpu.system) / 1e6;
    const otherCores = machineBusy - (serverCpu + clientS) / wallS;
    const latency = { p50: percentile(run.latenciesMs, 50), p90: percentile(run.latenciesMs, 90), p99: percentile(run.latenciesMs, 99), max: percentile(run.latenciesMs, 100) };
    const total = await libraryTotal(server, token);
    const leftovers = (await Promise.all(['tmp/uploads', 'blobs/.tmp'].map((d) => readdir(path.join(dataDir, d)).catch(() => [] as string[])))).flat();
    printTable([
      {
        uploads: run.ok, failed: run.failures.length, 'wall s': wallS, 'uploads/s': perSecond, 'MiB/s': (run.ok * corpus.meanBytes) / 1024 ** 2 / wallS,
        'p50 ms': latency.p50, 'p90 ms': latency.p90, 'p99 ms': latency.p99, 'max ms': latency.max,
        'server cpu s': serverCpu, 'cores busy': serverCpu / wallS, 'cpu ms/upload': (serverCpu * 1000) / Math.max(1, run.ok),
        'rss base MiB': baseline / 1024 ** 2, 'rss peak MiB': rssSummary.peakBytes / 1024 ** 2, 'rss after MiB': after / 1024 ** 2,
      },
    ]);
    console.log(`  server CPU by thread group: ${threadCpu.map((t) => `${t.group} ${t.seconds.toFixed(2)} s (${((100 * t.seconds) / wallS).toFixed(0)}% of a core)`).join(', ')}`);
    console.log(`  client (this process) CPU: ${clientS.toFixed(2)} s, on the same ${cores} cores`);
    console.log(`  machine: ${machineBusy.toFixed(2)} of ${cores} cores busy during the run, ${otherCores.toFixed(2)} of them other processes${otherCores > MAX_OTHER_CORES ? ' (CONTENDED: the rate is low by that much)' : ''}`);
    for (const o of others) console.log(`    other: ${o.cores.toFixed(2)} cores  pid ${o.pid}  ${o.command}`);
    console.log(`  library total after the run: ${total} (expected ${WARMUP + run.ok}); spool leftovers: ${leftovers.length ? leftovers.join(', ') : 'none'}`);
    if (run.stoppedByTime) console.log(`  stopped after ${MAX_SECONDS} s before all ${COUNT} uploads were sent`);
    for (const f of run.failures.slice(0, 5)) console.log(`  FAILED ${f.file}: ${f.status} ${JSON.stringify(f.body).slice(0, 400)}`);
    if (run.failures.length) console.log(`  server log (last lines):\n${server.logTail(30).replace(/^/gm, '    ')}`);
    result = {
      attempt: n, uploads: run.ok, failures: run.failures.slice(0, 20), wallSeconds: wallS, uploadsPerSecond: perSecond, latencyMs: latency,
      serverCpuSeconds: serverCpu, cpuMsPerUpload: (serverCpu * 1000) / Math.max(1, run.ok), threadCpu, clientCpuSeconds: clientS,
      machineBusyCores: machineBusy, otherProcessesCores: otherCores, others, quietBefore: quiet,
      rss: { baseline, peak: rssSummary.peakBytes, after, samples: rssSummary.samples, maxGapMs: rssSummary.maxGapMs },
      libraryTotal: total, leftovers, failed: run.failures.length > 0 || !server.alive() || total !== WARMUP + run.ok || leftovers.length > 0,
      window: { fromUs, toUs },
    };
  } finally {
    const crashed = server.exitInfo();
    const exit = await server.stop();
    if (crashed || exit.code !== 0 || !result || result.failed) {
      if (crashed) console.log(`  SERVER EXITED BY ITSELF at ${crashed.at}: ${JSON.stringify(exit)}`);
      console.log(`  server log kept in ${await server.keepLog('upload-throughput')}; last lines:\n${server.logTail(40).replace(/^/gm, '    ')}`);
    }
    await removeDataDir(dataDir);
  }
  if (profDir) {
    const file = await newestProfile(profDir);
    if (!file) console.log(`  no profile written in ${profDir}`);
    else printProfile(await summariseProfile(file, result.window as { fromUs: number; toUs: number }));
  }
  return result;
}

async function main(): Promise<void> {
  console.log(`# upload-throughput: ${COUNT} distinct ~1 MiB JPEGs, ${CONCURRENCY} concurrent clients, target ≥ ${TARGET_PER_SECOND}/s`);
  const machine = printMachine();
  await buildServer();
  const corpus = await ensureCorpus(WARMUP + COUNT);
  console.log(`  corpus: ${corpus.files.length} JPEGs ${corpus.width}×${corpus.height}, q${corpus.quality}, mean ${mb(corpus.meanBytes, 2)} MiB`);
  const files = await Promise.all(corpus.files.map((f) => readFile(f)));

  // Other work on a shared machine takes cores mid-run: try again (fresh server) until a run is uncontended.
  const attempts: Attempt[] = [];
  for (let n = 1; n <= ATTEMPTS; n++) {
    const a = await attempt(n, corpus, files, machine.cores);
    attempts.push(a);
    if (a.failed || a.otherProcessesCores <= MAX_OTHER_CORES) break;
  }
  const best = attempts.reduce((a, b) => (b.otherProcessesCores < a.otherProcessesCores ? b : a));
  if (attempts.length > 1) {
    console.log(`attempts: ${attempts.map((a) => `#${a.attempt} ${a.uploadsPerSecond.toFixed(1)}/s (others ${a.otherProcessesCores.toFixed(2)} cores)`).join(', ')}; reporting #${best.attempt}`);
  }
  console.log(`target: ${best.uploadsPerSecond.toFixed(1)} uploads/s ≥ ${TARGET_PER_SECOND}/s → ${verdict(best.uploadsPerSecond >= TARGET_PER_SECOND)}`);
  const result: Record<string, unknown> = {
    machine, corpus: { count: corpus.files.length, quality: corpus.quality, meanBytes: corpus.meanBytes, width: corpus.width, height: corpus.height },
    concurrency: CONCURRENCY, best, attempts,
  };
  if (STEPS) {
    await awaitQuietMachine();
    const steps = await measureUploadSteps(corpus.files);
    printUploadSteps(steps);
    result.steps = steps;
  }
  printResult('upload-throughput', result);
  if (attempts.some((a) => a.failed)) process.exitCode = 1;
}

await main();
