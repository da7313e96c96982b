// A video's state in words and a bar: processing (with its percentage), ready, failed (with the reason), and
// what the account's video bandwidth does to playback.
import type { Video } from '../../api/types';
import { errorText } from '../../lib/error-text';

export function StatusBadge({ video }: { video: Pick<Video, 'status' | 'bandwidthState'> }) {
  if (video.status === 'processing') return <span className="badge badge-accent">Processing</span>;
  if (video.status === 'failed') return <span className="badge badge-danger">Failed</span>;
  if (video.bandwidthState === 'suspended') return <span className="badge badge-danger">Suspended</span>;
  return <span className="badge badge-ok">Ready</span>;
}

/** The transcode's progress: a determinate bar once the server reports a percentage. */
export function ProcessingBar({ video, label }: { video: Pick<Video, 'progress'>; label: string }) {
  const p = video.progress ?? 0;
  return (
    <div className="processing">
      <div className="bar bar-thin bar-ok" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={p}>
        <span style={{ width: `${Math.max(p, 2)}%` }} />
      </div>
      <span className="muted small" aria-hidden="true">{p > 0 ? `Processing… ${p}%` : 'Waiting to be processed…'}</span>
    </div>
  );
}

/** Below a card or above the player: the bar while processing, the reason when it failed, poll errors. */
export function StatusDetail({ video, pollError, name }: { video: Video; pollError: unknown; name: string }) {
  return (
    <>
      {video.status === 'processing' && <ProcessingBar video={video} label={`Processing ${name}`} />}
      {video.status === 'failed' && (
        <p className="error-text small" data-testid="video-error">{video.error || 'The video could not be processed.'}</p>
      )}
      {video.status === 'ready' && video.bandwidthState === 'degraded' && (
        <p className="muted small">Over this month’s video bandwidth: plays in the lowest quality only.</p>
      )}
      {pollError !== undefined && <p className="error-text small" role="alert">{errorText(pollError, 'video')}</p>}
    </>
  );
}
