// A corpus of distinct ~1 MiB JPEGs for the throughput benchmark, made with sharp from the real photo in
// test/fixtures: upscaled to 3000×1875 (about what a 6 MP camera gives), plus sensor-like noise taken from a
// fixed table at a different offset for each file, so every file has different bytes (uploads of equal bytes
// would be answered from the dedupe short-cut). The JPEG quality is searched once so files land near 1 MiB.
// Files are cached in <tmp>/picora-bench-jpegs-v1-<count> and reused while the manifest matches.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { repoRoot } from './server.js';

const WIDTH = 3000;
const HEIGHT = 1875;
const TARGET_BYTES = 1024 * 1024;
const NOISE_SIZE = 1 << 20;
const VERSION = 1;

export type Corpus = { dir: string; files: string[]; quality: number; meanBytes: number; width: number; height: number };

type Manifest = { version: number; count: number; quality: number; files: Array<{ name: string; bytes: number; sha256: string }> };

/** ±14 triangular noise from a fixed LCG: deterministic, so a corpus can be rebuilt byte for byte. */
function noiseTable(): Int8Array {
  const noise = new Int8Array(NOISE_SIZE);
  let s = 12345;
  for (let i = 0; i < noise.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    noise[i] = Math.round(((((s >>> 16) & 0xff) + ((s >>> 8) & 0xff) - 255) / 255) * 14);
  }
  return noise;
}

function withNoise(base: Buffer, noise: Int8Array, index: number): Buffer {
  const out = Buffer.allocUnsafe(base.length);
  const offset = (index * 7919 * 3 + index) & (NOISE_SIZE - 1);
  for (let k = 0; k < base.length; k++) {
    const v = base[k]! + noise[(k + offset) & (NOISE_SIZE - 1)]!;
    out[k] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}

const encode = (pixels: Buffer, quality: number) =>
  sharp(pixels, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } }).jpeg({ quality }).toBuffer();

/** The quality whose file size for `pixels` is closest to 1 MiB (sizes grow with quality). */
async function searchQuality(pixels: Buffer): Promise<number> {
  let lo = 50;
  let hi = 98;
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    if ((await encode(pixels, mid)).length <= TARGET_BYTES) lo = mid;
    else hi = mid - 1;
  }
  const below = (await encode(pixels, lo)).length;
  const above = lo < 98 ? (await encode(pixels, lo + 1)).length : Number.POSITIVE_INFINITY;
  return TARGET_BYTES - below <= above - TARGET_BYTES ? lo : lo + 1;
}

export async function ensureCorpus(count: number): Promise<Corpus> {
  const dir = path.join(process.env.BENCH_TMPDIR ?? tmpdir(), `picora-bench-jpegs-v${VERSION}-${count}`);
  const manifestFile = path.join(dir, 'manifest.json');
  let manifest: Manifest | undefined;
  try {
    manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Manifest;
    if (manifest.version !== VERSION || manifest.count !== count) manifest = undefined;
  } catch {
    manifest = undefined;
  }
  if (!manifest) {
    await mkdir(dir, { recursive: true });
    const started = performance.now();
    const base = await sharp(path.join(repoRoot, 'test/fixtures/photo.jpg')).resize(WIDTH, HEIGHT, { kernel: 'lanczos3' }).removeAlpha().raw().toBuffer();
    const noise = noiseTable();
    const quality = await searchQuality(withNoise(base, noise, 0));
    const files: Manifest['files'] = [];
    const seen = new Set<string>();
    for (let i = 0; i < count; i++) {
      const jpeg = await encode(withNoise(base, noise, i), quality);
      const sha256 = createHash('sha256').update(jpeg).digest('hex');
      if (seen.has(sha256)) throw new Error(`corpus file ${i} repeats an earlier one`);
      seen.add(sha256);
      const name = `photo-${String(i).padStart(4, '0')}.jpg`;
      await writeFile(path.join(dir, name), jpeg);
      files.push({ name, bytes: jpeg.length, sha256 });
    }
    manifest = { version: VERSION, count, quality, files };
    await writeFile(manifestFile, JSON.stringify(manifest));
    console.log(`  generated ${count} JPEGs (q${quality}) in ${((performance.now() - started) / 1000).toFixed(1)} s into ${dir}`);
  }
  const meanBytes = manifest.files.reduce((n, f) => n + f.bytes, 0) / manifest.files.length;
  return { dir, files: manifest.files.map((f) => path.join(dir, f.name)), quality: manifest.quality, meanBytes, width: WIDTH, height: HEIGHT };
}
