// A time-limited link that works even for private images (HMAC over id, expiry and transform).
import { useId, useState } from 'react';
import { api } from '../../api/client';
import type { Image } from '../../api/types';
import { CopyField } from '../../components/ui';
import { errorText } from '../../lib/error-text';
import { formatDateTime } from '../../lib/format';

const EXPIRIES: Array<[number, string]> = [
  [300, '5 minutes'],
  [3600, '1 hour'],
  [6 * 3600, '6 hours'],
  [86400, '24 hours'],
];

export function SignedUrl({ image }: { image: Image }) {
  const [exp, setExp] = useState(3600);
  const [transform, setTransform] = useState('');
  const [result, setResult] = useState<{ signedUrl: string; expiresAt: string } | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const expId = useId();
  const tfId = useId();

  const generate = async () => {
    setBusy(true);
    setError('');
    try {
      const t = transform.trim().replace(/^\?/, '');
      setResult(await api(`/v1/images/${image.id}/sign`, { method: 'POST', body: { expSeconds: exp, ...(t ? { transform: t } : {}) } }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="signed-h">
      <h2 id="signed-h">Signed link</h2>
      <p className="muted small">Anyone with it can view the image until it expires, even when the image is private.</p>
      <div className="form-row">
        <div className="field">
          <label htmlFor={expId}>Expires after</label>
          <select id={expId} value={exp} onChange={(e) => setExp(Number(e.target.value))}>
            {EXPIRIES.map(([s, label]) => <option key={s} value={s}>{label}</option>)}
          </select>
        </div>
        <div className="field grow">
          <label htmlFor={tfId}>Transform (optional)</label>
          <input id={tfId} value={transform} onChange={(e) => setTransform(e.target.value)} placeholder="w=800&fmt=webp" className="mono" />
        </div>
      </div>
      <button type="button" className="btn" onClick={generate} disabled={busy}>
        {busy ? 'Signing…' : 'Create signed link'}
      </button>
      {error && <p className="error-text small" role="alert">{error}</p>}
      {result && (
        <div className="result">
          <CopyField label="Signed link" value={result.signedUrl} />
          <p className="muted small">Valid until {formatDateTime(result.expiresAt)}</p>
        </div>
      )}
    </section>
  );
}
