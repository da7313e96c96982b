// The floating list of uploads: a progress bar per file, what happened, and what to do about failures;
// pause and resume for large (resumable) files, and the uploads an earlier visit left unfinished.
import { useState } from 'react';
import { Link } from '../../lib/router';
import { formatBytes } from '../../lib/format';
import { useUploads, type UploadItem } from './upload-context';
import { UnfinishedList } from './unfinished-list';

const linkOf = (item: UploadItem): string | null =>
  item.image ? `/images/${item.image.id}` : item.video ? `/videos/${item.video.id}` : item.audio ? `/audio/${item.audio.id}` : null;

function StatusText({ item }: { item: UploadItem }) {
  switch (item.status) {
    case 'queued':
      return <span className="muted">Waiting…</span>;
    case 'uploading':
      return <span className="muted">{Math.round(item.progress * 100)}%</span>;
    case 'paused':
      return <span className="muted">Paused at {Math.round(item.progress * 100)}%</span>;
    case 'done':
      return <span className="ok-text">Uploaded</span>;
    case 'duplicate':
      return <span className="muted">Already in your library</span>;
    case 'error':
      return <span className="error-text">{item.error}</span>;
  }
}

export function UploadPanel() {
  const { items, retry, cancel, pause, resume, clearFinished, unfinished } = useUploads();
  const [collapsed, setCollapsed] = useState(false);
  if (!items.length && !unfinished.length) return null;
  const active = items.filter((i) => i.status === 'queued' || i.status === 'uploading' || i.status === 'paused').length;
  const failed = items.filter((i) => i.status === 'error').length;
  const title = active
    ? `Uploading ${active} of ${items.length}`
    : failed
      ? `${failed} upload${failed > 1 ? 's' : ''} failed`
      : items.length
        ? 'Uploads complete'
        : `${unfinished.length} unfinished upload${unfinished.length > 1 ? 's' : ''}`;

  return (
    <section className="upload-panel" aria-label="Uploads">
      <header>
        <strong>{title}</strong>
        <div className="row gap-s">
          {!active && items.length > 0 && (
            <button type="button" className="btn btn-small btn-ghost" onClick={clearFinished}>
              Clear
            </button>
          )}
          <button
            type="button"
            className="btn btn-small btn-ghost"
            aria-expanded={!collapsed}
            onClick={() => setCollapsed((c) => !c)}
          >
            {collapsed ? 'Show' : 'Hide'}
          </button>
        </div>
      </header>
      {!collapsed && <UnfinishedList />}
      {!collapsed && items.length > 0 && (
        <ul>
          {items.map((item) => (
            <li key={item.id} className={`upload-item upload-${item.status}`} data-testid="upload-item">
              <div className="upload-line">
                <span className="upload-name" title={item.file.name}>
                  {linkOf(item) ? <Link to={linkOf(item)!}>{item.file.name}</Link> : item.file.name}
                </span>
                <span className="muted small">{formatBytes(item.file.size)}</span>
              </div>
              <div
                className={`bar bar-thin ${item.status === 'error' ? 'bar-danger' : 'bar-ok'}`}
                role="progressbar"
                aria-label={`Upload of ${item.file.name}`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round(item.progress * 100)}
              >
                <span style={{ width: `${item.status === 'error' ? 100 : Math.round(item.progress * 100)}%` }} />
              </div>
              <div className="upload-line small">
                <StatusText item={item} />
                {item.status === 'error' && (
                  <button type="button" className="link-btn" onClick={() => retry(item.id)}>
                    Retry
                  </button>
                )}
                {item.resumable && item.status === 'uploading' && (
                  <button type="button" className="link-btn" onClick={() => pause(item.id)} aria-label={`Pause ${item.file.name}`}>
                    Pause
                  </button>
                )}
                {item.status === 'paused' && (
                  <button type="button" className="link-btn" onClick={() => resume(item.id)} aria-label={`Resume ${item.file.name}`}>
                    Resume
                  </button>
                )}
                {(item.status === 'queued' || item.status === 'uploading' || item.status === 'paused') && (
                  <button type="button" className="link-btn" onClick={() => cancel(item.id)}>
                    Cancel
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
