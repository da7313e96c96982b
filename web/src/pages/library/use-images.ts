// The library's pages: newest first, cursor by cursor, restarted when the filters change (search, tag, album).
import type { Image } from '../../api/types';
import { useCursorList, type CursorList } from '../../lib/use-cursor-list';

const PAGE = 30;

export type Library = CursorList<Image>;

export const useImages = (filters: { q?: string; tag?: string; collectionId?: string }): Library =>
  useCursorList<Image>('/v1/images', { limit: PAGE, q: filters.q || undefined, tag: filters.tag || undefined, collection_id: filters.collectionId || undefined });
