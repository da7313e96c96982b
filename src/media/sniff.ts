// Decides what an upload is from its first bytes only: never from its name or its declared Content-Type.
// Raster formats by magic bytes (file-type, refined for ISO-BMFF brands); SVG by a strict text sniff.
import { fileTypeFromBuffer } from 'file-type';

export const ACCEPTED_IMAGE_TYPES = [
  { mime: 'image/jpeg', ext: 'jpg' },
  { mime: 'image/png', ext: 'png' },
  { mime: 'image/gif', ext: 'gif' },
  { mime: 'image/webp', ext: 'webp' },
  { mime: 'image/avif', ext: 'avif' },
  { mime: 'image/heic', ext: 'heic' },
  { mime: 'image/heif', ext: 'heif' },
  { mime: 'image/svg+xml', ext: 'svg' },
] as const;

export type SniffedType = (typeof ACCEPTED_IMAGE_TYPES)[number];
export type ImageMime = SniffedType['mime'];
export type ImageExt = SniffedType['ext'];

/** How many leading bytes sniffImageType looks at; callers may pass more, the rest is ignored. */
export const SNIFF_BYTES = 4100;

const byMime = new Map<string, SniffedType>(ACCEPTED_IMAGE_TYPES.map((t) => [t.mime, t]));
const typeOf = (mime: ImageMime): SniffedType => byMime.get(mime)!;

const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEVC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);
const HEIF_BRANDS = new Set(['mif1', 'mif2', 'msf1', 'heif']);

/**
 * The accepted type of `head` (the first bytes of a file), or undefined for anything else
 * (PDF, ZIP, video, HTML, plain text, and polyglots that begin as one of those).
 */
export async function sniffImageType(head: Uint8Array): Promise<SniffedType | undefined> {
  const bytes = head.subarray(0, SNIFF_BYTES);
  if (bytes.length === 0) return undefined;
  let detected: { mime: string } | undefined;
  try {
    detected = await fileTypeFromBuffer(bytes);
  } catch {
    detected = undefined;
  }
  switch (detected?.mime) {
    case undefined:
    case 'application/xml':
      return isSvgText(bytes) ? typeOf('image/svg+xml') : undefined;
    case 'image/jpeg':
      return typeOf('image/jpeg');
    case 'image/png':
    case 'image/apng':
      return typeOf('image/png');
    case 'image/gif':
      return typeOf('image/gif');
    case 'image/webp':
      return typeOf('image/webp');
    case 'image/avif':
    case 'image/heic':
    case 'image/heic-sequence':
    case 'image/heif':
    case 'image/heif-sequence':
      return sniffIsoBmffImage(bytes);
    default:
      return undefined;
  }
}

/** AVIF, HEIC or plain HEIF from the `ftyp` box: the major brand, then the compatible brands. */
function sniffIsoBmffImage(bytes: Uint8Array): SniffedType | undefined {
  if (bytes.length < 16) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxSize = view.getUint32(0);
  if (latin1(bytes, 4, 8) !== 'ftyp' || boxSize < 16) return undefined;
  const major = latin1(bytes, 8, 12);
  const compatible: string[] = [];
  for (let at = 16; at + 4 <= Math.min(boxSize, bytes.length); at += 4) compatible.push(latin1(bytes, at, at + 4));

  if (AVIF_BRANDS.has(major)) return typeOf('image/avif');
  if (HEVC_BRANDS.has(major)) return typeOf('image/heic');
  if (!HEIF_BRANDS.has(major)) return undefined;
  if (compatible.some((b) => AVIF_BRANDS.has(b))) return typeOf('image/avif');
  if (compatible.some((b) => HEVC_BRANDS.has(b))) return typeOf('image/heic');
  return typeOf('image/heif');
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

function isSvgText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false; // binary, or UTF-16 (not accepted)
  const text = new TextDecoder('utf-8').decode(bytes);
  return findSvgRoot(text) !== undefined;
}

/**
 * Where the root `<svg` start tag begins in `text`, after an optional BOM, XML declaration, processing
 * instructions, comments and an `svg` doctype (with or without an internal subset); undefined when the
 * first element is anything else (`<html>`, `<!DOCTYPE html>`, text …) or the prolog does not end in `text`.
 */
export function findSvgRoot(text: string): number | undefined {
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (;;) {
    while (at < text.length && /\s/.test(text[at]!)) at++;
    if (text.startsWith('<?', at)) {
      const end = text.indexOf('?>', at + 2);
      if (end < 0) return undefined;
      at = end + 2;
    } else if (text.startsWith('<!--', at)) {
      const end = text.indexOf('-->', at + 4);
      if (end < 0) return undefined;
      at = end + 3;
    } else if (/^<!doctype\s/i.test(text.slice(at, at + 10))) {
      const end = skipDoctype(text, at);
      if (end === undefined) return undefined;
      at = end;
    } else {
      return /^<svg[\s/>]/.test(text.slice(at, at + 5)) ? at : undefined;
    }
  }
}

/** The index just past an `svg` doctype starting at `at`; undefined for any other doctype or if it does not end. */
function skipDoctype(text: string, at: number): number | undefined {
  const name = /^<!doctype\s+([^\s>[]+)/i.exec(text.slice(at, at + 64));
  if (!name || name[1]!.toLowerCase() !== 'svg') return undefined;
  const close = text.indexOf('>', at);
  const subset = text.indexOf('[', at);
  if (subset >= 0 && (close < 0 || subset < close)) {
    const subsetEnd = /\]\s*>/g;
    subsetEnd.lastIndex = subset;
    const match = subsetEnd.exec(text);
    return match ? match.index + match[0].length : undefined;
  }
  return close < 0 ? undefined : close + 1;
}
