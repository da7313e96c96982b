// The incremental sync feed (SPEC §7.9): every change of an account's media in (updatedAt, id) order —
// live rows as upserts with their current state, deleted ones as deletes from their tombstones — paged by an
// opaque signed cursor at the last change returned. Replaying from the start therefore ends with exactly the
// current set, however many changes share one millisecond:
//   - a PATCH and a delete always move a row past its previous position (updatedAt / deletedAt ≥ last + 1 ms);
//   - the feed stops `settleMs` short of now, so a write whose transaction began earlier but commits later
//     cannot land behind a cursor a client already holds.
import { AppError } from '../../errors/app-error.js';
import type { SyncRepo } from '../../db/repos/sync.repo.js';
import type { MediaType } from '../../db/repos/media.repo.js';
import type { Principal } from '../../auth/principal.js';
import type { Clock } from '../../lib/clock.js';
import { toIso } from '../../lib/clock.js';
import type { UrlSigner } from '../images/url-signing.js';
import type { MediaItem } from '../media/media-presenter.js';
import type { MediaSource } from '../media/media-sources.js';

export type SyncChange =
  | { op: 'upsert'; type: MediaType; id: string; updatedAt: string; url?: string; contentHash?: string | null; sizeBytes?: number; mimeType?: string; filename?: string; isPublic?: boolean }
  | { op: 'delete'; type: MediaType; id: string; updatedAt: string };
export type SyncResult = { changes: SyncChange[]; nextCursor: string | null; hasMore: boolean };

/** Tombstones are kept this long (SPEC §7.9); a client away longer must sync from the start. */
export const TOMBSTONE_TTL_MS = 30 * 86_400_000;

type Deps = {
  sync: SyncRepo;
  sources: MediaSource[];
  cursors: Pick<UrlSigner, 'encodeCursor' | 'decodeCursor'>;
  clock: Clock;
  settleMs: number;
};

function toUpsert(item: MediaItem, updatedAt: number): SyncChange {
  const url = item.url ?? item.playbackUrl;
  return {
    op: 'upsert', type: item.type, id: item.id, updatedAt: toIso(updatedAt), ...(url ? { url } : {}), contentHash: item.contentHash ?? null,
    sizeBytes: item.sizeBytes, ...(item.mimeType ? { mimeType: item.mimeType } : {}), filename: item.filename, isPublic: item.isPublic,
  };
}

export function createSyncService(deps: Deps) {
  const sources = new Map(deps.sources.map((s) => [s.type, s]));
  const types = [...sources.keys()];

  return {
    async changes(p: Principal, input: { type?: MediaType | 'all' | undefined; since?: string | undefined; limit?: number | undefined }): Promise<SyncResult> {
      const limit = input.limit ?? 100;
      const wanted = !input.type || input.type === 'all' ? types : types.filter((t) => t === input.type);
      if (wanted.length === 0) throw new AppError('VALIDATION_ERROR', `Validation error: type ${input.type} is not available on this server`, { field: 'type' });
      const position = input.since ? deps.cursors.decodeCursor(input.since) : undefined;
      const after = position ? { at: position.createdAt, id: position.id } : undefined;
      const until = deps.clock.now() - deps.settleMs;
      const entries = await deps.sync.changes(p.userId, wanted, limit + 1, until, after);
      const hasMore = entries.length > limit;
      const page = entries.slice(0, limit);

      const upserts = new Map<MediaType, string[]>();
      for (const e of page) if (e.op === 'upsert') upserts.set(e.type, [...(upserts.get(e.type) ?? []), e.id]);
      const items = new Map<string, MediaItem>();
      await Promise.all(
        [...upserts].map(async ([type, ids]) => {
          for (const item of await sources.get(type)!.load(p, ids)) items.set(`${type}:${item.id}`, item);
        }),
      );
      const changes: SyncChange[] = [];
      for (const e of page) {
        const key = `${e.type}:${e.id}`;
        if (e.op === 'delete') changes.push({ op: 'delete', type: e.type, id: e.id, updatedAt: toIso(e.at) });
        else {
          const item = items.get(key);
          // deleted between the two reads: its tombstone comes later in the feed
          if (item) changes.push(toUpsert(item, e.at));
        }
      }
      const last = page[page.length - 1];
      const nextCursor = last ? deps.cursors.encodeCursor({ createdAt: last.at, id: last.id }) : (input.since ?? null);
      return { changes, nextCursor, hasMore };
    },

    /** Drops tombstones past their 30 days; returns how many went. */
    sweep: (): Promise<number> => deps.sync.sweepTombstones(deps.clock.now() - TOMBSTONE_TTL_MS),
  };
}

export type SyncService = ReturnType<typeof createSyncService>;
