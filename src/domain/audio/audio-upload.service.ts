// Audio upload (SPEC §9): plan gate → spool (sniffed by its bytes, hashed, counted, the plan's size limit) → probe
// (music-metadata: the container matches the bytes, a duration within the plan) → cover (the embedded picture
// re-encoded as a clean JPEG in a media worker, else the format's default) → reserve media quota → store cover and
// original → row → 201 "ready". Any refusal leaves no row, no object and no reserved quota behind; a process that
// dies mid-upload leaves its reservation (kind "audio"), which the sweeper gives back with both objects.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Readable as ReadableStream } from 'node:stream';
import { AppError, validationError } from '../../errors/app-error.js';
import type { AudioRepo } from '../../db/repos/audio.repo.js';
import type { PlansRepo } from '../../db/repos/plans.repo.js';
import type { AudioRow, PlanRow } from '../../db/schema.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { storageKeys } from '../../storage/keys.js';
import type { Principal } from '../../auth/principal.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { isMediaError } from '../../media/media-error.js';
import { sniffImageType } from '../../media/sniff.js';
import type { MediaWorkers } from '../../media/worker/media-workers.js';
import type { AudioProbe, SniffedAudio } from '../../media/audio/audio-types.js';
import { probeAudio } from '../../media/audio/probe-audio.js';
import { AUDIO_SNIFF_BYTES, describeRefused, sniffAudio } from '../../media/audio/sniff-audio.js';
import type { Quotas } from '../usage/quotas.js';
import { cleanFilename, formatBytes, spoolUpload, type SpooledUpload } from '../images/upload-spool.js';
import { parseIsPublicField, type CommitOptions } from '../images/upload.service.js';
import { audioTitle, MAX_AUDIO_TITLE, requireAudioPlan } from './audio-policy.js';

export type AudioSpool = SpooledUpload<SniffedAudio>;
export type AudioFields = { isPublic?: string | undefined; title?: string | undefined };
/** A file on local disk already judged an accepted audio container, with its size and sha256. */
export type StagedAudio = Pick<AudioSpool, 'path' | 'size' | 'sha256' | 'type' | 'filename'>;

/** Side of the stored cover thumbnail (JPEG, fit inside). */
export const COVER_SIDE = 512;
/** Pixel budget for decoding an embedded cover (a 7000² picture passes; a pixel bomb does not). */
const COVER_MAX_PIXELS = 50_000_000;
const COVER_INPUTS = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

type Deps = {
  audio: AudioRepo;
  plans: PlansRepo;
  quotas: Pick<Quotas, 'reserveAudioUpload'>;
  blobs: BlobStore;
  clock: Clock;
  spoolDir: string;
  workers: Pick<MediaWorkers, 'render'>;
  log: { warn(obj: object, msg: string): void };
  onStored?: (bytes: number) => void;
  /** A new audio row exists (webhooks, caches). */
  onCreated?: (row: AudioRow) => void;
};

const formatDuration = (seconds: number): string =>
  seconds >= 3600 && seconds % 3600 === 0 ? `${seconds / 3600} h` : seconds >= 60 ? `${Math.round(seconds / 60)} min` : `${seconds} s`;

const unsupported = (mime: string) =>
  new AppError('INVALID_FILE_TYPE', `Audio MIME not supported: ${mime}. Upload MP3, M4A, WAV, FLAC or OGG (judged by the file's bytes)`, { field: 'file', mimeType: mime });

/** The form fields of an audio upload: `isPublic` ("true"/"false", default true) and `title` (≤ 255 characters). */
export function parseAudioFields(f: AudioFields): { isPublic: boolean; title: string | null } {
  const isPublic = parseIsPublicField(f.isPublic);
  const title = f.title?.trim() ? f.title.trim() : null;
  if (title !== null && [...title].length > MAX_AUDIO_TITLE) throw validationError('title', `must be at most ${MAX_AUDIO_TITLE} characters`);
  return { isPublic, title };
}

export function createAudioUploadService(deps: Deps) {
  const { audio, plans, blobs, clock } = deps;

  const audioPlan = async (p: Principal): Promise<PlanRow> => requireAudioPlan(await plans.findById(p.plan));

  async function probe(staged: StagedAudio, plan: PlanRow): Promise<AudioProbe & { durationSeconds: number }> {
    let probed: AudioProbe;
    try {
      probed = await probeAudio(staged.path, staged.type.format);
    } catch (err) {
      if (isMediaError(err, 'unsupported')) {
        throw new AppError('INVALID_FILE_TYPE', `Uploaded file is not a supported audio file: ${err.message}`, { field: 'file', mimeType: staged.type.mimeType });
      }
      if (isMediaError(err, 'corrupt')) throw new AppError('VALIDATION_ERROR', 'Validation error: file is not readable audio (truncated or corrupt)', { field: 'file' });
      throw err;
    }
    const seconds = probed.durationSeconds;
    if (seconds === null) {
      throw new AppError('VALIDATION_ERROR', 'Validation error: file duration could not be determined (not playable audio, or a broken header)', { field: 'file' });
    }
    if (seconds > plan.maxAudioSeconds) {
      throw new AppError(
        'VALIDATION_ERROR',
        `Validation error: file is ${formatDuration(Math.ceil(seconds))} long; your plan allows audio up to ${formatDuration(plan.maxAudioSeconds)}`,
        { field: 'file', maxDurationSeconds: plan.maxAudioSeconds, durationSeconds: Math.ceil(seconds) },
      );
    }
    return { ...probed, durationSeconds: seconds };
  }

  /** The embedded picture as a clean JPEG thumbnail (no metadata), or null: the format's default cover is served. */
  async function coverOf(probed: AudioProbe, userId: string): Promise<Buffer | null> {
    if (!probed.cover) return null;
    const kind = await sniffImageType(probed.cover.data);
    if (!kind || !COVER_INPUTS.has(kind.mime)) return null; // SVG, HEIC, AVIF or garbage: not worth the risk for a thumbnail
    try {
      const out = await deps.workers.render(probed.cover.data, { w: COVER_SIDE, h: COVER_SIDE, fit: 'inside', format: 'jpeg', q: 85 }, {
        maxPixels: COVER_MAX_PIXELS, maxFrames: 1, maxOutputSide: COVER_SIDE,
      });
      return out.data;
    } catch (err) {
      deps.log.warn({ err, userId }, 'audio upload: the embedded cover could not be decoded; the default cover is used');
      return null;
    }
  }

  /** The shared end of every audio upload: the file on disk becomes an audio row (see ingestAudioFile). */
  async function commitStaged(p: Principal, staged: StagedAudio, meta: { title: string | null; isPublic: boolean }, opts: CommitOptions = {}): Promise<AudioRow> {
    const plan = await audioPlan(p);
    if (staged.size > plan.maxAudioBytes) {
      throw new AppError('FILE_TOO_LARGE', `File exceeds the maximum allowed size for your plan (${formatBytes(plan.maxAudioBytes)})`, { maxBytes: plan.maxAudioBytes });
    }
    const probed = await probe(staged, plan);
    const cover = await coverOf(probed, p.userId);
    const id = newId();
    const reservation = await (opts.reserve ? opts.reserve(plan, staged.size, id) : deps.quotas.reserveAudioUpload(p.userId, plan, staged.size, id));
    const keys = { original: storageKeys.audioOriginal(p.userId, id), cover: storageKeys.audioCover(p.userId, id) };
    const abandon = async () => {
      try {
        await blobs.delete(keys.original);
        await blobs.delete(keys.cover);
      } catch (err) {
        deps.log.warn({ err, audioId: id }, 'audio upload: could not remove the objects of a failed upload; the reservation sweep will');
        return;
      }
      await reservation.release();
    };
    try {
      if (cover) await blobs.put(keys.cover, ReadableStream.from([cover]), { contentType: 'image/jpeg' });
      await blobs.putFile(keys.original, staged.path, { contentType: staged.type.mimeType });
    } catch (err) {
      await abandon();
      deps.log.warn({ err, userId: p.userId }, 'audio upload: the store refused the bytes');
      throw new AppError('STORAGE_ERROR');
    }
    if (!(await reservation.claim())) {
      await blobs.delete(keys.original).catch(() => undefined);
      await blobs.delete(keys.cover).catch(() => undefined);
      throw new AppError('STORAGE_ERROR');
    }
    const now = clock.now();
    const row: AudioRow = {
      id, userId: p.userId, title: audioTitle(meta.title, probed.title, staged.filename), filename: staged.filename, format: staged.type.format,
      ext: staged.type.ext, mimeType: staged.type.mimeType, sizeBytes: staged.size, sha256: staged.sha256, durationSeconds: probed.durationSeconds,
      bitrate: probed.bitrateKbps, sampleRate: probed.sampleRate, channels: probed.channels, codec: probed.codec, artist: probed.artist, album: probed.album,
      hasCover: cover ? 1 : 0, isPublic: meta.isPublic ? 1 : 0, createdAt: now, updatedAt: now,
    };
    try {
      await audio.insert(row);
    } catch (err) {
      await abandon();
      throw err;
    }
    await reservation.settle().catch((err: unknown) => deps.log.warn({ err, audioId: id }, 'audio upload: could not settle the quota reservation'));
    deps.onStored?.(row.sizeBytes);
    deps.onCreated?.(row);
    return row;
  }

  return {
    /** Refuses at once (before any byte is read) when the plan has no audio. */
    assertAllowed: async (p: Principal): Promise<void> => void (await audioPlan(p)),

    /** Streams the file part to the spool: judged by its bytes, within the plan's per-file limit. */
    async stage(p: Principal, file: Readable, filename: string | undefined): Promise<AudioSpool> {
      const plan = await audioPlan(p);
      let refusedAs = 'application/octet-stream';
      return spoolUpload(file, {
        dir: deps.spoolDir,
        maxBytes: plan.maxAudioBytes,
        filename,
        fallbackName: 'audio',
        sniff: async (head) => {
          const type = sniffAudio(head);
          if (!type) refusedAs = await describeRefused(head);
          return type;
        },
        refusal: () => unsupported(refusedAs),
      });
    },

    /** A staged multipart upload becomes an audio row (the caller disposes the spool). */
    commit: (p: Principal, spool: AudioSpool, fields: AudioFields, opts: CommitOptions = {}): Promise<AudioRow> => commitStaged(p, spool, parseAudioFields(fields), opts),

    /**
     * Ingests an audio file that is already on local disk (a finished resumable upload): the same checks as a
     * direct upload (plan, bytes sniffed, size and duration limits, music-metadata, cover) and the same result, a
     * ready audio row. `input.isPublic` / `input.title` are the client's strings as in the form ("true"/"false").
     * `opts.reserve` hands over the upload's own reservation (quotas.adoptReservation; reserve it with kind
     * "audio") instead of taking a new one. The file at `input.path` may be moved into the store (local store
     * on the same disk): the caller removes whatever is still there afterwards. Throws the same AppErrors as
     * POST /v1/audio; on any refusal nothing is stored, and a reservation taken through `opts.reserve` is released
     * (a refusal before that point, e.g. the bytes or the duration, leaves the caller's own reservation to the caller).
     */
    async ingestAudioFile(p: Principal, input: { path: string; filename?: string | undefined; title?: string | undefined; isPublic?: string | undefined }, opts: CommitOptions = {}): Promise<AudioRow> {
      const plan = await audioPlan(p);
      const meta = parseAudioFields({ title: input.title, isPublic: input.isPublic });
      const info = await stat(input.path);
      if (info.size === 0) throw new AppError('VALIDATION_ERROR', 'Validation error: file is empty', { field: 'file' });
      if (info.size > plan.maxAudioBytes) {
        throw new AppError('FILE_TOO_LARGE', `File exceeds the maximum allowed size for your plan (${formatBytes(plan.maxAudioBytes)})`, { maxBytes: plan.maxAudioBytes });
      }
      const head = Buffer.alloc(Math.min(AUDIO_SNIFF_BYTES, info.size));
      const fh = await open(input.path, 'r');
      try {
        await fh.read(head, 0, head.length, 0);
      } finally {
        await fh.close();
      }
      const type = sniffAudio(head);
      if (!type) throw unsupported(await describeRefused(head));
      const hash = createHash('sha256');
      for await (const chunk of createReadStream(input.path)) hash.update(chunk as Buffer);
      const staged: StagedAudio = { path: input.path, size: info.size, sha256: hash.digest('hex'), type, filename: cleanFilename(input.filename, type.ext, 'audio') };
      return commitStaged(p, staged, meta, opts);
    },
  };
}

export type AudioUploadService = ReturnType<typeof createAudioUploadService>;
