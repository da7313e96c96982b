// Shared by the tus tests (tus.test.ts, tus-restart.test.ts): test files (noisy PNGs, big uncompressed AVIs) and
// tus-js-client runs that finish, or that are cut off mid-way.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import * as tus from 'tus-js-client';
import { bearer } from '../../support/app.js';
import { testBins } from '../../support/video-clips.js';

const run = promisify(execFile);
export const MB = 1024 * 1024;

/** A noisy PNG of about `side`² × 3 bytes (noise does not compress), unique per seed. */
export async function noisyPng(side: number, seed: number): Promise<Buffer> {
  const raw = randomBytes(side * side * 3);
  raw.writeUInt32BE(seed, 0);
  return sharp(raw, { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
}

/** An uncompressed AVI (rawvideo) of about `mb` MB: a real, probe-able video that is big without CPU cost. */
export async function bigAvi(scratch: string, mb: number): Promise<string> {
  const file = path.join(scratch, `big-${mb}.avi`);
  const frame = 640 * 480 * 1.5;
  const frames = Math.ceil((mb * MB) / frame);
  await run(testBins.ffmpeg, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=640x480:rate=25', '-frames:v', String(frames), '-c:v', 'rawvideo', '-pix_fmt', 'yuv420p', '-f', 'avi', file], { timeout: 120_000 });
  return file;
}

export type TusOptions = { endpoint: string; token: string; metadata?: Record<string, string>; chunkSize?: number; uploadUrl?: string; size?: number; withCreation?: boolean };

/** Runs tus-js-client to the end; resolves with the upload URL, or rejects with its error. */
export function tusUpload(input: Buffer | string, o: TusOptions & { onProgress?: (sent: number, upload: tus.Upload) => void; onChunk?: (accepted: number) => void }): Promise<{ url: string; finalHeaders: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    let finalHeaders: Record<string, string> = {};
    const file = typeof input === 'string' ? createReadStream(input) : input;
    const upload: tus.Upload = new tus.Upload(file, {
      endpoint: o.endpoint,
      uploadUrl: o.uploadUrl ?? null,
      headers: bearer(o.token),
      metadata: o.metadata ?? {},
      chunkSize: o.chunkSize ?? 4 * MB,
      uploadSize: o.size ?? null,
      retryDelays: null,
      uploadDataDuringCreation: o.withCreation ?? false,
      removeFingerprintOnSuccess: true,
      onProgress: (sent) => o.onProgress?.(sent, upload),
      onChunkComplete: (_size, accepted) => o.onChunk?.(accepted),
      onAfterResponse: (_req, res) => {
        if (res.getHeader('x-picora-resource-id')) {
          finalHeaders = Object.fromEntries(['x-picora-resource-id', 'x-picora-resource-type', 'x-picora-duplicate'].map((h) => [h, res.getHeader(h) ?? '']));
        }
      },
      onError: reject,
      onSuccess: () => resolve({ url: upload.url ?? '', finalHeaders }),
    });
    upload.start();
  });
}

/** Starts an upload and aborts it once more than `cutAt` bytes were sent; resolves with its URL. */
export function cutOffUpload(input: Buffer | string, o: TusOptions & { cutAt: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    let cut = false;
    tusUpload(input, {
      ...o,
      onProgress: (sent, upload) => {
        if (cut || sent < o.cutAt) return;
        cut = true;
        // the connection drops in the middle of a PATCH body
        void upload.abort().then(() => setTimeout(() => resolve(upload.url ?? ''), 300));
      },
    }).then(() => reject(new Error('the upload finished before it was cut off')), reject);
  });
}

