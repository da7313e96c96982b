// The ceiling for the transform benchmark: Picora's own pipeline (`renderImage` from the built
// dist/media/render.js, configured like the server does it) called in a bare Node process on photos already
// in memory, in `concurrency` parallel loops (the server's render limit): no HTTP, no cache, no storage.
// Usage: node rival-ceiling.mjs '<json>' with {files, format, q, w, hStart, concurrency, threads,
// warmupSeconds, seconds, maxOps}. Each op renders the next photo with w and a new h (fit inside, h larger
// than needed: the same output the server's unique URLs ask for). Prints one `CEILING_JSON {…}` line.
import { readdirSync, readFileSync } from 'node:fs';
import { configureRenderer, renderImage } from '../../dist/media/render.js';

const o = JSON.parse(process.argv[2] ?? '{}');
const limits = { maxPixels: 200_000_000, maxFrames: 4, maxOutputSide: 4096 }; // as src/deps.ts gives the server
configureRenderer({ threads: o.threads });
const inputs = o.files.map((f) => readFileSync(f));
const H_SPAN = 4096 - o.hStart + 1;

let op = 0;
const specOf = (n) => ({ w: o.w, h: o.hStart + (Math.floor(n / inputs.length) % H_SPAN), fit: 'inside', format: o.format, q: o.q });

/** Runs `concurrency` loops until `seconds` pass or `maxOps` ops are done; per-op latency in ms. */
async function loops(seconds, maxOps) {
  const latencies = [];
  let bytes = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline && latencies.length < maxOps) {
      const n = op++;
      const t = performance.now();
      const out = await renderImage(inputs[n % inputs.length], specOf(n), limits);
      latencies.push(performance.now() - t);
      bytes += out.data.length;
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, loop));
  return { ops: latencies.length, seconds: (performance.now() - started) / 1000, bytes, latencies: latencies.sort((a, b) => a - b) };
}

/** CPU seconds per thread group of this process (as lib/proc.ts groups them), from /proc/self/task. */
function threadCpu() {
  const groups = {};
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[-_ ]?\d+$/, '');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const group = Number(tid) === process.pid ? 'main JS thread' : name === 'node' ? 'libuv pool + V8 helpers' : name;
      groups[group] = (groups[group] ?? 0) + (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      // the thread ended meanwhile
    }
  }
  return groups;
}

const pct = (s, p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];

await loops(o.warmupSeconds, Number.POSITIVE_INFINITY);
const cpu0 = process.cpuUsage();
const threads0 = threadCpu();
const r = await loops(o.seconds, o.maxOps);
const cpu = process.cpuUsage(cpu0);
const threads = Object.entries(threadCpu()).map(([group, sec]) => ({ group, seconds: sec - (threads0[group] ?? 0) })).filter((t) => t.seconds > 0).sort((a, b) => b.seconds - a.seconds);
console.log(`CEILING_JSON ${JSON.stringify({
  ops: r.ops, seconds: r.seconds, perSecond: r.ops / r.seconds, meanBytes: r.bytes / r.ops,
  latencyMs: { p50: pct(r.latencies, 50), p90: pct(r.latencies, 90), p99: pct(r.latencies, 99), max: pct(r.latencies, 100) },
  cpuSeconds: (cpu.user + cpu.system) / 1e6, threadCpu: threads,
})}`);
