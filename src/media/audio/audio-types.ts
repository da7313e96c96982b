// The shapes src/media/audio exchanges with its callers. Pure data: no db, storage or config here.

/** The containers accepted as audio, judged from the bytes (never the name or the declared type). */
export type AudioFormat = 'mp3' | 'm4a' | 'wav' | 'flac' | 'ogg';
export type SniffedAudio = { format: AudioFormat; mimeType: string; ext: string };

export const AUDIO_TYPES: Record<AudioFormat, SniffedAudio> = {
  mp3: { format: 'mp3', mimeType: 'audio/mpeg', ext: 'mp3' },
  m4a: { format: 'm4a', mimeType: 'audio/mp4', ext: 'm4a' },
  wav: { format: 'wav', mimeType: 'audio/wav', ext: 'wav' },
  flac: { format: 'flac', mimeType: 'audio/flac', ext: 'flac' },
  ogg: { format: 'ogg', mimeType: 'audio/ogg', ext: 'ogg' },
};

/** What music-metadata says about an accepted file. */
export type AudioProbe = {
  /** Seconds, or null when the parser could not tell (the caller refuses such a file). */
  durationSeconds: number | null;
  /** kbps, rounded; null when unknown. */
  bitrateKbps: number | null;
  sampleRate: number | null;
  channels: number | null;
  codec: string | null;
  title: string | null;
  artist: string | null;
  album: string | null;
  /** The embedded front cover (or the first picture), as stored in the file: not yet decoded or trusted. */
  cover: { data: Buffer; mimeType: string } | null;
};
