// Who may use watermark templates (the plan gate), whose a template is, and what a valid template holds.
import { AppError, planRequired, validationError } from '../../errors/app-error.js';
import type { PlanRow, WatermarkTemplateRow } from '../../db/schema.js';
import type { Principal } from '../../auth/principal.js';
import { FONT_SIZE_MAX, FONT_SIZE_MIN, WATERMARK_POSITIONS, WATERMARK_TEXT_MAX, type WatermarkPosition } from '../../media/watermark.js';

export const WATERMARK_PLAN = 'pro_plus';
export const DEFAULTS = { position: 'bottom-right' as WatermarkPosition, opacity: 0.5, fontSize: 24 };

/** PLAN_REQUIRED (meta.requiredPlan: pro_plus) unless the plan has watermarks enabled. */
export function requireWatermarkPlan(plan: PlanRow | undefined): void {
  if (!plan || plan.watermarksEnabled !== 1) throw planRequired(WATERMARK_PLAN, 'Watermark templates');
}

/** The template if the caller owns it; FORBIDDEN when it is someone else's; NOT_FOUND when it does not exist. */
export function requireOwnTemplate<T extends WatermarkTemplateRow>(row: T | undefined, p: Principal): T {
  if (!row) throw new AppError('NOT_FOUND', 'Watermark template not found');
  if (row.userId !== p.userId) throw new AppError('FORBIDDEN', 'This watermark template belongs to another account');
  return row;
}

// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

export function cleanName(name: string): string {
  const n = name.normalize('NFC').trim();
  if (n.length === 0) throw validationError('name', 'must not be empty');
  if ([...n].length > 100) throw validationError('name', 'must be at most 100 characters');
  if (CONTROL.test(n)) throw validationError('name', 'must not contain control characters');
  return n;
}

export function cleanText(text: string): string {
  const t = text.normalize('NFC').trim();
  if (t.length === 0) throw validationError('text', 'must not be empty');
  if ([...t].length > WATERMARK_TEXT_MAX) throw validationError('text', `must be at most ${WATERMARK_TEXT_MAX} characters`);
  if (CONTROL.test(t)) throw validationError('text', 'must not contain control characters');
  return t;
}

export function checkPosition(position: string): WatermarkPosition {
  if (!(WATERMARK_POSITIONS as readonly string[]).includes(position)) throw validationError('position', `must be one of ${WATERMARK_POSITIONS.join(', ')}`);
  return position as WatermarkPosition;
}

export function checkOpacity(opacity: number): number {
  if (!Number.isFinite(opacity) || opacity < 0 || opacity > 1) throw validationError('opacity', 'must be a number from 0 to 1');
  return opacity;
}

export function checkFontSize(size: number): number {
  if (!Number.isInteger(size) || size < FONT_SIZE_MIN || size > FONT_SIZE_MAX) throw validationError('fontSize', `must be a whole number from ${FONT_SIZE_MIN} to ${FONT_SIZE_MAX}`);
  return size;
}

const IMAGE_FILE = /^([A-Za-z0-9_-]{11})\.[A-Za-z0-9]{1,5}$/;

/** The image id an `imageUrl` names: a media URL of the library (`…/{id}.{ext}`) or the bare 11-char id. */
export function imageIdOf(imageUrl: string): string {
  const raw = imageUrl.trim();
  if (/^[A-Za-z0-9_-]{11}$/.test(raw)) return raw;
  let last: string | undefined;
  try {
    const u = new URL(raw);
    if (u.protocol === 'http:' || u.protocol === 'https:') last = u.pathname.split('/').pop();
  } catch {
    // not a URL
  }
  const m = last ? IMAGE_FILE.exec(last) : null;
  if (!m) throw validationError('imageUrl', 'must be the URL of an image in your library');
  return m[1]!;
}

/**
 * The newest `updatedAt` an If-Unmodified-Since value still accepts, or undefined when the header is absent or
 * not a date (RFC 9110 §13.1.4: an invalid value is ignored). ISO 8601 with milliseconds compares to the
 * millisecond; HTTP-dates and ISO without fractions have one-second precision and cover the whole second.
 */
export function preconditionLimit(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/i.exec(value);
  const httpDate = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value);
  if (!iso && !httpDate) return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) return undefined;
  return iso?.[1] ? ms : ms + 999;
}
