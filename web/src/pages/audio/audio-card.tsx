// One audio item in its tab: the cover (embedded art, or the format's default), title, duration and a player
// that loads nothing until it is played.
import type { MediaItem } from '../../api/types';
import { formatBytes, formatClock, timeAgo } from '../../lib/format';
import { Link } from '../../lib/router';

export function AudioCard({ item }: { item: MediaItem }) {
  const name = item.title || item.filename;
  return (
    <li className="audio-card" data-testid="audio-card">
      <Link to={`/audio/${item.id}`} className="audio-card-link" aria-label={`${name}${item.isPublic ? '' : ' (private)'}`}>
        <span className="audio-cover">
          {item.thumbnailUrl && <img src={item.thumbnailUrl} alt="" loading="lazy" decoding="async" />}
          <span className="video-duration" data-testid="audio-duration">{formatClock(item.durationSeconds)}</span>
        </span>
        <span className="video-card-title truncate">{name}</span>
      </Link>
      <div className="video-card-meta">
        {!item.isPublic && <span className="badge">Private</span>}
        <span className="muted small">{formatBytes(item.sizeBytes)} · {timeAgo(item.createdAt)}</span>
      </div>
      {item.url && <audio controls preload="none" src={item.url} aria-label={`Play ${name}`} data-testid="audio-player" />}
    </li>
  );
}
