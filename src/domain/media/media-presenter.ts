// The MediaItem of the unified library (SPEC §10, openapi `MediaItem`): one shape for images, videos and audio,
// with the fields of the other kinds left out.
import type { ImageRow } from '../../db/schema.js';
import type { MediaType } from '../../db/repos/media.repo.js';
import { toIso } from '../../lib/clock.js';
import { parseTags } from '../images/image-policy.js';
import { imageUrl } from '../images/image-presenter.js';
import type { VideoResponse } from '../videos/video-presenter.js';

export type MediaItem = {
  id: string;
  type: MediaType;
  url?: string;
  playbackUrl?: string;
  thumbnailUrl?: string;
  filename: string;
  title?: string;
  mimeType?: string;
  sizeBytes: number;
  durationSeconds?: number | null;
  bitrate?: number | null;
  status: string;
  isPublic: boolean;
  tags?: string[];
  createdAt: string;
  updatedAt?: string;
  /** sha256 of the original (the sync feed's contentHash; not part of the MediaItem response). */
  contentHash?: string;
};

/** Side of the square thumbnail an image's item points at (a transform of the media host). */
const THUMB_SIDE = 320;

export function presentImageItem(row: ImageRow, mediaBaseUrl: string): MediaItem {
  const url = imageUrl(mediaBaseUrl, row);
  return {
    id: row.id,
    type: 'image',
    url,
    // a private image's transforms need a signature: its item carries none rather than a URL that answers 401
    ...(row.isPublic === 1 ? { thumbnailUrl: `${url}?w=${THUMB_SIDE}&h=${THUMB_SIDE}&fit=cover` } : {}),
    filename: row.filename,
    ...(row.title ? { title: row.title } : {}),
    mimeType: row.mimeType,
    sizeBytes: row.sizeBytes,
    status: 'ready',
    isPublic: row.isPublic === 1,
    tags: parseTags(row),
    createdAt: toIso(row.createdAt),
    updatedAt: toIso(row.updatedAt),
    contentHash: row.sha256,
  };
}

export function presentVideoItem(v: VideoResponse, sha256: string): MediaItem {
  return {
    id: v.id,
    type: 'video',
    ...(v.playbackUrl ? { playbackUrl: v.playbackUrl } : {}),
    ...(v.thumbnailUrl ? { thumbnailUrl: v.thumbnailUrl } : {}),
    filename: v.filename,
    title: v.title,
    mimeType: v.mimeType,
    sizeBytes: v.sizeBytes,
    durationSeconds: v.durationSeconds,
    status: v.status,
    isPublic: v.isPublic,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    contentHash: sha256,
  };
}
