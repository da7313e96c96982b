// The Videos page's upload control: drop files on it or choose them (several at once), public or private.
// The files join the shared upload queue (per-file progress there and as cards in the grid); on a plan
// without video, an upgrade hint instead.
import { useId, useRef, useState, type DragEvent } from 'react';
import type { Plan } from '../../api/types';
import { useUploads } from '../upload/upload-context';

const ACCEPT = 'video/mp4,video/quicktime,video/x-matroska,video/webm,video/x-msvideo,.mp4,.m4v,.mov,.mkv,.webm,.avi';
const PLAN_NAMES: Record<Plan, string> = { none: 'no plan', trial: 'the Trial plan', pro: 'Pro', pro_plus: 'Pro+' };

export const plansWithVideo: ReadonlySet<Plan> = new Set<Plan>(['pro', 'pro_plus']);

export function VideoPlanHint({ plan }: { plan: Plan }) {
  return (
    <section className="card" aria-labelledby="video-plan-h" data-testid="video-plan-hint">
      <h2 id="video-plan-h">Video hosting comes with the Pro plan</h2>
      <p className="muted">
        You are on {PLAN_NAMES[plan]}. Pro and Pro+ accounts upload videos and get adaptive streaming, posters and signed playback
        links. Ask your administrator to move your account to Pro.
      </p>
    </section>
  );
}

export function VideoUploadZone() {
  const { options, setOptions, add } = useUploads();
  const fileRef = useRef<HTMLInputElement>(null);
  const depth = useRef(0);
  const [over, setOver] = useState(false);
  const headingId = useId();
  const group = useId();

  // Handled here, not by the page-wide drop handler (whose overlay would cover this zone).
  const drag = (e: DragEvent, step: 1 | 0 | -1) => {
    if (!Array.from(e.dataTransfer.types).includes('Files')) return;
    e.preventDefault();
    e.stopPropagation();
    depth.current = Math.max(0, depth.current + step);
    setOver(depth.current > 0);
  };
  const pick = (files: FileList | null) => {
    if (files?.length) add(Array.from(files), 'video');
    if (fileRef.current) fileRef.current.value = '';
  };

  return (
    <section
      className={`card video-drop ${over ? 'is-over' : ''}`}
      aria-labelledby={headingId}
      onDragEnter={(e) => drag(e, 1)}
      onDragOver={(e) => drag(e, 0)}
      onDragLeave={(e) => drag(e, -1)}
      onDrop={(e) => {
        drag(e, 0);
        depth.current = 0;
        setOver(false);
        pick(e.dataTransfer.files);
      }}
    >
      <div className="min0">
        <h2 id={headingId}>Upload videos</h2>
        <p className="muted small">Drop files here or choose them: MP4, MOV, MKV, WebM or AVI, several at once. They play as adaptive streams once processed.</p>
      </div>
      <div className="row gap-s video-drop-actions">
        <fieldset className="segmented">
          <legend className="sr-only">Who can see the videos</legend>
          <label>
            <input type="radio" name={group} checked={options.isPublic} onChange={() => setOptions({ ...options, isPublic: true })} />
            <span>Public</span>
          </label>
          <label>
            <input type="radio" name={group} checked={!options.isPublic} onChange={() => setOptions({ ...options, isPublic: false })} />
            <span>Private</span>
          </label>
        </fieldset>
        <button type="button" className="btn btn-primary" onClick={() => fileRef.current?.click()}>Choose videos…</button>
        <input ref={fileRef} type="file" multiple accept={ACCEPT} hidden onChange={(e) => pick(e.target.files)} data-testid="video-file-input" />
      </div>
    </section>
  );
}
