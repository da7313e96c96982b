// Images for the soak benchmark, made on the fly with sharp from the real photo in test/fixtures: a random
// crop of it (upscaled once to 1600 × 1000), resized to 240–1600 px on the long side, its hue and brightness
// shifted, and a 4-pixel stamp of a counter in a corner so that no two files are ever alike (uploads of equal
// bytes are answered by the dedupe short-cut instead). Mostly JPEG, some WebP and PNG. Also the corrupt files
// that must be refused with 422: random bytes, truncated JPEGs, a PNG header over garbage, an empty file, and
// the hostile fixtures (pixel bomb, PDF/JPEG polyglot, JPEG inside a ZIP, plain text).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { repoRoot } from './server.js';

const BASE_W = 1600;
const BASE_H = 1000;
const FIXTURES = path.join(repoRoot, 'test', 'fixtures');

export type GeneratedImage = { name: string; type: string; ext: string; data: Buffer; sha256: string };
export type CorruptFile = { label: string; name: string; type: string; data: Buffer };

export type ImageFactory = {
  /** A new, distinct image. */
  next(): Promise<GeneratedImage>;
  /** One of the corrupt files, in turn. */
  corrupt(): CorruptFile;
};

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const between = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

export async function createImageFactory(): Promise<ImageFactory> {
  const base = await sharp(path.join(FIXTURES, 'photo.jpg')).resize(BASE_W, BASE_H, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  let n = 0;
  const recentJpegs: Buffer[] = [];

  async function next(): Promise<GeneratedImage> {
    const seq = ++n;
    const roll = Math.random();
    const format = roll < 0.7 ? 'jpeg' : roll < 0.85 ? 'webp' : 'png';
    const cropW = between(320, BASE_W);
    const cropH = Math.min(BASE_H, Math.max(200, Math.round(cropW * (0.5 + Math.random()))));
    const long = format === 'png' ? between(240, 640) : between(320, 1600);
    const stamp = Buffer.alloc(12);
    stamp.writeUInt32BE(seq, 0);
    stamp.writeUInt32BE(process.pid, 4);
    stamp.writeUInt32BE(Math.floor(Math.random() * 2 ** 32), 8);
    // sharp composites after resizing and colour changes: the stamp lands on the final pixels
    const img = sharp(base, { raw: { width: BASE_W, height: BASE_H, channels: 3 } })
      .extract({ left: between(0, BASE_W - cropW), top: between(0, BASE_H - cropH), width: cropW, height: cropH })
      .resize(long, long, { fit: 'inside' })
      .modulate({ hue: between(0, 359), brightness: 0.8 + Math.random() * 0.4 })
      .composite([{ input: stamp, raw: { width: 4, height: 1, channels: 3 }, left: 0, top: 0 }]);
    const data =
      format === 'jpeg' ? await img.jpeg({ quality: between(60, 92) }).toBuffer()
        : format === 'webp' ? await img.webp({ quality: between(60, 90) }).toBuffer()
          : await img.png({ compressionLevel: 6 }).toBuffer();
    if (format === 'jpeg') {
      recentJpegs.push(data);
      if (recentJpegs.length > 8) recentJpegs.shift();
    }
    const ext = format === 'jpeg' ? 'jpg' : format;
    return { name: `soak-${seq}.${ext}`, type: `image/${format}`, ext, data, sha256: sha256(data) };
  }

  const pngOverGarbage = () => {
    // a valid signature and IHDR (256 × 256, 8-bit RGB) so it sniffs as PNG, then an IDAT chunk of noise
    const ihdr = Buffer.from('49484452000001000000010008020000', 'hex');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(ihdr));
    const idat = Buffer.concat([Buffer.from('IDAT'), randomBytes(4096)]);
    const idatCrc = Buffer.alloc(4);
    idatCrc.writeUInt32BE(crc32(idat));
    return Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d', 'hex'), ihdr, crc, Buffer.from('00001000', 'hex'), idat, idatCrc]);
  };
  const makers: Array<() => CorruptFile> = [
    () => ({ label: 'random bytes', name: 'noise.jpg', type: 'image/jpeg', data: randomBytes(between(2048, 65536)) }),
    () => {
      const src = recentJpegs[Math.floor(Math.random() * recentJpegs.length)];
      const data = src ? src.subarray(0, Math.floor(src.length * (0.3 + Math.random() * 0.4))) : randomBytes(4096);
      return { label: 'truncated JPEG', name: 'cut.jpg', type: 'image/jpeg', data };
    },
    () => ({ label: 'PNG header over garbage', name: 'garbage.png', type: 'image/png', data: pngOverGarbage() }),
    () => ({ label: 'empty file', name: 'empty.jpg', type: 'image/jpeg', data: Buffer.alloc(0) }),
  ];
  for (const [file, label, type] of [
    ['truncated.jpg', 'fixture truncated.jpg', 'image/jpeg'],
    ['bomb-50000x50000.png', 'fixture pixel bomb', 'image/png'],
    ['polyglot-pdf-jpeg.pdf', 'fixture PDF/JPEG polyglot', 'image/jpeg'],
    ['jpeg-in-zip.zip', 'fixture JPEG in ZIP', 'image/jpeg'],
    ['not-image.txt', 'fixture text', 'image/svg+xml'],
  ] as const) {
    const full = path.join(FIXTURES, file);
    if (!existsSync(full)) continue;
    const data = await readFile(full);
    makers.push(() => ({ label, name: file, type, data }));
  }
  let turn = 0;
  return { next, corrupt: () => makers[turn++ % makers.length]!() };
}
