// A list read cursor by cursor (newest first) with local edits: a new upload on top, live updates merged in,
// deletions. The pages live in TanStack Query's cache (one infinite query per path and query), so a page
// that comes back (Back from an image) shows every page it had loaded at once and refreshes them behind the
// scenes; local edits are written into that cache. A reload or a change of `query` starts from the first page.
import { keepPreviousData, useInfiniteQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import { api } from '../api/client';

type Page<T> = { items: T[]; nextCursor: string | null; hasMore: boolean; total?: number };
type Pages<T> = InfiniteData<Page<T>, string | null>;

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
  const queryClient = useQueryClient();
  const filters = JSON.stringify(query);
  const queryKey = useMemo(() => ['cursor-list', path, JSON.parse(filters) as Record<string, string | number | undefined>] as const, [path, filters]);
  const [reloading, setReloading] = useState(false);

  const list = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam, signal }) => api<Page<T>>(path, { query: { ...queryKey[2], cursor: pageParam ?? undefined }, signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.hasMore && last.nextCursor ? last.nextCursor : undefined),
    // new filters: the old list stays (marked loading) until the first page of the new one arrives
    placeholderData: keepPreviousData,
    // shown from the cache at once, and re-read behind it every time the page opens: an image edited or
    // deleted on its own page is right when the library comes back
    refetchOnMount: 'always',
  });
  const { data, isFetching, isFetchingNextPage, isPlaceholderData, isFetchNextPageError, hasNextPage, fetchNextPage, refetch } = list;

  const items = useMemo(() => {
    const seen = new Set<string>();
    return (data?.pages ?? []).flatMap((p) => p.items.filter((v) => !seen.has(v.id) && !!seen.add(v.id)));
  }, [data]);
  const total = data?.pages.at(-1)?.total;

  const edit = useCallback((fn: (pages: Pages<T>) => Pages<T>) => queryClient.setQueryData<Pages<T>>(queryKey, (old) => old && fn(old)), [queryClient, queryKey]);

  const prepend = useCallback(
    (item: T) =>
      edit((old) =>
        old.pages.some((p) => p.items.some((v) => v.id === item.id))
          ? old
          : { ...old, pages: old.pages.map((p, i) => ({ ...p, items: i === 0 ? [item, ...p.items] : p.items, total: p.total === undefined ? undefined : p.total + 1 })) },
      ),
    [edit],
  );
  const update = useCallback(
    (id: string, patch: Partial<T>) => edit((old) => ({ ...old, pages: old.pages.map((p) => ({ ...p, items: p.items.map((v) => (v.id === id ? { ...v, ...patch } : v)) })) })),
    [edit],
  );
  const remove = useCallback(
    (ids: string[]) => {
      const gone = new Set(ids);
      edit((old) => {
        const dropped = new Set(old.pages.flatMap((p) => p.items.filter((v) => gone.has(v.id)).map((v) => v.id))).size;
        return { ...old, pages: old.pages.map((p) => ({ ...p, items: p.items.filter((v) => !gone.has(v.id)), total: p.total === undefined ? undefined : Math.max(0, p.total - dropped) })) };
      });
    },
    [edit],
  );

  const reload = useCallback(() => {
    // from the first page again: the pages after it are dropped, the list stays shown while it reloads
    edit((old) => ({ pages: old.pages.slice(0, 1), pageParams: old.pages.length ? old.pageParams.slice(0, 1) : [] }));
    setReloading(true);
    void refetch().finally(() => setReloading(false));
  }, [edit, refetch]);

  const loading = isFetching && (!data || isPlaceholderData || isFetchingNextPage || reloading);
  // a failed refresh behind a shown list keeps the list; the first page or the next one failing is an error
  const error = !isFetching && (!data || isFetchNextPageError) ? (list.error ?? undefined) : undefined;

  return {
    items,
    total: total ?? items.length,
    hasMore: !!hasNextPage && !isPlaceholderData,
    loading,
    error,
    loadMore: () => {
      // a refresh behind the list gives way to the next page (which continues from the pages shown)
      if (!isFetchingNextPage && !reloading && !isPlaceholderData && hasNextPage) void fetchNextPage();
    },
    reload,
    prepend,
    update,
    remove,
  };
}
