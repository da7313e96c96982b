// A library tab's upload control (videos, audio): drop files on it or choose them (several at once), public
// or private. The files join the shared upload queue (per-file progress there and as cards in the tab); on a
// plan without video and audio, an upgrade hint instead.
import { useId, useRef, useState, type DragEvent } from 'react';
import type { Plan } from '../../api/types';
import { canDragDrop } from '../../lib/pointer';
import { useUploads } from './upload-context';

type Kind = 'video' | 'audio';

const ZONES: Record<Kind, { accept: string; heading: string; text: string; button: string; what: string; perks: string }> = {
  video: {
    accept: 'video/mp4,video/quicktime,video/x-matroska,video/webm,video/x-msvideo,.mp4,.m4v,.mov,.mkv,.webm,.avi',
    heading: 'Upload videos',
    text: 'Drop files here or choose them: MP4, MOV, MKV, WebM or AVI, several at once. They play as adaptive streams once processed.',
    button: 'Choose videos…',
    what: 'Video hosting',
    perks: 'upload videos and get adaptive streaming, posters and signed playback links',
  },
  audio: {
    accept: 'audio/mpeg,audio/mp4,audio/x-m4a,audio/wav,audio/x-wav,audio/flac,audio/ogg,.mp3,.m4a,.wav,.flac,.ogg,.oga,.opus',
    heading: 'Upload audio',
    text: 'Drop files here or choose them: MP3, M4A, WAV, FLAC or OGG. Large files can be paused and continue where they stopped.',
    button: 'Choose audio…',
    what: 'Audio hosting',
    perks: 'upload audio with its cover art, play it anywhere and share private files by signed link',
  },
};
const PLAN_NAMES: Record<Plan, string> = { none: 'no plan', trial: 'the Trial plan', pro: 'Pro', pro_plus: 'Pro+' };

export const plansWithMedia: ReadonlySet<Plan> = new Set<Plan>(['pro', 'pro_plus']);

export function MediaPlanHint({ plan, kind }: { plan: Plan; kind: Kind }) {
  const headingId = useId();
  const z = ZONES[kind];
  return (
    <section className="card" aria-labelledby={headingId} data-testid={`${kind}-plan-hint`}>
      <h2 id={headingId}>{z.what} comes with the Pro plan</h2>
      <p className="muted">
        You are on {PLAN_NAMES[plan]}. Pro and Pro+ accounts {z.perks}. Ask your administrator to move your account to Pro.
      </p>
    </section>
  );
}

export function MediaUploadZone({ kind }: { kind: Kind }) {
  const { options, setOptions, add } = useUploads();
  const fileRef = useRef<HTMLInputElement>(null);
  const depth = useRef(0);
  const [over, setOver] = useState(false);
  const headingId = useId();
  const group = useId();
  const z = ZONES[kind];

  // Handled here, not by the page-wide drop handler (whose overlay would cover this zone).
  const drag = (e: DragEvent, step: 1 | 0 | -1) => {
    if (!Array.from(e.dataTransfer.types).includes('Files')) return;
    e.preventDefault();
    e.stopPropagation();
    depth.current = Math.max(0, depth.current + step);
    setOver(depth.current > 0);
  };
  const pick = (files: FileList | null) => {
    if (files?.length) add(Array.from(files), kind);
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
        <h2 id={headingId}>{z.heading}</h2>
        <p className="muted small">{canDragDrop() ? z.text : z.text.replace(/^Drop files here or choose them/, 'Choose files')}</p>
      </div>
      <div className="row gap-s video-drop-actions">
        <fieldset className="segmented">
          <legend className="sr-only">Who can see them</legend>
          <label>
            <input type="radio" name={group} checked={options.isPublic} onChange={() => setOptions({ ...options, isPublic: true })} />
            <span>Public</span>
          </label>
          <label>
            <input type="radio" name={group} checked={!options.isPublic} onChange={() => setOptions({ ...options, isPublic: false })} />
            <span>Private</span>
          </label>
        </fieldset>
        <button type="button" className="btn btn-primary" onClick={() => fileRef.current?.click()}>{z.button}</button>
        <input ref={fileRef} type="file" multiple accept={z.accept} hidden onChange={(e) => pick(e.target.files)} data-testid={`${kind}-file-input`} />
      </div>
    </section>
  );
}
