// An audio file's sharing (its public URL and an HTML snippet, or a signed link while it is private) and its
// title and visibility.
import { useEffect, useId, useState } from 'react';
import { api } from '../../api/client';
import type { Audio, SignedVideoLink } from '../../api/types';
import { CopyField } from '../../components/ui';
import { errorText } from '../../lib/error-text';
import { formatDateTime } from '../../lib/format';

export type SaveAudio = (patch: Partial<Pick<Audio, 'title' | 'isPublic'>>, done: string) => Promise<boolean>;

const snippet = (a: Audio, url: string) => `<audio controls preload="metadata" src=${JSON.stringify(url)} title=${JSON.stringify(a.title)}></audio>`;

export function AudioShare({ audio }: { audio: Audio }) {
  const [link, setLink] = useState<SignedVideoLink | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => setLink(null), [audio.id, audio.isPublic]);

  const sign = async () => {
    setBusy(true);
    setError('');
    try {
      setLink(await api<SignedVideoLink>(`/v1/audio/${encodeURIComponent(audio.id)}/sign`, { method: 'POST', body: { expSeconds: 24 * 3600 } }));
    } catch (err) {
      setError(errorText(err, 'audio'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card stack" aria-labelledby="audio-share-h">
      <h2 id="audio-share-h">Share</h2>
      {audio.isPublic ? (
        <>
          <CopyField label="Audio URL" value={audio.url} />
          <CopyField label="HTML" value={snippet(audio, audio.url)} />
        </>
      ) : (
        <>
          <p className="muted small">Private: only you can play it here. A signed link plays for anyone holding it for 24 hours.</p>
          <div>
            <button type="button" className="btn" onClick={sign} disabled={busy}>{busy ? 'Signing…' : 'Create signed link'}</button>
          </div>
          {error && <p className="error-text small" role="alert">{error}</p>}
          {link && (
            <>
              <CopyField label="Signed audio URL" value={link.signedUrl} />
              <p className="muted small">Valid until {formatDateTime(link.expiresAt)}</p>
            </>
          )}
        </>
      )}
    </section>
  );
}

export function AudioEdit({ audio, save }: { audio: Audio; save: SaveAudio }) {
  const [title, setTitle] = useState(audio.title);
  const [busy, setBusy] = useState(false);
  const titleId = useId();
  useEffect(() => setTitle(audio.title), [audio.id, audio.title]);

  const run = async (patch: Parameters<SaveAudio>[0], done: string) => {
    setBusy(true);
    await save(patch, done);
    setBusy(false);
  };

  return (
    <section className="card" aria-labelledby="audio-edit-h">
      <h2 id="audio-edit-h">Visibility and details</h2>
      <div className="switch-row">
        <div>
          <strong>{audio.isPublic ? 'Public' : 'Private'}</strong>
          <p className="muted small">{audio.isPublic ? 'Anyone with the URL can play it.' : 'Only you, or holders of a signed link, can play it.'}</p>
        </div>
        <button
          type="button"
          role="switch"
          className="switch"
          aria-checked={audio.isPublic}
          aria-label="Public"
          disabled={busy}
          onClick={() => run({ isPublic: !audio.isPublic }, audio.isPublic ? 'The audio is now private' : 'The audio is now public')}
        >
          <span />
        </button>
      </div>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void run({ title: title.trim() }, 'Saved');
        }}
      >
        <div className="field">
          <label htmlFor={titleId}>Title</label>
          <input id={titleId} value={title} maxLength={255} required onChange={(e) => setTitle(e.target.value)} />
        </div>
        <div>
          <button type="submit" className="btn btn-primary" disabled={busy || !title.trim() || title.trim() === audio.title}>
            Save changes
          </button>
        </div>
      </form>
    </section>
  );
}
