// The transcode a `video.transcode` job runs: original → local work folder → one ffmpeg run for the HLS ladder
// and the poster → the store under the video's own prefix → ready. Idempotent: every output has a fixed key
// (a re-run overwrites), and keys of the ladder that the new run did not write (a killed earlier run's) are
// removed, so a retried job never leaves duplicates. A video deleted meanwhile stops the work and nothing of
// it is left in the store.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { VideosRepo } from '../../db/repos/videos.repo.js';
import type { VideoRow } from '../../db/schema.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { storageKeys } from '../../storage/keys.js';
import type { Clock } from '../../lib/clock.js';
import { PermanentJobError, type JobContext } from '../../jobs/queue.js';
import { isMediaError } from '../../media/media-error.js';
import type { FfmpegBinaries } from '../../media/video/ffmpeg.js';
import { planLadder } from '../../media/video/ladder.js';
import { probeVideo } from '../../media/video/probe.js';
import { transcodeToHls } from '../../media/video/transcode.js';

type Deps = {
  videos: VideosRepo;
  blobs: BlobStore;
  clock: Clock;
  /** Local scratch space: one folder per video while it transcodes. */
  workDir: string;
  bins: FfmpegBinaries;
  threads: number;
  nice: number;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** Removes every object of a video (used when it was deleted while transcoding). */
  purge(row: Pick<VideoRow, 'id' | 'userId'>): Promise<void>;
  /** The video became ready, or failed for good (webhooks). */
  onFinished?: (videoId: string, outcome: 'ready' | 'failed') => void;
};

const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.mp4': 'video/mp4',
  '.m4s': 'video/iso.segment',
  '.jpg': 'image/jpeg',
};

/** How long one transcode may run: three times the clip plus five minutes. */
export const transcodeBudgetMs = (durationSeconds: number | null): number => Math.round((durationSeconds ?? 3600) * 3_000 + 5 * 60_000);

export function createTranscodeService(deps: Deps) {
  const { videos, blobs, clock } = deps;

  async function download(row: VideoRow, file: string, signal: AbortSignal): Promise<void> {
    const source = await blobs.get(storageKeys.videoOriginal(row.userId, row.id));
    await pipeline(source, createWriteStream(file, { mode: 0o600 }), { signal });
  }

  return {
    async run(videoId: string, ctx: JobContext): Promise<void> {
      const row = await videos.findById(videoId);
      if (!row || row.status !== 'processing') return; // deleted, or finished by an earlier run
      const started = clock.now();
      const dir = path.join(deps.workDir, videoId);
      const gone = new AbortController(); // the video was deleted mid-way
      const signal = AbortSignal.any([ctx.signal, gone.signal]);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      try {
        const input = path.join(dir, 'source');
        await download(row, input, signal);
        let probe;
        try {
          probe = await probeVideo(input, { ffprobe: deps.bins.ffprobe, timeoutMs: 60_000, signal });
        } catch (err) {
          if (isMediaError(err)) throw new PermanentJobError(`The video could not be read: ${err.message}`, { cause: err });
          throw err;
        }
        let last = -1;
        let writing: Promise<void> = Promise.resolve();
        const report = (percent: number) => {
          const p = Math.min(95, Math.floor(percent * 0.95));
          if (p <= last) return;
          last = p;
          writing = writing.then(async () => {
            if (!(await videos.setProgress(videoId, p, clock.now()))) gone.abort();
            await ctx.progress(p);
          }).catch(() => undefined);
        };
        let out;
        try {
          out = await transcodeToHls({
            input, outDir: path.join(dir, 'out'), probe, rungs: planLadder(probe), bins: deps.bins,
            threads: deps.threads, nice: deps.nice, signal, onProgress: report, timeoutMs: transcodeBudgetMs(probe.durationSeconds),
          });
        } catch (err) {
          // deleted while ffmpeg ran: nothing to retry, only to clean up after
          if (gone.signal.aborted) return void (await deps.purge(row));
          // the file is to blame (undecodable, or too slow to encode within three times its length): retrying cannot help
          if (isMediaError(err)) throw new PermanentJobError(`The video could not be transcoded: ${err.message}`, { cause: err });
          throw err;
        } finally {
          await writing;
        }
        if (gone.signal.aborted) return void (await deps.purge(row));
        signal.throwIfAborted();

        // Store the ladder (fixed keys: a re-run overwrites), then remove what an earlier run left beside it.
        const written = new Set<string>();
        let outputBytes = 0;
        for (const rel of out.files) {
          signal.throwIfAborted();
          const [rung, name] = rel.split('/');
          const isPoster = rel === out.posterFile;
          if (isPoster && row.customPoster === 1) continue;
          const key = isPoster ? storageKeys.videoPoster(row.userId, row.id) : rung && name ? storageKeys.videoHlsFile(row.userId, row.id, rung, name) : undefined;
          if (!key) continue;
          const file = path.join(dir, 'out', rel);
          outputBytes += (await stat(file)).size;
          await blobs.put(key, createReadStream(file), { contentType: CONTENT_TYPES[path.extname(rel)] ?? 'application/octet-stream' });
          written.add(key);
        }
        for await (const key of blobs.list(storageKeys.videoHlsPrefix(row.userId, row.id))) {
          if (!written.has(key)) await blobs.delete(key);
        }
        const ready = await videos.markReady(videoId, {
          durationSeconds: out.durationSeconds || probe.durationSeconds, width: probe.width, height: probe.height, hasAudio: probe.hasAudio ? 1 : 0,
          renditions: JSON.stringify(out.renditions), outputBytes,
        }, clock.now());
        if (!ready) {
          // deleted while we worked (its delete may have run before our objects landed): clean up after it
          if (!(await videos.findById(videoId))) await deps.purge(row);
          return;
        }
        await ctx.progress(100);
        deps.onFinished?.(videoId, 'ready');
        deps.log.info({ videoId, seconds: (clock.now() - started) / 1000, rungs: out.renditions.map((r) => r.name) }, 'video ready');
      } finally {
        await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      }
    },

    /** The job is dead (attempts spent or a permanent failure): the owner sees why. */
    async fail(videoId: string, error: Error): Promise<void> {
      const reason = error instanceof PermanentJobError ? error.message : `Transcoding failed: ${error.message}`;
      if (await videos.markFailed(videoId, reason, clock.now())) deps.onFinished?.(videoId, 'failed');
    },
  };
}

export type TranscodeService = ReturnType<typeof createTranscodeService>;

