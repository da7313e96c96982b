// soak: N minutes (default 30) of mixed traffic at a fixed, bounded rate against the built server, to find
// leaks, drift and rare failures. Uploads (distinct and duplicates), library reads (list, get, exists, usage),
// originals (200, 304, 206, HEAD), transforms (repeated: cache hits; random: misses), deletes (single, batch)
// and bad input (invalid parameters, unknown ids, bad credentials, wrong scope, private images, corrupt files,
// invalid bodies), each checked against the status it must get (lib/soak-traffic.ts). The server's RSS (and its
// child processes', and its JS heap from /metrics) is sampled every few seconds. At the end: the usage
// counters against the library, `admin reconcile`, and a verdict: 0 errors and memory flat after warm-up
// (thresholds in lib/soak-report.ts). Exit code 1 when the verdict is FAIL.
// Run: npm run bench -- soak --minutes 2   (flags/env: --minutes BENCH_SOAK_MINUTES 30, --rate BENCH_SOAK_RATE
// 20 req/s, --concurrency BENCH_SOAK_CONCURRENCY 8, --out BENCH_SOAK_OUT <tmp>/picora-bench-soak,
// BENCH_SOAK_CACHE_MB 8 (memory tiers; "default" keeps the server's), BENCH_SOAK_TIMEOUT_MS 30000).
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { printMachine } from './lib/machine.js';
import { awaitQuietMachine, busyCoresSince, descendantsOf, mb, otherBusyProcesses, readCpuSeconds, readRss, readSystemCpu, readTreeCpuSeconds, snapshotProcesses } from './lib/proc.js';
import { printResult, printTable, sleep } from './lib/report.js';
import { benchAccount, buildServer, login, prepareDataDir, removeDataDir, runMain, startServer, type BenchServer } from './lib/server.js';
import { createImageFactory } from './lib/soak-images.js';
import { createHttpClient, type HttpClient } from './lib/soak-http.js';
import { ImagePool, Tally } from './lib/soak-pool.js';
import { checkQuota, createKeys, metricSum, metricsText, sampleMemory } from './lib/soak-probes.js';
import { kindRows, markdownOf, memoryChecks, memoryTrend, quotaChecks, THRESHOLDS, type MemorySample, type QuotaCheck, type SoakSummary } from './lib/soak-report.js';
import type { SoakContext } from './lib/soak-requests.js';
import { BAD_KINDS, runOne, seedLibrary } from './lib/soak-traffic.js';

const { values: flags } = parseArgs({
  options: { minutes: { type: 'string' }, rate: { type: 'string' }, concurrency: { type: 'string' }, out: { type: 'string' } },
  strict: false,
  allowPositionals: true,
});
const num = (flag: unknown, env: string | undefined, fallback: number): number => {
  const v = Number(typeof flag === 'string' ? flag : (env ?? fallback));
  if (!Number.isFinite(v) || v <= 0) throw new Error(`not a positive number: ${String(flag ?? env)}`);
  return v;
};
const MINUTES = num(flags.minutes, process.env.BENCH_SOAK_MINUTES, 30);
const RATE = num(flags.rate, process.env.BENCH_SOAK_RATE, 20);
const CONCURRENCY = Math.round(num(flags.concurrency, process.env.BENCH_SOAK_CONCURRENCY, 8));
const OUT_DIR = typeof flags.out === 'string' ? flags.out : (process.env.BENCH_SOAK_OUT ?? path.join(process.env.BENCH_TMPDIR ?? tmpdir(), 'picora-bench-soak'));
const CACHE_MB = process.env.BENCH_SOAK_CACHE_MB ?? '8';
const TIMEOUT_MS = num(undefined, process.env.BENCH_SOAK_TIMEOUT_MS, 30_000);
const PINNED = 12;
const SEEDED = 40;
const LIBRARY = { min: 20, max: 300 };

const DURATION_S = MINUTES * 60;
const WARMUP_S = DURATION_S * THRESHOLDS.warmupFraction;
/** Memory is sampled every 5 s, or more often in short runs (at least ~60 samples). */
const SAMPLE_S = Math.min(5, Math.max(1, DURATION_S / 60));
const UNLIMITED = '1000000';

/** Server settings: rate limits out of the way (all traffic comes from one address and one account). */
function soakEnv(metricsToken: string): Record<string, string> {
  const env: Record<string, string> = {
    PICORA_RATE_READ_PER_MIN: UNLIMITED, PICORA_RATE_UPLOAD_PER_MIN: UNLIMITED, PICORA_RATE_MUTATION_PER_MIN: UNLIMITED,
    PICORA_RATE_AUTH_PER_MIN: UNLIMITED, PICORA_RATE_FAILED_AUTH_PER_MIN: UNLIMITED, PICORA_RATE_PER_HOUR: '100000000',
    PICORA_RENDERS_PER_IP_PER_MIN: '100000000',
    PICORA_METRICS_TOKEN: metricsToken,
    // the access token must outlive the run (half the traffic uses it, half an API key)
    PICORA_ACCESS_TOKEN_TTL_SECONDS: String(Math.min(86_400, Math.max(3600, Math.ceil(DURATION_S + 1800)))),
  };
  // small memory tiers fill during warm-up, so that what grows afterwards is not a cache filling up
  if (CACHE_MB !== 'default') env.PICORA_VARIANT_CACHE_MB = env.PICORA_ORIGINAL_CACHE_MB = CACHE_MB;
  return env;
}

async function main(): Promise<void> {
  console.log(`# soak: ${MINUTES} min of mixed traffic at ${RATE} req/s, at most ${CONCURRENCY} in flight; verdict: 0 errors, RSS flat after ${THRESHOLDS.warmupFraction * 100} % warm-up`);
  const machine = printMachine();
  await buildServer();
  const images = await createImageFactory();
  await awaitQuietMachine();
  const dataDir = await prepareDataDir({ account: benchAccount, overrides: { img_bandwidth_bytes: 2 ** 50, img_storage_bytes: 2 ** 40, uploads_per_day: 10_000_000 } });
  const metricsToken = `soak-${randomBytes(16).toString('hex')}`;
  let server: BenchServer | undefined;
  let http: HttpClient | undefined;
  let summary: SoakSummary | undefined;
  try {
    server = await startServer(dataDir, { env: soakEnv(metricsToken) });
    http = createHttpClient(server.baseUrl, { maxSockets: CONCURRENCY + 2, timeoutMs: TIMEOUT_MS });
    const jwt = await login(server, benchAccount);
    const ctx: SoakContext = { http, creds: await createKeys(http, jwt), images, pool: new ImagePool(), tally: new Tally(performance.now()), served: { bytes: 0 } };
    await seedLibrary(ctx, PINNED, SEEDED);
    console.log(`  server pid ${server.pid} on ${server.baseUrl}, data in ${dataDir}; library seeded with ${PINNED} pinned + ${SEEDED} images; RSS ${mb(readRss(server.pid) ?? 0)} MiB`);
    const metrics = () => metricsText(http!, metricsToken);
    const m0 = await metrics();
    const run = await drive(server, ctx, metrics);

    const m1 = run.crashed ? undefined : await metrics();
    const quota: QuotaCheck | undefined = run.crashed ? undefined : { ...(await checkQuota(http, ctx)), reconcile: '' };
    const exit = await server.stop();
    if (quota) quota.reconcile = await runMain(dataDir, ['admin', 'reconcile']).catch((err: unknown) => `reconcile failed: ${String(err)}`);
    const diff = (name: string, labels?: RegExp) => (metricSum(m1, name, labels) ?? Number.NaN) - (metricSum(m0, name, labels) ?? 0);

    const { samples, wallS } = run;
    const memory = {
      server: memoryTrend(samples, WARMUP_S, (s) => s.rssBytes),
      children: samples.some((s) => s.children > 0) ? memoryTrend(samples, WARMUP_S, (s) => s.childrenRssBytes) : undefined,
      heap: memoryTrend(samples, WARMUP_S, (s) => s.heapUsedBytes),
      samples,
    };
    const checks = [
      { name: 'server ran to the end and stopped cleanly', ok: !run.crashed && exit.code === 0, detail: run.crashed ? `EXITED BY ITSELF at ${server.exitInfo()?.at}` : `exit ${JSON.stringify(exit)}` },
      { name: 'no errors (5xx, unexpected status, wrong answer, timeout)', ok: ctx.tally.errors === 0, detail: `${ctx.tally.errors} errors` },
      ...memoryChecks('server RSS', memory.server),
      ...(memory.children ? memoryChecks('child processes RSS', memory.children) : []),
      ...(quota ? quotaChecks(quota) : []),
    ];
    summary = {
      machine,
      settings: {
        minutes: MINUTES, 'rate req/s': RATE, concurrency: CONCURRENCY, 'timeout ms': TIMEOUT_MS, 'memory tiers MiB': CACHE_MB, 'sample every s': SAMPLE_S,
        'warm-up s': WARMUP_S, library: `${PINNED} pinned + ${LIBRARY.min}–${LIBRARY.max}`,
      },
      wallSeconds: wallS, requests: ctx.tally.requests, perSecond: ctx.tally.requests / wallS, dropped: run.dropped, errors: ctx.tally.errors, classes: ctx.tally.classes,
      kinds: kindRows(ctx.tally, BAD_KINDS), errorSamples: ctx.tally.samples, memory, quota,
      server: {
        renders: diff('picora_renders_total'), 'variant hits (memory)': diff('picora_variant_cache_hits_total', /tier="memory"/),
        'variant hits (store)': diff('picora_variant_cache_hits_total', /tier="store"/), '5xx in its own counter': diff('picora_http_requests_total', /status="5/),
        'rate-limit refusals': diff('picora_rate_limit_rejections_total'), 'quota refusals': diff('picora_quota_rejections_total'),
        'CPU s (main process)': round(run.serverCpuS), 'CPU s (with workers)': round(run.treeCpuS), 'cores busy (with workers)': round(run.treeCpuS / wallS, 2),
      },
      contention: {
        'machine cores busy': round(run.machineCores, 2), 'bench client cores': round(run.clientCpuS / wallS, 2),
        others: run.others.map((o) => `${o.cores.toFixed(2)} ${o.command.slice(0, 50)}`).join('; ') || 'none above 0.01',
      },
      checks, pass: checks.every((c) => c.ok),
    };
    if (!summary.pass) {
      const tail = server.logTail(30);
      console.log(`  server log kept in ${await server.keepLog('soak')}${tail ? `; last lines:\n${tail.replace(/^/gm, '    ')}` : ' (empty: nothing at warn or above)'}`);
    }
  } finally {
    http?.close();
    if (server?.alive()) await server.stop();
    await removeDataDir(dataDir);
  }
  if (summary) await report(summary);
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/**
 * The run: one request every 1/RATE s for DURATION_S, a tick dropped (and counted) when CONCURRENCY requests are
 * in flight; memory sampled every SAMPLE_S; a progress line every tenth of the run (at least 30 s).
 */
async function drive(server: BenchServer, ctx: SoakContext, metrics: () => Promise<string | undefined>) {
  const t0 = performance.now();
  ctx.tally = new Tally(t0);
  const sys0 = readSystemCpu();
  const procs0 = snapshotProcesses();
  const cpu0 = readCpuSeconds(server.pid) ?? 0;
  const treeCpu0 = readTreeCpuSeconds(server.pid) ?? 0;
  const self0 = process.cpuUsage();
  const samples: MemorySample[] = [];
  const take = () => {
    const s = sampleMemory(server.pid, ctx, t0, metrics);
    if (s) samples.push(s);
  };
  take();
  const sampler = setInterval(take, SAMPLE_S * 1000);
  const progressEvery = Math.max(30, DURATION_S / 10);
  let nextProgress = progressEvery;
  const inFlight = new Set<Promise<void>>();
  let dropped = 0;
  let crashed = false;
  for (let i = 0; ; i++) {
    const due = t0 + (i * 1000) / RATE;
    if (due - t0 >= DURATION_S * 1000) break;
    const now = performance.now();
    if (due > now) await sleep(due - now);
    if (!server.alive()) {
      crashed = true;
      break;
    }
    if ((performance.now() - t0) / 1000 >= nextProgress) {
      const last = samples[samples.length - 1];
      console.log(
        `  ${((performance.now() - t0) / 1000).toFixed(0)} s: ${ctx.tally.requests} requests, ${ctx.tally.errors} errors, ${dropped} dropped, library ${ctx.pool.live.size}, ` +
          `RSS ${last ? mb(last.rssBytes) : '?'} MiB${last?.children ? ` (+${mb(last.childrenRssBytes)} in ${last.children} children)` : ''}`,
      );
      nextProgress += progressEvery;
    }
    if (inFlight.size >= CONCURRENCY) {
      dropped++;
      continue;
    }
    const p = runOne(ctx, LIBRARY).catch((err: unknown) => {
      console.log(`  bench error: ${err instanceof Error ? err.stack : String(err)}`);
      ctx.tally.errors++;
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }
  await Promise.all(inFlight);
  clearInterval(sampler);
  take();
  await sleep(200); // the last heap figures
  const wallS = (performance.now() - t0) / 1000;
  const self = process.cpuUsage(self0);
  return {
    samples, dropped, crashed, wallS,
    serverCpuS: (readCpuSeconds(server.pid) ?? cpu0) - cpu0,
    treeCpuS: (readTreeCpuSeconds(server.pid) ?? treeCpu0) - treeCpu0,
    clientCpuS: (self.user + self.system) / 1e6,
    machineCores: busyCoresSince(sys0, wallS),
    others: otherBusyProcesses(procs0, wallS, [server.pid, process.pid, ...descendantsOf(server.pid)], 3),
  };
}

async function report(s: SoakSummary): Promise<void> {
  printTable(s.kinds.map((k) => ({ kind: `${k.bad ? '(bad) ' : ''}${k.kind}`, requests: k.requests, statuses: k.statuses, errors: k.errors, 'p50 ms': k.p50Ms, 'p99 ms': k.p99Ms, 'max ms': k.maxMs })));
  const md = markdownOf(s);
  console.log(`\n${md.split('\n').slice(2, 7).join('\n')}`);
  console.log(md.slice(md.indexOf('| memory')));
  await mkdir(OUT_DIR, { recursive: true });
  const base = path.join(OUT_DIR, `soak-${s.machine.date.replace(/[:.]/g, '-')}`);
  await writeFile(`${base}.json`, `${JSON.stringify(s, null, 2)}\n`);
  await writeFile(`${base}.md`, md);
  console.log(`summary written to ${base}.md and ${base}.json (with every memory sample)`);
  const { samples: _samples, ...memory } = s.memory;
  printResult('soak', { ...s, memory });
  console.log(`verdict: ${s.pass ? 'PASS' : 'FAIL'}`);
  if (!s.pass) process.exitCode = 1;
}

await main();
