// The Video object of the API (SPEC §8.4, CONTRACT §7) and its URLs on the media host:
//   {media}/v/{id}/master.m3u8 · {media}/v/{id}/{rung}/index.m3u8 · {media}/v/{id}/poster.jpg
// A private video's URLs carry a playback token (?token=) when the caller may have one.
import type { VideoRow } from '../../db/schema.js';
import { toIso } from '../../lib/clock.js';
import type { Rendition } from '../../media/video/video-types.js';
import type { BandwidthState } from '../usage/quotas.js';

export type VideoResponse = {
  id: string;
  videoId: string;
  title: string;
  filename: string;
  mimeType: string;
  sizeBytes: number;
  status: 'processing' | 'ready' | 'failed';
  progress: number | null;
  error: string | null;
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
  playbackUrl: string | null;
  thumbnailUrl: string | null;
  renditions: string[];
  bandwidthState: BandwidthState;
  tags: string[];
  isPublic: boolean;
  createdAt: string;
  updatedAt: string;
};


export function renditionsOf(row: Pick<VideoRow, 'renditions'>): Rendition[] {
  if (!row.renditions) return [];
  try {
    const list = JSON.parse(row.renditions) as Rendition[];
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

export const videoBase = (mediaBaseUrl: string, id: string): string => `${mediaBaseUrl}/v/${id}`;

/** The playlist a player starts from: the master, or the lowest rung's playlist when degraded (SPEC §8.5). */
export function playbackPath(row: VideoRow, state: BandwidthState): string {
  const lowest = renditionsOf(row)[0];
  return state === 'degraded' && lowest ? `${lowest.name}/index.m3u8` : 'master.m3u8';
}

export function presentVideo(row: VideoRow, o: { mediaBaseUrl: string; state: BandwidthState; token?: string | undefined }): VideoResponse {
  const base = videoBase(o.mediaBaseUrl, row.id);
  const query = (extra: string) => {
    const parts = [extra, o.token ? `token=${o.token}` : ''].filter(Boolean);
    return parts.length ? `?${parts.join('&')}` : '';
  };
  const ready = row.status === 'ready';
  const hasPoster = ready || row.customPoster === 1;
  let tags: string[] = [];
  try {
    tags = JSON.parse(row.tags) as string[];
  } catch {
    tags = [];
  }
  return {
    id: row.id,
    videoId: row.id,
    title: row.title,
    filename: row.filename,
    mimeType: row.mimeType,
    sizeBytes: row.sizeBytes,
    status: row.status,
    progress: row.status === 'processing' ? row.progress : null,
    error: row.status === 'failed' ? row.error : null,
    durationSeconds: row.durationSeconds === null ? null : Math.round(row.durationSeconds),
    width: row.width,
    height: row.height,
    playbackUrl: ready ? `${base}/${playbackPath(row, o.state)}${query('')}` : null,
    thumbnailUrl: hasPoster ? `${base}/poster.jpg${query(`v=${row.posterVersion}`)}` : null,
    renditions: renditionsOf(row).map((r) => r.name),
    bandwidthState: o.state,
    tags,
    isPublic: row.isPublic === 1,
    createdAt: toIso(row.createdAt),
    updatedAt: toIso(row.updatedAt),
  };
}
