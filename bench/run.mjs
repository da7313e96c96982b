// `npm run bench [-- <scenario>…] [-- --cpu-prof] [--no-build] [--list]`: builds the server once, then runs every
// benchmark scenario in order (or only the ones named), each in its own process group, each bounded in time.
// Flags other than --no-build and --list are passed to the scenarios (upload-throughput understands --cpu-prof and
// --steps; transform --cpu-prof, --no-prof and --what-if; cached-delivery --cpu-prof and --no-prof; soak
// --minutes N, --rate N, --concurrency N, --out DIR, which take a value: `--minutes 2` or `--minutes=2`).
// Scenarios marked `byName` (the 30-minute soak) only run when named.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const SCENARIOS = [
  { name: 'upload-memory', file: 'bench/upload-memory.bench.ts', about: '1 GB streamed upload: server RSS growth (target ≤ 64 MiB)' },
  { name: 'upload-throughput', file: 'bench/upload-throughput.bench.ts', about: '1 MiB JPEG uploads/s at 8 clients (target ≥ 200/s)' },
  { name: 'transform', file: 'bench/transform.bench.ts', about: 'uncached fit-512 JPEG/WebP/AVIF/PNG vs in-process ceiling and ipx (targets ≥ 0.9× ceiling, > ipx)' },
  { name: 'cached-delivery', file: 'bench/cached-delivery.bench.ts', about: '~100 KB cached variant, 64 connections vs nginx (target ≥ 0.5× nginx, p99 < 20 ms)' },
  { name: 'burst', file: 'bench/burst.bench.ts', about: '64 concurrent requests for one uncached variant (target: 1 render)' },
  {
    name: 'video', file: 'bench/video.bench.ts',
    about: '60 s 1080p transcode vs bare ffmpeg (≤ 5 %), 1 GB video upload RSS (≤ 64 MiB), list p99 during a transcode (≤ 50 ms)',
    // ~15 min on a quiet machine, but each of its ~10 measured phases may wait 5 min for quiet and each of the
    // six transcode runs (~2 min on 2 cores) may be repeated twice when contended; BENCH_SCENARIO_TIMEOUT_S wins
    timeoutS: () => 7200,
  },
  {
    name: 'soak', file: 'bench/soak.bench.ts', byName: true,
    about: 'N minutes (default 30) of mixed traffic: 0 errors and RSS flat after warm-up (only when named)',
    // the run itself plus setup and the final checks; BENCH_SCENARIO_TIMEOUT_S, when set, still wins
    timeoutS: (minutes) => minutes * 60 + 900,
  },
];

/** Flags that take a value; the value may follow as the next argument. */
const VALUE_FLAGS = new Set(['--minutes', '--rate', '--concurrency', '--out']);

const args = process.argv.slice(2);
const names = [];
const flags = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (!a.startsWith('--')) names.push(a);
  else if (a !== '--no-build' && a !== '--list') {
    flags.push(a);
    if (VALUE_FLAGS.has(a) && i + 1 < args.length) flags.push(args[++i]);
  }
}
const timeoutS = Number(process.env.BENCH_SCENARIO_TIMEOUT_S ?? 1800);
/** The soak's length in minutes, as the scenario itself will read it (flag, env, default). */
function soakMinutes() {
  const i = flags.findIndex((f) => f === '--minutes' || f.startsWith('--minutes='));
  const v = i < 0 ? process.env.BENCH_SOAK_MINUTES : flags[i].includes('=') ? flags[i].split('=')[1] : flags[i + 1];
  return Number(v ?? 30) || 30;
}

if (args.includes('--list')) {
  for (const s of SCENARIOS) console.log(`${s.name.padEnd(20)} ${s.about}`);
  process.exit(0);
}
const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
if (unknown.length) {
  console.error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const selected = names.length ? SCENARIOS.filter((s) => names.includes(s.name)) : SCENARIOS.filter((s) => !s.byName);

if (!args.includes('--no-build')) {
  console.log('building the server (tsc -p tsconfig.build.json)…');
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit', timeout: 300_000 });
  if (build.status !== 0) {
    console.error('build failed: the benchmarks run the built server (dist/main.js)');
    process.exit(1);
  }
}

/** Runs one scenario in a process group of its own, so a timeout or Ctrl-C also ends the server it started. */
function runScenario(s) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', s.file, ...flags], {
      cwd: root,
      stdio: 'inherit',
      detached: true,
      env: { ...process.env, BENCH_SKIP_BUILD: '1' },
    });
    const killGroup = (signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const onSigint = () => killGroup('SIGINT');
    process.once('SIGINT', onSigint);
    const limitS = process.env.BENCH_SCENARIO_TIMEOUT_S || !s.timeoutS ? timeoutS : Math.max(timeoutS, s.timeoutS(soakMinutes()));
    const timer = setTimeout(() => {
      console.error(`${s.name}: still running after ${limitS} s, stopping it`);
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), 10_000).unref();
    }, limitS * 1000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      process.off('SIGINT', onSigint);
      resolve(code === 0 ? 0 : (code ?? (signal ? 1 : 0)));
    });
  });
}

const failed = [];
for (const s of selected) {
  console.log(`\n=== ${s.name}: ${s.about}`);
  const started = Date.now();
  const code = await runScenario(s);
  console.log(`=== ${s.name}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (code !== 0) failed.push(s.name);
}
if (failed.length) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
