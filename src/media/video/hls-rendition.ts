// After the encode: tidy each rung's folder (one `init.mp4`, a truthful TARGETDURATION) and measure what the
// master playlist says about it — peak and mean bit rate from the segment files, size, frame rate and codecs
// from ffprobe of the rung's own playlist (which also proves it plays).
import { readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MediaError } from '../media-error.js';
import { audioCodecString, avcCodecString } from './codecs.js';
import { INIT_FILE, PLAYLIST_FILE } from './hls-args.js';
import { frameRate, mainVideoStream, runProbe } from './probe.js';
import type { Rendition, Rung } from './video-types.js';

export type MediaSegment = { uri: string; durationSeconds: number };
export type MediaPlaylist = { initUri: string | undefined; segments: MediaSegment[] };

/** The init section and segments of a media playlist (URIs as written, relative to the playlist). */
export function parseMediaPlaylist(text: string): MediaPlaylist {
  let initUri: string | undefined;
  const segments: MediaSegment[] = [];
  let duration: number | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-MAP:')) initUri = /URI="([^"]*)"/.exec(line)?.[1];
    else if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice('#EXTINF:'.length));
    else if (line !== '' && !line.startsWith('#')) {
      segments.push({ uri: line, durationSeconds: duration !== undefined && Number.isFinite(duration) ? duration : 0 });
      duration = undefined;
    }
  }
  return { initUri, segments };
}

/**
 * Gives the rung's init section its fixed name (ffmpeg names it init_<n>.mp4 when there are several streams),
 * points EXT-X-MAP at it, and sets EXT-X-TARGETDURATION to the longest rounded EXTINF (ffmpeg 5.1 may round
 * it down, which RFC 8216 forbids). Returns the playlist as written.
 */
export async function tidyRungFolder(rungDir: string): Promise<MediaPlaylist> {
  const playlistPath = path.join(rungDir, PLAYLIST_FILE);
  let text = await readFile(playlistPath, 'utf8').catch(() => undefined);
  if (text === undefined) throw new MediaError('corrupt', 'the encoder wrote no playlist: no frame could be decoded');
  const parsed = parseMediaPlaylist(text);
  if (parsed.segments.length === 0) throw new MediaError('corrupt', 'the encoder wrote no segment: no frame could be decoded');
  if (parsed.initUri && parsed.initUri !== INIT_FILE) {
    if (parsed.initUri.includes('/')) throw new Error(`unexpected init section URI ${parsed.initUri}`);
    await rename(path.join(rungDir, parsed.initUri), path.join(rungDir, INIT_FILE));
    text = text.replace(`#EXT-X-MAP:URI="${parsed.initUri}"`, `#EXT-X-MAP:URI="${INIT_FILE}"`);
  }
  const target = Math.max(1, ...parsed.segments.map((s) => Math.round(s.durationSeconds)));
  text = text.replace(/^#EXT-X-TARGETDURATION:\d+$/m, `#EXT-X-TARGETDURATION:${target}`);
  await writeFile(playlistPath, text);
  return { initUri: parsed.initUri ? INIT_FILE : undefined, segments: parsed.segments };
}

/** Peak and mean bit rate of a rung: each segment's bytes × 8 / its EXTINF (the init section counts with the first). */
export async function measureBitRates(rungDir: string, playlist: MediaPlaylist): Promise<{ peak: number; average: number }> {
  const size = async (uri: string): Promise<number> => (await stat(path.join(rungDir, uri))).size;
  const initBytes = playlist.initUri ? await size(playlist.initUri) : 0;
  let peak = 0;
  let totalBytes = initBytes;
  let totalSeconds = 0;
  for (const [i, segment] of playlist.segments.entries()) {
    const bytes = await size(segment.uri);
    totalBytes += bytes;
    totalSeconds += segment.durationSeconds;
    const counted = bytes + (i === 0 ? initBytes : 0);
    if (segment.durationSeconds > 0) peak = Math.max(peak, (counted * 8) / segment.durationSeconds);
  }
  const average = totalSeconds > 0 ? (totalBytes * 8) / totalSeconds : peak;
  return { peak: Math.ceil(peak), average: Math.ceil(average) };
}

/** The rendition the master playlist lists for one encoded rung. */
export async function measureRendition(
  outDir: string,
  rung: Rung,
  playlist: MediaPlaylist,
  opts: { ffprobe: string; signal?: AbortSignal | undefined },
): Promise<Rendition> {
  const rungDir = path.join(outDir, rung.name);
  const rates = await measureBitRates(rungDir, playlist);
  const probe = await runProbe(path.join(rungDir, PLAYLIST_FILE), { ffprobe: opts.ffprobe, signal: opts.signal, demuxers: 'hls,mov' });
  const streams = probe.streams ?? [];
  const video = mainVideoStream(streams);
  if (!video?.width || !video.height) throw new MediaError('corrupt', `the ${rung.name} rendition has no readable video`);
  const audio = streams.find((s) => s.codec_type === 'audio');
  const videoCodec = avcCodecString(video.profile, video.level);
  if (!videoCodec) throw new Error(`no RFC 6381 string for H.264 ${video.profile ?? '?'}@${video.level ?? '?'}`);
  const audioCodec = audio ? audioCodecString(audio.codec_name, audio.profile) : undefined;
  return {
    name: rung.name,
    width: video.width,
    height: video.height,
    bandwidth: rates.peak,
    averageBandwidth: rates.average,
    codecs: audioCodec ? `${videoCodec},${audioCodec}` : videoCodec,
    frameRate: Math.round((frameRate(video.avg_frame_rate) || frameRate(video.r_frame_rate)) * 1000) / 1000,
  };
}

/** Every file under `dir`, relative to it, sorted. */
export async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix + entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(path.join(dir, entry.name), `${rel}/`)));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}
