// Watermark overlays (SPEC §15): builds the PNG that renderImage composites for a given output size. Text
// marks are an escaped SVG <text> rasterised by sharp; image marks are the template's image scaled to at most
// a quarter of the output width. Pure: bytes in, bytes out.
import sharp from 'sharp';
import { toMediaError } from './media-error.js';
import { boxWithoutUpscaling, type RenderSpec } from './render.js';
import type { Fit, OutputFormat } from './transform-params.js';

export const WATERMARK_POSITIONS = ['top-left', 'top-right', 'bottom-left', 'bottom-right', 'center'] as const;
export type WatermarkPosition = (typeof WATERMARK_POSITIONS)[number];

export const WATERMARK_TEXT_MAX = 100;
export const FONT_SIZE_MIN = 8;
export const FONT_SIZE_MAX = 200;
/** An image mark is never wider than this share of the output width (and never enlarged). */
export const IMAGE_MARK_SHARE = 0.25;

export type WatermarkSpec =
  | { kind: 'text'; text: string; fontSize: number; opacity: number; position: WatermarkPosition }
  | { kind: 'image'; image: Buffer; opacity: number; position: WatermarkPosition };

export type Size = { width: number; height: number };
export type Overlay = NonNullable<RenderSpec['overlay']>;

const GRAVITY: Record<WatermarkPosition, string> = {
  'top-left': 'northwest',
  'top-right': 'northeast',
  'bottom-left': 'southwest',
  'bottom-right': 'southeast',
  center: 'centre',
};

/** C's rint(): to the nearest integer, halves to even. */
const rint = (x: number): number => {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

/**
 * The size renderImage produces for a source of `source` display size (one frame; `animated` when it keeps
 * every frame): its box (boxWithoutUpscaling), then sharp's resize rules — shrink factors per side, never below
 * 1 unless the box is a forced fill; cover crops to the box and contain pads to it.
 */
export function outputSizeOf(source: Size, resize: { w?: number | undefined; h?: number | undefined; fit: Fit }, animated = false): Size {
  const { width: W, height: H } = source;
  if (resize.w === undefined && resize.h === undefined) return { width: W, height: H };
  const { w, h, fit } = boxWithoutUpscaling(resize, W, H);
  let hs = 1;
  let vs = 1;
  if (w !== undefined && h !== undefined) {
    hs = W / w;
    vs = H / h;
    if (fit === 'cover' || fit === 'outside') hs = vs = Math.min(hs, vs);
    else if (fit === 'contain' || fit === 'inside') hs = vs = Math.max(hs, vs);
  } else if (w !== undefined) {
    hs = vs = W / w;
  } else if (h !== undefined) {
    hs = vs = H / h;
  }
  if (fit !== 'fill') {
    hs = Math.max(1, hs);
    vs = Math.max(1, vs);
  }
  const rw = Math.max(1, Math.round(W / Math.min(hs, W)));
  // Animations resize as a strip of whole frames: sharp rounds the frame height with rint().
  const rh = Math.max(1, (animated ? rint : Math.round)(H / Math.min(vs, H)));
  if (fit === 'cover') return { width: Math.min(rw, w ?? rw), height: Math.min(rh, h ?? rh) };
  if (fit === 'contain') return { width: Math.max(rw, w ?? rw), height: Math.max(rh, h ?? rh) };
  return { width: rw, height: rh };
}

/** Whether renderImage keeps every frame for this source and output format (its ANIMATED_OUTPUTS rule). */
export function isAnimatedOutput(frames: number, format: OutputFormat | 'original', sourceMime: string): boolean {
  if (frames <= 1) return false;
  if (format === 'original') return sourceMime === 'image/gif' || sourceMime === 'image/webp';
  return format === 'webp';
}

// eslint-disable-next-line no-control-regex -- characters XML 1.0 cannot carry
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** One line of at most 100 characters, without the characters XML cannot carry. */
const cleanLine = (text: string): string => [...text.replace(XML_INVALID, '').replace(/[\t\n\r]+/g, ' ')].slice(0, WATERMARK_TEXT_MAX).join('');

const escapeXml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Text safe to put inside an SVG element: invalid characters dropped, markup escaped, at most 100 characters. */
export const escapeSvgText = (text: string): string => escapeXml(cleanLine(text));

/** Rough advance of the text in ems: wide scripts count one em, the rest about 0.62. */
function emWidth(text: string): number {
  let em = 0;
  for (const ch of text) em += ch.codePointAt(0)! >= 0x2e80 ? 1 : 0.62;
  return Math.max(em, 0.62);
}

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));
const marginOf = (frame: Size) => Math.max(2, Math.round(Math.min(frame.width, frame.height) * 0.02));
/**
 * The room a mark may take on a side of `n` pixels. outputSizeOf is exact for PNG, WebP and animations; JPEG
 * shrink-on-load can round a derived side a few pixels lower, so a single-frame mark keeps clear of the edge.
 */
const room = (n: number) => n - 2 - Math.ceil(n * 0.02);

async function textMark(spec: Extract<WatermarkSpec, { kind: 'text' }>, frame: Size): Promise<Buffer | undefined> {
  const text = cleanLine(spec.text).trim();
  if (text === '') return undefined;
  const margin = marginOf(frame);
  const roomW = room(frame.width) - 2 * margin;
  const roomH = room(frame.height) - 2 * margin;
  const em = emWidth(text);
  const size = Math.floor(Math.min(clamp(spec.fontSize, FONT_SIZE_MIN, FONT_SIZE_MAX), roomW / em, roomH / 1.3));
  if (size < 4) return undefined;
  const boxW = Math.min(room(frame.width), Math.ceil(em * size) + 2 * margin);
  const boxH = Math.min(room(frame.height), Math.ceil(size * 1.3) + 2 * margin);
  const side = spec.position.endsWith('left') ? 'left' : spec.position.endsWith('right') ? 'right' : 'center';
  const x = side === 'left' ? margin : side === 'right' ? boxW - margin : boxW / 2;
  const anchor = side === 'left' ? 'start' : side === 'right' ? 'end' : 'middle';
  const stroke = Math.max(1, Math.round(size / 16));
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${boxW}" height="${boxH}">` +
    `<g opacity="${clamp(spec.opacity, 0, 1)}"><text x="${x}" y="${(boxH / 2 + size * 0.35).toFixed(1)}" font-family="DejaVu Sans, Arial, sans-serif" ` +
    `font-size="${size}" fill="#ffffff" stroke="#000000" stroke-opacity="0.6" stroke-width="${stroke}" paint-order="stroke" ` +
    `text-anchor="${anchor}">${escapeXml(text)}</text></g></svg>`;
  return sharp(Buffer.from(svg), { density: 72 }).png().toBuffer();
}

async function imageMark(spec: Extract<WatermarkSpec, { kind: 'image' }>, frame: Size, maxPixels: number): Promise<Buffer | undefined> {
  const margin = marginOf(frame);
  const maxW = Math.floor(frame.width * IMAGE_MARK_SHARE);
  const maxH = room(frame.height) - 2 * margin;
  if (maxW < 1 || maxH < 1 || maxW + 2 * margin > room(frame.width)) return undefined;
  const meta = await sharp(spec.image, { limitInputPixels: false }).metadata();
  const { data, info } = await sharp(spec.image, { limitInputPixels: maxPixels, failOn: 'error', ...(meta.format === 'svg' ? { density: 72 } : {}) })
    .autoOrient()
    .resize({ width: maxW, height: maxH, fit: 'inside', withoutEnlargement: true })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const opacity = clamp(spec.opacity, 0, 1);
  for (let i = info.channels - 1; i < data.length; i += info.channels) data[i] = Math.round(data[i]! * opacity);
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .extend({ top: margin, bottom: margin, left: margin, right: margin, background: { r: 0, g: 0, b: 0, alpha: 0 } })
    .png()
    .toBuffer();
}

/**
 * The overlay for an output whose frames are `frame` large: the mark with a transparent margin and the gravity
 * of its position. For an animated output (`frames` > 1, composited over the whole strip of frames) the overlay
 * is the full strip with the mark repeated in every frame. Undefined when the output is too small to carry a mark.
 */
export async function buildWatermarkOverlay(
  spec: WatermarkSpec,
  frame: Size,
  options: { frames?: number; maxPixels?: number } = {},
): Promise<Overlay | undefined> {
  try {
    const mark = spec.kind === 'text' ? await textMark(spec, frame) : await imageMark(spec, frame, options.maxPixels ?? 100_000_000);
    if (!mark) return undefined;
    const frames = options.frames ?? 1;
    if (frames <= 1) return { input: mark, gravity: GRAVITY[spec.position] };
    const transparent = { r: 0, g: 0, b: 0, alpha: 0 };
    const tile = await sharp({ create: { width: frame.width, height: frame.height, channels: 4, background: transparent } })
      .composite([{ input: mark, gravity: GRAVITY[spec.position] }])
      .png()
      .toBuffer();
    const strip = await sharp({ create: { width: frame.width, height: frame.height * frames, channels: 4, background: transparent } })
      .composite([{ input: tile, tile: true, gravity: 'northwest' }])
      .png({ compressionLevel: 9 })
      .toBuffer();
    return { input: strip, gravity: 'northwest' };
  } catch (err) {
    throw toMediaError(err);
  }
}
