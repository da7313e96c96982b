// Photo albums (CONTRACT §9, openapi /v1/collections and POST /v1/images/batch-move): create, list (keyset, with
// counts), get, update, delete; and filing items into an album. Every image, video and audio item is in at most
// one album (its `collection_id`). Another account's album is as absent as one that never existed: 404.
//
// What `?cascade=true` means: the album AND every image, video and audio item filed in it are deleted for real —
// as the public API's "cascade" deletes a collection's resources — each through its own type's delete
// (MediaSource.removeBatch, or remove per item): rows and sync tombstones, quota released, stored bytes removed (or
// handed to the purge job), image.deleted webhooks, exactly as a delete from the library. Pages of 500 per type,
// then the album itself. A failure part-way leaves the album with the items not yet deleted (the call can be
// repeated); an item filed into the album while the cascade runs is left unfiled, not deleted. Without cascade an
// album that holds anything is refused with 409 CONFLICT and nothing changes; an empty album is deleted.
//
// Batch-move files the caller's items (image ids, and video and audio ids too: one id space per account) into an
// album of theirs, or out of any album with `kbId: null`; ids of other accounts, unknown ids and items of a type
// the album does not allow are not moved, and `moved` counts the rows that actually changed album.
import type { Principal } from '../../auth/principal.js';
import type { CollectionPosition, CollectionSort, CollectionStats, CollectionsRepo } from '../../db/repos/collections.repo.js';
import type { CollectionRow, SyncType } from '../../db/schema.js';
import { AppError, validationError } from '../../errors/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { hmacSha256, safeEqual } from '../../lib/hashing.js';
import { newId } from '../../lib/ids.js';
import type { MediaSource } from '../media/media-sources.js';
import {
  DEFAULT_RESOURCES, KNOWN_TYPES, SUPPORTED_TYPES, checkDescription, checkName, checkResources, checkSlug, checkType, freeSlug, mediaTypesOf, slugify,
} from './collection-policy.js';

/** Albums per account. */
export const COLLECTIONS_PER_ACCOUNT = 1000;
/** Items deleted per page of a cascade. */
const CASCADE_PAGE = 500;
/** Deletes at once when a type has no batch delete (each one is a few queries and store calls). */
const CONCURRENCY = 8;

export type CollectionView = { row: CollectionRow; stats: CollectionStats };
export type CreateCollectionInput = {
  name?: string | undefined;
  slug?: string | undefined;
  description?: string | null | undefined;
  collectionType?: string | undefined;
  allowedResourceTypes?: string[] | undefined;
  customTypeId?: string | null | undefined;
  kbType?: 'creator' | 'output' | undefined;
};
export type UpdateCollectionInput = {
  name?: string | undefined;
  description?: string | null | undefined;
  isDefault?: boolean | undefined;
  allowedResourceTypes?: string[] | undefined;
  /** Immutable: a different value is a 409. */
  collectionType?: string | undefined;
  slug?: string | undefined;
  customTypeId?: string | null | undefined;
};
export type ListCollectionsInput = { type?: string | undefined; sort?: CollectionSort | undefined; cursor?: string | undefined; limit?: number | undefined };
export type CollectionPage = { items: CollectionView[]; nextCursor: string | null; hasMore: boolean };

type Deps = {
  collections: CollectionsRepo;
  /** One per media type: cascade deletes go through each type's own delete. */
  sources: MediaSource[];
  clock: Clock;
  /** Keys the list cursors (HMAC): a cursor this server did not mint is a 400. */
  serverSecret: string;
};

export function createCollectionsService(deps: Deps) {
  const { collections, clock } = deps;
  const sources = new Map(deps.sources.map((s) => [s.type, s]));
  const cursorKey = hmacSha256(deps.serverSecret, 'picora:collections-cursor:v1');

  function encodeCursor(sort: CollectionSort, pos: CollectionPosition): string {
    const body = Buffer.from(JSON.stringify({ s: sort, k: pos.key, i: pos.id })).toString('base64url');
    return `${body}.${hmacSha256(cursorKey, body).subarray(0, 12).toString('base64url')}`;
  }

  function decodeCursor(sort: CollectionSort, cursor: string): CollectionPosition {
    const bad = () => new AppError('BAD_REQUEST', 'Invalid cursor: pass back nextCursor exactly as received, with the same sort');
    const [body, mac, extra] = cursor.split('.');
    if (!body || !mac || extra !== undefined || !safeEqual(hmacSha256(cursorKey, body).subarray(0, 12).toString('base64url'), mac)) throw bad();
    let v: { s?: unknown; k?: unknown; i?: unknown };
    try {
      v = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as typeof v;
    } catch {
      throw bad();
    }
    if (v.s !== sort || typeof v.i !== 'string' || !(typeof v.k === 'string' || (typeof v.k === 'number' && Number.isSafeInteger(v.k)))) throw bad();
    return { key: v.k, id: v.i };
  }

  async function owned(p: Principal, id: string): Promise<CollectionRow> {
    const row = await collections.findById(id);
    if (!row || row.userId !== p.userId) throw new AppError('NOT_FOUND', 'Collection not found');
    return row;
  }

  async function view(row: CollectionRow): Promise<CollectionView> {
    return { row, stats: (await collections.stats([row.id])).get(row.id)! };
  }

  /** Deletes the caller's items among `ids` of one type through its source (items already gone are skipped). */
  async function removeItems(p: Principal, type: SyncType, ids: string[]): Promise<void> {
    const source = sources.get(type);
    if (!source) return;
    if (source.removeBatch) {
      await source.removeBatch(p, ids);
      return;
    }
    for (let i = 0; i < ids.length; i += CONCURRENCY) {
      const settled = await Promise.allSettled(ids.slice(i, i + CONCURRENCY).map((id) => source.remove(p, id)));
      for (const r of settled) if (r.status === 'rejected' && !(r.reason instanceof AppError)) throw r.reason;
    }
  }

  /** Every item filed in the album, page by page and type by type, deleted for real. */
  async function deleteItems(p: Principal, collectionId: string): Promise<void> {
    for (const type of sources.keys()) {
      let afterId: string | undefined;
      for (;;) {
        const ids = await collections.itemIds(p.userId, collectionId, type, CASCADE_PAGE, afterId);
        if (ids.length === 0) break;
        await removeItems(p, type, ids);
        if (ids.length < CASCADE_PAGE) break;
        afterId = ids[ids.length - 1];
      }
    }
  }

  return {
    async create(p: Principal, input: CreateCollectionInput): Promise<CollectionView> {
      const name = checkName(input.name);
      const collectionType = checkType(input.collectionType ?? 'photo_album');
      if (input.customTypeId) throw validationError('customTypeId', 'is only for collectionType custom, which this server does not host');
      const allowed = input.allowedResourceTypes === undefined ? DEFAULT_RESOURCES[collectionType] : checkResources(input.allowedResourceTypes);
      const asked = input.slug === undefined ? undefined : checkSlug(input.slug);
      const base = asked ?? slugify(name);
      const now = clock.now();
      const row: CollectionRow = {
        id: newId(), userId: p.userId, name, slug: base, description: checkDescription(input.description), collectionType,
        allowedResourceTypes: JSON.stringify(allowed), kbType: input.kbType ?? 'creator', isDefault: 0, createdAt: now, updatedAt: now,
      };
      const outcome = await collections.insert(row, {
        max: COLLECTIONS_PER_ACCOUNT,
        chooseSlug: (taken) => (asked === undefined ? freeSlug(base, taken) : taken.has(asked) ? undefined : asked),
      });
      if ('refused' in outcome) {
        if (outcome.refused === 'slug') throw new AppError('CONFLICT', `Another collection of this account already uses the slug ${asked}`, { field: 'slug' });
        throw new AppError('QUOTA_EXCEEDED', `An account can have at most ${COLLECTIONS_PER_ACCOUNT} collections`, { type: 'collection_count', limit: COLLECTIONS_PER_ACCOUNT });
      }
      return view(outcome.row);
    },

    async list(p: Principal, input: ListCollectionsInput): Promise<CollectionPage> {
      const sort = input.sort ?? 'updated_at';
      const limit = input.limit ?? 20;
      const after = input.cursor ? decodeCursor(sort, input.cursor) : undefined;
      const type = input.type === undefined || input.type === 'all' ? undefined : input.type;
      // a type of the public API that this server does not host: valid, and there is none of it
      if (type !== undefined && !(SUPPORTED_TYPES as readonly string[]).includes(type)) {
        if (!(KNOWN_TYPES as readonly string[]).includes(type)) throw validationError('type', 'is not a collection type');
        return { items: [], nextCursor: null, hasMore: false };
      }
      const rows = await collections.list({ userId: p.userId, type: type as CollectionRow['collectionType'] | undefined, sort, limit: limit + 1, after });
      const hasMore = rows.length > limit;
      const page = rows.slice(0, limit);
      const stats = await collections.stats(page.map((r) => r.id));
      const last = page[page.length - 1];
      return {
        items: page.map(({ sortKey: _, ...row }) => ({ row, stats: stats.get(row.id)! })),
        hasMore,
        nextCursor: hasMore && last ? encodeCursor(sort, { key: last.sortKey, id: last.id }) : null,
      };
    },

    get: async (p: Principal, id: string): Promise<CollectionView> => view(await owned(p, id)),

    async update(p: Principal, id: string, input: UpdateCollectionInput): Promise<CollectionView> {
      const current = await owned(p, id);
      const immutable = (field: string) => new AppError('CONFLICT', `${field} cannot be changed once the collection exists`, { field });
      if (input.collectionType !== undefined && input.collectionType !== current.collectionType) throw immutable('collectionType');
      if (input.slug !== undefined && input.slug !== current.slug) throw immutable('slug');
      if (input.customTypeId) throw immutable('customTypeId');
      const patch: Parameters<CollectionsRepo['update']>[1] = {};
      if (input.name !== undefined) patch.name = checkName(input.name);
      if (input.description !== undefined) patch.description = checkDescription(input.description);
      if (input.allowedResourceTypes !== undefined) {
        const next = checkResources(input.allowedResourceTypes);
        const dropped = (JSON.parse(current.allowedResourceTypes) as string[]).filter((t) => !(next as string[]).includes(t));
        if (dropped.length > 0) throw validationError('allowedResourceTypes', `can only be extended, not narrowed (${dropped.join(', ')} would be removed)`);
        patch.allowedResourceTypes = JSON.stringify(next);
      }
      const now = Math.max(clock.now(), current.updatedAt);
      let row = current;
      if (Object.keys(patch).length > 0) row = (await collections.update(id, patch, now)) ?? current;
      if (input.isDefault !== undefined && input.isDefault !== (current.isDefault === 1)) {
        await collections.setDefault(p.userId, id, input.isDefault, now);
        row = (await collections.findById(id)) ?? row;
      }
      return view(row);
    },

    async remove(p: Principal, id: string, cascade: boolean): Promise<{ id: string }> {
      await owned(p, id);
      if (cascade) {
        await deleteItems(p, id);
        await collections.delete(id);
        return { id };
      }
      const { deleted, items } = await collections.deleteIfEmpty(id);
      if (!deleted) {
        throw new AppError('CONFLICT', `The collection holds ${items} item${items === 1 ? '' : 's'}: move them out first, or delete with ?cascade=true to delete them too`, { items });
      }
      return { id };
    },

    async batchMove(p: Principal, ids: string[], kbId: string | null): Promise<{ moved: number }> {
      const unique = [...new Set(ids)];
      const types = kbId === null ? [...sources.keys()] : mediaTypesOf(JSON.parse((await owned(p, kbId)).allowedResourceTypes) as string[]).filter((t) => sources.has(t));
      if (types.length === 0) return { moved: 0 };
      return { moved: await collections.move(p.userId, unique, kbId, types, clock.now()) };
    },
  };
}

export type CollectionsService = ReturnType<typeof createCollectionsService>;
