// Hotlink protection: which sites may embed the image (null: any site; a list: only those hosts).
import { useEffect, useId, useState } from 'react';
import type { Image } from '../../api/types';
import type { SaveImage } from './image-page';

const PATTERN = /^(self|(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)$/;

export function HotlinkEditor({ image, save }: { image: Image; save: SaveImage }) {
  const [restricted, setRestricted] = useState(image.allowedReferers !== null);
  const [list, setList] = useState<string[]>(image.allowedReferers ?? []);
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState('');
  const [saving, setSaving] = useState(false);
  const inputId = useId();

  useEffect(() => {
    setRestricted(image.allowedReferers !== null);
    setList(image.allowedReferers ?? []);
  }, [image.allowedReferers]);

  const add = () => {
    const p = draft.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    if (!p) return;
    if (!PATTERN.test(p)) return setProblem('Use a host like blog.example.com, a wildcard like *.example.com, or "self".');
    setProblem('');
    if (!list.includes(p)) setList([...list, p]);
    setDraft('');
  };

  const current = image.allowedReferers;
  const dirty = restricted !== (current !== null) || (restricted && list.join(',') !== (current ?? []).join(','));

  return (
    <section className="card" aria-labelledby="hotlink-h">
      <h2 id="hotlink-h">Hotlink protection</h2>
      <fieldset className="segmented">
        <legend className="sr-only">Who may embed this image</legend>
        <label>
          <input type="radio" name={`hl-${image.id}`} checked={!restricted} onChange={() => setRestricted(false)} />
          <span>Any site</span>
        </label>
        <label>
          <input type="radio" name={`hl-${image.id}`} checked={restricted} onChange={() => setRestricted(true)} />
          <span>Only these sites</span>
        </label>
      </fieldset>
      {restricted && (
        <>
          <p className="muted small">
            Pages on other sites get 403. Requests without a Referer are refused too; signed links always work.
          </p>
          <ul className="pattern-list">
            {list.length === 0 && <li className="muted small">No sites yet: the image would be embeddable nowhere.</li>}
            {list.map((p) => (
              <li key={p}>
                <span className="mono">{p}</span>
                <button type="button" className="link-btn" aria-label={`Remove ${p}`} onClick={() => setList(list.filter((x) => x !== p))}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <div className="copy-row">
            <label htmlFor={inputId} className="sr-only">Site to allow</label>
            <input
              id={inputId}
              value={draft}
              placeholder="blog.example.com, *.example.com or self"
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => e.key === 'Enter' && (e.preventDefault(), add())}
            />
            <button type="button" className="btn btn-small" onClick={add}>Add</button>
          </div>
          {problem && <p className="error-text small" role="alert">{problem}</p>}
        </>
      )}
      <button
        type="button"
        className="btn btn-primary"
        disabled={!dirty || saving}
        onClick={async () => {
          setSaving(true);
          await save({ allowedReferers: restricted ? list : null }, restricted ? 'Hotlink allow-list saved' : 'Any site may embed this image now');
          setSaving(false);
        }}
      >
        {saving ? 'Saving…' : 'Save hotlink rules'}
      </button>
    </section>
  );
}
