// The rules of an album's fields (CONTRACT §9, openapi /v1/collections): which collection types this server hosts,
// the resource types each allows by default, names, descriptions and slugs. Pure functions; 422s name the field.
import { validationError } from '../../errors/app-error.js';
import type { CollectionType, SyncType } from '../../db/schema.js';

/** The media collection types this server hosts; an omitted collectionType is a photo album. */
export const SUPPORTED_TYPES: readonly CollectionType[] = ['photo_album', 'album'];
/** Every collection type of the public API; the others are knowledge-base and episode types hosted elsewhere. */
export const KNOWN_TYPES = ['knowledge_base', 'aigc', 'comic', 'audio_drama', 'photo_album', 'album', 'comic_drama', 'movie', 'tv_series', 'custom'] as const;
export const RESOURCE_TYPES = ['image', 'video', 'audio', 'doc'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/**
 * What an album may hold when the creator does not say: a photo album holds photos and videos (what a phone's
 * camera roll has); an album holds any media this server hosts (music included). Extend-only afterwards.
 */
export const DEFAULT_RESOURCES: Record<CollectionType, ResourceType[]> = { photo_album: ['image', 'video'], album: ['image', 'video', 'audio'] };

export const NAME_MAX = 120;
export const DESCRIPTION_MAX = 2000;
export const SLUG_MAX = 80;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function checkType(value: string): CollectionType {
  if ((SUPPORTED_TYPES as readonly string[]).includes(value)) return value as CollectionType;
  if ((KNOWN_TYPES as readonly string[]).includes(value)) {
    throw validationError('collectionType', `${value} is not hosted on this server: use photo_album or album`);
  }
  throw validationError('collectionType', 'must be photo_album or album');
}

export function checkName(value: string | undefined): string {
  const name = (value ?? '').normalize('NFC').trim();
  if (name.length === 0) throw validationError('name', 'must not be empty');
  if ([...name].length > NAME_MAX) throw validationError('name', `must be at most ${NAME_MAX} characters`);
  return name;
}

export function checkDescription(value: string | null | undefined): string | null {
  const text = value?.normalize('NFC').trim() || null;
  if (text !== null && [...text].length > DESCRIPTION_MAX) throw validationError('description', `must be at most ${DESCRIPTION_MAX} characters`);
  return text;
}

export function checkSlug(value: string): string {
  if (value.length > SLUG_MAX || !SLUG.test(value)) throw validationError('slug', `must be lower-case letters, digits and single hyphens (at most ${SLUG_MAX})`);
  return value;
}

/** A slug from a name: ASCII letters and digits joined by hyphens; `album` when nothing of the name is left. */
export function slugify(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX - 4)
    .replace(/-+$/g, '');
  return base || 'album';
}

/** The first of `base`, `base-2`, `base-3`, … not taken. */
export function freeSlug(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** A non-empty set of resource types, in canonical order. */
export function checkResources(values: string[]): ResourceType[] {
  const set = new Set(values);
  const unknown = [...set].filter((v) => !(RESOURCE_TYPES as readonly string[]).includes(v));
  if (unknown.length > 0) throw validationError('allowedResourceTypes', `has unknown types (${unknown.join(', ')}); known: ${RESOURCE_TYPES.join(', ')}`);
  if (set.size === 0) throw validationError('allowedResourceTypes', 'must name at least one type');
  return RESOURCE_TYPES.filter((t) => set.has(t));
}

/** The media types (tables) an album with these resource types can hold. */
export const mediaTypesOf = (resources: readonly string[]): SyncType[] => (['image', 'video', 'audio'] as const).filter((t) => resources.includes(t));
