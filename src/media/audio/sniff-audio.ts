// Decides whether an upload is audio we accept, from its first bytes only (never its name or declared type):
//   MP3   an ID3v2 tag, or an MPEG-1/2/2.5 Layer III frame header (checked against the next frame when it is in view)
//   M4A   an ISO-BMFF `ftyp` box with an audio major brand (M4A, M4B, …) or an MP4 brand and no image brand
//   WAV   RIFF … WAVE        FLAC   fLaC        OGG   OggS
// Whether the container really holds an audio stream is for probeAudio to say.
import { fileTypeFromBuffer } from 'file-type';
import { AUDIO_TYPES, type SniffedAudio } from './audio-types.js';

/** How many leading bytes sniffAudio looks at; callers may pass more, the rest is ignored. */
export const AUDIO_SNIFF_BYTES = 4100;

const AUDIO_MAJOR_BRANDS = new Set(['M4A ', 'M4B ', 'M4P ', 'F4A ', 'F4B ']);
/** General MP4 brands an audio-only MP4 may carry (ffmpeg's `-f mp4` writes isom). */
const MP4_BRANDS = new Set(['isom', 'iso2', 'iso3', 'iso4', 'iso5', 'iso6', 'mp41', 'mp42', 'dash', '3gp4', '3gp5', '3gp6', '3g2a']);
/** Brands that make an ISO-BMFF file an image (HEIF/HEIC/AVIF, JPEG 2000/XL), wherever they are listed. */
const IMAGE_BRANDS = new Set(['avif', 'avis', 'heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'mif2', 'msf1', 'heif', 'miaf', 'jp2 ', 'jpm ', 'jpx ', 'jxl ', 'crx ']);

const latin1 = (b: Uint8Array, from: number, to: number) => Buffer.from(b.subarray(from, to)).toString('latin1');
const u32 = (b: Uint8Array, at: number) => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;

/** kbps by [MPEG-1 ? 0 : 1][index] for Layer III. */
const BITRATES = [
  [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
];
const SAMPLE_RATES: Record<number, number[]> = { 3: [44_100, 48_000, 32_000], 2: [22_050, 24_000, 16_000], 0: [11_025, 12_000, 8_000] };

/** The length of the Layer III frame whose header is at `at`, 0 for a free-format frame, undefined for no header. */
function mp3Frame(b: Uint8Array, at: number): number | undefined {
  if (at + 4 > b.length || b[at] !== 0xff || (b[at + 1]! & 0xe0) !== 0xe0) return undefined;
  const version = (b[at + 1]! >> 3) & 0x03; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5, 1 reserved
  const layer = (b[at + 1]! >> 1) & 0x03; // 1 = Layer III
  const bitrateIndex = b[at + 2]! >> 4;
  const rateIndex = (b[at + 2]! >> 2) & 0x03;
  if (version === 1 || layer !== 1 || bitrateIndex === 15 || rateIndex === 3) return undefined;
  if (bitrateIndex === 0) return 0;
  const kbps = BITRATES[version === 3 ? 0 : 1]![bitrateIndex]!;
  const rate = SAMPLE_RATES[version]![rateIndex]!;
  const padding = (b[at + 2]! >> 1) & 0x01;
  return Math.floor(((version === 3 ? 144 : 72) * kbps * 1000) / rate) + padding;
}

function sniffMp3(b: Uint8Array): SniffedAudio | undefined {
  if (latin1(b, 0, 3) === 'ID3' && b.length >= 10 && b[3]! >= 2 && b[3]! <= 4 && [6, 7, 8, 9].every((i) => b[i]! < 0x80)) return AUDIO_TYPES.mp3;
  const length = mp3Frame(b, 0);
  if (length === undefined) return undefined;
  // a second frame right after the first, when the head reaches it: random bytes rarely manage two
  if (length > 0 && length + 4 <= b.length && mp3Frame(b, length) === undefined) return undefined;
  return AUDIO_TYPES.mp3;
}

function sniffFtyp(b: Uint8Array): SniffedAudio | undefined {
  const boxSize = u32(b, 0);
  if (boxSize < 16 || b.length < 16) return undefined;
  const major = latin1(b, 8, 12);
  const brands = [major];
  for (let at = 16; at + 4 <= Math.min(boxSize, b.length); at += 4) brands.push(latin1(b, at, at + 4));
  if (brands.some((x) => IMAGE_BRANDS.has(x))) return undefined;
  return AUDIO_MAJOR_BRANDS.has(major) || MP4_BRANDS.has(major) ? AUDIO_TYPES.m4a : undefined;
}

/** The accepted audio container `head` (the first bytes of a file) begins as, or undefined for anything else. */
export function sniffAudio(head: Uint8Array): SniffedAudio | undefined {
  const b = head.subarray(0, AUDIO_SNIFF_BYTES);
  if (b.length < 4) return undefined;
  const magic = latin1(b, 0, 4);
  if (magic === 'fLaC') return AUDIO_TYPES.flac;
  if (magic === 'OggS') return AUDIO_TYPES.ogg;
  if (magic === 'RIFF') return b.length >= 12 && latin1(b, 8, 12) === 'WAVE' ? AUDIO_TYPES.wav : undefined;
  if (b.length >= 12 && latin1(b, 4, 8) === 'ftyp') return sniffFtyp(b);
  return sniffMp3(b);
}

/** What a refused file looks like, for the refusal's message ("Audio MIME not supported: audio/aac"). */
export async function describeRefused(head: Uint8Array): Promise<string> {
  const b = head.subarray(0, AUDIO_SNIFF_BYTES);
  try {
    const detected = await fileTypeFromBuffer(b);
    if (detected) return detected.mime;
  } catch {
    // fall through
  }
  // eslint-disable-next-line no-control-regex -- telling text from binary is the point
  return b.length > 0 && !/[\u0000-\u0008\u000e-\u001a]/.test(Buffer.from(b).toString('latin1')) ? 'text/plain' : 'application/octet-stream';
}
