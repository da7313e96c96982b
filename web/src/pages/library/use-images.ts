// The library's pages: newest first, cursor by cursor, restarted when the filters change.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api/client';
import type { Image, ImagePage } from '../../api/types';

const PAGE = 30;

export type Library = {
  items: Image[];
  total: number;
  hasMore: boolean;
  loading: boolean;
  error: unknown;
  loadMore(): void;
  reload(): void;
  /** Local edits without a round trip: prepend a new upload, drop deleted ids. */
  prepend(img: Image): void;
  remove(ids: string[]): void;
};

export function useImages(filters: { q: string; tag: string }): Library {
  const [items, setItems] = useState<Image[]>([]);
  const [total, setTotal] = useState(0);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(undefined);
  const [generation, setGeneration] = useState(0);
  const inflight = useRef<AbortController | null>(null);

  const fetchPage = useCallback(
    async (from: string | null, replace: boolean) => {
      inflight.current?.abort();
      const ctl = new AbortController();
      inflight.current = ctl;
      setLoading(true);
      setError(undefined);
      try {
        const page = await api<ImagePage>('/v1/images', {
          query: { limit: PAGE, cursor: from ?? undefined, q: filters.q || undefined, tag: filters.tag || undefined },
          signal: ctl.signal,
        });
        setItems((old) => {
          if (replace) return page.items;
          const seen = new Set(old.map((i) => i.id));
          return [...old, ...page.items.filter((i) => !seen.has(i.id))];
        });
        setTotal(page.total);
        setCursor(page.nextCursor);
        setHasMore(page.hasMore);
      } catch (err) {
        if (!ctl.signal.aborted) setError(err);
      } finally {
        if (inflight.current === ctl) {
          inflight.current = null;
          setLoading(false);
        }
      }
    },
    [filters.q, filters.tag],
  );

  useEffect(() => {
    void fetchPage(null, true);
    return () => inflight.current?.abort();
  }, [fetchPage, generation]);

  return {
    items,
    total,
    hasMore,
    loading,
    error,
    loadMore: () => {
      if (!loading && hasMore && cursor) void fetchPage(cursor, false);
    },
    reload: () => setGeneration((g) => g + 1),
    prepend: (img) => {
      setItems((old) => (old.some((i) => i.id === img.id) ? old : [img, ...old]));
      setTotal((t) => t + 1);
    },
    remove: (ids) => {
      const gone = new Set(ids);
      setItems((old) => old.filter((i) => !gone.has(i.id)));
      setTotal((t) => Math.max(0, t - ids.length));
    },
  };
}
