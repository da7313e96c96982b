// Playback on the media host: who may fetch which file of a video, and what to send.
//   master.m3u8            written per request from the renditions (degraded: the lowest rung only)
//   <rung>/index.m3u8      the stored media playlist (a private video's URIs carry the request's token)
//   <rung>/<segment>       init.mp4 and seg_NNN.m4s from the store (ranges allowed)
//   poster.jpg             the poster
// Private videos: the owner (Authorization) or a valid playback token; anonymous → 401, another account or a
// bad/expired token → 403. Past 120 % of the owner's media bandwidth → 451 VIDEO_SUSPENDED. Every byte of
// playlists and segments counts against the owner's monthly media bandwidth.
import { createHash } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';
import type { PlansRepo } from '../../db/repos/plans.repo.js';
import type { UsersRepo } from '../../db/repos/users.repo.js';
import type { VideosRepo } from '../../db/repos/videos.repo.js';
import type { PlanRow, VideoRow } from '../../db/schema.js';
import type { BlobStore, ByteRange } from '../../storage/blob-store.js';
import { BlobNotFoundError } from '../../storage/blob-store.js';
import { storageKeys } from '../../storage/keys.js';
import type { Principal } from '../../auth/principal.js';
import type { Clock } from '../../lib/clock.js';
import { TtlCache } from '../../lib/ttl-cache.js';
import { buildMasterPlaylist } from '../../media/video/master-playlist.js';
import { rewritePlaylistUris } from '../../media/video/playlist-rewrite.js';
import type { Readable } from 'node:stream';
import type { Quotas } from '../usage/quotas.js';
import { renditionsOf } from './video-presenter.js';
import type { PlaybackSigner } from './video-signing.js';

export type PlaybackRequest = {
  videoId: string;
  path: string;
  principal: Principal | undefined;
  token: string | undefined;
  /** Asked on an account's custom domain: only that account's videos exist there. */
  onlyOwner?: string | undefined;
};

export type PlaybackPlan =
  | { kind: 'text'; row: VideoRow; body: Buffer; contentType: string; etag: string; cacheControl: string }
  | { kind: 'object'; row: VideoRow; key: string; size: number; contentType: string; etag: string; cacheControl: string; lastModified: number };

const VIDEO_ID = /^[A-Za-z0-9_-]{21}$/;
const RUNG = /^[0-9]{3,4}p$/;
const SEGMENT = /^(init\.mp4|seg_[0-9]{1,6}\.m4s)$/;

type Deps = {
  videos: VideosRepo;
  users: Pick<UsersRepo, 'findById'>;
  plans: PlansRepo;
  quotas: Pick<Quotas, 'mediaBandwidthState' | 'recordMediaBandwidth'>;
  blobs: BlobStore;
  playback: PlaybackSigner;
  clock: Clock;
  /** How long a video row may be reused between requests (segments come many per second); 0 = always read. */
  cacheMs: number;
  onServed?: (bytes: number) => void;
};

const notFound = () => new AppError('NOT_FOUND', 'Video not found');
const quote = (s: string) => `"${createHash('sha256').update(s).digest('base64url').slice(0, 27)}"`;

export function createVideoDeliveryService(deps: Deps) {
  const { videos, plans, blobs, clock } = deps;
  const rows = new TtlCache<VideoRow | null>(deps.cacheMs, 10_000, clock.now);
  const planCache = new TtlCache<PlanRow | null>(deps.cacheMs, 1000, clock.now);
  const sizes = new TtlCache<number>(60_000, 50_000, clock.now);

  const loadRow = (id: string) => (deps.cacheMs > 0 ? rows.through(id, async () => (await videos.findById(id)) ?? null) : videos.findById(id).then((r) => r ?? null));
  const planOf = async (row: VideoRow): Promise<PlanRow> => {
    const plan = await planCache.through(row.userId, async () => {
      const owner = await deps.users.findById(row.userId);
      return owner ? ((await plans.findById(owner.plan)) ?? null) : null;
    });
    if (!plan) throw notFound();
    return plan;
  };

  /** Checks who may fetch: undefined (public or owner) or the token that authorised it (to carry into URIs). */
  function authorise(row: VideoRow, req: PlaybackRequest): string | undefined {
    if (row.isPublic === 1) return req.token && deps.playback.verify(row.id, req.token, Math.floor(clock.now() / 1000)) === 'ok' ? req.token : undefined;
    if (req.token !== undefined) {
      const verdict = deps.playback.verify(row.id, req.token, Math.floor(clock.now() / 1000));
      if (verdict === 'expired') throw new AppError('FORBIDDEN', 'This playback link has expired');
      if (verdict !== 'ok') throw new AppError('FORBIDDEN', 'Invalid playback signature');
      return req.token;
    }
    if (!req.principal) throw new AppError('UNAUTHORIZED', 'This video is private: sign in or use a signed playback link');
    if (req.principal.userId !== row.userId) throw new AppError('FORBIDDEN', 'This video belongs to another account');
    return undefined;
  }

  /** An object's size, remembered under `version` (objects of a ready video do not change; a poster bumps it). */
  async function sizeOf(key: string, version: string): Promise<number> {
    const known = sizes.get(`${key}#${version}`);
    if (known !== undefined) return known;
    const head = await blobs.head(key);
    if (!head) throw notFound();
    sizes.set(`${key}#${version}`, head.size);
    return head.size;
  }

  async function readText(key: string): Promise<string> {
    let stream: Readable;
    try {
      stream = await blobs.get(key);
    } catch (err) {
      if (err instanceof BlobNotFoundError) throw notFound();
      throw err;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of stream) {
      total += (chunk as Buffer).length;
      if (total > 4 * 1024 * 1024) throw notFound(); // our playlists are a few KB
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  return {
    async plan(req: PlaybackRequest): Promise<PlaybackPlan> {
      if (!VIDEO_ID.test(req.videoId)) throw notFound();
      const row = await loadRow(req.videoId);
      if (!row || (req.onlyOwner !== undefined && row.userId !== req.onlyOwner)) throw notFound();
      const token = authorise(row, req);
      const priv = row.isPublic !== 1;
      const withToken = (uri: string) => (token ? `${uri}${uri.includes('?') ? '&' : '?'}token=${token}` : uri);

      if (req.path === 'poster.jpg') {
        if (row.status !== 'ready' && row.customPoster !== 1) throw notFound();
        const key = storageKeys.videoPoster(row.userId, row.id);
        return {
          kind: 'object', row, key, size: await sizeOf(key, `${row.posterVersion}.${row.readyAt ?? 0}`), contentType: 'image/jpeg', etag: quote(`${row.id}/poster/${row.posterVersion}/${row.readyAt ?? 0}`),
          cacheControl: priv ? 'private, max-age=3600' : 'public, max-age=86400', lastModified: row.updatedAt,
        };
      }

      if (row.status !== 'ready') throw notFound();
      const state = await deps.quotas.mediaBandwidthState(row.userId, await planOf(row));
      if (state === 'suspended') throw new AppError('VIDEO_SUSPENDED');
      const renditions = renditionsOf(row);

      if (req.path === 'master.m3u8') {
        const listed = state === 'degraded' ? renditions.slice(0, 1) : renditions;
        const body = Buffer.from(buildMasterPlaylist(listed, (r) => withToken(`${r.name}/index.m3u8`)));
        return {
          kind: 'text', row, body, contentType: 'application/vnd.apple.mpegurl', etag: quote(body.toString('latin1')),
          cacheControl: priv ? 'private, no-cache' : 'public, max-age=30',
        };
      }

      const [rung, file, extra] = req.path.split('/');
      if (extra !== undefined || !rung || !file || !RUNG.test(rung) || !renditions.some((r) => r.name === rung)) throw notFound();
      if (file === 'index.m3u8') {
        const stored = await readText(storageKeys.videoHlsFile(row.userId, row.id, rung, 'index.m3u8'));
        const body = Buffer.from(token ? rewritePlaylistUris(stored, withToken) : stored);
        return {
          kind: 'text', row, body, contentType: 'application/vnd.apple.mpegurl', etag: quote(body.toString('latin1')),
          cacheControl: priv ? 'private, no-cache' : 'public, max-age=300',
        };
      }
      if (!SEGMENT.test(file)) throw notFound();
      const key = storageKeys.videoHlsFile(row.userId, row.id, rung, file);
      return {
        kind: 'object', row, key, size: await sizeOf(key, String(row.readyAt ?? 0)), contentType: file.endsWith('.mp4') ? 'video/mp4' : 'video/iso.segment',
        etag: quote(`${key}/${row.readyAt ?? 0}`), cacheControl: priv ? 'private, max-age=3600' : 'public, max-age=31536000, immutable', lastModified: row.readyAt ?? row.updatedAt,
      };
    },

    async open(plan: Extract<PlaybackPlan, { kind: 'object' }>, range?: ByteRange): Promise<Readable> {
      try {
        return await blobs.get(plan.key, range);
      } catch (err) {
        if (err instanceof BlobNotFoundError) throw notFound();
        throw err;
      }
    },

    recordServed(row: VideoRow, bytes: number): void {
      deps.quotas.recordMediaBandwidth(row.userId, bytes);
      deps.onServed?.(bytes);
    },

    forget(videoId: string): void {
      rows.delete(videoId);
    },
  };
}

export type VideoDeliveryService = ReturnType<typeof createVideoDeliveryService>;
