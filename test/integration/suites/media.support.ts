// Shared by the unified-media, sync, bulk-delete and avatar tests: the two backends they run on, rows inserted
// straight through the repositories (videos without a transcode, images in bulk), and the contract check.
import { newId, newImageId } from '../../../src/lib/ids.js';
import type { ImageRow, VideoRow } from '../../../src/db/schema.js';
import type { Backend, TestApp } from '../../support/app.js';
import { loadContract } from '../../support/openapi.js';
import { probeS3, type S3TestConfig } from '../../support/s3.js';
import { probePostgres, skipUnless } from '../../support/services.js';

export type BackendCase = { name: string; backend: Backend; s3?: S3TestConfig | undefined; skip?: string | undefined };

/** SQLite + local folder, and PostgreSQL + S3 (skipped with a reason off CI when a service is missing). */
export async function backendCases(): Promise<BackendCase[]> {
  const pg = await probePostgres();
  const s3 = await probeS3();
  return [
    { name: 'SQLite + local', backend: { db: 'sqlite', store: 'local' } },
    { name: 'PostgreSQL + S3', backend: { db: 'postgres', store: 's3' }, s3: s3.ok ? s3.value : undefined, skip: skipUnless('PostgreSQL', pg) ?? skipUnless('S3', s3) },
  ];
}

const contract = loadContract();

/** Validates a JSON response against openapi.json (throws with the contract's complaints); no-op without the contract. */
export function conforms(method: string, apiPath: string, res: { statusCode: number; json(): unknown }): void {
  if ('skip' in contract) return;
  contract.validator.check(method, apiPath, res.statusCode, res.json());
}

export async function insertVideo(t: TestApp, userId: string, patch: Partial<VideoRow> = {}): Promise<VideoRow> {
  const now = t.clock.now();
  const row: VideoRow = {
    id: newId(), userId, title: 'A clip', filename: 'clip.mp4', container: 'mp4', mimeType: 'video/mp4', sizeBytes: 1000, sha256: newId().padEnd(64, '0'),
    isPublic: 1, tags: '[]', status: 'ready', progress: 100, error: null, durationSeconds: 3.2, width: 320, height: 240, hasAudio: 0,
    renditions: JSON.stringify([{ name: '240p', height: 240 }]), outputBytes: 0, posterVersion: 0, customPoster: 0,
    createdAt: now, updatedAt: now, readyAt: now, ...patch,
  };
  await t.deps.db.db.insertInto('videos').values(row).execute();
  return row;
}

export function imageRow(userId: string, now: number, patch: Partial<ImageRow> = {}): ImageRow {
  const id = newImageId();
  return {
    id, userId, filename: `${id}.png`, title: null, mimeType: 'image/png', ext: 'png', sizeBytes: 100, width: 1, height: 1, frames: 1,
    sha256: `${id}${'0'.repeat(53)}`, blurhash: null, dominantColor: null, isPublic: 1, allowedReferers: null, tags: '[]', hasMetadata: 0,
    createdAt: now, updatedAt: now, ...patch,
  };
}
