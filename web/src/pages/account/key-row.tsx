// One API key in the list, with inline rename and its uploader configs to download.
import { useState } from 'react';
import { api } from '../../api/client';
import type { ApiKey } from '../../api/types';
import { errorText } from '../../lib/error-text';
import { useToast } from '../../lib/toast';
import { ToolDownloads } from './tool-downloads';

type Props = { apiKey: ApiKey; meta: string; onRevoke(): void; onRenamed(): void };

export function KeyRow({ apiKey: k, meta, onRevoke, onRenamed }: Props) {
  const toast = useToast();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(k.name);

  const rename = async () => {
    const next = name.trim();
    if (!next || next === k.name) return setEditing(false);
    try {
      await api(`/v1/api-keys/${k.id}`, { method: 'PATCH', body: { name: next } });
      toast.show('Key renamed');
      setEditing(false);
      onRenamed();
    } catch (err) {
      toast.show(errorText(err), 'error');
    }
  };

  return (
    <li className="key-row" data-testid="key-row">
      <div className="key-main">
        {editing ? (
          <form className="copy-row" onSubmit={(e) => (e.preventDefault(), void rename())}>
            <label className="sr-only" htmlFor={`rename-${k.id}`}>New name</label>
            <input id={`rename-${k.id}`} value={name} maxLength={50} autoFocus onChange={(e) => setName(e.target.value)} onKeyDown={(e) => e.key === 'Escape' && setEditing(false)} />
            <button type="submit" className="btn btn-small btn-primary">Save</button>
            <button type="button" className="btn btn-small" onClick={() => (setName(k.name), setEditing(false))}>Cancel</button>
          </form>
        ) : (
          <strong>{k.name}</strong>
        )}
        <code className="muted">{k.keyPrefix}…{k.lastFour}</code>
        <div className="chips">
          {k.scopesV2.map((s) => <span key={s} className="chip chip-small">{s}</span>)}
        </div>
        <span className="muted small">{meta}</span>
        <details className="small">
          <summary>Uploader configs (PicGo, ShareX, Typora, Flameshot, Moraya)</summary>
          <ToolDownloads keyId={k.id} keyName={k.name} keyPrefix={k.keyPrefix} />
        </details>
      </div>
      {!editing && (
        <div className="row gap-s">
          <button type="button" className="btn btn-small" onClick={() => setEditing(true)} aria-label={`Rename ${k.name}`}>Rename</button>
          <button type="button" className="btn btn-small btn-danger-ghost" onClick={onRevoke} aria-label={`Revoke ${k.name}`}>Revoke</button>
        </div>
      )}
    </li>
  );
}
