// Uploads an earlier visit left unfinished (a reload, a closed tab): the browser keeps where each one stands
// on the server, but not the file itself, so the person chooses the same file again to continue it — or
// discards it, which ends it on the server and frees the space it holds.
import { useRef, useState } from 'react';
import type { Unfinished } from '../../api/resumable';
import { formatBytes, timeAgo } from '../../lib/format';
import { useToast } from '../../lib/toast';
import { useUploads } from './upload-context';

function Row({ u }: { u: Unfinished }) {
  const { continueUnfinished, discard } = useUploads();
  const toast = useToast();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);

  const picked = (files: FileList | null) => {
    const file = files?.[0];
    if (input.current) input.current.value = '';
    if (!file) return;
    if (!continueUnfinished(u, file)) toast.show(`That is not the same file: choose “${u.filename}” (${formatBytes(u.size)}) to continue.`, 'error');
  };

  return (
    <li className="upload-item upload-paused" data-testid="unfinished-upload">
      <div className="upload-line">
        <span className="upload-name" title={u.filename}>{u.filename}</span>
        <span className="muted small">{formatBytes(u.size)}</span>
      </div>
      <div className="upload-line small">
        <span className="muted">Unfinished · started {timeAgo(u.createdAt)}</span>
        <span className="row gap-s">
          <button type="button" className="link-btn" onClick={() => input.current?.click()} aria-label={`Continue ${u.filename}`}>
            Continue…
          </button>
          <button
            type="button"
            className="link-btn"
            disabled={busy}
            onClick={() => {
              setBusy(true);
              discard(u).finally(() => setBusy(false));
            }}
            aria-label={`Discard ${u.filename}`}
          >
            Discard
          </button>
        </span>
      </div>
      <input ref={input} type="file" hidden onChange={(e) => picked(e.target.files)} data-testid="unfinished-file-input" />
    </li>
  );
}

export function UnfinishedList() {
  const { unfinished } = useUploads();
  if (!unfinished.length) return null;
  return (
    <div className="unfinished">
      <p className="muted small">Choose the same file again to continue where it stopped.</p>
      <ul>
        {unfinished.map((u) => <Row key={u.key} u={u} />)}
      </ul>
    </div>
  );
}
