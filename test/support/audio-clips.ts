// Small audio files for tests, made with ffmpeg's lavfi sources (sine tones, coloured pictures for covers) on first
// use and cached (file-recipes.ts).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { recipeCache, type Recipe } from './file-recipes.js';
import { testBins } from './video-clips.js';

const run = promisify(execFile);

const sine = (rate = 44_100, seconds = 2): string[] => ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=${rate}:duration=${seconds}`];
/** A 800×600 picture (a test pattern: real image content, not one flat colour). */
const picture = ['-f', 'lavfi', '-i', 'testsrc2=size=800x600:rate=1:duration=1'];
const withCover = (codec: string): string[] => ['-map', '0:a', '-map', '1:v', '-frames:v', '1', '-c:v', codec, '-disposition:v:0', 'attached_pic'];
const tags = ['-metadata', 'title=Tagged Title', '-metadata', 'artist=Test Artist', '-metadata', 'album=Test Album'];

const ffmpeg = async (...args: string[]): Promise<void> => {
  await run(testBins.ffmpeg, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], { timeout: 120_000 });
};

const recipes = {
  /** MP3 (ID3v2.3 with title/artist/album) with an 800×600 JPEG cover (APIC), 2 s. */
  mp3Cover: { file: 'cover.mp3', make: (out) => ffmpeg(...sine(), ...picture, ...withCover('mjpeg'), '-c:a', 'libmp3lame', '-b:a', '64k', ...tags, '-id3v2_version', '3', '-f', 'mp3', out) },
  /** MP3 without any tag (starts with a frame header, no Xing header), 2 s. */
  mp3Plain: { file: 'plain.mp3', make: (out) => ffmpeg(...sine(), '-c:a', 'libmp3lame', '-b:a', '64k', '-write_xing', '0', '-id3v2_version', '0', '-f', 'mp3', out) },
  /** FLAC with a PNG cover (PICTURE block), 2 s. */
  flacCover: { file: 'cover.flac', make: (out) => ffmpeg(...sine(), ...picture, ...withCover('png'), '-c:a', 'flac', '-f', 'flac', out) },
  /** M4A (AAC, ftyp M4A) with a PNG cover (covr), 2 s. */
  m4aCover: { file: 'cover.m4a', make: (out) => ffmpeg(...sine(), ...picture, ...withCover('png'), '-c:a', 'aac', '-b:a', '64k', '-f', 'ipod', out) },
  /** WAV, PCM 16-bit mono, 2 s. */
  wav: { file: 'tone.wav', make: (out) => ffmpeg(...sine(), '-c:a', 'pcm_s16le', '-f', 'wav', out) },
  /** OGG Vorbis, 2 s. */
  ogg: { file: 'tone.ogg', make: (out) => ffmpeg(...sine(), '-c:a', 'libvorbis', '-f', 'ogg', out) },
  /** AAC in ADTS (not an accepted container): the refusal names audio/aac. */
  adts: { file: 'tone.aac', make: (out) => ffmpeg(...sine(), '-c:a', 'aac', '-b:a', '64k', '-f', 'adts', out) },
  /** An MP4 with a video stream (and audio): a video, not audio. */
  video: {
    file: 'video.mp4',
    make: (out) => ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=64x64:rate=10:duration=1', ...sine(44_100, 1), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', 'mp4', out),
  },
} satisfies Record<string, Recipe>;

export type AudioClip = keyof typeof recipes;

const cache = recipeCache('picora-audio-clips', recipes, [picture, tags]);

/** The path of a clip of this kind, made on first use (and kept for later runs). */
export const generateAudio = (kind: AudioClip): Promise<string> => cache.get(kind);
