// Builds a transform URL (w, h, fit, fmt, q) with a live preview (preview=1: rendered, never cached). Invalid
// settings show what is wrong — no preview of earlier settings and no URL to copy.
import { useEffect, useId, useMemo, useState } from 'react';
import type { Image } from '../../api/types';
import { transformUrl, useFetchedSrc } from '../../components/media-image';
import { CopyField } from '../../components/ui';
import { formatBytes } from '../../lib/format';

const FITS = ['inside', 'cover', 'contain', 'fill', 'outside'] as const;
const FORMATS = ['auto', 'webp', 'avif', 'jpeg', 'png'] as const;

type Params = { w: string; h: string; fit: string; fmt: string; q: number };
const INITIAL: Params = { w: '800', h: '', fit: 'inside', fmt: 'auto', q: 85 };

function toQuery(p: Params): Record<string, string | number | undefined> {
  return {
    w: p.w || undefined,
    h: p.h || undefined,
    fit: p.fit !== 'inside' ? p.fit : undefined,
    fmt: p.fmt !== 'auto' ? p.fmt : undefined,
    q: p.q !== 85 ? p.q : undefined,
  };
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

const validSide = (s: string) => s === '' || (/^\d{1,4}$/.test(s) && Number(s) >= 1 && Number(s) <= 4096);

export function TransformBuilder({ image }: { image: Image }) {
  const [p, setP] = useState<Params>(INITIAL);
  const ids = { w: useId(), h: useId(), fit: useId(), fmt: useId(), q: useId() };
  const valid = validSide(p.w) && validSide(p.h);
  const url = useMemo(() => transformUrl(image.url, toQuery(p)), [image.url, p]);
  const debounced = useDebounced(valid ? url : null, 450);
  const previewUrl = debounced ? `${debounced}${debounced.includes('?') ? '&' : '?'}preview=1` : null;
  const preview = useFetchedSrc(image.mimeType === 'image/svg+xml' && debounced === image.url ? null : previewUrl);
  // the picture on show is of earlier settings until the new one arrives: said, and dimmed
  const [shownFor, setShownFor] = useState<string | null>(null);
  useEffect(() => setShownFor(preview.src ? debounced : null), [preview.src]);
  const stale = shownFor !== url && !preview.failed;
  const [dims, setDims] = useState('');
  const set = (k: keyof Params) => (e: { target: { value: string } }) => setP({ ...p, [k]: k === 'q' ? Number(e.target.value) : e.target.value });

  return (
    <section className="card" aria-labelledby="tf-h">
      <h2 id="tf-h">Transform builder</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={ids.w}>Width</label>
          <input id={ids.w} inputMode="numeric" value={p.w} onChange={set('w')} placeholder="auto" aria-invalid={!validSide(p.w)} />
        </div>
        <div className="field">
          <label htmlFor={ids.h}>Height</label>
          <input id={ids.h} inputMode="numeric" value={p.h} onChange={set('h')} placeholder="auto" aria-invalid={!validSide(p.h)} />
        </div>
        <div className="field">
          <label htmlFor={ids.fit}>Fit</label>
          <select id={ids.fit} value={p.fit} onChange={set('fit')}>
            {FITS.map((f) => <option key={f}>{f}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.fmt}>Format</label>
          <select id={ids.fmt} value={p.fmt} onChange={set('fmt')}>
            {FORMATS.map((f) => <option key={f}>{f}</option>)}
          </select>
        </div>
      </div>
      <div className="field">
        <label htmlFor={ids.q}>Quality: {p.q}</label>
        <input id={ids.q} type="range" min={1} max={100} value={p.q} onChange={set('q')} />
      </div>
      {!valid && <p className="error-text small" role="alert">Width and height are whole numbers from 1 to 4096, or empty.</p>}
      {valid && (
        <>
          <div className={`tf-preview ${stale ? 'is-stale' : ''}`} aria-live="polite" aria-busy={stale}>
            {preview.src ? (
              <img src={preview.src} alt="Transform preview" onLoad={(e) => setDims(`${e.currentTarget.naturalWidth} × ${e.currentTarget.naturalHeight}`)} />
            ) : (
              <span className="muted small">{preview.failed ?? 'Rendering preview…'}</span>
            )}
          </div>
          {preview.src && (
            <p className="muted small">
              {stale ? 'Updating the preview…' : `Preview: ${dims}`}
              {!stale && preview.type ? ` · ${preview.type.replace('image/', '').toUpperCase()}` : ''}
              {!stale && preview.size !== undefined ? ` · ${formatBytes(preview.size)}` : ''}
              {preview.failed ? ` · ${preview.failed}` : ''}
            </p>
          )}
          <CopyField label="Transform URL" value={url} />
        </>
      )}
    </section>
  );
}
