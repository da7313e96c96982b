// HEIC → JPEG for uploads (the API stores HEIC as JPEG). sharp's prebuilt libvips reads HEIF headers but
// has no HEVC decoder, so the pixels come from heic-decode (libheif + libde265 compiled to WebAssembly).
// - Size is checked from the header before any pixel buffer is allocated.
// - libheif applies the HEIF transformations (irot/imir/clap) while decoding, so the JPEG is upright;
//   EXIF is not copied, so no orientation tag can turn it a second time (and no GPS leaks).
// - An embedded ICC profile (e.g. iPhone Display P3) is carried into the JPEG; nclx-only colour is taken as sRGB.
// The decode runs synchronously inside WebAssembly: call it from a job or worker for large batches.
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { MediaError, toMediaError } from './media-error.js';

interface HeicImage {
  width: number;
  height: number;
  decode(): Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
}
type HeicDecodeAll = (input: { buffer: Uint8Array }) => Promise<HeicImage[] & { dispose(): void }>;

let decodeAll: HeicDecodeAll | undefined;
function loadDecoder(): HeicDecodeAll {
  // heic-decode is CommonJS without types; loaded on first use (instantiating the WebAssembly takes a moment)
  decodeAll ??= (createRequire(import.meta.url)('heic-decode') as { all: HeicDecodeAll }).all;
  return decodeAll;
}

export interface HeicLimits {
  /** Most pixels the (primary) image may have; checked before decoding. */
  maxPixels: number;
}

/**
 * Decodes the first top-level image of a HEIC/HEIF file and re-encodes it as a baseline JPEG (quality 90,
 * alpha flattened onto white). Throws MediaError: 'unsupported' when it is not a HEIC file,
 * 'too_many_pixels' over `limits.maxPixels`, 'corrupt' when it does not decode.
 */
export async function heicToJpeg(input: Buffer, limits: HeicLimits): Promise<Buffer> {
  let images: Awaited<ReturnType<HeicDecodeAll>>;
  try {
    images = await loadDecoder()({ buffer: input });
  } catch (err) {
    if (err instanceof TypeError) throw new MediaError('unsupported', 'not a HEIC/HEIF file', { cause: err });
    throw new MediaError('corrupt', `HEIC could not be read: ${(err as Error).message}`, { cause: err });
  }
  let pixels: { width: number; height: number; data: Uint8ClampedArray };
  try {
    const first = images[0];
    if (!first || !(first.width > 0 && first.height > 0)) throw new MediaError('corrupt', 'HEIC holds no image');
    if (first.width * first.height > limits.maxPixels) {
      throw new MediaError('too_many_pixels', `${first.width}×${first.height} is over the limit of ${limits.maxPixels} pixels`);
    }
    pixels = await first.decode();
  } catch (err) {
    throw toMediaError(err);
  } finally {
    images.dispose();
  }

  const icc = await readIccProfile(input);
  try {
    const raw = Buffer.from(pixels.data.buffer, pixels.data.byteOffset, pixels.data.byteLength);
    const jpeg = await sharp(raw, {
      raw: { width: pixels.width, height: pixels.height, channels: 4 },
      limitInputPixels: limits.maxPixels,
    })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 90 })
      .toBuffer();
    return icc ? embedIccProfile(jpeg, icc) : jpeg;
  } catch (err) {
    throw toMediaError(err);
  }
}

/** The ICC profile stored in the HEIF header, read by sharp without decoding (undefined when none). */
async function readIccProfile(input: Buffer): Promise<Buffer | undefined> {
  try {
    return (await sharp(input, { limitInputPixels: false }).metadata()).icc;
  } catch {
    return undefined; // the pixels decoded; a profile we cannot read is not worth failing the upload
  }
}

const ICC_MARKER_ID = Buffer.from('ICC_PROFILE\0', 'latin1');
const ICC_CHUNK = 65_519; // 65535 − length field (2) − identifier (12) − sequence bytes (2)

/** Inserts `icc` as APP2 ICC_PROFILE segments right after SOI (and any APP0 JFIF segment). */
export function embedIccProfile(jpeg: Buffer, icc: Buffer): Buffer {
  const count = Math.ceil(icc.length / ICC_CHUNK);
  if (count === 0 || count > 255) return jpeg;
  const segments: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const chunk = icc.subarray(i * ICC_CHUNK, (i + 1) * ICC_CHUNK);
    const header = Buffer.alloc(4);
    header.writeUInt16BE(0xffe2, 0);
    header.writeUInt16BE(2 + ICC_MARKER_ID.length + 2 + chunk.length, 2);
    segments.push(header, ICC_MARKER_ID, Buffer.from([i + 1, count]), chunk);
  }
  let at = 2; // after SOI
  if (jpeg.readUInt16BE(at) === 0xffe0) at += 2 + jpeg.readUInt16BE(at + 2);
  return Buffer.concat([jpeg.subarray(0, at), ...segments, jpeg.subarray(at)]);
}
