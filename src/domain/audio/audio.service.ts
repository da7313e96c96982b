// The audio library: read, update, delete (with its objects, its quota and a sync tombstone), and signed links for
// private audio. Listing is the unified library's (/v1/media?type=audio, SPEC §9).
import { AppError, validationError } from '../../errors/app-error.js';
import type { AudioPatch, AudioRepo } from '../../db/repos/audio.repo.js';
import type { AudioRow } from '../../db/schema.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { storageKeys } from '../../storage/keys.js';
import type { Principal } from '../../auth/principal.js';
import type { Clock } from '../../lib/clock.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Quotas } from '../usage/quotas.js';
import { audioUrl, presentAudio, type AudioResponse } from './audio-presenter.js';
import { MAX_AUDIO_TITLE, requireAudioOwner } from './audio-policy.js';
import type { AudioSigner } from './audio-signing.js';

export type AudioUpdate = { title?: string | undefined; isPublic?: boolean | undefined };

type Deps = {
  audio: AudioRepo;
  quotas: Pick<Quotas, 'releaseMediaStorage'>;
  blobs: BlobStore;
  jobs: Pick<JobQueue, 'enqueue'>;
  signer: AudioSigner;
  clock: Clock;
  mediaBaseUrl: string;
  /** Lifetime of the token an owner's responses carry for a private file. */
  playbackTtlSeconds: number;
  log: { warn(obj: object, msg: string): void };
  /** Drops what delivery caches hold for an audio file that changed or was deleted. */
  onChanged?: (audioId: string) => void;
  onDeleted?: (row: AudioRow) => void;
};

export function createAudioService(deps: Deps) {
  const { audio, blobs, clock } = deps;

  const owned = async (p: Principal, id: string): Promise<AudioRow> => requireAudioOwner(await audio.findById(id), p);

  /** A token for a private file (its owner is asking), valid for `seconds`. */
  function tokenFor(row: AudioRow, seconds = deps.playbackTtlSeconds): string | undefined {
    if (row.isPublic === 1) return undefined;
    return deps.signer.sign(row.id, Math.floor(clock.now() / 1000) + seconds).token;
  }

  /** Removes every object of an audio file; what fails is handed to a purge job that retries. */
  async function purge(row: Pick<AudioRow, 'id' | 'userId'>): Promise<void> {
    const prefix = storageKeys.audioPrefix(row.userId, row.id);
    try {
      for await (const key of blobs.list(prefix)) await blobs.delete(key);
    } catch (err) {
      deps.log.warn({ err, audioId: row.id }, 'audio deleted, but some stored bytes could not be removed now; a purge job retries');
      await deps.jobs.enqueue('storage.purge', { prefix }, { key: `purge-${row.id}`, maxAttempts: 10 }).catch(() => undefined);
    }
  }

  return {
    present: (row: AudioRow): AudioResponse => presentAudio(row, { mediaBaseUrl: deps.mediaBaseUrl, token: tokenFor(row) }),

    get: owned,

    /** `title` and/or visibility; an empty update changes nothing (not even updatedAt). */
    async update(p: Principal, id: string, patch: AudioUpdate): Promise<AudioRow> {
      const current = await owned(p, id);
      const set: AudioPatch = {};
      if (patch.title !== undefined) {
        const title = patch.title.trim();
        if (!title) throw validationError('title', 'must not be empty');
        if ([...title].length > MAX_AUDIO_TITLE) throw validationError('title', `must be at most ${MAX_AUDIO_TITLE} characters`);
        set.title = title;
      }
      if (patch.isPublic !== undefined) set.isPublic = patch.isPublic ? 1 : 0;
      if (Object.keys(set).length === 0) return current;
      // after the row's last change even within one ms: the sync feed's (updatedAt, id) order sees every change
      const row = await audio.update(id, set, Math.max(clock.now(), current.updatedAt + 1));
      if (!row) throw new AppError('NOT_FOUND', 'Audio not found');
      deps.onChanged?.(id);
      return row;
    },

    /** Deletes the row with its tombstone (one transaction), gives the media storage back, then removes the objects. */
    async remove(p: Principal, id: string): Promise<void> {
      await owned(p, id);
      const row = await audio.delete(id, clock.now());
      if (!row) throw new AppError('NOT_FOUND', 'Audio not found');
      await deps.quotas.releaseMediaStorage(row.userId, row.sizeBytes, 1);
      deps.onChanged?.(id);
      deps.onDeleted?.(row);
      await purge(row);
    },

    /** A signed link to the file (works for anyone holding it, until it expires). */
    async sign(p: Principal, id: string, expSeconds = 3600): Promise<{ signedUrl: string; expiresAt: string; exp: number }> {
      if (!Number.isInteger(expSeconds) || expSeconds < 1 || expSeconds > 86_400) throw validationError('expSeconds', 'must be an integer from 1 to 86400');
      const row = await owned(p, id);
      const { token, exp } = deps.signer.sign(row.id, Math.floor(clock.now() / 1000) + expSeconds);
      return { signedUrl: `${audioUrl(deps.mediaBaseUrl, row)}?token=${token}`, expiresAt: new Date(exp * 1000).toISOString(), exp };
    },
  };
}

export type AudioService = ReturnType<typeof createAudioService>;
