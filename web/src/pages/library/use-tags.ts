// The account's tags with their counts (GET /v1/images/tags), most used first — all of them, not only those
// of the images loaded so far.
import { useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import { api } from '../../api/client';

export type TagCount = { tag: string; count: number };

export function useAccountTags(): { tags: TagCount[]; reload(): void } {
  // cached like the library's pages, so the chips are there at once when the library comes back (no jump)
  const { data, refetch } = useQuery({ queryKey: ['account-tags'], queryFn: ({ signal }) => api<{ items: TagCount[] }>('/v1/images/tags', { query: { limit: 200 }, signal }), refetchOnMount: 'always' });
  const reload = useCallback(() => void refetch(), [refetch]);
  return { tags: data?.items ?? [], reload };
}
