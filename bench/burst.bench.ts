// burst: 64 concurrent requests for one variant that is not cached yet must render it once (single-flight).
// Per format, on a fresh URL each time: one request alone (the latency of one render), then 64 at once
// (lib/burst-client.ts: connections opened first, the 64 requests written together). Renders are read from
// `picora_renders_total` in GET /metrics before and after. Rival in the same run: ipx, which has no
// single-flight, given the same burst (its CPU shows the 64 renders). Target: one render per burst, 64 × 200
// with identical bytes. Env: BENCH_BURST (64), BENCH_ROUNDS (2 per format), BENCH_FORMATS.
import { describeContention, measured } from './lib/load.js';
import { burst, type BurstAnswer } from './lib/burst-client.js';
import { printMachine } from './lib/machine.js';
import { startMediaServer, statusCounts } from './lib/media-server.js';
import { ensurePhotos } from './lib/photos.js';
import { awaitQuietMachine } from './lib/proc.js';
import { percentile, printResult, printTable, verdict } from './lib/report.js';
import { buildServer } from './lib/server.js';
import { FORMATS, ipxPath, picoraPath, startIpx } from './lib/transform-rivals.js';

const N = Number(process.env.BENCH_BURST ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const FORMAT_NAMES = (process.env.BENCH_FORMATS ?? 'jpeg,webp,avif,png').split(',');
const TIMEOUT_MS = 120_000;

type Round = {
  side: 'picora' | 'ipx'; fmt: string; round: number; renders: number | undefined; ok: number; identical: boolean; soloMs: number | undefined;
  p50: number; p99: number; max: number; min: number; cpuSeconds: number; otherCores: number; errors: string[];
};

function summarise(answers: BurstAnswer[]) {
  const ms = answers.map((a) => a.ms).sort((a, b) => a - b);
  const ok = answers.filter((a) => a.status === 200);
  return {
    ok: ok.length, identical: new Set(ok.map((a) => a.sha256)).size === 1,
    p50: percentile(ms, 50), p99: percentile(ms, 99), max: percentile(ms, 100), min: ms[0] ?? Number.NaN,
    errors: [...new Set(answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.error ?? ''}`.trim()))],
  };
}

async function main(): Promise<void> {
  const formats = FORMATS.filter((f) => FORMAT_NAMES.includes(f.fmt));
  console.log(`# burst: ${N} concurrent requests for one uncached fit-512 variant, ${ROUNDS} rounds × ${formats.map((f) => f.fmt).join('/')}; target: 1 render each`);
  const machine = printMachine();
  await buildServer();
  const photos = await ensurePhotos();
  const ms = await startMediaServer(photos.photos);
  const ipx = await startIpx(photos.dir);
  const rounds: Round[] = [];
  let statuses: Record<string, number> = {};
  let g = 0; // URL number: every request below names a variant never asked for before
  try {
    for (const f of formats) {
      for (let round = 1; round <= ROUNDS; round++) {
        // one request alone: what a single render costs in latency, on this server
        await awaitQuietMachine();
        const soloPath = picoraPath(ms.images, f, g++);
        const r0 = await ms.metric('picora_renders_total');
        const solo = (await burst(ms.server.baseUrl, soloPath, 1, TIMEOUT_MS))[0]!;
        const soloRenders = (await ms.metric('picora_renders_total')) - r0;
        if (solo.status !== 200 || soloRenders !== 1) console.log(`  solo request: ${solo.status}, ${soloRenders} renders`);

        await awaitQuietMachine();
        const path = picoraPath(ms.images, f, g++);
        const before = await ms.metric('picora_renders_total');
        const m = await measured({ picora: ms.server.pid }, async () => ({ value: await burst(ms.server.baseUrl, path, N, TIMEOUT_MS), helperCpuSeconds: 0, helperLabel: 'none' }));
        const renders = (await ms.metric('picora_renders_total')) - before;
        const s = summarise(m.value);
        const cpuSeconds = (m.contention.cores.picora ?? 0) * m.contention.wallSeconds;
        rounds.push({ side: 'picora', fmt: f.fmt, round, renders, soloMs: solo.ms, cpuSeconds, otherCores: m.contention.otherCores, ...s });
        console.log(
          `  picora ${f.fmt} #${round}: ${renders} render(s) for ${N} requests, ${s.ok} × 200, identical ${s.identical}; alone ${solo.ms.toFixed(0)} ms, ` +
            `burst p50 ${s.p50.toFixed(0)} / p99 ${s.p99.toFixed(0)} / max ${s.max.toFixed(0)} ms, server CPU ${(cpuSeconds * 1000).toFixed(0)} ms; ${describeContention(m.contention)}`,
        );

        await awaitQuietMachine();
        const xp = ipxPath(ms.images, f, g++);
        const mx = await measured({ ipx: ipx.pid }, async () => ({ value: await burst(ipx.baseUrl, xp, N, TIMEOUT_MS), helperCpuSeconds: 0, helperLabel: 'none' }));
        const sx = summarise(mx.value);
        const cpuX = (mx.contention.cores.ipx ?? 0) * mx.contention.wallSeconds;
        rounds.push({ side: 'ipx', fmt: f.fmt, round, renders: undefined, soloMs: undefined, cpuSeconds: cpuX, otherCores: mx.contention.otherCores, ...sx });
        console.log(
          `  ipx    ${f.fmt} #${round}: ${sx.ok} × 200, identical ${sx.identical}; burst p50 ${sx.p50.toFixed(0)} / p99 ${sx.p99.toFixed(0)} / max ${sx.max.toFixed(0)} ms, ` +
            `server CPU ${(cpuX * 1000).toFixed(0)} ms; ${describeContention(mx.contention)}`,
        );
        if (!ms.server.alive()) throw new Error('the Picora server exited during the run');
      }
    }
    statuses = await statusCounts(ms);
  } finally {
    await ipx.stop();
    await ms.close();
  }
  printTable(rounds.map((r) => ({
    server: r.side, format: r.fmt, round: r.round, renders: r.renders ?? '—', '200s': `${r.ok}/${N}`, identical: String(r.identical),
    'alone ms': r.soloMs === undefined ? '—' : r.soloMs.toFixed(0), 'min ms': r.min.toFixed(0), 'p50 ms': r.p50.toFixed(0), 'p99 ms': r.p99.toFixed(0), 'max ms': r.max.toFixed(0),
    'server CPU ms': (r.cpuSeconds * 1000).toFixed(0), 'others cores': r.otherCores.toFixed(2),
  })));
  const picora = rounds.filter((r) => r.side === 'picora');
  const ok = picora.every((r) => r.renders === 1 && r.ok === N && r.identical);
  console.log(`target: one render per burst of ${N} (${picora.map((r) => r.renders).join(', ')}), all answered 200 with the same bytes → ${verdict(ok)}; media answers by class ${JSON.stringify(statuses)}`);
  printResult('burst', { machine, n: N, rounds, ok, statuses });
  if (!ok) process.exitCode = 1;
}

await main();
