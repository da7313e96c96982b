// What-ifs for the transform benchmark (`--what-if`): the ceiling's loops (photos in memory, no HTTP) with
// variations of the pipeline, to see what each step of src/media/render.ts costs and what the rival does
// differently. The variants re-state render.ts's sharp calls here (a model of it, checked against the real
// renderImage in the first row), so keep them in step when render.ts changes.
// Usage: node render-what-if.mjs '<json>' with {files, format, q, loops, threads, seconds}. Prints WHATIF_JSON lines.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { configureRenderer, renderImage } from '../../dist/media/render.js';

const o = JSON.parse(process.argv[2] ?? '{}');
const inputs = o.files.map((f) => readFileSync(f));
const limits = { maxPixels: 200_000_000, maxFrames: 4, maxOutputSide: 4096 };
const W = 512;

/** render.ts's encoder settings, and ipx's (sharp's defaults, progressive JPEG). */
const encodePicora = (img, q) => {
  switch (o.format) {
    case 'jpeg': return img.jpeg({ quality: q, mozjpeg: false, progressive: false });
    case 'webp': return img.webp({ quality: q, effort: 2 });
    case 'avif': return img.avif({ quality: Math.max(1, Math.round(q * 0.75)), effort: 1 });
    default: return img.png({ compressionLevel: 6, adaptiveFiltering: false, palette: false });
  }
};
const ipxQ = o.format === 'avif' ? Math.round(o.q * 0.75) : o.q;

const picoraOptions = { failOn: 'error', limitInputPixels: limits.maxPixels, sequentialRead: true };
const VARIANTS = {
  'renderImage (the ceiling)': (b, h) => renderImage(b, { w: W, h, fit: 'inside', format: o.format, q: o.q }, limits).then((r) => r.data),
  'same, modelled here': async (b, h) => {
    await sharp(b, { limitInputPixels: false }).metadata();
    return encodePicora(sharp(b, picoraOptions).autoOrient().resize({ width: W, height: h, fit: 'inside', withoutEnlargement: true, fastShrinkOnLoad: true }).withIccProfile('srgb'), o.q).toBuffer();
  },
  'without the metadata() pre-read': (b, h) =>
    encodePicora(sharp(b, picoraOptions).autoOrient().resize({ width: W, height: h, fit: 'inside', withoutEnlargement: true, fastShrinkOnLoad: true }).withIccProfile('srgb'), o.q).toBuffer(),
  "without withIccProfile('srgb')": async (b, h) => {
    await sharp(b, { limitInputPixels: false }).metadata();
    return encodePicora(sharp(b, picoraOptions).autoOrient().resize({ width: W, height: h, fit: 'inside', withoutEnlargement: true, fastShrinkOnLoad: true }), o.q).toBuffer();
  },
  'without sequentialRead': async (b, h) => {
    await sharp(b, { limitInputPixels: false }).metadata();
    return encodePicora(sharp(b, { failOn: 'error', limitInputPixels: limits.maxPixels }).autoOrient().resize({ width: W, height: h, fit: 'inside', withoutEnlargement: true, fastShrinkOnLoad: true }).withIccProfile('srgb'), o.q).toBuffer();
  },
  "ipx's pipeline (resize(w), toFormat with sharp's defaults)": (b) =>
    sharp(b, { animated: false }).resize(W, undefined, { withoutEnlargement: true })
      .toFormat(o.format, o.format === 'png' ? {} : { quality: ipxQ, ...(o.format === 'jpeg' ? { progressive: true } : {}) }).toBuffer(),
};

async function measure(name, fn, loops, threads) {
  configureRenderer({ threads });
  let n = 0;
  let bytes = 0;
  const warmEnd = performance.now() + 1000;
  await Promise.all(Array.from({ length: loops }, async () => {
    while (performance.now() < warmEnd) await fn(inputs[n % inputs.length], 1000 + (n++ % 3000));
  }));
  n = 0;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const end = started + o.seconds * 1000;
  await Promise.all(Array.from({ length: loops }, async () => {
    while (performance.now() < end) {
      const i = n++;
      const out = await fn(inputs[i % inputs.length], 1000 + (i % 3000));
      bytes += out.length;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(`WHATIF_JSON ${JSON.stringify({ name, loops, threads, ops: n, perSecond: n / seconds, cpuMsPerOp: (cpu.user + cpu.system) / 1000 / n, meanBytes: bytes / n })}`);
}

for (const [name, fn] of Object.entries(VARIANTS)) await measure(name, fn, o.loops, o.threads);
// the concurrency split: libvips threads per render × renders at once
await measure('renderImage, 1 libvips thread × 2 loops per core', VARIANTS['renderImage (the ceiling)'], o.loops * 2, 1);
