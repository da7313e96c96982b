// The three sides of the transform benchmark and how each one is asked for a fit-512 rendition:
// Picora's media URL (unique per request through `h`: w=512 with a box taller than any photo at that width
// gives the same pixels as w=512 alone, so every URL renders and every render does the same work), ipx's
// path modifiers (unique through a modifier ipx ignores), and the in-process ceiling (lib/rival-ceiling.mjs).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MediaImage } from './media-server.js';
import { runTimed } from './load.js';
import { startRival, type RivalServer } from './rival-process.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export type FormatCase = {
  fmt: 'jpeg' | 'webp' | 'avif' | 'png';
  /** Picora's `q` (also what the ceiling passes to renderImage); undefined: Picora's default. */
  q: number | undefined;
  /** ipx's `q_`: the same encoder quality sharp gets from Picora (Picora maps AVIF q to 0.75 q). */
  ipxQ: number | undefined;
};

export const FORMATS: FormatCase[] = [
  { fmt: 'jpeg', q: 80, ipxQ: 80 },
  { fmt: 'webp', q: 75, ipxQ: 75 },
  { fmt: 'avif', q: 80, ipxQ: 60 },
  { fmt: 'png', q: undefined, ipxQ: undefined },
];

export const WIDTH = 512;
/** Heights used to make URLs unique: all are taller than a 2040-px-wide photo is at 512 px wide. */
export const H_START = 1000;
const H_SPAN = 4096 - H_START + 1;

/** URL number `g` of a format: photo g mod n, height H_START + g div n. */
export function picoraPath(images: MediaImage[], f: FormatCase, g: number): string {
  const img = images[g % images.length]!;
  const h = H_START + (Math.floor(g / images.length) % H_SPAN);
  return `/${img.id}.${img.ext}?w=${WIDTH}&h=${h}&fmt=${f.fmt}${f.q === undefined ? '' : `&q=${f.q}`}`;
}

export function ipxPath(images: MediaImage[], f: FormatCase, g: number): string {
  const img = images[g % images.length]!;
  return `/w_${WIDTH},f_${f.fmt}${f.ipxQ === undefined ? '' : `,q_${f.ipxQ}`},n_${g}/${path.basename(img.photo.file)}`;
}

/** How many distinct Picora URLs a format has (photos × heights). */
export const uniqueCapacity = (images: MediaImage[]): number => images.length * H_SPAN;

export type IpxServer = RivalServer;

/** ipx over the photos folder (lib/rival-ipx.mjs). */
export const startIpx = (dir: string): Promise<IpxServer> => startRival(path.join(here, 'rival-ipx.mjs'), [dir]);

export type CeilingResult = {
  ops: number; seconds: number; perSecond: number; meanBytes: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** CPU of the measured window only, and of the whole child (start, load, warm-up included). */
  cpuSeconds: number; childCpuSeconds: number;
  /** The measured window's CPU by thread group (main JS thread, libvips workers, libuv pool). */
  threadCpu: Array<{ group: string; seconds: number }>;
};

/** The ceiling for one format: `concurrency` loops of renderImage in a child process (built dist/ required). */
export async function runCeiling(opts: { files: string[]; f: FormatCase; concurrency: number; threads: number; warmupSeconds: number; seconds: number }): Promise<CeilingResult> {
  const arg = JSON.stringify({
    files: opts.files, format: opts.f.fmt, q: opts.f.q ?? 85, w: WIDTH, hStart: H_START, concurrency: opts.concurrency, threads: opts.threads,
    warmupSeconds: opts.warmupSeconds, seconds: opts.seconds, maxOps: 1_000_000,
  });
  const r = await runTimed(process.execPath, [path.join(here, 'rival-ceiling.mjs'), arg], (opts.warmupSeconds + opts.seconds + 60) * 1000);
  const line = r.stdout.split('\n').find((l) => l.startsWith('CEILING_JSON '));
  if (r.code !== 0 || !line) throw new Error(`ceiling failed (exit ${r.code}): ${r.stderr.trim()}`);
  return { ...(JSON.parse(line.slice('CEILING_JSON '.length)) as Omit<CeilingResult, 'childCpuSeconds'>), childCpuSeconds: r.cpuSeconds };
}

export type WhatIfRow = { name: string; loops: number; threads: number; ops: number; perSecond: number; cpuMsPerOp: number; meanBytes: number };

/** Pipeline variations in the ceiling's loops (lib/render-what-if.mjs), for one format. */
export async function runWhatIf(opts: { files: string[]; f: FormatCase; loops: number; threads: number; seconds: number }): Promise<WhatIfRow[]> {
  const arg = JSON.stringify({ files: opts.files, format: opts.f.fmt, q: opts.f.q ?? 85, loops: opts.loops, threads: opts.threads, seconds: opts.seconds });
  const r = await runTimed(process.execPath, [path.join(here, 'render-what-if.mjs'), arg], (opts.seconds + 2) * 10 * 1000 + 60_000);
  if (r.code !== 0) throw new Error(`what-if failed (exit ${r.code}): ${r.stderr.trim()}`);
  return r.stdout.split('\n').filter((l) => l.startsWith('WHATIF_JSON ')).map((l) => JSON.parse(l.slice('WHATIF_JSON '.length)) as WhatIfRow);
}
