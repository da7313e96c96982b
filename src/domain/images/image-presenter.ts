import type { ImageRow } from '../../db/schema.js';
import { toIso } from '../../lib/clock.js';
import { parseReferers, parseTags } from './image-policy.js';

export type ImageResponse = {
  id: string;
  userId: string;
  url: string;
  filename: string;
  title: string | null;
  mimeType: string;
  sizeBytes: number;
  width: number | null;
  height: number | null;
  tags: string[];
  isPublic: boolean;
  allowedReferers: string[] | null;
  sha256: string;
  blurhash: string | null;
  dominantColor: string | null;
  /** The album it is filed in (the public API's name for a collection id), or null. */
  kbId: string | null;
  createdAt: string;
  updatedAt: string;
};

export const imageUrl = (mediaBaseUrl: string, row: Pick<ImageRow, 'id' | 'ext'>): string => `${mediaBaseUrl}/${row.id}.${row.ext}`;

/** `row` as read with all its columns (an album's id among them; a row built in code has none: null). */
export function presentImage(row: ImageRow & { collectionId?: string | null }, mediaBaseUrl: string): ImageResponse {
  return {
    id: row.id,
    userId: row.userId,
    url: imageUrl(mediaBaseUrl, row),
    filename: row.filename,
    title: row.title,
    mimeType: row.mimeType,
    sizeBytes: row.sizeBytes,
    width: row.width,
    height: row.height,
    tags: parseTags(row),
    isPublic: row.isPublic === 1,
    allowedReferers: parseReferers(row),
    sha256: row.sha256,
    blurhash: row.blurhash,
    dominantColor: row.dominantColor,
    kbId: row.collectionId ?? null,
    createdAt: toIso(row.createdAt),
    updatedAt: toIso(row.updatedAt),
  };
}

export type TrashedImageResponse = ImageResponse & { trashedAt: string; purgeAt: string };

/** An image in the trash: the Image object, when it was trashed and when the sweep deletes it for real. */
export function presentTrashedImage(item: { row: ImageRow & { collectionId?: string | null; trashedAt: number }; purgeAt: number }, mediaBaseUrl: string): TrashedImageResponse {
  return { ...presentImage(item.row, mediaBaseUrl), trashedAt: toIso(item.row.trashedAt), purgeAt: toIso(item.purgeAt) };
}
