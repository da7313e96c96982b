// What each step of an upload costs on its own, run one at a time in this process over corpus files, with
// the project's own code (src/, through tsx): wall time and CPU time (all threads, from getrusage).
// It explains the server's CPU per upload in the throughput benchmark; the remainder there is HTTP,
// multipart parsing, auth, SQLite and Fastify. Used by `upload-throughput --steps`.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdtemp, readFile, rename, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { encode } from 'blurhash';
import sharp from 'sharp';
import { ANIMATION_FRAME_BUDGET } from '../../src/domain/images/upload.service.js';
import { spoolUpload } from '../../src/domain/images/upload-spool.js';
import { computePlaceholder, probeImage } from '../../src/media/image-probe.js';
import { prepareUpload } from '../../src/media/prepare-upload.js';
import { createLocalStore } from '../../src/storage/local-store.js';
import { printTable } from './report.js';

type Step = { step: string; run: (file: string, data: Buffer, i: number) => Promise<unknown> };

const LIMITS = { maxPixels: 200_000_000, maxFrames: ANIMATION_FRAME_BUDGET };
const chunks = (data: Buffer) => Readable.from((function* () {
  for (let at = 0; at < data.length; at += 65536) yield data.subarray(at, at + 65536);
})());

export async function measureUploadSteps(files: string[], iterations = 24): Promise<Array<{ step: string; wallMs: number; cpuMs: number }>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'picora-bench-steps-'));
  const store = createLocalStore(path.join(dir, 'blobs'));
  const picked = files.slice(0, iterations);
  const data = await Promise.all(picked.map((f) => readFile(f)));
  const steps: Step[] = [
    { step: 'sha256 of the bytes', run: async (_f, d) => createHash('sha256').update(d).digest('hex') },
    { step: 'spoolUpload (sniff + sha256 + write spool)', run: async (_f, d) => (await spoolUpload(chunks(d), { dir: path.join(dir, 'spool'), maxBytes: 1e9 })).dispose() },
    { step: 'sharp metadata (header)', run: (f) => sharp(f, { limitInputPixels: false, failOn: 'error' }).metadata() },
    { step: 'probeImage (header + verifying decode to 16 px)', run: (f) => probeImage(f, LIMITS) },
    { step: 'computePlaceholder (decode to 32 px + blurhash)', run: (f) => computePlaceholder(f, LIMITS) },
    { step: '  of which blurhash encode of 32×20', run: async () => encode(new Uint8ClampedArray(32 * 20 * 4).fill(128), 32, 20, 4, 3) },
    { step: 'one decode to 32 px, verify + raw (both uses at once)', run: (f) => sharp(f, { failOn: 'error', sequentialRead: true, limitInputPixels: LIMITS.maxPixels }).autoOrient().resize(32, 32, { fit: 'inside' }).raw().toBuffer() },
    {
      step: 'prepareUpload (probe + placeholder; the server runs it in a worker process)',
      run: (f, d) => prepareUpload({ path: f, size: d.length, mimeType: 'image/jpeg', ext: 'jpg' }, { ...LIMITS, maxSide: 16_384, maxSvgBytes: 2e6 }),
    },
    { step: 'blobs.put (copy spool into the local store)', run: (f, _d, i) => store.put(`u/bench/${i}`, createReadStream(f), { contentType: 'image/jpeg' }) },
    {
      step: 'what-if: move the spool into the store (link + rename + unlink)',
      run: async (f, _d, i) => {
        const a = path.join(dir, `moved-${i}.a`);
        const b = path.join(dir, `moved-${i}.b`);
        await link(f, a);
        await rename(a, b);
        await unlink(b);
      },
    },
  ];
  const rows: Array<{ step: string; wallMs: number; cpuMs: number }> = [];
  try {
    for (const s of steps) {
      await s.run(picked[0]!, data[0]!, 0); // warm
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < picked.length; i++) await s.run(picked[i]!, data[i]!, i + 1);
      const wall = (performance.now() - t0) / picked.length;
      const cpu = process.cpuUsage(cpu0);
      rows.push({ step: s.step, wallMs: wall, cpuMs: (cpu.user + cpu.system) / 1000 / picked.length });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

export function printUploadSteps(rows: Array<{ step: string; wallMs: number; cpuMs: number }>): void {
  console.log('  cost of each step, one at a time, per ~1 MiB JPEG (this process, src/ code):');
  printTable(rows.map((r) => ({ step: r.step, 'wall ms': Math.round(r.wallMs * 100) / 100, 'cpu ms': Math.round(r.cpuMs * 100) / 100 })));
}
