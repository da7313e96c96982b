// Byte sources for a ~1 GB upload, generated on the fly from a few reused buffers (never 1 GB in memory).
//
// validPng: a real, valid PNG that is really ~1 GB and decodes cheaply: 8191 px wide, 16-bit RGBA, every
// scanline unfiltered and stored in its own uncompressed deflate block, one IDAT chunk per scanline. All
// scanlines are identical, so every IDAT chunk (and its CRC) is the same buffer; the zlib Adler-32 of the
// whole image is computed arithmetically from one scanline. ~16 380 rows → ~134 M pixels, under the
// pro_plus pixel limit (200 M), so the server spools, probes, decodes, places and stores it: the full path.
//
// pngFiller: the PNG signature, an IHDR and an IDAT header followed by filler. It sniffs as PNG, so the server
// spools all of it, then refuses it as corrupt (422) when it tries to decode it: the spool path only.
//
// widePng: the opposite shape, a few hundred KB that decode into a very wide 16-bit image.
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';

export type ByteSource = { description: string; totalBytes: number; width: number; height: number; chunks(): Generator<Buffer> };

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const ADLER_MOD = 65521;
const WIDTH = 8191; // 1 + 8191 × 8 = 65 529 bytes per scanline: fits one stored deflate block (≤ 65 535)
const ROW_BYTES = 1 + WIDTH * 8;
/** IDAT chunks grouped into one write (~1 MiB) so the client makes ~1 000 writes, not ~16 000. */
const GROUP = 16;

function pngChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function ihdr(width: number, height: number): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data[8] = 16; // bit depth
  data[9] = 6; // RGBA
  return pngChunk('IHDR', data);
}

/** One scanline: filter type 0, then a horizontal colour ramp, fully opaque. */
function scanline(): Buffer {
  const row = Buffer.alloc(ROW_BYTES);
  for (let x = 0; x < WIDTH; x++) {
    const at = 1 + x * 8;
    const t = x / (WIDTH - 1);
    row.writeUInt16BE(Math.round(65535 * t), at);
    row.writeUInt16BE(Math.round(65535 * (1 - t)), at + 2);
    row.writeUInt16BE(Math.round(65535 * Math.abs(0.5 - t) * 2), at + 4);
    row.writeUInt16BE(65535, at + 6);
  }
  return row;
}

/** Adler-32 of `block` repeated `times` times: per block, a += S and b += L·a + Σ (L − i)·byteᵢ. */
function adler32Repeated(block: Buffer, times: number): number {
  const len = block.length;
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < len; i++) {
    sum = (sum + block[i]!) % ADLER_MOD;
    weighted = (weighted + (len - i) * block[i]!) % ADLER_MOD;
  }
  let a = 1;
  let b = 0;
  for (let n = 0; n < times; n++) {
    b = (b + ((len % ADLER_MOD) * a) % ADLER_MOD + weighted) % ADLER_MOD;
    a = (a + sum) % ADLER_MOD;
  }
  return ((b << 16) | a) >>> 0;
}

export function validPng(targetBytes: number): ByteSource {
  const row = scanline();
  const stored = Buffer.alloc(5 + ROW_BYTES);
  stored[0] = 0; // BFINAL 0, BTYPE 00 (stored)
  stored.writeUInt16LE(ROW_BYTES, 1);
  stored.writeUInt16LE(~ROW_BYTES & 0xffff, 3);
  row.copy(stored, 5);
  const idat = pngChunk('IDAT', stored);
  const height = Math.max(1, Math.round(targetBytes / idat.length));
  const group = Buffer.concat(Array.from({ length: GROUP }, () => idat));

  const adler = adler32Repeated(row, height);
  const final = Buffer.from([1, 0, 0, 0xff, 0xff, 0, 0, 0, 0]); // empty final stored block, then Adler-32
  final.writeUInt32BE(adler, 5);
  const head = Buffer.concat([SIGNATURE, ihdr(WIDTH, height), pngChunk('IDAT', Buffer.from([0x78, 0x01]))]);
  const tail = Buffer.concat([pngChunk('IDAT', final), pngChunk('IEND', Buffer.alloc(0))]);
  const totalBytes = head.length + height * idat.length + tail.length;

  return {
    description: `valid PNG ${WIDTH}×${height} 16-bit RGBA, uncompressed (stored deflate)`,
    totalBytes,
    width: WIDTH,
    height,
    *chunks() {
      yield head;
      let rows = 0;
      for (; rows + GROUP <= height; rows += GROUP) yield group;
      for (; rows < height; rows++) yield idat;
      yield tail;
    },
  };
}

export function pngFiller(targetBytes: number): ByteSource {
  const width = 4096;
  const height = 4096;
  const head = Buffer.concat([SIGNATURE, ihdr(width, height)]);
  const idatHead = Buffer.alloc(8);
  const fillerBytes = targetBytes - head.length - idatHead.length;
  idatHead.writeUInt32BE(Math.min(fillerBytes, 0x7fffffff), 0);
  idatHead.write('IDAT', 4, 'latin1');
  const block = randomBytes(1024 * 1024);
  return {
    description: 'PNG signature + IHDR + IDAT header, then random filler (sniffs as PNG, does not decode)',
    totalBytes: head.length + idatHead.length + fillerBytes,
    width,
    height,
    *chunks() {
      yield Buffer.concat([head, idatHead]);
      let left = fillerBytes;
      for (; left >= block.length; left -= block.length) yield block;
      if (left > 0) yield block.subarray(0, left);
    },
  };
}

/**
 * A small but very wide PNG (16-bit RGBA, one flat colour, deflated to a few hundred KB): `width × height`
 * stays under the pixel limit, yet decoding it costs memory in proportion to its width (see RESULTS.md).
 * `seed` changes the colour, so several of them are distinct uploads.
 */
export async function widePng(width: number, height: number, seed: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: (17 * seed) % 256, g: 200, b: 30, alpha: 1 } } })
    .toColourspace('rgb16')
    .png({ compressionLevel: 9 })
    .toBuffer();
}
