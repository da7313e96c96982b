// The shapes src/media/video exchanges with its callers. Pure data: no db, storage or config here.

/** What the first bytes say a file is (never its name). */
export type VideoContainer = 'mp4' | 'mov' | 'mkv' | 'webm' | 'avi';
export type SniffedVideo = { container: VideoContainer; mimeType: string; ext: string };

/** What ffprobe says about a file that has a video stream. */
export type VideoProbe = {
  durationSeconds: number;
  /** Display size: after rotation metadata is applied (a portrait phone clip is width < height). */
  width: number;
  height: number;
  /** Frames per second (avg_frame_rate), 0 when unknown. */
  fps: number;
  hasAudio: boolean;
  videoCodec: string;
  audioCodec: string | null;
  /** Container bit rate (bits/s), 0 when unknown. */
  bitRate: number;
};

/**
 * One rung of the ladder, named by its short side: 360p, 480p, 720p, 1080p — never above the source's short
 * side; a source smaller than 360p gets one rung at its own size (e.g. 240p).
 */
export type Rung = { name: string; shortSide: number; maxrateKbps: number; bufsizeKbps: number };

/** An encoded rung as the master playlist describes it. */
export type Rendition = {
  name: string;
  width: number;
  height: number;
  /** Peak segment bit rate (bits/s), for BANDWIDTH. */
  bandwidth: number;
  /** Mean bit rate (bits/s), for AVERAGE-BANDWIDTH. */
  averageBandwidth: number;
  /** RFC 6381 codec string, e.g. "avc1.64001f,mp4a.40.2". */
  codecs: string;
  frameRate: number;
};

/**
 * The files one transcode writes into its output folder, relative to it:
 *   <rung>/index.m3u8, <rung>/init.mp4, <rung>/seg_000.m4s …, poster.jpg
 * (the master playlist is not written: the server writes it per request, see master-playlist.ts).
 */
export type HlsOutput = { renditions: Rendition[]; files: string[]; durationSeconds: number; posterFile: string | null };
