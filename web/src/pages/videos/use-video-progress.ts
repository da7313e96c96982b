// Follows a video while the server transcodes it: GET /v1/videos/{id}/status about every 1.5 s, one request
// at a time, only while the video is processing and the page is visible (a hidden tab pauses, showing it
// again resumes at once); stops when it is ready or failed, suspended, or the component unmounts.
import { useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../../api/client';
import type { VideoProgress } from '../../api/types';

const INTERVAL_MS = 1500;
const BACKOFF_MS = 6000;

/** `onUpdate` hears every answer; the error (if the last poll failed) is returned for the caller to show. */
export function useVideoProgress(id: string, processing: boolean, onUpdate: (p: VideoProgress) => void): unknown {
  const [error, setError] = useState<unknown>(undefined);
  const onUpdateRef = useRef(onUpdate);
  onUpdateRef.current = onUpdate;

  useEffect(() => {
    if (!processing) return;
    let phase: 'fetching' | 'waiting' | 'paused' | 'over' = 'paused';
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ctl = new AbortController();

    const poll = async () => {
      if (phase === 'over') return;
      if (document.visibilityState === 'hidden') {
        phase = 'paused';
        return;
      }
      phase = 'fetching';
      let delay = INTERVAL_MS;
      try {
        const p = await api<VideoProgress>(`/v1/videos/${encodeURIComponent(id)}/status`, { signal: ctl.signal });
        if (ctl.signal.aborted) return;
        setError(undefined);
        onUpdateRef.current(p);
        if (p.status !== 'processing') phase = 'over';
      } catch (err) {
        if (ctl.signal.aborted) return;
        setError(err);
        // Gone, or suspended: polling cannot help. Rate limited or a hiccup: wait longer, then try again.
        if (err instanceof ApiError && (err.status === 404 || err.status === 403 || err.code === 'VIDEO_SUSPENDED')) phase = 'over';
        delay = err instanceof ApiError && err.retryAfterSec ? err.retryAfterSec * 1000 : BACKOFF_MS;
      }
      if (phase === 'over' || ctl.signal.aborted) return;
      phase = 'waiting';
      timer = setTimeout(() => void poll(), delay);
    };

    const onVisibility = () => {
      if (document.visibilityState === 'visible' && phase === 'paused') void poll();
    };
    document.addEventListener('visibilitychange', onVisibility);
    void poll();
    return () => {
      phase = 'over';
      ctl.abort();
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [id, processing]);

  return processing ? error : undefined;
}
