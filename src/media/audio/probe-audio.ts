// Reads an accepted audio file with music-metadata (from the file on disk, streamed): container and codec, duration,
// bitrate, sample rate, channels, title/artist/album tags and the embedded cover (ID3 APIC, FLAC PICTURE, MP4 covr).
// The container it finds must be the one the bytes were sniffed as, with an audio stream and no video stream.
import { parseFile, selectCover, type IAudioMetadata } from 'music-metadata';
import { MediaError } from '../media-error.js';
import type { AudioFormat, AudioProbe } from './audio-types.js';

/** Covers larger than this are ignored (the default cover is used): nobody embeds a 16 MB thumbnail. */
export const MAX_COVER_BYTES = 16 * 1024 * 1024;
/** Tag values are cut to this many characters. */
const MAX_TAG_CHARS = 255;

/** music-metadata's TrackType for video tracks (MP4/Matroska). */
const VIDEO_TRACK = 1;

/** Which of our formats music-metadata's container name is, or undefined. */
function formatOf(container: string | undefined, codec: string | undefined): AudioFormat | undefined {
  if (!container) return undefined;
  if (container === 'MPEG') return /Layer 3/i.test(codec ?? '') ? 'mp3' : undefined;
  if (container === 'WAVE') return 'wav';
  if (container === 'FLAC') return 'flac';
  if (container === 'Ogg') return 'ogg';
  // ISO-BMFF: music-metadata names the brands ("M4A/isom/iso2", "isom/iso2/mp41")
  if (/^(M4A|M4B|M4P|F4A|F4B|isom|iso\d|mp4\d|dash|3gp\d|3g2a)\b/.test(container)) return 'm4a';
  return undefined;
}

const tag = (v: string | undefined): string | null => {
  const t = v?.normalize('NFC').replace(/[\p{Cc}]/gu, '').trim();
  return t ? [...t].slice(0, MAX_TAG_CHARS).join('') : null;
};

const positive = (n: number | undefined): number | null => (n !== undefined && Number.isFinite(n) && n > 0 ? n : null);

/**
 * Probes `file`, sniffed as `expected`. MediaError 'unsupported' when it is not that container, has no audio or
 * has a video stream; 'corrupt' when it cannot be parsed.
 */
export async function probeAudio(file: string, expected: AudioFormat): Promise<AudioProbe> {
  let meta: IAudioMetadata;
  try {
    meta = await parseFile(file, { duration: true, skipCovers: false });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/Guessed MIME-type not supported|Failed to determine audio format/i.test(message)) throw new MediaError('unsupported', message, { cause: err });
    throw new MediaError('corrupt', message, { cause: err });
  }
  const f = meta.format;
  const found = formatOf(f.container, f.codec);
  if (found !== expected) throw new MediaError('unsupported', `the file's contents (${f.container ?? 'unknown'}) do not match its header (${expected})`);
  if (f.hasVideo === true || (f.trackInfo ?? []).some((t) => t.type === VIDEO_TRACK || /^<(avc1|hvc1|hev1|av01|vp09|mp4v)>$/.test(t.codecName ?? ''))) {
    throw new MediaError('unsupported', 'the file has a video track (upload it as a video)');
  }
  if (f.hasAudio === false || (!f.codec && !f.sampleRate)) throw new MediaError('unsupported', 'the file has no audio stream');
  const picture = selectCover(meta.common.picture);
  const cover = picture && picture.data.length > 0 && picture.data.length <= MAX_COVER_BYTES ? { data: Buffer.from(picture.data), mimeType: picture.format } : null;
  const bitrate = positive(f.bitrate);
  return {
    durationSeconds: positive(f.duration),
    bitrateKbps: bitrate === null ? null : Math.max(1, Math.round(bitrate / 1000)),
    sampleRate: positive(f.sampleRate) === null ? null : Math.round(f.sampleRate!),
    channels: positive(f.numberOfChannels),
    codec: tag(f.codec),
    title: tag(meta.common.title),
    artist: tag(meta.common.artist),
    album: tag(meta.common.album),
    cover,
  };
}
