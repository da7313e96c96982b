// A list read cursor by cursor (newest first) with local edits: a new upload on top, live updates merged in,
// deletions. One request at a time; a reload or a change of `query` starts again from the first page.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client';

type Page<T> = { items: T[]; nextCursor: string | null; hasMore: boolean; total?: number };

export type CursorList<T extends { id: string }> = {
  items: T[];
  /** How many match in all, where the list says (images); else the number loaded. */
  total: number;
  hasMore: boolean;
  loading: boolean;
  error: unknown;
  loadMore(): void;
  reload(): void;
  prepend(item: T): void;
  /** Merges what changed (a status poll, a full re-read) into one item. */
  update(id: string, patch: Partial<T>): void;
  remove(ids: string[]): void;
};

export function useCursorList<T extends { id: string }>(path: string, query: Record<string, string | number | undefined> = {}): CursorList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(undefined);
  const [generation, setGeneration] = useState(0);
  const inflight = useRef<AbortController | null>(null);
  const queryKey = JSON.stringify(query);

  const fetchPage = useCallback(
    async (from: string | null, replace: boolean) => {
      inflight.current?.abort();
      const ctl = new AbortController();
      inflight.current = ctl;
      setLoading(true);
      setError(undefined);
      try {
        const page = await api<Page<T>>(path, { query: { ...(JSON.parse(queryKey) as Record<string, string>), cursor: from ?? undefined }, signal: ctl.signal });
        setItems((old) => {
          if (replace) return page.items;
          const seen = new Set(old.map((v) => v.id));
          return [...old, ...page.items.filter((v) => !seen.has(v.id))];
        });
        setCursor(page.nextCursor);
        setHasMore(page.hasMore);
        setTotal(page.total ?? null);
      } catch (err) {
        if (!ctl.signal.aborted) setError(err);
      } finally {
        if (inflight.current === ctl) {
          inflight.current = null;
          setLoading(false);
        }
      }
    },
    [path, queryKey],
  );

  useEffect(() => {
    void fetchPage(null, true);
    return () => inflight.current?.abort();
  }, [fetchPage, generation]);

  const shown = useRef(items);
  shown.current = items;
  const prepend = useCallback((item: T) => {
    if (shown.current.some((v) => v.id === item.id)) return;
    setItems((old) => (old.some((v) => v.id === item.id) ? old : [item, ...old]));
    setTotal((t) => (t === null ? t : t + 1));
  }, []);
  const update = useCallback((id: string, patch: Partial<T>) => setItems((old) => old.map((v) => (v.id === id ? { ...v, ...patch } : v))), []);
  const remove = useCallback((ids: string[]) => {
    const gone = new Set(ids);
    const dropped = shown.current.filter((v) => gone.has(v.id)).length;
    setItems((old) => old.filter((v) => !gone.has(v.id)));
    setTotal((t) => (t === null ? t : Math.max(0, t - dropped)));
  }, []);

  return {
    items,
    total: total ?? items.length,
    hasMore,
    loading,
    error,
    loadMore: () => {
      if (!loading && hasMore && cursor) void fetchPage(cursor, false);
    },
    reload: useCallback(() => setGeneration((g) => g + 1), []),
    prepend,
    update,
    remove,
  };
}
