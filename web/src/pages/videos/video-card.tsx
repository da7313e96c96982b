// One video in the grid: poster (16:9, cover) with its duration, title, status; a processing video follows
// its own progress. An upload still on its way gets a card of the same shape with the upload's progress.
import type { Video } from '../../api/types';
import { Icon } from '../../components/icons';
import { formatBytes, formatClock, timeAgo } from '../../lib/format';
import { Link } from '../../lib/router';
import type { UploadItem } from '../upload/upload-context';
import { useVideoProgress } from './use-video-progress';
import { StatusBadge, StatusDetail } from './video-status';

export function VideoThumb({ video, icon = 'video' }: { video: Pick<Video, 'thumbnailUrl' | 'durationSeconds'>; icon?: 'video' | 'music' }) {
  return (
    <div className="video-thumb">
      {video.thumbnailUrl ? (
        <img src={video.thumbnailUrl} alt="" loading="lazy" decoding="async" />
      ) : (
        <span className="video-thumb-empty"><Icon name={icon} size={32} /></span>
      )}
      {video.durationSeconds !== null && (
        <span className="video-duration" data-testid="video-duration">{formatClock(video.durationSeconds)}</span>
      )}
    </div>
  );
}

export function VideoCard({ video, onUpdate }: { video: Video; onUpdate(id: string, patch: Partial<Video>): void }) {
  const pollError = useVideoProgress(video.id, video.status === 'processing', (p) => onUpdate(video.id, p));
  const name = video.title || video.filename;
  return (
    <li className="video-card" data-testid="video-card" data-status={video.status}>
      <Link to={`/videos/${video.id}`} className="video-card-link" aria-label={`${name}${video.isPublic ? '' : ' (private)'}`}>
        <VideoThumb video={video} />
        <span className="video-card-title truncate">{name}</span>
      </Link>
      <div className="video-card-meta">
        <StatusBadge video={video} />
        {!video.isPublic && <span className="badge">Private</span>}
        <span className="muted small">{formatBytes(video.sizeBytes)} · {timeAgo(video.createdAt)}</span>
      </div>
      <StatusDetail video={video} pollError={pollError} name={name} />
    </li>
  );
}

export function UploadingCard({ item, onRetry, onCancel, onPause, onResume }: { item: UploadItem; onRetry(): void; onCancel(): void; onPause?(): void; onResume?(): void }) {
  const testId = item.kind === 'audio' ? 'audio-upload-card' : 'video-upload-card';
  const pct = Math.round(item.progress * 100);
  return (
    <li className="video-card" data-testid={testId} data-status={item.status}>
      <VideoThumb video={{ thumbnailUrl: null, durationSeconds: null }} icon={item.kind === 'audio' ? 'music' : 'video'} />
      <span className="video-card-title truncate" title={item.file.name}>{item.file.name}</span>
      <div className="video-card-meta">
        <span className={`badge ${item.status === 'error' ? 'badge-danger' : ''}`}>{item.status === 'error' ? 'Upload failed' : item.status === 'queued' ? 'Waiting' : item.status === 'paused' ? 'Paused' : 'Uploading'}</span>
        <span className="muted small">{formatBytes(item.file.size)}</span>
      </div>
      {item.status === 'error' ? (
        <p className="error-text small">
          {item.error}{' '}
          <button type="button" className="link-btn" onClick={onRetry}>Retry</button>
        </p>
      ) : (
        <div className="processing">
          <div className="bar bar-thin bar-ok" role="progressbar" aria-label={`Upload of ${item.file.name}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
            <span style={{ width: `${pct}%` }} />
          </div>
          <span className="muted small">
            {item.status === 'queued' ? 'Waiting…' : item.status === 'paused' ? `Paused at ${pct}%` : `Uploading… ${pct}%`}{' '}
            {item.resumable && item.status === 'uploading' && onPause && <button type="button" className="link-btn" onClick={onPause}>Pause</button>}{' '}
            {item.status === 'paused' && onResume && <button type="button" className="link-btn" onClick={onResume}>Resume</button>}{' '}
            <button type="button" className="link-btn" onClick={onCancel}>Cancel</button>
          </span>
        </div>
      )}
    </li>
  );
}
