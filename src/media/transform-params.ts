// The one declarative allow-list of transform parameters (CONTRACT §6, SPEC §7.8). Parsing canonicalises:
// order, defaults and spellings never change the cache key, so a URL cannot mint unbounded variants.

export const FITS = ['cover', 'contain', 'fill', 'inside', 'outside'] as const;
export const FORMATS = ['webp', 'jpeg', 'png', 'avif'] as const;
export type Fit = (typeof FITS)[number];
export type OutputFormat = (typeof FORMATS)[number];

export type TransformParams = {
  w?: number;
  h?: number;
  fit: Fit;
  /** Requested format; 'auto' (or absent) is resolved from Accept by negotiateFormat. */
  fmt: OutputFormat | 'auto';
  q: number;
  /** Watermark template id. */
  wm?: string;
  preview: boolean;
};

export class ParamError extends Error {
  constructor(readonly param: string, message: string) {
    super(message);
    this.name = 'ParamError';
  }
}

const DEFAULTS = { fit: 'inside' as Fit, q: 85 };
const MAX_SIDE = 4096;
/** Query keys that are not transforms but travel with media URLs. */
export const NON_TRANSFORM_KEYS = new Set(['exp', 'sig', 'original']);

const ALIASES: Record<string, string> = { width: 'w', height: 'h', format: 'fmt', quality: 'q' };
const FORMAT_ALIASES: Record<string, OutputFormat | 'auto'> = { jpg: 'jpeg', jpeg: 'jpeg', webp: 'webp', png: 'png', avif: 'avif', auto: 'auto' };

function int(param: string, raw: string, min: number, max: number): number {
  if (!/^\d{1,5}$/.test(raw)) throw new ParamError(param, `${param} must be a whole number from ${min} to ${max}`);
  const n = Number(raw);
  if (n < min || n > max) throw new ParamError(param, `${param} must be from ${min} to ${max}`);
  return n;
}

/** True when the query asks for a transform at all. */
export function hasTransform(query: Record<string, unknown>): boolean {
  return Object.keys(query).some((k) => !NON_TRANSFORM_KEYS.has(k));
}

/** Parses the query's transform parameters; throws ParamError for anything outside the allow-list. */
export function parseTransform(query: Record<string, string | string[] | undefined>): TransformParams {
  const out: TransformParams = { fit: DEFAULTS.fit, fmt: 'auto', q: DEFAULTS.q, preview: false };
  const seen = new Set<string>();
  for (const [rawKey, rawValue] of Object.entries(query)) {
    if (NON_TRANSFORM_KEYS.has(rawKey)) continue;
    const key = ALIASES[rawKey] ?? rawKey;
    if (seen.has(key) || Array.isArray(rawValue)) throw new ParamError(key, `${key} may be given once`);
    seen.add(key);
    const value = String(rawValue ?? '').trim().toLowerCase();
    switch (key) {
      case 'w':
        out.w = int('w', value, 1, MAX_SIDE);
        break;
      case 'h':
        out.h = int('h', value, 1, MAX_SIDE);
        break;
      case 'fit':
        if (!(FITS as readonly string[]).includes(value)) throw new ParamError('fit', `fit must be one of ${FITS.join(', ')}`);
        out.fit = value as Fit;
        break;
      case 'fmt': {
        const f = FORMAT_ALIASES[value];
        if (!f) throw new ParamError('fmt', `fmt must be one of ${FORMATS.join(', ')} or auto`);
        out.fmt = f;
        break;
      }
      case 'q':
        out.q = int('q', value, 1, 100);
        break;
      case 'wm':
        if (!/^[A-Za-z0-9_-]{21}$/.test(String(rawValue))) throw new ParamError('wm', 'wm must be a watermark template id');
        out.wm = String(rawValue);
        break;
      case 'preview':
        if (value !== '1' && value !== 'true') throw new ParamError('preview', 'preview must be 1');
        out.preview = true;
        break;
      default:
        throw new ParamError(rawKey.slice(0, 40), `Unsupported image parameter "${rawKey.slice(0, 40)}": use w, h, fit, fmt, q, wm or preview`);
    }
  }
  return out;
}

/** The canonical text of a resolved parameter set (format already negotiated); the cache and signature key. */
export function canonicalParams(p: TransformParams, format: OutputFormat | 'original'): string {
  const parts = [`fit=${p.fit}`, `fmt=${format}`, `q=${p.q}`];
  if (p.w !== undefined) parts.push(`w=${p.w}`);
  if (p.h !== undefined) parts.push(`h=${p.h}`);
  if (p.wm !== undefined) parts.push(`wm=${p.wm}`);
  return parts.sort().join('&');
}

/** The signature covers the parameters as the client wrote them, canonicalised but before negotiation. */
export function signedParams(p: TransformParams): string {
  const parts = [`fit=${p.fit}`, `fmt=${p.fmt}`, `q=${p.q}`];
  if (p.w !== undefined) parts.push(`w=${p.w}`);
  if (p.h !== undefined) parts.push(`h=${p.h}`);
  if (p.wm !== undefined) parts.push(`wm=${p.wm}`);
  if (p.preview) parts.push('preview=1');
  return parts.sort().join('&');
}

/** No fmt (or auto): AVIF if the client takes it (not for animations), else WebP, else the original format. */
export function negotiateFormat(requested: TransformParams['fmt'], accept: string | undefined, source: { animated?: boolean } = {}): OutputFormat | 'original' {
  if (requested !== 'auto') return requested;
  const a = (accept ?? '').toLowerCase();
  const takes = (mime: string) => a.split(',').some((part) => {
    const [type, ...params] = part.trim().split(';');
    return type === mime && !params.some((x) => /^\s*q=0(\.0*)?\s*$/.test(x));
  });
  // AVIF output is a still here: an animation goes to WebP (animated) or stays in its own format.
  if (takes('image/avif') && !source.animated) return 'avif';
  if (takes('image/webp')) return 'webp';
  return 'original';
}
