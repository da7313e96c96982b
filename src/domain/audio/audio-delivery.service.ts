// Playback on the media host: who may fetch an audio file or its cover, and what to send.
//   audio/{id}.{ext}        the original bytes (ranges: seeking in <audio>)
//   audio-cover/{id}.jpg    the re-encoded embedded cover, or the format's default cover
// Private audio: the owner (Authorization) or a valid token (?token=); anonymous → 401, another account or a
// bad/expired token → 403. Every byte served counts against the owner's monthly media bandwidth; past 120 % of
// the plan (where video playback is suspended) audio answers QUOTA_EXCEEDED (media_bandwidth).
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AppError } from '../../errors/app-error.js';
import type { AudioRepo } from '../../db/repos/audio.repo.js';
import type { PlansRepo } from '../../db/repos/plans.repo.js';
import type { UsersRepo } from '../../db/repos/users.repo.js';
import type { AudioRow, PlanRow } from '../../db/schema.js';
import type { BlobStore, ByteRange } from '../../storage/blob-store.js';
import { BlobNotFoundError } from '../../storage/blob-store.js';
import { storageKeys } from '../../storage/keys.js';
import type { Principal } from '../../auth/principal.js';
import type { Clock } from '../../lib/clock.js';
import { TtlCache } from '../../lib/ttl-cache.js';
import { defaultCover } from '../../media/audio/default-cover.js';
import { quotaError, type Quotas } from '../usage/quotas.js';
import type { AudioSigner } from './audio-signing.js';

export type AudioFileRequest = {
  what: 'audio' | 'cover';
  /** `{id}.{ext}` as asked. */
  file: string;
  principal: Principal | undefined;
  token: string | undefined;
  /** Asked on an account's custom domain: only that account's audio exists there. */
  onlyOwner?: string | undefined;
};

type Common = { row: AudioRow; contentType: string; etag: string; cacheControl: string; lastModified: number };
export type AudioFilePlan = (Common & { kind: 'object'; key: string; size: number }) | (Common & { kind: 'buffer'; body: Buffer });

const FILE = /^([A-Za-z0-9_-]{21})\.([a-z0-9]{1,5})$/;

type Deps = {
  audio: Pick<AudioRepo, 'findById'>;
  users: Pick<UsersRepo, 'findById'>;
  plans: PlansRepo;
  quotas: Pick<Quotas, 'mediaBandwidthState' | 'recordMediaBandwidth'>;
  blobs: BlobStore;
  signer: AudioSigner;
  clock: Clock;
  /** How long a row may be reused between requests (a player asks for many ranges); 0 = always read. */
  cacheMs: number;
  onServed?: (bytes: number) => void;
};

const notFound = () => new AppError('NOT_FOUND', 'Audio not found');
const quote = (s: string) => `"${createHash('sha256').update(s).digest('base64url').slice(0, 27)}"`;

export function createAudioDeliveryService(deps: Deps) {
  const { audio, plans, blobs, clock } = deps;
  const rows = new TtlCache<AudioRow | null>(deps.cacheMs, 10_000, clock.now);
  const planCache = new TtlCache<PlanRow | null>(deps.cacheMs, 1000, clock.now);
  const coverSizes = new TtlCache<number>(60_000, 50_000, clock.now);

  const loadRow = (id: string) => (deps.cacheMs > 0 ? rows.through(id, async () => (await audio.findById(id)) ?? null) : audio.findById(id).then((r) => r ?? null));
  async function planOf(row: AudioRow): Promise<PlanRow> {
    const load = async () => {
      const owner = await deps.users.findById(row.userId);
      return owner ? ((await plans.findById(owner.plan)) ?? null) : null;
    };
    const plan = deps.cacheMs > 0 ? await planCache.through(row.userId, load) : await load();
    if (!plan) throw notFound();
    return plan;
  }

  function authorise(row: AudioRow, req: AudioFileRequest): void {
    if (row.isPublic === 1) return;
    if (req.token !== undefined) {
      const verdict = deps.signer.verify(row.id, req.token, Math.floor(clock.now() / 1000));
      if (verdict === 'expired') throw new AppError('FORBIDDEN', 'This audio link has expired');
      if (verdict !== 'ok') throw new AppError('FORBIDDEN', 'Invalid audio signature');
      return;
    }
    if (!req.principal) throw new AppError('UNAUTHORIZED', 'This audio is private: sign in or use a signed link');
    if (req.principal.userId !== row.userId) throw new AppError('FORBIDDEN', 'This audio belongs to another account');
  }

  return {
    async plan(req: AudioFileRequest): Promise<AudioFilePlan> {
      const m = FILE.exec(req.file);
      if (!m) throw notFound();
      const row = await loadRow(m[1]!);
      if (!row || (req.onlyOwner !== undefined && row.userId !== req.onlyOwner)) throw notFound();
      if (m[2] !== (req.what === 'audio' ? row.ext : 'jpg')) throw notFound();
      authorise(row, req);
      const plan = await planOf(row);
      if ((await deps.quotas.mediaBandwidthState(row.userId, plan)) === 'suspended') throw quotaError('media_bandwidth', plan);
      const priv = row.isPublic !== 1;
      const common = { row, lastModified: row.createdAt, cacheControl: priv ? 'private, max-age=3600' : 'public, max-age=86400' };
      if (req.what === 'audio') {
        return { ...common, kind: 'object', key: storageKeys.audioOriginal(row.userId, row.id), size: row.sizeBytes, contentType: row.mimeType, etag: quote(`${row.id}/${row.sha256}`) };
      }
      if (row.hasCover !== 1) {
        return { ...common, kind: 'buffer', body: await defaultCover(row.format), contentType: 'image/jpeg', etag: quote(`default-cover/${row.format}/v1`) };
      }
      const key = storageKeys.audioCover(row.userId, row.id);
      let size = coverSizes.get(key);
      if (size === undefined) {
        const head = await blobs.head(key);
        if (!head) throw notFound();
        size = head.size;
        coverSizes.set(key, size);
      }
      return { ...common, kind: 'object', key, size, contentType: 'image/jpeg', etag: quote(`${row.id}/cover`) };
    },

    async open(plan: Extract<AudioFilePlan, { kind: 'object' }>, range?: ByteRange): Promise<Readable> {
      try {
        return await blobs.get(plan.key, range);
      } catch (err) {
        if (err instanceof BlobNotFoundError) throw notFound();
        throw err;
      }
    },

    recordServed(row: AudioRow, bytes: number): void {
      deps.quotas.recordMediaBandwidth(row.userId, bytes);
      deps.onServed?.(bytes);
    },

    forget(audioId: string): void {
      rows.delete(audioId);
    },
  };
}

export type AudioDeliveryService = ReturnType<typeof createAudioDeliveryService>;
