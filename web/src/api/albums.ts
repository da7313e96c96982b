// Photo albums over /v1/collections and POST /v1/images/batch-move (50 ids a call): list, create, file
// images in or out, delete (keeping or deleting what is in it).
import { api } from './client';
import type { Album, AlbumPage } from './types';

const MOVE_BATCH = 50;

/** Every album of the account, A→Z (pages of 50 until the end; accounts have at most a few hundred). */
export async function listAlbums(): Promise<Album[]> {
  const all: Album[] = [];
  let cursor: string | undefined;
  do {
    const page = await api<AlbumPage>('/v1/collections', { query: { sort: 'name', limit: 50, cursor } });
    all.push(...page.items);
    cursor = page.hasMore && page.nextCursor ? page.nextCursor : undefined;
  } while (cursor);
  return all;
}

export const createAlbum = (name: string, description?: string): Promise<Album> =>
  api<Album>('/v1/collections', { method: 'POST', body: { name, collectionType: 'album', ...(description ? { description } : {}) } });

/** Files `ids` into the album `kbId` (null: out of any album); answers how many moved. */
export async function moveToAlbum(ids: string[], kbId: string | null): Promise<number> {
  let moved = 0;
  for (let i = 0; i < ids.length; i += MOVE_BATCH) {
    moved += (await api<{ moved: number }>('/v1/images/batch-move', { method: 'POST', body: { ids: ids.slice(i, i + MOVE_BATCH), kbId } })).moved;
  }
  return moved;
}

/** Every item id filed in an album — images, videos and audio (pages of 100). */
async function albumItemIds(albumId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await api<{ items: Array<{ id: string }>; nextCursor: string | null; hasMore: boolean }>('/v1/media', {
      query: { collection_id: albumId, limit: 100, cursor },
    });
    ids.push(...page.items.map((i) => i.id));
    cursor = page.hasMore && page.nextCursor ? page.nextCursor : undefined;
  } while (cursor);
  return ids;
}

/** Deletes an album: what is in it stays in the library (filed out first), or goes with it (`withItems`). */
export async function deleteAlbum(album: Album, withItems: boolean): Promise<void> {
  const path = `/v1/collections/${encodeURIComponent(album.id)}`;
  if (withItems) {
    await api(path, { method: 'DELETE', query: { cascade: 'true' } });
    return;
  }
  await moveToAlbum(await albumItemIds(album.id), null);
  await api(path, { method: 'DELETE' });
}
