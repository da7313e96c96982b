// The one ffmpeg command that encodes a whole ladder: decode once, `split` the picture per rung, encode each with
// libx264 (capped CRF), mux each with its own copy of the audio into fMP4 HLS (`-var_stream_map`).
// Paths are relative to the output folder, which is ffmpeg's working directory (so no output path can hold a
// '%' that ffmpeg would read as a pattern).
import { uploadInputArgs } from './ffmpeg.js';
import type { Rung, VideoProbe } from './video-types.js';

export type HlsArgsInput = {
  input: string;
  probe: Pick<VideoProbe, 'width' | 'height' | 'fps' | 'hasAudio'>;
  rungs: readonly Rung[];
  /** Bound on ffmpeg's threads: the decoder, the filter graph and each encoder. */
  threads: number;
  segmentSeconds: number;
};

export const CRF = 23;
export const AUDIO_BITRATE = '128k';
/** Frame rates above this are halved until they are not (a 240 fps slow-motion clip is played at 60). */
export const MAX_FPS = 60;
/** Frame rate assumed when ffprobe could not tell. */
const FALLBACK_FPS = 30;
/** Names of the files in each rung's folder. */
export const INIT_FILE = 'init.mp4';
export const PLAYLIST_FILE = 'index.m3u8';
export const SEGMENT_PATTERN = 'seg_%03d.m4s';

/** The frame rate the encode runs at. */
export function outputFps(sourceFps: number): number {
  let fps = sourceFps > 0 ? sourceFps : FALLBACK_FPS;
  while (fps > MAX_FPS) fps /= 2;
  return fps;
}

/** Frames per GOP: 2 s, so keyframes line up across rungs and segments cut at 2 s multiples. */
export function gopFrames(sourceFps: number): number {
  return 2 * Math.max(1, Math.round(outputFps(sourceFps)));
}

/** The filter graph: one `split` into one scaler per rung, outputs [v0] … [vN-1]. */
export function ladderFilter(probe: Pick<VideoProbe, 'width' | 'height' | 'fps'>, rungs: readonly Rung[]): string {
  const portrait = probe.height > probe.width;
  const scale = (r: Rung): string => (portrait ? `scale=${r.shortSide}:-2` : `scale=-2:${r.shortSide}`);
  const capFps = probe.fps > MAX_FPS ? `fps=${outputFps(probe.fps)},` : '';
  if (rungs.length === 1) return `[0:V:0]${capFps}${scale(rungs[0]!)}[v0]`;
  const branches = rungs.map((_, i) => `[s${i}]`).join('');
  const scalers = rungs.map((r, i) => `[s${i}]${scale(r)}[v${i}]`);
  return [`[0:V:0]${capFps}split=${rungs.length}${branches}`, ...scalers].join(';');
}

/** ffmpeg's arguments (after the global ones runFfmpeg adds) for the ladder, run inside the output folder. */
export function hlsArgs(opts: HlsArgsInput): string[] {
  const { probe, rungs } = opts;
  if (rungs.length === 0) throw new Error('a ladder needs at least one rung');
  const bad = rungs.find((r) => !/^[A-Za-z0-9_-]+$/.test(r.name));
  if (bad) throw new Error(`a rung name must be a plain folder name: ${JSON.stringify(bad.name)}`);
  const threads = String(Math.max(1, Math.floor(opts.threads)));
  const gop = String(gopFrames(probe.fps));
  const audio = probe.hasAudio;
  const args = ['-y', '-threads', threads, ...uploadInputArgs(opts.input)];
  args.push('-filter_complex_threads', threads, '-filter_complex', ladderFilter(probe, rungs));
  rungs.forEach((_, i) => args.push('-map', `[v${i}]`));
  if (audio) rungs.forEach(() => args.push('-map', '0:a:0'));
  args.push(
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-pix_fmt', 'yuv420p', '-crf', String(CRF),
    '-g', gop, '-keyint_min', gop, '-sc_threshold', '0',
  );
  rungs.forEach((r, i) => args.push(`-maxrate:v:${i}`, `${r.maxrateKbps}k`, `-bufsize:v:${i}`, `${r.bufsizeKbps}k`));
  args.push('-threads', threads);
  if (audio) args.push('-c:a', 'aac', '-b:a', AUDIO_BITRATE, '-ac', '2');
  args.push(
    '-map_metadata', '-1', '-map_chapters', '-1', '-max_muxing_queue_size', '1024',
    '-f', 'hls', '-hls_time', String(opts.segmentSeconds), '-hls_list_size', '0', '-hls_playlist_type', 'vod',
    '-hls_segment_type', 'fmp4', '-hls_flags', 'independent_segments', '-hls_fmp4_init_filename', INIT_FILE,
    '-hls_segment_filename', `%v/${SEGMENT_PATTERN}`,
    '-var_stream_map', rungs.map((r, i) => (audio ? `v:${i},a:${i},name:${r.name}` : `v:${i},name:${r.name}`)).join(' '),
    `%v/${PLAYLIST_FILE}`,
  );
  return args;
}
