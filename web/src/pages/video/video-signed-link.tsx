// A private video's signed link: a playback URL anyone can play until it expires (POST /v1/videos/{id}/sign).
import { useId, useState } from 'react';
import { api } from '../../api/client';
import type { SignedVideoLink, Video } from '../../api/types';
import { CopyField } from '../../components/ui';
import { errorText } from '../../lib/error-text';
import { formatDateTime } from '../../lib/format';
import { CopyBlock, embedSnippet } from './video-share';

const EXPIRIES: Array<[number, string]> = [
  [3600, '1 hour'],
  [6 * 3600, '6 hours'],
  [24 * 3600, '24 hours'],
];

export function VideoSignedLink({ video }: { video: Video }) {
  const [exp, setExp] = useState(24 * 3600);
  const [result, setResult] = useState<SignedVideoLink | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const expId = useId();

  const sign = async () => {
    setBusy(true);
    setError('');
    try {
      setResult(await api<SignedVideoLink>(`/v1/videos/${encodeURIComponent(video.id)}/sign`, { method: 'POST', body: { expSeconds: exp } }));
    } catch (err) {
      setError(errorText(err, 'video'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="video-signed-h">
      <h2 id="video-signed-h">Signed link</h2>
      <p className="muted small">Anyone with it can play this private video until it expires; nobody needs to sign in.</p>
      <div className="form-row">
        <div className="field">
          <label htmlFor={expId}>Expires after</label>
          <select id={expId} value={exp} onChange={(e) => setExp(Number(e.target.value))}>
            {EXPIRIES.map(([s, label]) => <option key={s} value={s}>{label}</option>)}
          </select>
        </div>
        <button type="button" className="btn" onClick={sign} disabled={busy}>
          {busy ? 'Signing…' : 'Create signed link'}
        </button>
      </div>
      {error && <p className="error-text small" role="alert">{error}</p>}
      {result && (
        <div className="result stack">
          <CopyField label="Signed playback URL" value={result.signedUrl} />
          <p className="muted small">Valid until {formatDateTime(result.expiresAt)}</p>
          <CopyBlock label="Embed code with the signed link" value={embedSnippet(video, result.signedUrl)} />
        </div>
      )}
    </section>
  );
}
