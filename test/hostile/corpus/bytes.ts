// Byte-level helpers for building hostile files by code: a seeded PRNG, PNG chunks, box/marker patching.
import { crc32 } from 'node:zlib';

/** mulberry32: the same seed gives the same bytes on every run, so a failing input can be rebuilt. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(seed: number, length: number): Buffer {
  const next = prng(seed);
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(next() * 256);
  return out;
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function pngChunk(type: string, data: Buffer, crcOverride?: number): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crcOverride ?? crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

export function ihdr(width: number, height: number, opts: { bitDepth?: number; colorType?: number; interlace?: number } = {}): Buffer {
  const d = Buffer.alloc(13);
  d.writeUInt32BE(width >>> 0, 0);
  d.writeUInt32BE(height >>> 0, 4);
  d.writeUInt8(opts.bitDepth ?? 8, 8);
  d.writeUInt8(opts.colorType ?? 0, 9);
  d.writeUInt8(opts.interlace ?? 0, 12);
  return pngChunk('IHDR', d);
}

/** The PNG's chunks as [offset, length, type]. */
export function pngChunks(png: Buffer): Array<{ at: number; length: number; type: string }> {
  const out: Array<{ at: number; length: number; type: string }> = [];
  for (let at = 8; at + 8 <= png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString('latin1');
    out.push({ at, length, type });
    at += 12 + length;
  }
  return out;
}

/** `png` with `extra` chunks inserted right after IHDR. */
export function withPngChunks(png: Buffer, extra: Buffer[]): Buffer {
  const afterIhdr = 8 + 12 + png.readUInt32BE(8);
  return Buffer.concat([png.subarray(0, afterIhdr), ...extra, png.subarray(afterIhdr)]);
}

/** A copy of `buf` with `patch` applied at `at`. */
export function patched(buf: Buffer, at: number, patch: Buffer): Buffer {
  const out = Buffer.from(buf);
  patch.copy(out, at);
  return out;
}

export const u16be = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n & 0xffff);
  return b;
};
export const u32be = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
export const u16le = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n & 0xffff);
  return b;
};
export const u32le = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

/** Offset of the first JPEG start-of-frame marker (SOF0–SOF15 except DHT/JPG/DAC), or -1. */
export function jpegSofOffset(jpeg: Buffer): number {
  for (let at = 2; at + 4 < jpeg.length; ) {
    if (jpeg[at] !== 0xff) return -1;
    const marker = jpeg[at + 1]!;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return at;
    at += 2 + jpeg.readUInt16BE(at + 2);
  }
  return -1;
}

/** A JPEG with its frame header claiming `width`×`height` (the scan data is left as it is). */
export function jpegWithSize(jpeg: Buffer, width: number, height: number): Buffer {
  const sof = jpegSofOffset(jpeg);
  if (sof < 0) throw new Error('no SOF marker');
  return patched(patched(jpeg, sof + 5, u16be(height)), sof + 7, u16be(width));
}

/** The ISO-BMFF `ispe` property (AVIF/HEIC image size) rewritten to `width`×`height`, everywhere it appears. */
export function withIspe(file: Buffer, width: number, height: number): Buffer {
  let out: Buffer = Buffer.from(file);
  for (let at = out.indexOf('ispe'); at >= 0; at = out.indexOf('ispe', at + 4)) {
    out = patched(patched(out, at + 8, u32be(width)), at + 12, u32be(height));
  }
  return out;
}

/** A GIF89a: logical screen, a 2-colour table, an optional NETSCAPE loop, and `frames` image blocks. */
export function gif(screen: { width: number; height: number }, frames: Array<{ width: number; height: number; data?: Buffer }>, loop = true): Buffer {
  const head = Buffer.concat([Buffer.from('GIF89a', 'latin1'), u16le(screen.width), u16le(screen.height), Buffer.from([0x80, 0, 0]), Buffer.from([0, 0, 0, 255, 255, 255])]);
  const netscape = loop ? Buffer.from([0x21, 0xff, 0x0b, ...Buffer.from('NETSCAPE2.0', 'latin1'), 0x03, 0x01, 0x00, 0x00, 0x00]) : Buffer.alloc(0);
  const onePixel = Buffer.from([0x02, 0x02, 0x44, 0x01, 0x00]); // LZW min size 2: clear, index 0, end (one pixel)
  const blocks = frames.map((f) =>
    Buffer.concat([
      Buffer.from([0x21, 0xf9, 0x04, 0x04, 0x02, 0x00, 0x00, 0x00]), // graphic control: 20 ms, keep
      Buffer.from([0x2c]), u16le(0), u16le(0), u16le(f.width), u16le(f.height), Buffer.from([0x00]),
      f.data ?? onePixel,
    ]),
  );
  return Buffer.concat([head, netscape, ...blocks, Buffer.from([0x3b])]);
}

/** A RIFF/WEBP container holding `chunks` (each already framed as FourCC + size + data). */
export function riffWebp(chunks: Buffer[], sizeOverride?: number): Buffer {
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), ...chunks]);
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), u32le(sizeOverride ?? body.length), body]);
}

export function riffChunk(fourcc: string, data: Buffer): Buffer {
  const pad = data.length % 2 === 1 ? Buffer.alloc(1) : Buffer.alloc(0);
  return Buffer.concat([Buffer.from(fourcc, 'latin1'), u32le(data.length), data, pad]);
}

/** The RIFF chunks of a WebP file (after the 12-byte header). */
export function webpChunks(webp: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 12; at + 8 <= webp.length; ) {
    const size = webp.readUInt32LE(at + 4);
    const end = Math.min(webp.length, at + 8 + size + (size % 2));
    out.push(webp.subarray(at, end));
    at = end;
  }
  return out;
}

/** A 24-bit little-endian field, as VP8X stores canvas sizes (minus one). */
export const u24le = (n: number) => Buffer.from([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff]);
