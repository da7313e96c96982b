// What ffprobe says about a file: display size (after rotation), duration, frame rate, codecs, audio or not.
// A file without a real video stream (audio only; an MP3's cover art does not count) is 'unsupported';
// one ffprobe cannot read is 'corrupt'.
import { MediaError } from '../media-error.js';
import { runFfprobe, uploadInputArgs } from './ffmpeg.js';
import type { VideoProbe } from './video-types.js';

export type ProbeOptions = {
  ffprobe: string;
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
  /** Demuxers ffprobe may use (default: those of uploads; our own HLS output is read with 'hls,mov'). */
  demuxers?: string;
};

/** The parts of `ffprobe -print_format json -show_format -show_streams` we read. */
export type FfprobeStream = {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  level?: number;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  tags?: Record<string, string>;
  disposition?: Record<string, number>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
};
export type FfprobeResult = { streams?: FfprobeStream[]; format?: { duration?: string; bit_rate?: string; format_name?: string } };

const DEFAULT_TIMEOUT_MS = 60_000;

/** Runs ffprobe on `file` and returns its parsed JSON (MediaError 'corrupt' when it cannot read the file). */
export async function runProbe(file: string, opts: ProbeOptions): Promise<FfprobeResult> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ...uploadInputArgs(file, opts.demuxers)];
  const stdout = await runFfprobe(opts.ffprobe, args, { timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, signal: opts.signal });
  try {
    return JSON.parse(stdout) as FfprobeResult;
  } catch (err) {
    throw new MediaError('corrupt', 'ffprobe gave no readable description of the file', { cause: err });
  }
}

/** Probes a video file; see VideoProbe for what each field means. */
export async function probeVideo(file: string, opts: ProbeOptions): Promise<VideoProbe> {
  return videoProbeOf(await runProbe(file, opts));
}

/** The VideoProbe of ffprobe's JSON (exported for tests). */
export function videoProbeOf(result: FfprobeResult): VideoProbe {
  const streams = result.streams ?? [];
  const video = mainVideoStream(streams);
  if (!video) throw new MediaError('unsupported', 'the file has no video stream');
  const audio = streams.find((s) => s.codec_type === 'audio');
  const codedWidth = positiveInt(video.width);
  const codedHeight = positiveInt(video.height);
  if (!codedWidth || !codedHeight) throw new MediaError('corrupt', 'the video stream has no frame size');
  const quarterTurn = Math.abs(Math.round(rotationOf(video) / 90)) % 2 === 1;
  return {
    durationSeconds: positive(result.format?.duration) || positive(video.duration) || tagDuration(video) || 0,
    width: quarterTurn ? codedHeight : codedWidth,
    height: quarterTurn ? codedWidth : codedHeight,
    fps: frameRate(video.avg_frame_rate) || sane(frameRate(video.r_frame_rate)),
    hasAudio: audio !== undefined,
    videoCodec: video.codec_name ?? 'unknown',
    audioCodec: audio ? (audio.codec_name ?? 'unknown') : null,
    bitRate: Math.round(positive(result.format?.bit_rate)),
  };
}

/** The first video stream that is not an attached picture (cover art) — the one ffmpeg's `0:V:0` selects. */
export function mainVideoStream(streams: readonly FfprobeStream[]): FfprobeStream | undefined {
  return streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic && !s.disposition?.timed_thumbnails);
}

/** Degrees of the display rotation: the display matrix side data, else the legacy `rotate` tag. */
export function rotationOf(stream: FfprobeStream): number {
  for (const side of stream.side_data_list ?? []) {
    if (typeof side.rotation === 'number' && Number.isFinite(side.rotation)) return side.rotation;
  }
  const tag = Number(stream.tags?.rotate);
  return Number.isFinite(tag) ? tag : 0;
}

/** "30000/1001" → 29.97…; 0 for "0/0", missing or nonsense. */
export function frameRate(text: string | undefined): number {
  const [num, den] = (text ?? '').split('/').map(Number);
  if (!num || !den || !Number.isFinite(num / den) || num / den <= 0) return 0;
  return num / den;
}

/** r_frame_rate is a guess (the time base's lowest common rate): trusted only when plausible. */
function sane(fps: number): number {
  return fps > 0 && fps <= 240 ? fps : 0;
}

/** Matroska keeps a stream's duration in a tag: "00:01:02.500000000". */
function tagDuration(stream: FfprobeStream): number {
  const m = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(stream.tags?.DURATION ?? stream.tags?.duration ?? '');
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : 0;
}

function positive(text: string | undefined): number {
  const n = Number(text);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

function positiveInt(n: number | undefined): number {
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : 0;
}
