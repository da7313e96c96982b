// Hostile image files, generated at run time: corrupt and truncated headers of every accepted format, header
// lies and pixel/decompression bombs (small files claiming huge sizes), metadata bombs, polyglots, wrong
// magic, empty and zero-filled files, animations with many frames (each sent as a file-case.ts case).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { makePngBomb } from '../../fixtures/bombs.js';
import type { Group, HostileCase } from './case.js';
import { NOT_AN_IMAGE, REFUSED_IMAGE, fileCase, type FileInput } from './file-case.js';
import { PNG_SIGNATURE, pngChunk, randomBytes, u16be, u16le, u32be, u32le, withPngChunks } from './bytes.js';
import { animatedGif, gifLies, isoLies, jpegLies, pngLies, webpLies } from './file-lies.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');

const GRADIENT = (w: number, h: number) => {
  const raw = Buffer.alloc(w * h * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 13) & 0xff;
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } });
};

type Bases = Record<'jpeg' | 'png' | 'gif' | 'webp' | 'avif' | 'heic', { data: Buffer; ext: string; magic: number }>;

async function bases(): Promise<Bases> {
  return {
    jpeg: { data: await GRADIENT(96, 64).jpeg({ quality: 80 }).toBuffer(), ext: 'jpg', magic: 3 },
    png: { data: await GRADIENT(96, 64).png().toBuffer(), ext: 'png', magic: 8 },
    gif: { data: await GRADIENT(96, 64).gif().toBuffer(), ext: 'gif', magic: 6 },
    webp: { data: await GRADIENT(96, 64).webp({ quality: 80 }).toBuffer(), ext: 'webp', magic: 12 },
    avif: { data: await GRADIENT(96, 64).avif({ quality: 50, effort: 0 }).toBuffer(), ext: 'avif', magic: 12 },
    // sharp cannot encode HEVC: the committed fixture is the one HEIC source (see test/fixtures/README.md)
    heic: { data: await readFile(path.join(FIXTURES, 'image.heic')), ext: 'heic', magic: 12 },
  };
}

/** The same dozen corruptions for every format. */
function corruptions(format: string, base: { data: Buffer; ext: string; magic: number }, other: Buffer, seed: number): FileInput[] {
  const d = base.data;
  const file = `${format}-corrupt.${base.ext}`;
  const flipped = Buffer.from(d);
  const flip = randomBytes(seed, 16);
  for (let i = 0; i < 8; i++) {
    const at = base.magic + (flip[i]! % Math.max(1, Math.min(64, d.length - base.magic)));
    flipped[at] = flipped[at]! ^ (1 << (flip[i + 8]! % 8));
  }
  const scrambled = Buffer.from(d);
  randomBytes(seed + 1, Math.floor(d.length * 0.3)).copy(scrambled, Math.floor(d.length * 0.35));
  const zeroed = Buffer.concat([d.subarray(0, base.magic), Buffer.alloc(d.length - base.magic)]);
  return [
    { name: `${format}: signature only`, data: d.subarray(0, base.magic), filename: file },
    { name: `${format}: truncated to 16 bytes`, data: d.subarray(0, 16), filename: file },
    { name: `${format}: truncated to 64 bytes`, data: d.subarray(0, 64), filename: file },
    { name: `${format}: truncated to half`, data: d.subarray(0, Math.floor(d.length / 2)), filename: file },
    { name: `${format}: truncated to 90 %`, data: d.subarray(0, Math.floor(d.length * 0.9)), filename: file },
    { name: `${format}: last byte missing`, data: d.subarray(0, d.length - 1), filename: file },
    { name: `${format}: 8 bits flipped in the header`, data: flipped, filename: file },
    { name: `${format}: middle 30 % random`, data: scrambled, filename: file },
    { name: `${format}: signature then 64 KB of noise`, data: Buffer.concat([d.subarray(0, base.magic), randomBytes(seed + 2, 64 * 1024)]), filename: file },
    { name: `${format}: signature then zeros`, data: zeroed, filename: file },
    { name: `${format}: the file twice`, data: Buffer.concat([d, d]), filename: file },
    { name: `${format}: signature on another format's body`, data: Buffer.concat([d.subarray(0, base.magic), other.subarray(base.magic)]), filename: file },
  ];
}

function bombs(): FileInput[] {
  return [
    { name: 'png: complete 20000×20000 (400 Mpx, decompression bomb)', filename: 'bomb.png', data: makePngBomb(20000, 20000), refuse: REFUSED_IMAGE },
    { name: 'png: 50000×50000 header, 64 rows of data', filename: 'bomb.png', data: makePngBomb(50000, 50000, 64), refuse: REFUSED_IMAGE },
    { name: 'png: 1×16,000,000 (one side past the limit)', filename: 'tall.png', data: makePngBomb(1, 16_000_000, 64), refuse: REFUSED_IMAGE },
    { name: 'png: 7000×7000 complete (49 Mpx, just inside the trial budget)', filename: 'big.png', data: makePngBomb(7000, 7000), renders: ['w=4096&fmt=png', 'w=64'], heavy: true },
    { name: 'png: 8000×8000 complete (64 Mpx, over the trial budget)', filename: 'big.png', data: makePngBomb(8000, 8000), refuse: REFUSED_IMAGE },
  ];
}

function polyglots(jpeg: Buffer, png: Buffer, gifData: Buffer): FileInput[] {
  const zip = (name: string, content: Buffer) => {
    const n = Buffer.from(name, 'latin1');
    const local = Buffer.concat([u32le(0x04034b50), u16le(10), u16le(0), u16le(0), u16le(0), u16le(0), u32le(0), u32le(content.length), u32le(content.length), u16le(n.length), u16le(0), n, content]);
    const central = Buffer.concat([u32le(0x02014b50), u16le(10), u16le(10), u16le(0), u16le(0), u16le(0), u16le(0), u32le(0), u32le(content.length), u32le(content.length), u16le(n.length), u16le(0), u16le(0), u16le(0), u16le(0), u32le(0), u32le(0), n]);
    const end = Buffer.concat([u32le(0x06054b50), u16le(0), u16le(0), u16le(1), u16le(1), u32le(central.length), u32le(local.length), u16le(0)]);
    return Buffer.concat([local, central, end]);
  };
  const pdf = (embedded: Buffer) => Buffer.concat([Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /XObject /Subtype /Image /Filter /DCTDecode >>\nstream\n', 'latin1'), embedded, Buffer.from('\nendstream\nendobj\n%%EOF\n', 'latin1')]);
  const html = Buffer.from('<html><body><script>alert(document.cookie)</script></body></html>', 'latin1');
  const withComment = Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xfe]), u16be(html.length + 2), html, jpeg.subarray(2)]);
  return [
    { name: 'polyglot: PDF first, a whole JPEG inside', filename: 'poly.jpg', data: pdf(jpeg), refuse: NOT_AN_IMAGE },
    { name: 'polyglot: ZIP first, a whole JPEG inside', filename: 'poly.jpg', data: zip('photo.jpg', jpeg), refuse: NOT_AN_IMAGE },
    { name: 'polyglot: JPEG with a ZIP (JAR) appended', filename: 'poly.jpg', data: Buffer.concat([jpeg, zip('evil.class', Buffer.from('cafebabe', 'hex'))]) },
    { name: 'polyglot: GIF with a ZIP appended (GIFAR)', filename: 'poly.gif', data: Buffer.concat([gifData, zip('META-INF/MANIFEST.MF', Buffer.from('Main-Class: Evil\n'))]) },
    { name: 'polyglot: "GIF89a" followed by HTML script', filename: 'poly.gif', data: Buffer.concat([Buffer.from('GIF89a/*', 'latin1'), Buffer.from('*/=1;<script>alert(1)</script>', 'latin1')]) },
    { name: 'polyglot: JPEG whose COM segment is an HTML page', filename: 'poly.jpg', data: withComment },
    { name: 'polyglot: PNG with an HTML tEXt chunk', filename: 'poly.png', data: withPngChunks(png, [pngChunk('tEXt', Buffer.concat([Buffer.from('html\0', 'latin1'), html]))]) },
    { name: 'polyglot: PNG with HTML after IEND', filename: 'poly.png', data: Buffer.concat([png, html]) },
    { name: 'polyglot: JPEG with PHP in a comment', filename: 'shell.php.jpg', data: Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xfe, 0x00, 0x20]), Buffer.from('<?php system($_GET["c"]); ?>\0\0', 'latin1'), jpeg.subarray(2)]) },
    { name: 'polyglot: MP4 ftyp box in front of a JPEG', filename: 'poly.jpg', data: Buffer.concat([u32be(24), Buffer.from('ftypisom\0\0\0\0isommp42', 'latin1'), jpeg]), refuse: NOT_AN_IMAGE },
  ];
}

function wrongMagic(): FileInput[] {
  const text = (name: string, s: string, filename: string): FileInput => ({ name, data: Buffer.from(s, 'utf8'), filename, refuse: NOT_AN_IMAGE });
  const bin = (name: string, head: number[] | string, filename: string): FileInput => ({
    name, filename, refuse: NOT_AN_IMAGE,
    data: Buffer.concat([typeof head === 'string' ? Buffer.from(head, 'latin1') : Buffer.from(head), randomBytes(head.length, 2048)]),
  });
  return [
    text('wrong magic: plain text named .png', 'hello, this is not an image <svg>\n', 'text.png'),
    text('wrong magic: HTML named .jpg', '<!doctype html><html><script>alert(1)</script></html>', 'page.jpg'),
    text('wrong magic: JSON named .gif', '{"image": true}', 'data.gif'),
    text('wrong magic: shell script named .webp', '#!/bin/sh\nrm -rf /\n', 'x.webp'),
    text('wrong magic: XML that is not SVG', '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>', 'x.svg'),
    bin('wrong magic: ELF executable', [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 'a.png'),
    bin('wrong magic: Windows PE', 'MZ\x90\x00\x03\x00\x00\x00', 'a.jpg'),
    bin('wrong magic: gzip', [0x1f, 0x8b, 8, 0], 'a.png'),
    bin('wrong magic: BMP', 'BM\x36\x00\x0c\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00', 'a.bmp'),
    bin('wrong magic: TIFF little-endian', 'II*\x00\x08\x00\x00\x00', 'a.tif'),
    bin('wrong magic: TIFF big-endian', 'MM\x00*\x00\x00\x00\x08', 'a.tif'),
    bin('wrong magic: ICO', [0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0], 'a.ico'),
    bin('wrong magic: Photoshop PSD', '8BPS\x00\x01', 'a.psd'),
    bin('wrong magic: JPEG XL codestream', [0xff, 0x0a], 'a.jxl'),
    bin('wrong magic: JPEG 2000', [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a], 'a.jp2'),
    bin('wrong magic: PNG signature in lower case', [0x89, 0x70, 0x6e, 0x67, 0x0d, 0x0a, 0x1a, 0x0a], 'a.png'),
    bin('wrong magic: MP4 video', '\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom', 'a.jpg'),
  ];
}

function emptyish(png: Buffer): FileInput[] {
  return [
    { name: 'zero bytes', data: Buffer.alloc(0), filename: 'empty.png', refuse: [...NOT_AN_IMAGE, 'VALIDATION_ERROR'] },
    { name: 'one NUL byte', data: Buffer.alloc(1), filename: 'nul.png', refuse: NOT_AN_IMAGE },
    { name: 'one newline', data: Buffer.from('\n'), filename: 'nl.svg', refuse: NOT_AN_IMAGE },
    { name: '1 MB of zero bytes', data: Buffer.alloc(1024 * 1024), filename: 'zeros.jpg', refuse: NOT_AN_IMAGE },
    { name: '4100 zero bytes, then a whole PNG', data: Buffer.concat([Buffer.alloc(4100), png]), filename: 'late.png', refuse: NOT_AN_IMAGE },
    { name: 'PNG signature then zeros to 10 MB + 1', data: Buffer.concat([PNG_SIGNATURE, Buffer.alloc(10 * 1024 * 1024 + 1 - 8)]), filename: 'huge.png', refuse: ['INVALID_FILE_TYPE', 'FILE_TOO_LARGE'] },
    {
      name: 'a real PNG with a 10 MB tEXt chunk (over the 10 MB trial file limit)', filename: 'huge.png', refuse: ['FILE_TOO_LARGE'],
      data: withPngChunks(png, [pngChunk('tEXt', Buffer.concat([Buffer.from('pad\0', 'latin1'), Buffer.alloc(10 * 1024 * 1024, 0x61)]))]),
    },
  ];
}

/** The light file groups, and the heavy inputs (run one at a time with the other expensive ones). */
export async function fileGroups(): Promise<{ groups: Group[]; heavy: HostileCase[] }> {
  const b = await bases();
  const formats = Object.keys(b) as Array<keyof Bases>;
  const corrupt = formats.flatMap((f, i) => corruptions(f, b[f], b[formats[(i + 1) % formats.length]!].data, 1000 + i * 10));
  const animated = await animatedGif(400, 48);
  const headers: FileInput[] = [
    ...pngLies(b.png.data), ...jpegLies(b.jpeg.data), ...gifLies(), ...(await webpLies(b.webp.data)),
    ...isoLies('avif', b.avif.data), ...isoLies('heic', b.heic.data),
    { name: 'gif: real 400-frame 48×48 animation', filename: 'anim.gif', data: animated, renders: ['w=256&fmt=webp', 'w=32&fmt=avif', 'fmt=png'], heavy: true },
  ];
  const other = [...bombs(), ...polyglots(b.jpeg.data, b.png.data, b.gif.data), ...wrongMagic(), ...emptyish(b.png.data)];
  const light = (inputs: FileInput[]) => inputs.filter((i) => !i.heavy).map((c) => fileCase('files', c));
  return {
    groups: [
      { name: 'files: corrupt and truncated', cases: light(corrupt) },
      { name: 'files: header lies and animations', cases: light(headers) },
      { name: 'files: bombs, polyglots, wrong magic, empty', cases: light(other) },
    ],
    heavy: [...corrupt, ...headers, ...other].filter((i) => i.heavy).map((c) => fileCase('files', c)),
  };
}

