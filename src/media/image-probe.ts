// Learns what an image is before anything decodes it, refuses pixel bombs, then proves the bytes decode.
// Also makes the placeholder (blurhash + dominant colour) from a tiny thumbnail.
//
// Pixel budget (the one rule, shared with whoever renders animations):
//   - one frame may hold at most `maxPixels` pixels (width × height of a page);
//   - all frames together at most `maxPixels × maxFrames` pixels, i.e. `maxFrames` counts *full-size* frames:
//     a 500-frame 100×100 GIF passes where a 20-frame 8000×8000 one does not.
// Both are checked from the header alone; the validating decode then runs with sharp's `limitInputPixels`
// set to the same numbers and `failOn: 'error'`, so a lying header cannot make libvips allocate more.
import { encode } from 'blurhash';
import sharp from 'sharp';
import type { Metadata, SharpOptions } from 'sharp';
import { readPhotoInfo, type PhotoInfo } from './exif-info.js';
import { MediaError, toMediaError } from './media-error.js';

export interface PixelLimits {
  /** Most pixels one frame (page) may have. */
  maxPixels: number;
  /** How many full-size frames the budget of an animation allows (see animationPixelBudget). */
  maxFrames: number;
  /** Longest side allowed: decoding memory grows with width, whatever the pixel count. */
  maxSide?: number;
}

export type ProbedFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'avif' | 'heic' | 'heif' | 'svg';

export interface ImageProbe {
  /** Display width: after EXIF orientation (5–8 swap width and height). */
  width: number;
  /** Display height of one frame, after EXIF orientation. */
  height: number;
  format: ProbedFormat;
  /** Number of frames/pages; 1 for still images. */
  pages: number;
  hasAlpha: boolean;
  /** EXIF orientation 1–8 when the file carries one. */
  orientation?: number;
  /** The file carries EXIF, XMP or IPTC metadata (or an orientation) that renditions strip. */
  hasMetadata: boolean;
  /** For still images: the placeholder, made by the same decode that verified the file. */
  placeholder?: Placeholder;
  /** Only when asked for (`{ photoInfo: true }`): camera, exposure, date and GPS from the EXIF the header read gave. */
  photoInfo?: PhotoInfo | null;
}

export interface Placeholder {
  blurhash: string;
  /** '#rrggbb' */
  dominantColor: string;
}

/** Pixels all frames of one animation may hold together; use as `limitInputPixels` with `pages: -1`. */
export function animationPixelBudget(limits: PixelLimits): number {
  return limits.maxPixels * Math.max(1, limits.maxFrames);
}

const FORMATS: Partial<Record<string, ProbedFormat>> = { jpeg: 'jpeg', png: 'png', gif: 'gif', webp: 'webp', svg: 'svg' };

function formatOf(meta: Metadata): ProbedFormat | undefined {
  if (meta.format !== 'heif') return FORMATS[meta.format];
  if (meta.compression === 'av1') return 'avif';
  if (meta.compression === 'hevc') return 'heic';
  return 'heif';
}

/**
 * Dimensions, format, frame count and alpha of `input` (bytes or a file path), enforcing `limits` before any
 * pixel is decoded, then checking that the image decodes in full.
 * Throws MediaError: 'too_many_pixels' over the budget, 'unsupported' for formats outside ProbedFormat,
 * 'corrupt' for truncated or malformed data.
 * HEVC-coded HEIC cannot be decoded by sharp's libvips: it is probed from its header only (convert it
 * with heicToJpeg, which decodes it, before anything else).
 */
export async function probeImage(input: Buffer | string, limits: PixelLimits, opts: { photoInfo?: boolean } = {}): Promise<ImageProbe> {
  let meta: Metadata;
  try {
    // header only: no pixel is decoded here, so the limit is ours to check, not libvips'
    meta = await sharp(input, { limitInputPixels: false, failOn: 'error' }).metadata();
  } catch (err) {
    throw toMediaError(err);
  }
  const format = formatOf(meta);
  if (!format) throw new MediaError('unsupported', `unsupported image format: ${meta.format}`);
  const storedWidth = meta.width;
  const frameHeight = meta.pageHeight ?? meta.height;
  if (!(storedWidth > 0 && frameHeight > 0)) throw new MediaError('corrupt', 'image has no dimensions');
  const pages = Math.max(1, meta.pages ?? 1);
  if (limits.maxSide !== undefined && (storedWidth > limits.maxSide || frameHeight > limits.maxSide)) {
    throw new MediaError('too_many_pixels', `${storedWidth}×${frameHeight} has a side longer than ${limits.maxSide} pixels`);
  }
  const framePixels = storedWidth * frameHeight;
  if (framePixels > limits.maxPixels) {
    throw new MediaError('too_many_pixels', `${storedWidth}×${frameHeight} is over the limit of ${limits.maxPixels} pixels`);
  }
  if (framePixels * pages > animationPixelBudget(limits)) {
    throw new MediaError(
      'too_many_pixels',
      `${pages} frames of ${storedWidth}×${frameHeight} are over the budget of ${animationPixelBudget(limits)} pixels`,
    );
  }

  // One decode per still image: the thumbnail that proves the file decodes is also the placeholder's source.
  let placeholder: Placeholder | undefined;
  if (format !== 'heic') {
    if (pages === 1) placeholder = await thumbnailPlaceholder(input, limits.maxPixels);
    else await verifyDecodes(input, pages, limits);
  }

  const swap = meta.orientation !== undefined && meta.orientation >= 5 && meta.orientation <= 8;
  return {
    width: swap ? frameHeight : storedWidth,
    height: swap ? storedWidth : frameHeight,
    format,
    pages,
    hasAlpha: meta.hasAlpha,
    hasMetadata: Boolean(meta.exif || meta.xmp || meta.iptc) || (meta.orientation !== undefined && meta.orientation !== 1),
    ...(meta.orientation !== undefined ? { orientation: meta.orientation } : {}),
    ...(placeholder ? { placeholder } : {}),
    ...(opts.photoInfo ? { photoInfo: readPhotoInfo(meta.exif) } : {}),
  };
}

/** Decodes every frame (shrunk on load where the codec allows) so truncated or broken data fails here. */
async function verifyDecodes(input: Buffer | string, pages: number, limits: PixelLimits): Promise<void> {
  const options: SharpOptions = {
    failOn: 'error',
    sequentialRead: true,
    pages: pages > 1 ? -1 : 1,
    limitInputPixels: pages > 1 ? animationPixelBudget(limits) : limits.maxPixels,
  };
  try {
    await sharp(input, options).resize(16, 16, { fit: 'inside' }).raw().toBuffer();
  } catch (err) {
    throw toMediaError(err);
  }
}

/**
 * Blurhash (4×3 components) and dominant colour of the first frame, from a ≤ 32 px thumbnail of the
 * auto-oriented image. Transparent areas count as white for the blurhash and are ignored for the colour.
 */
export function computePlaceholder(input: Buffer | string, limits: Pick<PixelLimits, 'maxPixels'>): Promise<Placeholder> {
  return thumbnailPlaceholder(input, limits.maxPixels);
}

async function thumbnailPlaceholder(input: Buffer | string, maxPixels: number): Promise<Placeholder> {
  let data: Buffer;
  let width: number;
  let height: number;
  try {
    const result = await sharp(input, { limitInputPixels: maxPixels, failOn: 'error', sequentialRead: true })
      .autoOrient()
      .resize(32, 32, { fit: 'inside' })
      .toColourspace('srgb')
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    ({ data } = result);
    ({ width, height } = result.info);
  } catch (err) {
    throw toMediaError(err);
  }
  const onWhite = new Uint8ClampedArray(data.length);
  for (let i = 0; i < data.length; i += 4) {
    const alpha = data[i + 3]! / 255;
    for (let c = 0; c < 3; c++) onWhite[i + c] = Math.round(data[i + c]! * alpha + 255 * (1 - alpha));
    onWhite[i + 3] = 255;
  }
  return { blurhash: encode(onWhite, width, height, 4, 3), dominantColor: dominantColour(data) };
}

/** The mean colour of the most populated 4-bit-per-channel bucket, weighting each pixel by its alpha. */
function dominantColour(rgba: Buffer): string {
  const weight = new Float64Array(4096);
  const sums = new Float64Array(4096 * 3);
  for (let i = 0; i < rgba.length; i += 4) {
    const [r, g, b, a] = [rgba[i]!, rgba[i + 1]!, rgba[i + 2]!, rgba[i + 3]!];
    if (a === 0) continue;
    const bucket = ((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4);
    weight[bucket]! += a;
    sums[bucket * 3]! += r * a;
    sums[bucket * 3 + 1]! += g * a;
    sums[bucket * 3 + 2]! += b * a;
  }
  let best = -1;
  for (let bucket = 0; bucket < weight.length; bucket++) if (weight[bucket]! > (best < 0 ? 0 : weight[best]!)) best = bucket;
  if (best < 0) return '#ffffff'; // fully transparent
  const hex = (sum: number): string => Math.round(sum / weight[best]!).toString(16).padStart(2, '0');
  return `#${hex(sums[best * 3]!)}${hex(sums[best * 3 + 1]!)}${hex(sums[best * 3 + 2]!)}`;
}
