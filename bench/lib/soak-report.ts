// The soak benchmark's summary: requests and errors per kind with p50/p99, the server's memory over time
// (RSS at the end of warm-up and at the end, slope after warm-up by least squares), the consistency of the
// usage counters with the library, and the pass/fail verdict with its thresholds.
import type { MachineInfo } from './machine.js';
import type { Tally } from './soak-pool.js';
import { percentile } from './report.js';

/** Pass/fail thresholds: memory after warm-up must be flat. */
export const THRESHOLDS = {
  /** RSS slope after warm-up, by linear regression, in MB (MiB) per 10 minutes. */
  maxSlopeMbPer10Min: 5,
  /** RSS at the end within this fraction of the RSS at the end of warm-up. */
  maxEndDrift: 0.15,
  /** The warm-up: this fraction of the run. */
  warmupFraction: 0.1,
};

const MB = 1024 * 1024;

export type MemorySample = {
  atS: number;
  /** VmRSS of the server process. */
  rssBytes: number;
  /** VmRSS of its child processes (media workers), summed; 0 when it has none. */
  childrenRssBytes: number;
  children: number;
  /** From the server's /metrics (prom-client defaults), when it answered. */
  heapUsedBytes?: number;
  externalBytes?: number;
  requests: number;
  errors: number;
};

export type QuotaCheck = {
  usageCount: number;
  usageStorageBytes: number;
  usageBandwidthBytes: number;
  listTotal: number;
  listedCount: number;
  listedBytes: number;
  clientCount: number;
  clientServedBytes: number;
  reconcile: string;
};

export type Check = { name: string; ok: boolean; detail: string };

/** Least-squares slope of y over x. */
export function slope(points: Array<{ x: number; y: number }>): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

export type MemoryTrend = { warmupEndMb: number; endMb: number; peakMb: number; slopeMbPer10Min: number; endDrift: number; points: number };

/** The trend of `field` after warm-up: the first sample at or after `warmupS`, the last sample, the slope. */
export function memoryTrend(samples: MemorySample[], warmupS: number, field: (s: MemorySample) => number | undefined): MemoryTrend | undefined {
  const after = samples.filter((s) => s.atS >= warmupS && field(s) !== undefined);
  if (after.length < 2) return undefined;
  const first = field(after[0]!)! / MB;
  const last = field(after[after.length - 1]!)! / MB;
  const perSecond = slope(after.map((s) => ({ x: s.atS, y: field(s)! / MB })));
  return {
    warmupEndMb: first,
    endMb: last,
    peakMb: Math.max(...samples.map((s) => (field(s) ?? 0) / MB)),
    slopeMbPer10Min: perSecond * 600,
    endDrift: (last - first) / first,
    points: after.length,
  };
}

export function memoryChecks(label: string, t: MemoryTrend | undefined): Check[] {
  if (!t) return [{ name: `${label}: samples after warm-up`, ok: false, detail: 'fewer than 2 samples' }];
  return [
    { name: `${label}: slope after warm-up < ${THRESHOLDS.maxSlopeMbPer10Min} MB/10 min`, ok: t.slopeMbPer10Min < THRESHOLDS.maxSlopeMbPer10Min, detail: `${t.slopeMbPer10Min.toFixed(2)} MB/10 min over ${t.points} samples` },
    { name: `${label}: end within ${THRESHOLDS.maxEndDrift * 100} % of warm-up end`, ok: Math.abs(t.endDrift) <= THRESHOLDS.maxEndDrift, detail: `${t.warmupEndMb.toFixed(1)} → ${t.endMb.toFixed(1)} MB (${(t.endDrift * 100).toFixed(1)} %)` },
  ];
}

export function quotaChecks(q: QuotaCheck): Check[] {
  return [
    { name: 'image count: usage = list total = pages listed = client', ok: q.usageCount === q.listTotal && q.listTotal === q.listedCount && q.listedCount === q.clientCount, detail: `usage ${q.usageCount}, list total ${q.listTotal}, listed ${q.listedCount}, client ${q.clientCount}` },
    { name: 'storage: usage = sum of sizeBytes listed', ok: q.usageStorageBytes === q.listedBytes, detail: `usage ${q.usageStorageBytes} B, listed ${q.listedBytes} B` },
    { name: 'bandwidth: usage = media bytes the client received', ok: q.usageBandwidthBytes === q.clientServedBytes, detail: `usage ${q.usageBandwidthBytes} B, received ${q.clientServedBytes} B` },
    { name: 'admin reconcile: no drift', ok: /match/.test(q.reconcile) && !/drift/.test(q.reconcile), detail: q.reconcile.trim().split('\n').join(' / ') },
  ];
}

export type KindRow = { kind: string; bad: boolean; requests: number; statuses: string; errors: number; errorKinds: string; p50Ms: number; p99Ms: number; maxMs: number };

export function kindRows(tally: Tally, badKinds: Set<string>): KindRow[] {
  return [...tally.kinds.entries()]
    .map(([kind, k]) => {
      const ms = [...k.latenciesMs].sort((a, b) => a - b);
      const errors = Object.values(k.errors).reduce((s, n) => s + (n ?? 0), 0);
      return {
        kind, bad: badKinds.has(kind), requests: k.count,
        statuses: Object.entries(k.statuses).sort().map(([s, n]) => `${s}×${n}`).join(' '),
        errors, errorKinds: Object.entries(k.errors).map(([e, n]) => `${e} ${n}`).join(', '),
        p50Ms: percentile(ms, 50), p99Ms: percentile(ms, 99), maxMs: percentile(ms, 100),
      };
    })
    .sort((a, b) => Number(a.bad) - Number(b.bad) || b.requests - a.requests);
}

export type SoakSummary = {
  machine: MachineInfo;
  settings: Record<string, string | number>;
  wallSeconds: number;
  requests: number;
  perSecond: number;
  dropped: number;
  errors: number;
  classes: Record<string, number>;
  kinds: KindRow[];
  errorSamples: Tally['samples'];
  memory: { server?: MemoryTrend; children?: MemoryTrend; heap?: MemoryTrend; samples: MemorySample[] };
  quota: QuotaCheck | undefined;
  server: Record<string, number | string>;
  contention: Record<string, number | string>;
  checks: Check[];
  pass: boolean;
};

/** About a dozen samples spread over the run. */
function timeline(samples: MemorySample[]): string {
  const step = Math.max(1, Math.round(samples.length / 12));
  const picked = samples.filter((_, i) => i % step === 0 || i === samples.length - 1);
  return picked
    .map((x) => `${x.atS.toFixed(0)}: ${(x.rssBytes / MB).toFixed(0)}${x.children ? ` + ${(x.childrenRssBytes / MB).toFixed(0)}` : ''} / ${x.heapUsedBytes === undefined ? '?' : (x.heapUsedBytes / MB).toFixed(0)}`)
    .join(', ');
}

const f1 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '—' : n.toFixed(1));

export function markdownOf(s: SoakSummary): string {
  const m = s.machine;
  const out: string[] = [];
  out.push(`# Picora soak: ${(s.wallSeconds / 60).toFixed(1)} min, ${s.pass ? 'PASS' : 'FAIL'}`, '');
  out.push(`${m.date} · ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB · Node ${m.node}, sharp ${m.sharp}, libvips ${m.libvips} · commit ${m.gitCommit}`, '');
  out.push(`Settings: ${Object.entries(s.settings).map(([k, v]) => `${k} ${v}`).join(', ')}`, '');
  out.push(`${s.requests} requests (${s.perSecond.toFixed(1)}/s), ${s.errors} errors, ${s.dropped} ticks dropped at the concurrency bound; by class: ${Object.entries(s.classes).sort().map(([c, n]) => `${c} ${n}`).join(', ')}`, '');
  out.push('| kind | requests | statuses | errors | p50 ms | p99 ms | max ms |', '|---|---|---|---|---|---|---|');
  for (const k of s.kinds) out.push(`| ${k.bad ? '(bad) ' : ''}${k.kind} | ${k.requests} | ${k.statuses} | ${k.errors}${k.errorKinds ? ` (${k.errorKinds})` : ''} | ${f1(k.p50Ms)} | ${f1(k.p99Ms)} | ${f1(k.maxMs)} |`);
  out.push('');
  const mem = (label: string, t: MemoryTrend | undefined) =>
    t ? `| ${label} | ${f1(t.warmupEndMb)} | ${f1(t.endMb)} | ${f1(t.peakMb)} | ${t.slopeMbPer10Min.toFixed(2)} | ${(t.endDrift * 100).toFixed(1)} % |` : `| ${label} | — | — | — | — | — |`;
  out.push('| memory (MiB) | warm-up end | end | peak | slope MB/10 min | end vs warm-up |', '|---|---|---|---|---|---|');
  out.push(mem('server RSS', s.memory.server));
  if (s.memory.children) out.push(mem('child processes RSS', s.memory.children));
  if (s.memory.heap) out.push(mem('server JS heap used', s.memory.heap));
  out.push('', `Over time (s: server RSS${s.memory.samples.some((x) => x.children > 0) ? ' + child processes RSS' : ''} / JS heap used, MiB): ${timeline(s.memory.samples)}`, '');
  out.push(`Server: ${Object.entries(s.server).map(([k, v]) => `${k} ${v}`).join(', ')}`, '');
  out.push(`Machine: ${Object.entries(s.contention).map(([k, v]) => `${k} ${v}`).join(', ')}`, '');
  out.push('| check | result | detail |', '|---|---|---|');
  for (const c of s.checks) out.push(`| ${c.name} | ${c.ok ? 'ok' : '**FAIL**'} | ${c.detail} |`);
  if (s.errorSamples.length > 0) {
    out.push('', 'First errors:', '');
    for (const e of s.errorSamples) out.push(`- ${e.atS.toFixed(1)} s ${e.kind} \`${e.request}\`: ${e.error}, got ${e.status}, expected ${e.expected.join('/')}: ${e.detail.replace(/\s+/g, ' ').slice(0, 200)}`);
  }
  return `${out.join('\n')}\n`;
}
