// A video's poster: one JPEG frame, at most 1280 px on its long side (never enlarged).
// ffmpeg 5.1 exits 0 without writing anything when -ss is past the end, so the file is checked and, when
// missing, taken again from the first frame.
import { rm, stat } from 'node:fs/promises';
import { MediaError } from '../media-error.js';
import { fileArg, runFfmpeg, uploadInputArgs, type FfmpegBinaries } from './ffmpeg.js';

export type PosterOptions = {
  input: string;
  /** The JPEG to write (replaced when present). */
  out: string;
  /** Where to take the frame from; callers use min(5, duration / 2). */
  atSeconds: number;
  bins: FfmpegBinaries;
  signal?: AbortSignal;
  nice?: number;
  timeoutMs?: number;
  /** Bound on ffmpeg's threads (decoder and filters). */
  threads?: number;
};

export const POSTER_MAX_SIDE = 1280;
const DEFAULT_TIMEOUT_MS = 60_000;

/** Writes the poster to `out`; MediaError 'corrupt' when no frame can be decoded at all. */
export async function extractPoster(opts: PosterOptions): Promise<void> {
  const at = Number.isFinite(opts.atSeconds) && opts.atSeconds > 0 ? opts.atSeconds : 0;
  await rm(opts.out, { force: true });
  await grabFrame(opts, at);
  if (at > 0 && !(await nonEmpty(opts.out))) await grabFrame(opts, 0);
  if (!(await nonEmpty(opts.out))) throw new MediaError('corrupt', 'no frame of the video could be decoded for its poster');
}

/** The ffmpeg arguments for one frame at `atSeconds` (input seeking: fast, and exact with re-encoding). */
export function posterArgs(input: string, out: string, atSeconds: number, threads?: number): string[] {
  const box = POSTER_MAX_SIDE;
  const t = threads ? ['-threads', String(threads)] : [];
  return [
    '-y',
    ...(atSeconds > 0 ? ['-ss', atSeconds.toFixed(3)] : []),
    ...t,
    ...uploadInputArgs(input),
    ...(threads ? ['-filter_threads', String(threads)] : []),
    '-map', '0:V:0',
    '-an', '-sn', '-dn',
    '-vf', `scale=w='min(${box},iw)':h='min(${box},ih)':force_original_aspect_ratio=decrease,format=yuvj420p`,
    '-frames:v', '1',
    '-q:v', '3',
    '-update', '1',
    '-f', 'image2',
    '-c:v', 'mjpeg',
    ...t,
    fileArg(out),
  ];
}

async function grabFrame(opts: PosterOptions, atSeconds: number): Promise<void> {
  await runFfmpeg(opts.bins.ffmpeg, posterArgs(opts.input, opts.out, atSeconds, opts.threads), {
    signal: opts.signal,
    nice: opts.nice,
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
}

async function nonEmpty(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.size > 0,
    () => false,
  );
}
