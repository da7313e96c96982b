// The videos list: newest first, cursor by cursor, with local edits (a new upload, live status, deletions).
import type { Video } from '../../api/types';
import { useCursorList, type CursorList } from '../../lib/use-cursor-list';

const QUERY = { limit: 24 };

export type VideoList = CursorList<Video>;

export const useVideos = (): VideoList => useCursorList<Video>('/v1/videos', QUERY);
