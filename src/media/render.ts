// The rendering pipeline (sharp): auto-orient, resize without upscaling (unless w+h force fill), encode,
// strip metadata (EXIF, GPS, XMP) while keeping colour as sRGB. Animations stay animated when the output
// format can carry them. Limits are checked from the header before anything decodes.
import sharp, { type Sharp, type SharpOptions } from 'sharp';
import { MediaError, toMediaError } from './media-error.js';
import type { Fit, OutputFormat } from './transform-params.js';

/** Bump when the output of the same parameters changes: it is part of every cache key and ETag. */
export const PIPELINE_VERSION = 1;

export type RenderSpec = {
  w?: number | undefined;
  h?: number | undefined;
  fit: Fit;
  /** 'original' re-encodes in the source format (SVG becomes PNG). */
  format: OutputFormat | 'original';
  q: number;
  overlay?: { input: Buffer; gravity: string } | undefined;
};

export type RenderLimits = { maxPixels: number; maxFrames: number; maxOutputSide: number };

export type Rendered = { data: Buffer; mimeType: string; ext: string; width: number; height: number };

const MIME: Record<OutputFormat | 'gif', string> = { webp: 'image/webp', jpeg: 'image/jpeg', png: 'image/png', avif: 'image/avif', gif: 'image/gif' };
const EXT: Record<OutputFormat | 'gif', string> = { webp: 'webp', jpeg: 'jpg', png: 'png', avif: 'avif', gif: 'gif' };
const ANIMATED_OUTPUTS = new Set(['webp', 'gif']);

/** Sets libvips' worker threads on purpose (sharp picks 1 on glibc without jemalloc). */
export function configureRenderer(opts: { threads: number; cacheMemoryMb?: number }): void {
  sharp.concurrency(opts.threads);
  sharp.cache({ memory: opts.cacheMemoryMb ?? 64, files: 0, items: 100 });
}

function outputFormatOf(format: RenderSpec['format'], source: string | undefined): OutputFormat | 'gif' {
  if (format !== 'original') return format;
  switch (source) {
    case 'jpeg':
    case 'png':
    case 'webp':
    case 'gif':
      return source;
    case 'heif':
      return 'avif';
    default:
      return 'png'; // svg and anything else rasterise to PNG
  }
}

function encode(img: Sharp, format: OutputFormat | 'gif', q: number): Sharp {
  switch (format) {
    case 'jpeg':
      return img.jpeg({ quality: q, mozjpeg: false, progressive: false });
    case 'webp':
      return img.webp({ quality: q, effort: 2 });
    case 'avif':
      return img.avif({ quality: Math.max(1, Math.round(q * 0.75)), effort: 1 });
    case 'png':
      return img.png({ compressionLevel: 6, adaptiveFiltering: false, palette: false });
    case 'gif':
      return img.gif({ effort: 3 });
  }
}

/**
 * The resize box, never upscaling the original unless both sides force `fill`. A `fill` with one side keeps
 * the aspect ratio (it means `inside`); a `cover` box larger than the image shrinks, keeping its aspect ratio,
 * to the largest box the image covers at scale 1; a `contain` box is clamped to the image's sides.
 */
export function boxWithoutUpscaling(spec: Pick<RenderSpec, 'w' | 'h' | 'fit'>, ow: number, oh: number): { w?: number; h?: number; fit: Fit } {
  const { w, h } = spec;
  if (w === undefined || h === undefined) return { w, h, fit: spec.fit === 'fill' ? 'inside' : spec.fit };
  if (spec.fit === 'fill' || spec.fit === 'inside' || spec.fit === 'outside') return { w, h, fit: spec.fit };
  if (spec.fit === 'contain') return { w: Math.min(w, ow), h: Math.min(h, oh), fit: 'contain' };
  const factor = Math.min(1, ow / w, oh / h);
  return { w: Math.max(1, Math.round(w * factor)), h: Math.max(1, Math.round(h * factor)), fit: 'cover' };
}

/**
 * The density at which an SVG is rasterised: just enough for the requested box (a couple of pixels over, so
 * rounding never leaves the output a pixel short), never past the drawing's own size at 72 dpi, and never past
 * `maxSide` on its longest side. librsvg's cost (filters above all) grows with the raster, so the raster is
 * bounded before anything is drawn instead of drawn large and shrunk.
 */
export function svgDensity(spec: Pick<RenderSpec, 'w' | 'h'>, width: number, height: number, maxSide: number): number {
  if (!(width > 0 && height > 0)) return 72;
  const wanted = spec.w === undefined && spec.h === undefined ? 1 : Math.max(spec.w === undefined ? 0 : (spec.w + 2) / width, spec.h === undefined ? 0 : (spec.h + 2) / height);
  const scale = Math.min(1, wanted, maxSide / Math.max(width, height));
  return Math.max(1, 72 * scale);
}

export async function renderImage(input: Buffer | string, spec: RenderSpec, limits: RenderLimits): Promise<Rendered> {
  let meta: sharp.Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw toMediaError(err);
  }
  const frameH = meta.pageHeight ?? meta.height ?? 0;
  const width = meta.width ?? 0;
  const pages = Math.max(1, meta.pages ?? 1);
  if (width * frameH > limits.maxPixels || width * frameH * pages > limits.maxPixels * limits.maxFrames) {
    throw new MediaError('too_many_pixels', 'the source image is over the pixel budget for rendering');
  }
  if ((spec.w ?? 0) > limits.maxOutputSide || (spec.h ?? 0) > limits.maxOutputSide) {
    throw new MediaError('too_many_pixels', `output sides are limited to ${limits.maxOutputSide} px`);
  }
  const format = outputFormatOf(spec.format, meta.format);
  const animated = pages > 1 && ANIMATED_OUTPUTS.has(format);
  const options: SharpOptions = {
    failOn: 'error',
    limitInputPixels: animated ? limits.maxPixels * limits.maxFrames : limits.maxPixels,
    sequentialRead: true,
    ...(animated ? { pages: -1 } : {}),
    ...(meta.format === 'svg' ? { density: svgDensity(spec, width, frameH, limits.maxOutputSide) } : {}),
  };
  try {
    let img = sharp(input, options).autoOrient();
    if (spec.w !== undefined || spec.h !== undefined) {
      const swap = (meta.orientation ?? 1) >= 5;
      const box = boxWithoutUpscaling(spec, swap ? frameH : width, swap ? width : frameH);
      img = img.resize({ width: box.w, height: box.h, fit: box.fit, withoutEnlargement: box.fit !== 'fill', fastShrinkOnLoad: true });
    }
    if (spec.overlay) img = img.composite([{ input: spec.overlay.input, gravity: spec.overlay.gravity }]);
    // sharp converts to sRGB on output anyway; a colour-managed conversion to an embedded sRGB profile is
    // only worth its cost (a pow() per channel per pixel) when the source carries a profile of its own.
    if (meta.icc) img = img.withIccProfile('srgb');
    const { data, info } = await encode(img, format, spec.q).toBuffer({ resolveWithObject: true });
    return { data, mimeType: MIME[format], ext: EXT[format], width: info.width, height: animated ? (info.pageHeight ?? info.height) : info.height };
  } catch (err) {
    throw toMediaError(err);
  }
}
