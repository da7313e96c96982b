// Decides whether an upload is a video container we accept, from its first bytes only (never its name or its
// declared type). ISO-BMFF (MP4/MOV) by its ftyp brands — HEIC/AVIF/HEIF images and M4A audio share the box
// layout and are refused here (images have their own sniffer); Matroska/WebM by the EBML DocType; AVI by RIFF.
// Whether there is a decodable video stream inside is for probeVideo to say.
import type { SniffedVideo, VideoContainer } from './video-types.js';

/** How many leading bytes sniffVideo looks at; callers may pass more, the rest is ignored. */
export const VIDEO_SNIFF_BYTES = 4100;

const TYPES: Record<VideoContainer, SniffedVideo> = {
  mp4: { container: 'mp4', mimeType: 'video/mp4', ext: 'mp4' },
  mov: { container: 'mov', mimeType: 'video/quicktime', ext: 'mov' },
  mkv: { container: 'mkv', mimeType: 'video/x-matroska', ext: 'mkv' },
  webm: { container: 'webm', mimeType: 'video/webm', ext: 'webm' },
  avi: { container: 'avi', mimeType: 'video/x-msvideo', ext: 'avi' },
};

/** ISO-BMFF brands of video files (MP4 family, 3GPP, camera makers' MP4s). */
const MP4_BRANDS = new Set([
  'isom', 'iso2', 'iso3', 'iso4', 'iso5', 'iso6', 'iso7', 'iso8', 'iso9', 'mp41', 'mp42', 'mp71', 'avc1', 'hvc1', 'av01',
  'M4V ', 'M4VH', 'M4VP', 'MSNV', 'XAVC', 'dash', 'mmp4', 'f4v ', 'NDAS', 'NDSC', 'NDSH', 'NDSM', 'NDSP', 'NDSS', 'NDXC',
  'NDXH', 'NDXM', 'NDXP', 'NDXS', '3gp4', '3gp5', '3gp6', '3gp7', '3gp8', '3gp9', '3gg6', '3ge6', '3ge7', '3g2a', '3g2b', '3g2c',
]);
const QUICKTIME_BRAND = 'qt  ';
/** Brands that make an ISO-BMFF file an image (HEIF/HEIC/AVIF and relatives, JPEG 2000/XL, camera raw), wherever listed. */
const IMAGE_BRANDS = new Set([
  'avif', 'avis', 'heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs', 'mif1', 'mif2', 'msf1', 'heif', 'miaf',
  'MA1A', 'MA1B', 'jpeg', 'jpgs', 'jp2 ', 'jpm ', 'jpx ', 'jxl ', 'crx ',
]);
/** Major brands of audio files (iTunes videos list 'M4A ' among their compatible brands, so only the major counts). */
const AUDIO_MAJOR_BRANDS = new Set(['M4A ', 'M4B ', 'M4P ', 'F4A ', 'F4B ']);
/** Atoms a QuickTime file without ftyp (older cameras) starts with. */
const QUICKTIME_LEADING_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

const EBML_MAGIC = [0x1a, 0x45, 0xdf, 0xa3];
const EBML_DOCTYPE_ID = 0x4282;

/** The accepted container `head` (the first bytes of a file) begins as, or undefined for anything else. */
export async function sniffVideo(head: Uint8Array): Promise<SniffedVideo | undefined> {
  const bytes = head.subarray(0, VIDEO_SNIFF_BYTES);
  if (bytes.length < 12) return undefined;
  const fourcc = latin1(bytes, 4, 8);
  if (fourcc === 'ftyp') return sniffFtyp(bytes);
  if (EBML_MAGIC.every((b, i) => bytes[i] === b)) return sniffEbml(bytes);
  if (latin1(bytes, 0, 4) === 'RIFF' && latin1(bytes, 8, 12) === 'AVI ') return TYPES.avi;
  if (QUICKTIME_LEADING_ATOMS.has(fourcc)) {
    const size = readUint32(bytes, 0);
    if (size === 0 || size === 1 || size >= 8) return TYPES.mov;
  }
  return undefined;
}

/** MP4 or MOV from the ftyp box: refused when any brand says image (or the major says audio), else by a video brand. */
function sniffFtyp(bytes: Uint8Array): SniffedVideo | undefined {
  const boxSize = readUint32(bytes, 0);
  if (boxSize < 16 || bytes.length < 16) return undefined;
  const major = latin1(bytes, 8, 12);
  const brands = [major];
  for (let at = 16; at + 4 <= Math.min(boxSize, bytes.length); at += 4) brands.push(latin1(bytes, at, at + 4));
  if (AUDIO_MAJOR_BRANDS.has(major) || brands.some((b) => IMAGE_BRANDS.has(b))) return undefined;
  if (major === QUICKTIME_BRAND) return TYPES.mov;
  if (brands.some((b) => MP4_BRANDS.has(b))) return TYPES.mp4;
  if (brands.includes(QUICKTIME_BRAND)) return TYPES.mov;
  return undefined;
}

/** Matroska or WebM from the EBML header's DocType element. */
function sniffEbml(bytes: Uint8Array): SniffedVideo | undefined {
  const header = readVint(bytes, 4);
  if (!header) return undefined;
  let at = 4 + header.length;
  const end = Math.min(bytes.length, header.value === undefined ? bytes.length : at + header.value);
  while (at < end) {
    const id = readElementId(bytes, at);
    if (!id) return undefined;
    const size = readVint(bytes, at + id.length);
    if (!size || size.value === undefined) return undefined;
    const dataAt = at + id.length + size.length;
    if (id.value === EBML_DOCTYPE_ID) {
      if (dataAt + size.value > bytes.length) return undefined;
      const docType = latin1(bytes, dataAt, dataAt + size.value).replace(/\0+$/, '');
      if (docType === 'matroska') return TYPES.mkv;
      if (docType === 'webm') return TYPES.webm;
      return undefined;
    }
    at = dataAt + size.value;
  }
  return undefined;
}

/** An EBML element ID: a variable-length integer whose marker bit is kept (1–4 bytes). */
function readElementId(bytes: Uint8Array, at: number): { value: number; length: number } | undefined {
  const first = bytes[at];
  if (first === undefined || first === 0) return undefined;
  const length = Math.clz32(first) - 23; // leading zeros within the byte, + 1
  if (length > 4 || at + length > bytes.length) return undefined;
  let value = 0;
  for (let i = 0; i < length; i++) value = value * 256 + bytes[at + i]!;
  return { value, length };
}

/** An EBML data size (1–8 bytes, marker bit removed); value undefined means "unknown size". */
function readVint(bytes: Uint8Array, at: number): { value: number | undefined; length: number } | undefined {
  const first = bytes[at];
  if (first === undefined || first === 0) return undefined;
  const length = Math.clz32(first) - 23;
  if (at + length > bytes.length) return undefined;
  let value = first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const b = bytes[at + i]!;
    value = value * 256 + b;
    allOnes &&= b === 0xff;
  }
  return { value: allOnes ? undefined : value, length };
}

function readUint32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at);
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, Math.max(0, Math.min(end, bytes.length) - start)).toString('latin1');
}
