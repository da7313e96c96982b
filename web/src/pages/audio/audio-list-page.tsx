// The library's Audio tab: the upload control (or the plan hint), uploads on their way, then every audio
// file with its cover and a player.
import { useEffect } from 'react';
import type { Audio, MediaItem } from '../../api/types';
import { EmptyState, ErrorState, Spinner } from '../../components/ui';
import { useAuth } from '../../lib/auth';
import { plural } from '../../lib/format';
import { useCursorList } from '../../lib/use-cursor-list';
import { MediaTabs } from '../library/media-tabs';
import { MediaPlanHint, MediaUploadZone, plansWithMedia } from '../upload/media-upload-zone';
import { useUploads } from '../upload/upload-context';
import { UploadingCard } from '../videos/video-card';
import { AudioCard } from './audio-card';

const QUERY = { type: 'audio', limit: 24 };

export const audioItemOf = (a: Audio): MediaItem => ({
  id: a.id, type: 'audio', url: a.url, thumbnailUrl: a.thumbnailUrl, filename: a.filename, title: a.title, mimeType: a.mimeType,
  sizeBytes: a.sizeBytes, durationSeconds: a.durationSeconds, bitrate: a.bitrate, status: a.status, isPublic: a.isPublic,
  createdAt: a.createdAt, updatedAt: a.updatedAt,
});

export function AudioListPage() {
  const { user } = useAuth();
  const list = useCursorList<MediaItem>('/v1/media', QUERY);
  const uploads = useUploads();
  const { prepend } = list;
  const allowed = !!user && plansWithMedia.has(user.plan);

  useEffect(() => uploads.onAudioUploaded((a) => prepend(audioItemOf(a))), [uploads, prepend]);

  const pending = uploads.items.filter((i) => i.kind === 'audio' && i.status !== 'done' && i.status !== 'duplicate').reverse();
  const count = `${plural(list.items.length, 'audio file')}${list.hasMore ? ' and more' : ''}`;

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Library</h1>
          <p className="muted">{list.loading && !list.items.length ? 'Loading…' : count}</p>
        </div>
      </header>
      <MediaTabs />
      {allowed ? <MediaUploadZone kind="audio" /> : user && <MediaPlanHint plan={user.plan} kind="audio" />}

      {list.error !== undefined && !list.items.length ? (
        <ErrorState what="your audio" error={list.error} onRetry={list.reload} />
      ) : list.loading && !list.items.length ? (
        <div className="grid-skeleton" aria-hidden="true">{Array.from({ length: 8 }, (_, i) => <span key={i} />)}</div>
      ) : !list.items.length && !pending.length ? (
        <EmptyState title="No audio yet" icon="music">
          <p className="muted">{allowed ? 'Drop audio files on the box above, or choose them.' : 'Audio you upload will appear here.'}</p>
        </EmptyState>
      ) : (
        <>
          <ul className="video-grid" aria-label="Audio">
            {pending.map((item) => (
              <UploadingCard
                key={`u${item.id}`}
                item={item}
                onRetry={() => uploads.retry(item.id)}
                onCancel={() => uploads.cancel(item.id)}
                onPause={() => uploads.pause(item.id)}
                onResume={() => uploads.resume(item.id)}
              />
            ))}
            {list.items.map((a) => <AudioCard key={a.id} item={a} />)}
          </ul>
          {list.loading && <Spinner label="Loading more…" />}
          {list.error !== undefined && <ErrorState what="more audio" error={list.error} onRetry={list.loadMore} />}
          {list.hasMore && !list.loading && !list.error && (
            <div className="center"><button type="button" className="btn" onClick={list.loadMore}>Load more</button></div>
          )}
        </>
      )}
    </div>
  );
}
