// The videos of the video benchmark, made with ffmpeg's lavfi sources and cached under
// <tmp>/picora-bench-video-v1 (delete it freely):
//   clip-1080p30-<s>s.mp4   testsrc2 1920×1080 at 30 fps with temporal noise (alls=10) + a 440 Hz sine, H.264
//                           (veryfast, CRF 23 capped at 15 Mb/s: about what a phone records) + AAC 128k
//   seed-lossless-2s.mp4    2 s of the same picture, lossless H.264 (≈ 500 Mb/s): a cheap source of big files
//   big-<bytes>.mp4         the seed looped with `-stream_loop -1 -c copy` and cut at <bytes> (`-fs`)
// A file is written under a temporary name and renamed when complete, so a killed run never leaves half a clip.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const DIR = path.join(process.env.BENCH_TMPDIR ?? tmpdir(), 'picora-bench-video-v1');

export type Clip = {
  file: string; bytes: number; durationSeconds: number; width: number; height: number; fps: number; videoCodec: string; audioCodec: string; bitRate: number;
  /** How long making it took, when it was made (kept beside the file as <file>.made.json). */
  made?: { seconds: number; at: string };
};

/** The first line of `<tool> -version`. */
export async function toolVersion(tool: 'ffmpeg' | 'ffprobe'): Promise<string> {
  const { stdout } = await run(tool, ['-hide_banner', '-version'], { timeout: 15_000 });
  return stdout.split('\n')[0]!.trim();
}

async function ffmpeg(args: string[], timeoutMs: number): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
}

/** What ffprobe says about `file` (the figures the tables print). */
export async function describeClip(file: string): Promise<Clip> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file], { timeout: 60_000 });
  const j = JSON.parse(stdout) as {
    format: { duration: string; bit_rate: string; size: string };
    streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number; avg_frame_rate?: string }>;
  };
  const v = j.streams.find((s) => s.codec_type === 'video');
  const a = j.streams.find((s) => s.codec_type === 'audio');
  const [num = 0, den = 1] = (v?.avg_frame_rate ?? '0/1').split('/').map(Number);
  return {
    file, bytes: Number(j.format.size), durationSeconds: Number(j.format.duration), width: v?.width ?? 0, height: v?.height ?? 0,
    fps: den ? num / den : 0, videoCodec: v?.codec_name ?? 'none', audioCodec: a?.codec_name ?? 'none', bitRate: Number(j.format.bit_rate),
  };
}

/** Runs `make(tmpFile)` unless `file` exists; says how long making it took. */
async function cached(file: string, label: string, make: (tmp: string) => Promise<void>): Promise<Clip> {
  if (!existsSync(file)) {
    await mkdir(DIR, { recursive: true });
    const tmp = `${file}.part-${process.pid}.mp4`;
    console.log(`  making ${label} (once; cached in ${DIR})…`);
    const t0 = performance.now();
    try {
      await make(tmp);
      await rename(tmp, file);
    } finally {
      await rm(tmp, { force: true });
    }
    const seconds = (performance.now() - t0) / 1000;
    await writeFile(`${file}.made.json`, JSON.stringify({ seconds, at: new Date().toISOString() }));
    console.log(`  made ${path.basename(file)} in ${seconds.toFixed(1)} s`);
  }
  const made = await readFile(`${file}.made.json`, 'utf8').then((t) => JSON.parse(t) as Clip['made'], () => undefined);
  return { ...(await describeClip(file)), made };
}

const picture = (seconds: number) => `testsrc2=size=1920x1080:rate=30:duration=${seconds},noise=alls=10:allf=t`;
const tone = (seconds: number) => `sine=frequency=440:sample_rate=48000:duration=${seconds}`;

/** The transcode benchmark's clip: `seconds` of 1080p30 H.264 + AAC with noise, so the encode has real work. */
export function benchClip(seconds: number): Promise<Clip> {
  const file = path.join(DIR, `clip-1080p30-${seconds}s.mp4`);
  return cached(file, `a ${seconds} s 1080p30 H.264 + AAC clip`, (tmp) =>
    ffmpeg(
      [
        '-f', 'lavfi', '-i', picture(seconds), '-f', 'lavfi', '-i', tone(seconds),
        '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-maxrate', '15M', '-bufsize', '30M', '-pix_fmt', 'yuv420p', '-g', '60',
        '-c:a', 'aac', '-b:a', '128k', '-shortest', '-movflags', '+faststart', tmp,
      ],
      30 * 60_000,
    ),
  );
}

/** A valid MP4 of about `bytes` (never less): the lossless seed looped and cut at that size. */
export async function bigVideo(bytes: number): Promise<Clip> {
  const seed = await cached(path.join(DIR, 'seed-lossless-2s.mp4'), 'a 2 s lossless 1080p seed', (tmp) =>
    ffmpeg(
      [
        '-f', 'lavfi', '-i', picture(2), '-f', 'lavfi', '-i', tone(2),
        '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-pix_fmt', 'yuv420p', '-g', '60', '-c:a', 'aac', '-b:a', '128k', '-shortest', tmp,
      ],
      10 * 60_000,
    ),
  );
  const file = path.join(DIR, `big-${bytes}.mp4`);
  const clip = await cached(file, `a ${(bytes / 1024 ** 2).toFixed(0)} MiB MP4 (the seed looped)`, (tmp) =>
    ffmpeg(['-stream_loop', '-1', '-i', seed.file, '-map', '0', '-c', 'copy', '-fs', String(bytes), '-f', 'mp4', tmp], 10 * 60_000),
  );
  if ((await stat(file)).size < bytes * 0.99) throw new Error(`${file} is smaller than asked (${clip.bytes} < ${bytes}): delete it and run again`);
  return clip;
}

/** The first `seconds` of `clip` (stream copy, cut on a keyframe): a short clip for warm-ups. */
export function clipHead(clip: Clip, seconds: number): Promise<Clip> {
  const file = path.join(DIR, `${path.basename(clip.file, '.mp4')}-head-${seconds}s.mp4`);
  return cached(file, `the first ${seconds} s of ${path.basename(clip.file)}`, (tmp) =>
    ffmpeg(['-i', clip.file, '-map', '0', '-c', 'copy', '-t', String(seconds), '-movflags', '+faststart', '-f', 'mp4', tmp], 5 * 60_000),
  );
}
