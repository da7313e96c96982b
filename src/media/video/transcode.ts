// A video to an HLS ladder: one ffmpeg run for every rung (see hls-args.ts), then each rung's folder tidied and
// measured, then the poster. The output folder belongs to the transcode: whatever an earlier (killed) run left
// there is removed first; on failure, what this run wrote stays for the caller to remove.
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { isMediaError } from '../media-error.js';
import { runFfmpeg, type FfmpegBinaries } from './ffmpeg.js';
import { hlsArgs } from './hls-args.js';
import { listFiles, measureRendition, tidyRungFolder } from './hls-rendition.js';
import { extractPoster } from './poster.js';
import type { HlsOutput, Rung, VideoProbe } from './video-types.js';

export type TranscodeOptions = {
  input: string;
  outDir: string;
  probe: VideoProbe;
  rungs: readonly Rung[];
  bins: FfmpegBinaries;
  /** Bound on ffmpeg's threads (decoder, filters, each encoder). */
  threads: number;
  /** CPU niceness of the ffmpeg processes (0–19). */
  nice: number;
  /** Target segment length; segments cut on the 2 s keyframes, so 4 gives 4 s segments. */
  segmentSeconds?: number;
  signal?: AbortSignal;
  /** Whole percent, 0–100, never going back; 100 once everything is written. */
  onProgress?: (percent: number) => void;
  /** Past this the encode is killed and the transcode fails with MediaError 'too_slow'; unset = no limit. */
  timeoutMs?: number;
};

export const POSTER_FILE = 'poster.jpg';
/** The share of the progress bar the encode fills; measuring and the poster fill the rest. */
const ENCODE_SHARE = 98;

/** Encodes `input` into `outDir` (see HlsOutput for the layout) and describes what it wrote. */
export async function transcodeToHls(opts: TranscodeOptions): Promise<HlsOutput> {
  const { outDir, probe, rungs, bins, signal } = opts;
  const segmentSeconds = opts.segmentSeconds ?? 4;
  let reported = -1;
  const report = (percent: number): void => {
    const whole = Math.min(100, Math.max(0, Math.floor(percent)));
    if (whole > reported) {
      reported = whole;
      opts.onProgress?.(whole);
    }
  };

  await emptyFolder(outDir);
  await Promise.all(rungs.map((r) => mkdir(path.join(outDir, r.name), { recursive: true })));
  report(0);

  const args = hlsArgs({ input: path.resolve(opts.input), probe, rungs, threads: opts.threads, segmentSeconds });
  await runFfmpeg(bins.ffmpeg, args, {
    cwd: outDir,
    signal,
    nice: opts.nice,
    timeoutMs: opts.timeoutMs,
    onProgress: (seconds) => {
      if (probe.durationSeconds > 0) report(Math.min(ENCODE_SHARE, (seconds / probe.durationSeconds) * ENCODE_SHARE));
    },
  });
  report(ENCODE_SHARE);

  // the rungs' measurements (an ffprobe each) and the poster, side by side: they are short and mostly start-up
  const measured = Promise.all(
    rungs.map(async (rung) => {
      const playlist = await tidyRungFolder(path.join(outDir, rung.name));
      return measureRendition(outDir, rung, playlist, { ffprobe: bins.ffprobe, signal });
    }),
  );
  const poster = writePoster(opts);
  const [renditions, posterFile] = await settledBoth(measured, poster); // nothing left running if one fails
  report(99);

  const output: HlsOutput = {
    renditions,
    files: await listFiles(outDir),
    durationSeconds: probe.durationSeconds,
    posterFile,
  };
  report(100);
  return output;
}

/** The poster at min(5 s, half the duration); a poster that cannot be made leaves the video without one. */
async function writePoster(opts: TranscodeOptions): Promise<string | null> {
  const atSeconds = Math.min(5, opts.probe.durationSeconds / 2);
  try {
    await extractPoster({
      input: opts.input,
      out: path.join(opts.outDir, POSTER_FILE),
      atSeconds,
      bins: opts.bins,
      signal: opts.signal,
      nice: opts.nice,
      threads: opts.threads,
    });
    return POSTER_FILE;
  } catch (err) {
    if (isMediaError(err, 'corrupt')) return null;
    throw err;
  }
}

/** Both values once both promises have settled; the first failure when either failed. */
async function settledBoth<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [x, y] = await Promise.allSettled([a, b]);
  if (x.status === 'rejected') throw x.reason;
  if (y.status === 'rejected') throw y.reason;
  return [x.value, y.value];
}

/** Creates `dir` or removes everything in it. */
async function emptyFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(dir)) await rm(path.join(dir, name), { recursive: true, force: true });
}
