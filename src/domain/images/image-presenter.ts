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
  createdAt: string;
  updatedAt: string;
};

export const imageUrl = (mediaBaseUrl: string, row: Pick<ImageRow, 'id' | 'ext'>): string => `${mediaBaseUrl}/${row.id}.${row.ext}`;

export function presentImage(row: ImageRow, mediaBaseUrl: string): ImageResponse {
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
    createdAt: toIso(row.createdAt),
    updatedAt: toIso(row.updatedAt),
  };
}
