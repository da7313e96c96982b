// The Audio object of the API (SPEC §9, openapi `Audio`) and its MediaItem in the unified library. URLs on the
// media host: {media}/audio/{id}.{ext} and {media}/audio-cover/{id}.jpg; a private file's URLs carry ?token=
// when the caller may have one (its owner).
import type { AudioRow } from '../../db/schema.js';
import { toIso } from '../../lib/clock.js';
import type { MediaItem } from '../media/media-presenter.js';

export type AudioResponse = {
  id: string;
  type: 'audio';
  url: string;
  filename: string;
  sizeBytes: number;
  mimeType: string;
  title: string;
  thumbnailUrl: string;
  durationSeconds: number | null;
  bitrate: number | null;
  sampleRate: number | null;
  channels: number | null;
  artist: string | null;
  album: string | null;
  status: 'ready';
  isPublic: boolean;
  createdAt: string;
  updatedAt: string;
};

export const audioUrl = (mediaBaseUrl: string, row: Pick<AudioRow, 'id' | 'ext'>): string => `${mediaBaseUrl}/audio/${row.id}.${row.ext}`;
export const audioCoverUrl = (mediaBaseUrl: string, row: Pick<AudioRow, 'id'>): string => `${mediaBaseUrl}/audio-cover/${row.id}.jpg`;

export function presentAudio(row: AudioRow, o: { mediaBaseUrl: string; token?: string | undefined }): AudioResponse {
  const q = o.token ? `?token=${o.token}` : '';
  return {
    id: row.id,
    type: 'audio',
    url: `${audioUrl(o.mediaBaseUrl, row)}${q}`,
    filename: row.filename,
    sizeBytes: row.sizeBytes,
    mimeType: row.mimeType,
    title: row.title,
    thumbnailUrl: `${audioCoverUrl(o.mediaBaseUrl, row)}${q}`,
    durationSeconds: Math.round(row.durationSeconds),
    bitrate: row.bitrate,
    sampleRate: row.sampleRate,
    channels: row.channels,
    artist: row.artist,
    album: row.album,
    status: 'ready',
    isPublic: row.isPublic === 1,
    createdAt: toIso(row.createdAt),
    updatedAt: toIso(row.updatedAt),
  };
}

export function presentAudioItem(a: AudioResponse, sha256: string): MediaItem {
  return {
    id: a.id,
    type: 'audio',
    url: a.url,
    thumbnailUrl: a.thumbnailUrl,
    filename: a.filename,
    title: a.title,
    mimeType: a.mimeType,
    sizeBytes: a.sizeBytes,
    durationSeconds: a.durationSeconds,
    bitrate: a.bitrate,
    status: 'ready',
    isPublic: a.isPublic,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    contentHash: sha256,
  };
}
