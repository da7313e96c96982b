// Who may see and change an image: ownership, visibility, the hotlink allow-list (SPEC §7.7).
import { AppError, validationError } from '../../errors/app-error.js';
import type { ImageRow } from '../../db/schema.js';
import type { Principal } from '../../auth/principal.js';

/** The image if the caller owns it; FORBIDDEN when it is someone else's; NOT_FOUND when it does not exist. */
export function requireOwner(row: ImageRow | undefined, p: Principal): ImageRow {
  if (!row) throw new AppError('NOT_FOUND', 'Image not found');
  if (row.userId !== p.userId) throw new AppError('FORBIDDEN', "This image belongs to another account");
  return row;
}

/** Hosts that `self` stands for: this server's own hosts plus the Picora-owned domains. */
export const PICORA_OWNED = ['picora.me', 'picora.cn', 'web.moraya.app'];

const HOST_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Validates and normalises one allow-list pattern: `self`, `host.example.com`, `*.example.com`. */
export function normaliseRefererPattern(raw: string, index: number): string {
  const p = raw.trim().toLowerCase();
  const field = `allowedReferers[${index}]`;
  if (p === 'self') return p;
  const host = p.startsWith('*.') ? p.slice(2) : p;
  if (host.includes('*')) throw validationError(field, 'may use a wildcard only as a leading "*." (e.g. *.example.com)');
  const labels = host.split('.');
  if (host.length > 253 || labels.length < 2 || !labels.every((l) => HOST_LABEL.test(l))) {
    throw validationError(field, 'must be "self", a host name like blog.example.com, or *.example.com');
  }
  return p;
}

export function normaliseAllowedReferers(list: string[] | null): string[] | null {
  if (list === null) return null;
  if (list.length > 50) throw validationError('allowedReferers', 'may hold at most 50 patterns');
  return [...new Set(list.map(normaliseRefererPattern))];
}

function hostMatches(host: string, pattern: string, selfHosts: readonly string[]): boolean {
  if (pattern === 'self') {
    return selfHosts.includes(host) || PICORA_OWNED.some((d) => host === d || host.endsWith(`.${d}`));
  }
  if (pattern.startsWith('*.')) {
    const apex = pattern.slice(2);
    return host.endsWith(`.${apex}`);
  }
  return host === pattern;
}

/** Whether a request with this Referer may load an image with this allow-list (signed URLs bypass it). */
export function refererAllowed(allowList: string[] | null, referer: string | undefined, selfHosts: readonly string[]): boolean {
  if (allowList === null) return true;
  if (allowList.length === 0 || !referer) return false;
  let host: string;
  try {
    host = new URL(referer).hostname.toLowerCase();
  } catch {
    return false;
  }
  return allowList.some((p) => hostMatches(host, p, selfHosts));
}

export const parseReferers = (row: ImageRow): string[] | null => (row.allowedReferers === null ? null : (JSON.parse(row.allowedReferers) as string[]));
export const parseTags = (row: ImageRow): string[] => JSON.parse(row.tags) as string[];

/** Tags: at most 10, each 1–32 characters after trimming, duplicates folded. */
export function normaliseTags(tags: unknown, field = 'tags'): string[] {
  if (!Array.isArray(tags)) throw validationError(field, 'must be an array of strings');
  if (tags.length > 10) throw validationError(field, 'may hold at most 10 tags');
  const out: string[] = [];
  for (const t of tags) {
    if (typeof t !== 'string') throw validationError(field, 'must be an array of strings');
    const tag = t.normalize('NFC').trim();
    if (tag.length === 0 || [...tag].length > 32) throw validationError(field, 'must hold tags of 1 to 32 characters');
    // eslint-disable-next-line no-control-regex -- refusing control characters is the point
    if (/[\u0000-\u001f\u007f]/.test(tag)) throw validationError(field, 'must not contain control characters');
    if (!out.includes(tag)) out.push(tag);
  }
  return out;
}
