// One video: the player (or its processing state, live), sharing, the signed link of a private video,
// title and visibility, the poster, details, and delete.
import { useState } from 'react';
import { api, ApiError } from '../../api/client';
import type { Video } from '../../api/types';
import { ConfirmDialog } from '../../components/dialog';
import { ErrorState, Spinner } from '../../components/ui';
import { errorText } from '../../lib/error-text';
import { formatBytes, formatClock, formatDateTime } from '../../lib/format';
import { Link, navigate } from '../../lib/router';
import { useToast } from '../../lib/toast';
import { useAsync } from '../../lib/use-async';
import { useVideoProgress } from '../videos/use-video-progress';
import { VideoThumb } from '../videos/video-card';
import { StatusBadge, StatusDetail } from '../videos/video-status';
import { VideoEdit, type SaveVideo } from './video-edit';
import { VideoPlayer } from './video-player';
import { VideoPoster } from './video-poster';
import { VideoShare } from './video-share';
import { VideoSignedLink } from './video-signed-link';

function Details({ video }: { video: Video }) {
  const rows: Array<[string, string]> = [
    ['File name', video.filename],
    ['Type', video.mimeType || '—'],
    ['Size', formatBytes(video.sizeBytes)],
    ['Duration', formatClock(video.durationSeconds)],
    ['Dimensions', video.width && video.height ? `${video.width} × ${video.height}` : '—'],
    ['Renditions', video.renditions.length ? video.renditions.join(', ') : '—'],
    ['Uploaded', formatDateTime(video.createdAt)],
    ['Updated', formatDateTime(video.updatedAt)],
    ['ID', video.id],
  ];
  return (
    <dl className="meta">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd className={k === 'ID' ? 'mono break' : undefined}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function VideoPage({ id }: { id: string }) {
  const path = `/v1/videos/${encodeURIComponent(id)}`;
  const { data: video, error, loading, reload, setData } = useAsync(() => api<Video>(path), [path]);
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  // Live while processing; once ready, the whole video is read again (renditions, size, playback URL).
  const pollError = useVideoProgress(id, video?.status === 'processing', (p) => {
    if (p.status === 'ready') reload();
    else if (video) setData({ ...video, ...p });
  });

  if (loading && !video) return <div className="page"><Spinner /></div>;
  if (error !== undefined || !video)
    return (
      <div className="page">
        <Link to="/videos" className="back">← Videos</Link>
        <ErrorState what="this video" error={error} onRetry={reload} />
      </div>
    );

  const save: SaveVideo = async (patch, done) => {
    try {
      await api(path, { method: 'PATCH', body: patch });
      setData(await api<Video>(path)); // visibility changes the URLs (a private video's carry a token)
      toast.show(done);
      return true;
    } catch (err) {
      toast.show(errorText(err, 'video'), 'error');
      return false;
    }
  };

  const remove = async () => {
    setBusy(true);
    try {
      await api(path, { method: 'DELETE' });
      toast.show('Video deleted');
      navigate('/videos');
    } catch (err) {
      toast.show(errorText(err, 'video'), 'error');
      setBusy(false);
      setConfirming(false);
    }
  };

  const name = video.title || video.filename;
  const playable = video.status === 'ready' && video.playbackUrl && video.bandwidthState !== 'suspended';
  return (
    <div className="page">
      <Link to="/videos" className="back">← Videos</Link>
      <header className="page-head">
        <div className="min0">
          <h1 className="truncate">{name}</h1>
          <p className="muted row gap-s">
            <StatusBadge video={video} />
            <span data-testid="video-summary">
              {video.isPublic ? 'Public' : 'Private'} · {formatClock(video.durationSeconds)} · {formatBytes(video.sizeBytes)}
            </span>
          </p>
        </div>
        <button type="button" className="btn btn-danger-ghost" onClick={() => setConfirming(true)}>Delete</button>
      </header>
      <div className="detail">
        <div className="detail-preview stack">
          {playable ? (
            <VideoPlayer src={video.playbackUrl!} poster={video.thumbnailUrl} title={name} width={video.width} height={video.height} />
          ) : (
            <div className="player-placeholder">
              <VideoThumb video={video} />
              {video.status === 'ready' && video.bandwidthState === 'suspended' && (
                <p className="notice">{errorText(new ApiError('', 451, 'VIDEO_SUSPENDED'))}</p>
              )}
            </div>
          )}
          <StatusDetail video={video} pollError={pollError} name={name} />
        </div>
        <div className="detail-side">
          <VideoShare video={video} />
          {!video.isPublic && video.status === 'ready' && <VideoSignedLink video={video} />}
          <VideoEdit video={video} save={save} />
          <VideoPoster video={video} onChange={setData} />
        </div>
        <section className="card detail-meta" aria-labelledby="video-meta-h">
          <h2 id="video-meta-h">Details</h2>
          <Details video={video} />
        </section>
      </div>
      <ConfirmDialog open={confirming} title="Delete this video?" confirmLabel="Delete" danger busy={busy} onConfirm={remove} onClose={() => setConfirming(false)}>
        <p>Its playback URL, signed links and embeds stop working at once. This cannot be undone.</p>
      </ConfirmDialog>
    </div>
  );
}
