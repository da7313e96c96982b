// API keys: create (name + scopes; the secret shown once, with uploader configs holding it), list, rename, revoke.
import { useState } from 'react';
import { api } from '../../api/client';
import type { ApiKey, CreatedApiKey } from '../../api/types';
import { ConfirmDialog } from '../../components/dialog';
import { CopyButton, EmptyState, ErrorState, Spinner } from '../../components/ui';
import { errorText } from '../../lib/error-text';
import { formatDate, timeAgo } from '../../lib/format';
import { useToast } from '../../lib/toast';
import { useAsync } from '../../lib/use-async';
import { KeyRow } from './key-row';
import { ToolDownloads } from './tool-downloads';

export const SCOPES: Array<[string, string]> = [
  ['media.read', 'Read images'],
  ['media.write', 'Upload and edit images'],
  ['media.delete', 'Delete images'],
  ['account.read', 'Read the account profile'],
  ['usage.read', 'Read usage'],
];
const DEFAULT_SCOPES = ['media.read', 'media.write', 'account.read', 'usage.read'];

export function KeysPage() {
  const keys = useAsync(() => api<ApiKey[]>('/v1/api-keys'), []);
  const toast = useToast();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(DEFAULT_SCOPES);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [revoking, setRevoking] = useState<ApiKey | null>(null);

  const create = async () => {
    setBusy(true);
    setError('');
    try {
      const k = await api<CreatedApiKey>('/v1/api-keys', { method: 'POST', body: { name: name.trim(), scopes } });
      setCreated(k);
      setName('');
      keys.reload();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async () => {
    if (!revoking) return;
    setBusy(true);
    try {
      await api(`/v1/api-keys/${revoking.id}`, { method: 'DELETE' });
      toast.show(`Revoked “${revoking.name}”: it stops working at once`);
      if (created?.id === revoking.id) setCreated(null);
      keys.reload();
    } catch (err) {
      toast.show(errorText(err), 'error');
    } finally {
      setBusy(false);
      setRevoking(null);
    }
  };

  return (
    <div className="page narrow">
      <header className="page-head">
        <div>
          <h1>API keys</h1>
          <p className="muted">Keys let scripts, apps and the CLI use your library. Send one as <code>Authorization: Bearer sk_live_…</code>.</p>
        </div>
      </header>

      {created && (
        <section className="card secret" aria-labelledby="secret-h" role="alert">
          <h2 id="secret-h">Copy your new key now</h2>
          <p>This is the only time “{created.name}” is shown in full. Store it somewhere safe, such as a password manager.</p>
          <div className="copy-row">
            <code className="secret-value" data-testid="new-key">{created.key}</code>
            <CopyButton text={created.key} label="Copy key" />
          </div>
          <p className="muted small">Ready-to-import uploader configs with this key filled in (only now: later they hold a placeholder):</p>
          <ToolDownloads keyId={created.id} keyName={created.name} keyPrefix={created.keyPrefix} fullKey={created.key} />
          <button type="button" className="btn" onClick={() => setCreated(null)}>I’ve saved it</button>
        </section>
      )}

      <section className="card" aria-labelledby="new-key-h">
        <h2 id="new-key-h">Create a key</h2>
        <form className="stack" onSubmit={(e) => (e.preventDefault(), void create())}>
          <div className="field">
            <label htmlFor="key-name">Name</label>
            <input id="key-name" required maxLength={50} value={name} placeholder="e.g. Blog uploader" onChange={(e) => setName(e.target.value)} />
          </div>
          <fieldset className="checks">
            <legend>Permissions</legend>
            {SCOPES.map(([s, label]) => (
              <label key={s}>
                <input
                  type="checkbox"
                  checked={scopes.includes(s)}
                  onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))}
                />
                <span>{label}</span> <code className="muted">{s}</code>
              </label>
            ))}
          </fieldset>
          {error && <p className="form-error" role="alert">{error}</p>}
          <div>
            <button type="submit" className="btn btn-primary" disabled={busy || !name.trim() || scopes.length === 0}>Create key</button>
          </div>
        </form>
      </section>

      <section className="card" aria-labelledby="keys-h">
        <h2 id="keys-h">Your keys</h2>
        {keys.error !== undefined ? (
          <ErrorState what="your keys" error={keys.error} onRetry={keys.reload} />
        ) : !keys.data ? (
          <Spinner />
        ) : keys.data.length === 0 ? (
          <EmptyState title="No API keys yet" icon="key"><p className="muted">Create one above to use Picora from code or the CLI.</p></EmptyState>
        ) : (
          <ul className="key-list">
            {keys.data.map((k) => (
              <KeyRow key={k.id} apiKey={k} onRevoke={() => setRevoking(k)} onRenamed={keys.reload} meta={`Created ${formatDate(k.createdAt)} · last used ${timeAgo(k.lastUsedAt)}`} />
            ))}
          </ul>
        )}
      </section>

      <ConfirmDialog open={!!revoking} title={`Revoke “${revoking?.name ?? ''}”?`} confirmLabel="Revoke key" danger busy={busy} onConfirm={revoke} onClose={() => setRevoking(null)}>
        <p>Anything using this key stops working immediately. This cannot be undone.</p>
      </ConfirmDialog>
    </div>
  );
}
