// The library's Videos tab: the upload control (or the plan hint), uploads on their way, then every video with
// its poster, duration and state; processing ones update live.
import { useEffect } from 'react';
import { api } from '../../api/client';
import type { UploadOptions } from '../../api/upload';
import type { UploadedVideo, Video } from '../../api/types';
import { EmptyState, ErrorState, Spinner } from '../../components/ui';
import { useAuth } from '../../lib/auth';
import { plural } from '../../lib/format';
import { useUploads } from '../upload/upload-context';
import { useVideos } from './use-videos';
import { UploadingCard, VideoCard } from './video-card';
import { MediaPlanHint, MediaUploadZone, plansWithMedia } from '../upload/media-upload-zone';
import { MediaTabs } from '../library/media-tabs';

/** What the 202 told us, until the full video is read (a moment later) or the status polls fill it in. */
const stubOf = (v: UploadedVideo, o: UploadOptions): Video => ({
  ...v, mimeType: '', status: 'processing', progress: 0, error: null, durationSeconds: null, width: null, height: null, playbackUrl: null,
  thumbnailUrl: null, renditions: [], bandwidthState: 'ok', tags: o.tags, isPublic: o.isPublic, updatedAt: v.createdAt,
});

export function VideosPage() {
  const { user } = useAuth();
  const list = useVideos();
  const uploads = useUploads();
  const { prepend, update } = list;
  const allowed = !!user && plansWithMedia.has(user.plan);

  useEffect(
    () =>
      uploads.onVideoUploaded((v) => {
        prepend(stubOf(v, uploads.options));
        api<Video>(`/v1/videos/${encodeURIComponent(v.id)}`).then((full) => update(v.id, full), () => {});
      }),
    [uploads, prepend, update],
  );

  const pending = uploads.items.filter((i) => i.kind === 'video' && i.status !== 'done').reverse();
  const processing = list.items.filter((v) => v.status === 'processing').length;
  const count = `${plural(list.items.length, 'video')}${list.hasMore ? ' and more' : ''}${processing ? ` · ${processing} processing` : ''}`;

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Library</h1>
          <p className="muted">{list.loading && !list.items.length ? 'Loading…' : count}</p>
        </div>
      </header>
      <MediaTabs />
      {allowed ? <MediaUploadZone kind="video" /> : user && <MediaPlanHint plan={user.plan} kind="video" />}

      {list.error !== undefined && !list.items.length ? (
        <ErrorState what="your videos" error={list.error} onRetry={list.reload} />
      ) : list.loading && !list.items.length ? (
        <div className="grid-skeleton" aria-hidden="true">{Array.from({ length: 8 }, (_, i) => <span key={i} />)}</div>
      ) : !list.items.length && !pending.length ? (
        <EmptyState title="No videos yet" icon="video">
          <p className="muted">
            {allowed ? 'Drop a video on the box above, or choose one. It is ready to play a little while after it arrives.' : 'Videos you upload will appear here.'}
          </p>
        </EmptyState>
      ) : (
        <>
          <ul className="video-grid" aria-label="Videos">
            {pending.map((item) => (
              <UploadingCard key={`u${item.id}`} item={item} onRetry={() => uploads.retry(item.id)} onCancel={() => uploads.cancel(item.id)} onPause={() => uploads.pause(item.id)} onResume={() => uploads.resume(item.id)} />
            ))}
            {list.items.map((v) => <VideoCard key={v.id} video={v} onUpdate={update} />)}
          </ul>
          {list.loading && <Spinner label="Loading more…" />}
          {list.error !== undefined && <ErrorState what="more videos" error={list.error} onRetry={list.loadMore} />}
          {list.hasMore && !list.loading && !list.error && (
            <div className="center"><button type="button" className="btn" onClick={list.loadMore}>Load more</button></div>
          )}
        </>
      )}
    </div>
  );
}
