// The floating list of uploads: one bar for the whole batch with the time left, then a line per file with
// what happened and what to do about it — Retry only where sending again can help, pause and resume for large
// (resumable) files, Cancel all — and the uploads an earlier visit left unfinished. It folds itself away when
// everything went through, keeps the file being sent in view, and can be folded by hand at any time.
import { useEffect, useRef, useState } from 'react';
import { Link } from '../../lib/router';
import { formatBytes, formatDuration } from '../../lib/format';
import { useUploads, type UploadItem } from './upload-context';
import { UnfinishedList } from './unfinished-list';

const linkOf = (item: UploadItem): string | null =>
  item.image ? `/images/${item.image.id}` : item.video ? `/videos/${item.video.id}` : item.audio ? `/audio/${item.audio.id}` : null;
const isActive = (i: UploadItem) => i.status === 'queued' || i.status === 'uploading' || i.status === 'paused';

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

/** Bytes sent of the whole batch, and the seconds left at the rate seen so far (null until it can be told). */
function useBatchProgress(items: UploadItem[]): { fraction: number; secondsLeft: number | null } {
  const total = items.reduce((n, i) => n + i.file.size, 0);
  const sent = items.reduce((n, i) => n + (i.status === 'error' ? i.file.size : i.file.size * i.progress), 0);
  const started = useRef<{ at: number; sent: number } | null>(null);
  const active = items.some((i) => i.status === 'uploading');
  if (!active) started.current = null;
  else started.current ??= { at: Date.now(), sent };
  const s = started.current;
  const elapsed = s ? (Date.now() - s.at) / 1000 : 0;
  const rate = s && elapsed > 1 ? (sent - s.sent) / elapsed : 0;
  return { fraction: total ? sent / total : 0, secondsLeft: rate > 0 ? Math.max(1, Math.round((total - sent) / rate)) : null };
}

export function UploadPanel() {
  const { items, retry, cancel, cancelAll, pause, resume, clearFinished, unfinished } = useUploads();
  const [collapsed, setCollapsed] = useState(false);
  const list = useRef<HTMLUListElement>(null);
  const active = items.filter(isActive).length;
  const failed = items.filter((i) => i.status === 'error').length;
  const finished = items.filter((i) => i.status === 'done' || i.status === 'duplicate').length;
  const batch = useBatchProgress(items);
  const sending = items.find((i) => i.status === 'uploading')?.id;

  // A new batch opens the panel; a batch that all went through folds it (a refusal or a duplicate keeps it open).
  const wasActive = useRef(false);
  useEffect(() => {
    if (active && !wasActive.current) setCollapsed(false);
    if (!active && wasActive.current && items.every((i) => i.status === 'done')) setCollapsed(true);
    wasActive.current = active > 0;
  }, [active, items]);

  // The file being sent stays in view in a long list.
  useEffect(() => {
    if (sending === undefined || collapsed) return;
    list.current?.querySelector(`[data-upload-id="${sending}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [sending, collapsed]);

  if (!items.length && !unfinished.length) return null;
  const title = active
    ? `${finished} of ${items.length} uploaded`
    : failed
      ? `${failed} upload${failed > 1 ? 's' : ''} failed`
      : items.length
        ? `${items.length === 1 ? 'Upload' : `${items.length} uploads`} complete`
        : `${unfinished.length} unfinished upload${unfinished.length > 1 ? 's' : ''}`;
  const pct = Math.round(batch.fraction * 100);

  return (
    <section className={`upload-panel ${collapsed ? 'is-collapsed' : ''}`} aria-label="Uploads">
      <header>
        <div className="min0">
          <strong role="status">{title}</strong>
          {active > 0 && (
            <span className="muted small" data-testid="upload-time-left">
              {' '}· {batch.secondsLeft === null ? 'estimating…' : `about ${formatDuration(batch.secondsLeft)} left`}
            </span>
          )}
        </div>
        <div className="row gap-s">
          {active > 0 && (
            <button type="button" className="btn btn-small btn-ghost" onClick={cancelAll}>
              Cancel all
            </button>
          )}
          {!active && items.length > 0 && (
            <button type="button" className="btn btn-small btn-ghost" onClick={clearFinished}>
              Clear
            </button>
          )}
          <button type="button" className="btn btn-small btn-ghost" aria-expanded={!collapsed} onClick={() => setCollapsed((c) => !c)}>
            {collapsed ? 'Show' : 'Hide'}
          </button>
        </div>
      </header>
      {active > 0 && (
        <div className="bar bar-thin bar-ok upload-overall" role="progressbar" aria-label="All uploads" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
          <span style={{ width: `${pct}%` }} />
        </div>
      )}
      {!collapsed && <UnfinishedList />}
      {!collapsed && items.length > 0 && (
        <ul ref={list}>
          {items.map((item) => (
            <li key={item.id} className={`upload-item upload-${item.status}`} data-testid="upload-item" data-upload-id={item.id}>
              <div className="upload-line">
                <span className="upload-name" title={item.file.name}>
                  {linkOf(item) ? <Link to={linkOf(item)!}>{item.file.name}</Link> : item.file.name}
                </span>
                <span className="muted small">{item.sourceUrl ? 'from a link' : formatBytes(item.file.size)}</span>
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
                {item.status === 'error' &&
                  (item.retryable ? (
                    <button type="button" className="link-btn" onClick={() => retry(item.id)} aria-label={`Retry ${item.file.name}`}>
                      Retry
                    </button>
                  ) : (
                    <button type="button" className="link-btn" onClick={() => cancel(item.id)} aria-label={`Remove ${item.file.name} from the list`}>
                      Remove
                    </button>
                  ))}
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
                {isActive(item) && (
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
