// An album as the API shows it (openapi Collection): the public fields plus what is filed in it, counted by the
// database. `docCount` is the number of items (images, videos and audio: this server hosts no documents) and
// `sizeBytes` their originals' bytes; the per-type counts follow. Deletes are real, so `deletedAt` is always null.
import type { CollectionStats } from '../../db/repos/collections.repo.js';
import type { CollectionRow } from '../../db/schema.js';
import { toIso } from '../../lib/clock.js';

export type CollectionResponse = {
  id: string;
  name: string;
  slug: string;
  collectionType: string;
  allowedResourceTypes: string[];
  customTypeId: string | null;
  kbType: string;
  description: string | null;
  docCount: number;
  sizeBytes: number;
  imageCount: number;
  videoCount: number;
  audioCount: number;
  isDefault: boolean;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
};

export function presentCollection(row: CollectionRow, stats: CollectionStats): CollectionResponse {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    collectionType: row.collectionType,
    allowedResourceTypes: JSON.parse(row.allowedResourceTypes) as string[],
    customTypeId: null,
    kbType: row.kbType,
    description: row.description,
    docCount: stats.image.count + stats.video.count + stats.audio.count,
    sizeBytes: stats.image.bytes + stats.video.bytes + stats.audio.bytes,
    imageCount: stats.image.count,
    videoCount: stats.video.count,
    audioCount: stats.audio.count,
    isDefault: row.isDefault === 1,
    createdAt: toIso(row.createdAt),
    updatedAt: toIso(row.updatedAt),
    deletedAt: null,
  };
}
