// Header lies per format, generated: PNG/JPEG/GIF/WebP/AVIF/HEIC headers that claim impossible or huge sizes,
// broken lengths and checksums, metadata bombs (zTXt/iCCP), EXIF loops, frame-count bombs, real animations.
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { makeGifBomb } from '../../fixtures/bombs.js';
import {
  PNG_SIGNATURE, gif, ihdr, jpegSofOffset, jpegWithSize, patched, pngChunk, pngChunks, riffChunk, riffWebp,
  u16be, u16le, u24le, u32be, u32le, webpChunks, withIspe, withPngChunks,
} from './bytes.js';
import { REFUSED_IMAGE, type FileInput } from './file-case.js';

export function pngLies(png: Buffer): FileInput[] {
  const idat = deflateSync(Buffer.alloc(1 + 96));
  const withIhdr = (name: string, chunk: Buffer, refuse?: string[]): FileInput => ({
    name: `png: ${name}`, filename: 'lie.png', data: Buffer.concat([PNG_SIGNATURE, chunk, pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]), ...(refuse ? { refuse } : {}),
  });
  const first = pngChunks(png);
  const idatAt = first.find((c) => c.type === 'IDAT')!;
  const zbomb = deflateSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 }); // 64 MB of text behind ~64 KB
  return [
    withIhdr('IHDR width 0', ihdr(0, 64)),
    withIhdr('IHDR height 0', ihdr(96, 0)),
    withIhdr('IHDR 2^31-1 × 2^31-1', ihdr(0x7fffffff, 0x7fffffff), REFUSED_IMAGE),
    withIhdr('IHDR 0xFFFFFFFF wide (past the PNG maximum)', ihdr(0xffffffff, 1)),
    withIhdr('IHDR bit depth 3', ihdr(96, 1, { bitDepth: 3 })),
    withIhdr('IHDR colour type 7', ihdr(96, 1, { colorType: 7 })),
    withIhdr('IHDR interlace method 2', ihdr(96, 1, { interlace: 2 })),
    { name: 'png: IHDR length field 0xFFFFFFFF', filename: 'lie.png', data: patched(png, 8, u32be(0xffffffff)) },
    { name: 'png: IDAT length field 0x7FFFFFF0', filename: 'lie.png', data: patched(png, idatAt.at, u32be(0x7ffffff0)) },
    { name: 'png: every CRC wrong', filename: 'lie.png', data: Buffer.concat([PNG_SIGNATURE, ...first.map((c) => pngChunk(c.type, png.subarray(c.at + 8, c.at + 8 + c.length), 0xdeadbeef))]) },
    { name: 'png: no IDAT at all', filename: 'lie.png', data: Buffer.concat([PNG_SIGNATURE, ihdr(96, 64), pngChunk('IEND', Buffer.alloc(0))]) },
    { name: 'png: IEND first', filename: 'lie.png', data: Buffer.concat([PNG_SIGNATURE, pngChunk('IEND', Buffer.alloc(0)), png.subarray(8)]) },
    { name: 'png: zTXt metadata bomb (64 MB inflated)', filename: 'ztxt.png', data: withPngChunks(png, [pngChunk('zTXt', Buffer.concat([Buffer.from('Comment\0\0', 'latin1'), zbomb]))]) },
    { name: 'png: iCCP profile bomb (64 MB inflated)', filename: 'iccp.png', data: withPngChunks(png, [pngChunk('iCCP', Buffer.concat([Buffer.from('bomb\0\0', 'latin1'), zbomb]))]) },
    { name: 'png: 20,000 tEXt chunks', filename: 'text.png', data: withPngChunks(png, Array.from({ length: 20_000 }, (_, i) => pngChunk('tEXt', Buffer.from(`k${i}\0v`, 'latin1')))) },
    {
      name: 'png: APNG acTL claiming 2^31-1 frames', filename: 'apng.png',
      data: withPngChunks(png, [pngChunk('acTL', Buffer.concat([u32be(0x7fffffff), u32be(0)]))]),
    },
  ];
}

export function jpegLies(jpeg: Buffer): FileInput[] {
  const sof = jpegSofOffset(jpeg);
  const exifLoop = (() => {
    // TIFF header, IFD0 at 8 with two entries: Orientation, and an Exif IFD pointer back to IFD0; next IFD → IFD0.
    const tiff = Buffer.concat([
      Buffer.from('II*\0', 'latin1'), u32le(8),
      u16le(2),
      u16le(0x0112), u16le(3), u32le(1), u16le(6), u16le(0),
      u16le(0x8769), u16le(4), u32le(1), u32le(8),
      u32le(8),
    ]);
    const app1 = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
    return Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe1]), u16be(app1.length + 2), app1, jpeg.subarray(2)]);
  })();
  const exifHugeCount = (() => {
    const tiff = Buffer.concat([Buffer.from('MM\0*', 'latin1'), u32be(8), u16be(0xffff), Buffer.alloc(24)]);
    const app1 = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
    return Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe1]), u16be(app1.length + 2), app1, jpeg.subarray(2)]);
  })();
  const app = (n: number) => Buffer.concat(Array.from({ length: n }, () => Buffer.from([0xff, 0xe5, 0x00, 0x04, 0x00, 0x00])));
  const comps = patched(jpeg, sof + 9, Buffer.from([255]));
  return [
    { name: 'jpeg: SOF claims 0×0', filename: 'lie.jpg', data: jpegWithSize(jpeg, 0, 0) },
    { name: 'jpeg: SOF claims 65535×65535 (pixel bomb)', filename: 'bomb.jpg', data: jpegWithSize(jpeg, 65535, 65535), refuse: REFUSED_IMAGE },
    { name: 'jpeg: SOF claims 65500×1', filename: 'lie.jpg', data: jpegWithSize(jpeg, 65500, 1) },
    { name: 'jpeg: SOF claims 1×65500', filename: 'lie.jpg', data: jpegWithSize(jpeg, 1, 65500) },
    { name: 'jpeg: SOF claims 255 components', filename: 'lie.jpg', data: comps },
    { name: 'jpeg: SOI then EOI', filename: 'empty.jpg', data: Buffer.from([0xff, 0xd8, 0xff, 0xd9]) },
    { name: 'jpeg: marker length 0', filename: 'lie.jpg', data: Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe0, 0x00, 0x00]), jpeg.subarray(2)]) },
    { name: 'jpeg: marker length 1', filename: 'lie.jpg', data: Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe0, 0x00, 0x01]), jpeg.subarray(2)]) },
    { name: 'jpeg: 100,000 empty APP5 markers', filename: 'markers.jpg', data: Buffer.concat([jpeg.subarray(0, 2), app(100_000), jpeg.subarray(2)]) },
    { name: 'jpeg: EXIF IFD pointing at itself (parser loop)', filename: 'exif-loop.jpg', data: exifLoop },
    { name: 'jpeg: EXIF IFD claiming 65535 entries', filename: 'exif-count.jpg', data: exifHugeCount },
    { name: 'jpeg: 0xFF fill for 1 MB before the scan', filename: 'fill.jpg', data: Buffer.concat([jpeg.subarray(0, 2), Buffer.alloc(1024 * 1024, 0xff), jpeg.subarray(2)]) },
  ];
}

export function gifLies(): FileInput[] {
  const big = (w: number, h: number, n: number) => gif({ width: w, height: h }, Array.from({ length: n }, () => ({ width: w, height: h, data: Buffer.from([0x02, 0x01, 0x04, 0x00]) })));
  return [
    { name: 'gif: 65535×65535 screen and frame, one pixel of data (pixel bomb)', filename: 'bomb.gif', data: makeGifBomb(), refuse: REFUSED_IMAGE },
    { name: 'gif: 0×0 screen and frame', filename: 'zero.gif', data: gif({ width: 0, height: 0 }, [{ width: 0, height: 0 }]) },
    { name: 'gif: frame far outside a 1×1 screen', filename: 'outside.gif', data: gif({ width: 1, height: 1 }, [{ width: 60000, height: 60000 }]) },
    { name: 'gif: LZW min code size 12 (invalid)', filename: 'lzw.gif', data: gif({ width: 8, height: 8 }, [{ width: 8, height: 8, data: Buffer.from([0x0c, 0x03, 0xff, 0xff, 0xff, 0x00]) }]) },
    { name: 'gif: 20 frames of 4000×4000 with no pixel data (frame budget)', filename: 'frames.gif', data: big(4000, 4000, 20), refuse: REFUSED_IMAGE },
    { name: 'gif: 100,000 one-pixel frames on a 1000×1000 screen', filename: 'many-frames.gif', data: gif({ width: 1000, height: 1000 }, Array.from({ length: 100_000 }, () => ({ width: 1, height: 1 }))), refuse: REFUSED_IMAGE },
    { name: 'gif: 20,000 one-pixel frames on a 1×1 screen (animated)', filename: 'tiny-frames.gif', data: gif({ width: 1, height: 1 }, Array.from({ length: 20_000 }, () => ({ width: 1, height: 1 }))), renders: ['w=256&fmt=webp', 'w=64'], heavy: true },
    { name: 'gif: no trailer, frames cut mid-block', filename: 'cut.gif', data: gif({ width: 16, height: 16 }, [{ width: 16, height: 16 }]).subarray(0, 40) },
  ];
}

export async function animatedGif(frames: number, side: number): Promise<Buffer> {
  const raw = Buffer.alloc(side * side * frames * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 31 + (i / (side * side * 3)) * 7) & 0xff;
  return sharp(raw, { raw: { width: side, height: side * frames, channels: 3, pageHeight: side } as sharp.CreateRaw }).gif({ effort: 1 }).toBuffer();
}

export async function webpLies(webp: Buffer): Promise<FileInput[]> {
  const [vp8] = webpChunks(webp);
  const vp8x = (w: number, h: number, flags = 0) => riffChunk('VP8X', Buffer.concat([Buffer.from([flags, 0, 0, 0]), u24le(w - 1), u24le(h - 1)]));
  const anim = await sharp(await animatedGif(300, 32), { pages: -1 }).webp({ quality: 50, effort: 0 }).toBuffer();
  return [
    { name: 'webp: VP8X canvas 16384×16384 around a 96×64 frame', filename: 'canvas.webp', data: riffWebp([vp8x(16384, 16384), vp8!]) },
    { name: 'webp: VP8X canvas 2^24×2^24 (pixel bomb)', filename: 'bomb.webp', data: riffWebp([vp8x(1 << 24, 1 << 24), vp8!]), refuse: REFUSED_IMAGE },
    { name: 'webp: RIFF size 0xFFFFFFFF', filename: 'riff.webp', data: riffWebp([vp8!], 0xffffffff) },
    { name: 'webp: RIFF size 4', filename: 'riff.webp', data: riffWebp([vp8!], 4) },
    { name: 'webp: VP8 chunk size larger than the file', filename: 'chunk.webp', data: patched(webp, 16, u32le(0x7ffffff0)) },
    { name: 'webp: VP8X says animated, no ANIM/ANMF', filename: 'anim.webp', data: riffWebp([vp8x(96, 64, 0x02), vp8!]) },
    { name: 'webp: 300-frame animation', filename: 'anim300.webp', data: anim, renders: ['w=256&fmt=webp', 'w=16&fmt=png'], heavy: true },
  ];
}

export function isoLies(format: 'avif' | 'heic', data: Buffer): FileInput[] {
  const f = `lie.${format}`;
  return [
    { name: `${format}: ispe claims 65535×65535 (pixel bomb)`, filename: f, data: withIspe(data, 65535, 65535), refuse: REFUSED_IMAGE },
    { name: `${format}: ispe claims 0×0`, filename: f, data: withIspe(data, 0, 0) },
    { name: `${format}: ispe claims 0xFFFFFFFF×0xFFFFFFFF`, filename: f, data: withIspe(data, 0xffffffff, 0xffffffff), refuse: REFUSED_IMAGE },
    { name: `${format}: ftyp box size 0xFFFFFFFF`, filename: f, data: patched(data, 0, u32be(0xffffffff)) },
    { name: `${format}: ftyp box size 8 (no brands)`, filename: f, data: patched(data, 0, u32be(8)) },
    { name: `${format}: ftyp only`, filename: f, data: data.subarray(0, data.readUInt32BE(0)) },
  ];
}
