// The videos list: newest first, cursor by cursor, with local edits (a new upload, live status, deletions).
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api/client';
import type { Video, VideoPage } from '../../api/types';

const PAGE = 24;

export type VideoList = {
  items: Video[];
  hasMore: boolean;
  loading: boolean;
  error: unknown;
  loadMore(): void;
  reload(): void;
  prepend(video: Video): void;
  /** Merges what changed (a status poll, a full re-read) into one video. */
  update(id: string, patch: Partial<Video>): void;
};

export function useVideos(): VideoList {
  const [items, setItems] = useState<Video[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(undefined);
  const [generation, setGeneration] = useState(0);
  const inflight = useRef<AbortController | null>(null);

  const fetchPage = useCallback(async (from: string | null, replace: boolean) => {
    inflight.current?.abort();
    const ctl = new AbortController();
    inflight.current = ctl;
    setLoading(true);
    setError(undefined);
    try {
      const page = await api<VideoPage>('/v1/videos', { query: { limit: PAGE, cursor: from ?? undefined }, signal: ctl.signal });
      setItems((old) => {
        if (replace) return page.items;
        const seen = new Set(old.map((v) => v.id));
        return [...old, ...page.items.filter((v) => !seen.has(v.id))];
      });
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
  }, []);

  useEffect(() => {
    void fetchPage(null, true);
    return () => inflight.current?.abort();
  }, [fetchPage, generation]);

  const prepend = useCallback((video: Video) => setItems((old) => (old.some((v) => v.id === video.id) ? old : [video, ...old])), []);
  const update = useCallback((id: string, patch: Partial<Video>) => setItems((old) => old.map((v) => (v.id === id ? { ...v, ...patch } : v))), []);

  return {
    items,
    hasMore,
    loading,
    error,
    loadMore: () => {
      if (!loading && hasMore && cursor) void fetchPage(cursor, false);
    },
    reload: () => setGeneration((g) => g + 1),
    prepend,
    update,
  };
}
