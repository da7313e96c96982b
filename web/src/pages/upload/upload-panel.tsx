// The floating list of uploads: a progress bar per file, what happened, and what to do about failures.
import { useState } from 'react';
import { Link } from '../../lib/router';
import { formatBytes } from '../../lib/format';
import { useUploads, type UploadItem } from './upload-context';

function StatusText({ item }: { item: UploadItem }) {
  switch (item.status) {
    case 'queued':
      return <span className="muted">Waiting…</span>;
    case 'uploading':
      return <span className="muted">{Math.round(item.progress * 100)}%</span>;
    case 'done':
      return <span className="ok-text">Uploaded</span>;
    case 'duplicate':
      return <span className="muted">Already in your library</span>;
    case 'error':
      return <span className="error-text">{item.error}</span>;
  }
}

export function UploadPanel() {
  const { items, retry, cancel, clearFinished } = useUploads();
  const [collapsed, setCollapsed] = useState(false);
  if (!items.length) return null;
  const active = items.filter((i) => i.status === 'queued' || i.status === 'uploading').length;
  const failed = items.filter((i) => i.status === 'error').length;
  const title = active ? `Uploading ${active} of ${items.length}` : failed ? `${failed} upload${failed > 1 ? 's' : ''} failed` : 'Uploads complete';

  return (
    <section className="upload-panel" aria-label="Uploads">
      <header>
        <strong>{title}</strong>
        <div className="row gap-s">
          {!active && (
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
      {!collapsed && (
        <ul>
          {items.map((item) => (
            <li key={item.id} className={`upload-item upload-${item.status}`} data-testid="upload-item">
              <div className="upload-line">
                <span className="upload-name" title={item.file.name}>
                  {item.image ? (
                    <Link to={`/images/${item.image.id}`}>{item.file.name}</Link>
                  ) : item.video ? (
                    <Link to={`/videos/${item.video.id}`}>{item.file.name}</Link>
                  ) : (
                    item.file.name
                  )}
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
                {(item.status === 'queued' || item.status === 'uploading') && (
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
