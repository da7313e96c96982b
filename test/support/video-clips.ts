// Small video clips for tests, made with ffmpeg's lavfi sources (testsrc2 + sine) on first use and cached
// (file-recipes.ts: a folder per hash of the recipes, files renamed into place whole).
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FfmpegBinaries } from '../../src/media/video/ffmpeg.js';
import { recipeCache, type Recipe } from './file-recipes.js';

const run = promisify(execFile);

/** The binaries tests use: PICORA_FFMPEG_PATH / PICORA_FFPROBE_PATH when set, else the ones on PATH. */
export const testBins: FfmpegBinaries = {
  ffmpeg: process.env.PICORA_FFMPEG_PATH ?? 'ffmpeg',
  ffprobe: process.env.PICORA_FFPROBE_PATH ?? 'ffprobe',
};

const lavfiVideo = (size: string, rate: number): string[] => ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}`];
const lavfiSine = (rate = 48_000): string[] => ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=${rate}`];
const h264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '28', '-pix_fmt', 'yuv420p'];
const aac = ['-c:a', 'aac', '-b:a', '64k'];


const ffmpeg = async (...args: string[]): Promise<void> => {
  await run(testBins.ffmpeg, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], { timeout: 120_000 });
};

/** Every clip tests use: what it is, and how to make it. */
const recipes = {
  /** 1280×720, 30 fps, 3 s, H.264 + AAC in MP4 (faststart). */
  landscape: { file: 'landscape.mp4', make: (out) => ffmpeg(...lavfiVideo('1280x720', 30), ...lavfiSine(), '-t', '3', ...h264, ...aac, '-movflags', '+faststart', '-f', 'mp4', out) },
  /** 720×1280 (coded that way), 30 fps, 3 s, H.264 + AAC in QuickTime. */
  portrait: { file: 'portrait.mov', make: (out) => ffmpeg(...lavfiVideo('720x1280', 30), ...lavfiSine(), '-t', '3', ...h264, ...aac, '-f', 'mov', out) },
  /** 1280×720 coded with a 90° display matrix (a phone held upright): displays as 720×1280. 2 s. */
  rotated: {
    file: 'rotated.mp4',
    make: async (out, dir) => {
      const plain = path.join(dir, `rotated-src-${process.pid}.mp4`);
      await ffmpeg(...lavfiVideo('1280x720', 30), ...lavfiSine(), '-t', '2', ...h264, ...aac, '-f', 'mp4', plain);
      await ffmpeg('-i', plain, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', '-f', 'mp4', out).finally(() => rm(plain, { force: true }));
    },
  },
  /** 640×360, 2 s, H.264 only (no audio stream) in Matroska. */
  noAudio: { file: 'no-audio.mkv', make: (out) => ffmpeg(...lavfiVideo('640x360', 30), '-t', '2', ...h264, '-f', 'matroska', out) },
  /** 320×180, 15 fps, 1 s, VP8 + Opus in WebM. */
  webm: {
    file: 'tiny.webm',
    make: (out) => ffmpeg(...lavfiVideo('320x180', 15), ...lavfiSine(), '-t', '1', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '200k', '-c:a', 'libopus', '-b:a', '32k', '-f', 'webm', out),
  },
  /** 320×240, 15 fps, 1 s, MPEG-4 Part 2 + MP3 in AVI. */
  avi: { file: 'tiny.avi', make: (out) => ffmpeg(...lavfiVideo('320x240', 15), ...lavfiSine(44_100), '-t', '1', '-c:v', 'mpeg4', '-q:v', '8', '-c:a', 'libmp3lame', '-b:a', '64k', '-f', 'avi', out) },
  /** 426×240, 30 fps, 9 s, H.264 + AAC: below 360p (one rung), long enough for several 4 s segments. */
  small240: { file: 'small-240.mp4', make: (out) => ffmpeg(...lavfiVideo('426x240', 30), ...lavfiSine(), '-t', '9', ...h264, ...aac, '-f', 'mp4', out) },
  /** The first 48 KB of an MP4 whose index (moov) is at its end: sniffs as MP4, nothing can decode it. */
  corrupt: {
    file: 'corrupt.mp4',
    make: async (out, dir) => {
      const whole = path.join(dir, `corrupt-src-${process.pid}.mp4`);
      await ffmpeg(...lavfiVideo('640x360', 30), '-t', '2', ...h264, '-f', 'mp4', whole);
      const bytes = await readFile(whole).finally(() => rm(whole, { force: true }));
      await writeFile(out, bytes.subarray(0, 48 * 1024));
    },
  },
  /**
   * A faststart MP4 whose picture data past its first 4 KB is noise: probes fine (the index is intact), cannot
   * be decoded, so the transcode fails.
   */
  garbled: {
    file: 'garbled.mp4',
    make: async (out, dir) => {
      const whole = path.join(dir, `garbled-src-${process.pid}.mp4`);
      await ffmpeg(...lavfiVideo('640x360', 30), '-t', '2', ...h264, '-movflags', '+faststart', '-f', 'mp4', whole);
      const bytes = await readFile(whole).finally(() => rm(whole, { force: true }));
      let seed = 1;
      for (let i = bytes.indexOf('mdat') + 4096; i < bytes.length; i++) {
        seed = (seed * 1_103_515_245 + 12_345) >>> 0; // a fixed LCG: the same noise every time
        bytes[i] = seed >>> 24;
      }
      await writeFile(out, bytes);
    },
  },
  /** A PNG image whose name says .mp4: the bytes decide, so it is not a video. */
  liarExt: { file: 'liar.mp4', make: (out) => ffmpeg('-f', 'lavfi', '-i', 'color=c=red:s=32x32:d=0.04:r=25', '-frames:v', '1', '-c:v', 'png', '-f', 'image2', out) },
  /** 64×64 at 1 fps for 1,860 s (31 minutes): a long duration in a few KB, for duration-limit tests. */
  long: { file: 'long-31min.mp4', make: (out) => ffmpeg(...lavfiVideo('64x64', 1), '-t', '1860', ...h264, '-f', 'mp4', out) },
  /** An MP3 with embedded cover art: its only "video" stream is an attached picture. */
  nonVideo: {
    file: 'audio-with-cover.mp3',
    make: (out) =>
      ffmpeg(...lavfiSine(44_100), '-f', 'lavfi', '-i', 'color=c=red:s=64x64:d=0.04:r=25', '-t', '2', '-map', '0:a', '-map', '1:v', '-frames:v', '1', '-c:a', 'libmp3lame', '-b:a', '64k', '-c:v', 'mjpeg', '-disposition:v:0', 'attached_pic', '-id3v2_version', '3', '-f', 'mp3', out),
  },
  /** AAC audio alone in an MP4 container: sniffs as MP4, has no video stream. */
  audioOnlyMp4: { file: 'audio-only.mp4', make: (out) => ffmpeg(...lavfiSine(), '-t', '1', ...aac, '-f', 'mp4', out) },
} satisfies Record<string, Recipe>;

export type ClipKind = keyof typeof recipes;
export const CLIP_KINDS = Object.keys(recipes) as ClipKind[];

const cache = recipeCache('picora-video-clips', recipes, [h264, aac]);
/** Where clips are cached (shared by every test file and run with the same recipes). */
export const CLIP_DIR = cache.dir;

/** The path of a clip of this kind, made on first use (and kept for later runs). */
export const generateClip = (kind: ClipKind): Promise<string> => cache.get(kind);

let available: Promise<boolean> | undefined;

/** Whether ffmpeg and ffprobe run here (checked once). */
export function ffmpegAvailable(): Promise<boolean> {
  available ??= Promise.all([
    run(testBins.ffmpeg, ['-hide_banner', '-version'], { timeout: 15_000 }),
    run(testBins.ffprobe, ['-hide_banner', '-version'], { timeout: 15_000 }),
  ]).then(
    () => true,
    () => false,
  );
  return available;
}
