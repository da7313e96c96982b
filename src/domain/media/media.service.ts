// The unified library (SPEC §10): one newest-first keyset list over images, videos and audio, one item by id,
// and the mixed delete with partial success. Each type's work is done by its source (media-sources.ts).
import { AppError } from '../../errors/app-error.js';
import type { MediaRepo, MediaType } from '../../db/repos/media.repo.js';
import type { Principal } from '../../auth/principal.js';
import type { UrlSigner } from '../images/url-signing.js';
import type { MediaItem } from './media-presenter.js';
import type { MediaSource } from './media-sources.js';

export type MediaListInput = {
  type?: MediaType | undefined; q?: string | undefined; isPublic?: boolean | undefined; cursor?: string | undefined; limit?: number | undefined;
  /** Only the items in this album; another account's or an unknown album matches nothing. */
  collectionId?: string | undefined;
};
export type MediaListResult = { items: MediaItem[]; nextCursor: string | null; hasMore: boolean };
export type MediaDeleteResult = { deleted: string[]; failed: Array<{ id: string; type: string; reason: string }> };

type Deps = { media: MediaRepo; sources: MediaSource[]; cursors: Pick<UrlSigner, 'encodeCursor' | 'decodeCursor'> };

export function createMediaService(deps: Deps) {
  const sources = new Map(deps.sources.map((s) => [s.type, s]));
  const types = [...sources.keys()];

  /** Presents the refs in their order; rows gone between the two reads are left out. */
  async function presentRefs(p: Principal, refs: Array<{ type: MediaType; id: string }>): Promise<MediaItem[]> {
    const byType = new Map<MediaType, string[]>();
    for (const r of refs) byType.set(r.type, [...(byType.get(r.type) ?? []), r.id]);
    const loaded = new Map<string, MediaItem>();
    await Promise.all(
      [...byType].map(async ([type, ids]) => {
        for (const item of await sources.get(type)!.load(p, ids)) loaded.set(`${type}:${item.id}`, item);
      }),
    );
    return refs.flatMap((r) => loaded.get(`${r.type}:${r.id}`) ?? []);
  }

  return {
    types,

    async list(p: Principal, input: MediaListInput): Promise<MediaListResult> {
      const limit = input.limit ?? 20;
      const after = input.cursor ? deps.cursors.decodeCursor(input.cursor) : undefined;
      const wanted = input.type ? types.filter((t) => t === input.type) : types;
      const filters = { userId: p.userId, types: wanted, q: input.q?.trim() || undefined, isPublic: input.isPublic, collectionId: input.collectionId || undefined };
      const refs = await deps.media.list(filters, limit + 1, after);
      const hasMore = refs.length > limit;
      const page = refs.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: await presentRefs(p, page),
        hasMore,
        nextCursor: hasMore && last ? deps.cursors.encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
      };
    },

    async get(p: Principal, id: string): Promise<MediaItem> {
      const type = await deps.media.typeOf(id, types);
      if (!type) throw new AppError('NOT_FOUND', 'Media not found');
      return sources.get(type)!.get(p, id);
    },

    /** Each item on its own: what cannot be deleted (unknown, someone else's, a store fault) is reported, never rolled back. */
    async removeMany(p: Principal, items: Array<{ id: string; type: MediaType }>): Promise<MediaDeleteResult> {
      const result: MediaDeleteResult = { deleted: [], failed: [] };
      const seen = new Set<string>();
      for (const { id, type } of items) {
        if (seen.has(`${type}:${id}`)) continue;
        seen.add(`${type}:${id}`);
        const source = sources.get(type);
        if (!source) {
          result.failed.push({ id, type, reason: `${type} is not available on this server` });
          continue;
        }
        try {
          await source.remove(p, id);
          result.deleted.push(id);
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          result.failed.push({ id, type, reason: err.message });
        }
      }
      return result;
    },
  };
}

export type MediaService = ReturnType<typeof createMediaService>;
