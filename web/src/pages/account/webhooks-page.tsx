// Webhooks: endpoints that hear about uploads, deletes, videos and quota (create with the signing secret shown
// once, enable/disable, test-send, rotate the secret, delete) and each endpoint's recent deliveries.
import { useState } from 'react';
import { api } from '../../api/client';
import type { Webhook, WebhookDelivery } from '../../api/types';
import { ConfirmDialog } from '../../components/dialog';
import { CopyButton, EmptyState, ErrorState, Spinner } from '../../components/ui';
import { errorText } from '../../lib/error-text';
import { timeAgo } from '../../lib/format';
import { useToast } from '../../lib/toast';
import { useAsync } from '../../lib/use-async';

export const WEBHOOK_EVENTS: Array<[string, string]> = [
  ['image.uploaded', 'An image was uploaded'],
  ['image.deleted', 'An image was deleted'],
  ['video.ready', 'A video finished processing'],
  ['video.failed', 'A video could not be processed'],
  ['quota.warning', 'Storage reached 80 % or 100 % of the plan'],
];

function Deliveries({ hookId }: { hookId: string }) {
  const log = useAsync(() => api<{ items: WebhookDelivery[] }>(`/v1/webhooks/${hookId}/deliveries?limit=20`), [hookId]);
  if (log.error !== undefined) return <ErrorState what="the deliveries" error={log.error} onRetry={log.reload} />;
  if (!log.data) return <Spinner />;
  if (log.data.items.length === 0) return <p className="muted small">No deliveries yet. Send a test to try the endpoint.</p>;
  return (
    <div className="table-wrap">
      <table className="deliveries" aria-label="Recent deliveries">
        <thead><tr><th>Event</th><th>Result</th><th>Attempts</th><th>When</th></tr></thead>
        <tbody>
          {log.data.items.map((d) => (
            <tr key={d.id}>
              <td><code>{d.eventType}</code></td>
              <td className={d.status === 'failed' ? 'danger-text' : undefined}>
                {d.status === 'succeeded' ? `Delivered (HTTP ${d.responseStatus})` : d.status === 'pending' ? (d.error ? `Retrying: ${d.error}` : 'Sending…') : `Failed: ${d.error ?? 'unknown error'}`}
              </td>
              <td>{d.attempts}</td>
              <td>{timeAgo(d.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="btn btn-small" onClick={log.reload}>Refresh</button>
    </div>
  );
}

function HookRow({ hook, onChanged, onSecret, onDelete }: { hook: Webhook; onChanged(): void; onSecret(h: Webhook): void; onDelete(): void }) {
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const act = async (what: () => Promise<void>) => {
    setBusy(true);
    try {
      await what();
    } catch (err) {
      toast.show(errorText(err), 'error');
    } finally {
      setBusy(false);
    }
  };
  const toggle = () => act(async () => {
    await api(`/v1/webhooks/${hook.id}`, { method: 'PATCH', body: { enabled: !hook.enabled } });
    toast.show(hook.enabled ? 'Endpoint paused' : 'Endpoint enabled');
    onChanged();
  });
  const test = () => act(async () => {
    await api(`/v1/webhooks/${hook.id}/test`, { method: 'POST' });
    toast.show('Test delivery queued');
    setOpen(true);
  });
  const rotate = () => act(async () => onSecret(await api<Webhook>(`/v1/webhooks/${hook.id}/rotate-secret`, { method: 'POST' })));

  return (
    <li className="key-row webhook-row">
      <div className="stack-tight">
        <strong className="break">{hook.url}</strong>
        {hook.description && <span className="muted small">{hook.description}</span>}
        <span className="muted small">{hook.events.join(' · ')}</span>
        {!hook.enabled && <span className="badge badge-warn">{hook.disabledReason ? `Disabled: ${hook.disabledReason}` : 'Paused'}</span>}
        {hook.enabled && hook.consecutiveFailures > 0 && <span className="badge badge-warn">{hook.consecutiveFailures} failed in a row</span>}
      </div>
      <div className="row-actions">
        <button type="button" className="btn btn-small" disabled={busy} onClick={() => void test()}>Send test</button>
        <button type="button" className="btn btn-small" disabled={busy} onClick={() => void toggle()}>{hook.enabled ? 'Pause' : 'Enable'}</button>
        <button type="button" className="btn btn-small" disabled={busy} onClick={() => void rotate()}>New secret</button>
        <button type="button" className="btn btn-small" aria-expanded={open} onClick={() => setOpen(!open)}>Deliveries</button>
        <button type="button" className="btn btn-small btn-danger-ghost" disabled={busy} onClick={onDelete}>Delete</button>
      </div>
      {open && <div className="webhook-log"><Deliveries hookId={hook.id} /></div>}
    </li>
  );
}

export function WebhooksPage() {
  const hooks = useAsync(() => api<Webhook[]>('/v1/webhooks'), []);
  const toast = useToast();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[]>(WEBHOOK_EVENTS.map(([e]) => e));
  const [secret, setSecret] = useState<Webhook | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const create = async () => {
    setBusy(true);
    setError('');
    try {
      setSecret(await api<Webhook>('/v1/webhooks', { method: 'POST', body: { url: url.trim(), events, description: description.trim() || undefined } }));
      setUrl('');
      setDescription('');
      hooks.reload();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!deleting) return;
    setBusy(true);
    try {
      await api(`/v1/webhooks/${deleting.id}`, { method: 'DELETE' });
      toast.show('Webhook deleted');
      if (secret?.id === deleting.id) setSecret(null);
      hooks.reload();
    } catch (err) {
      toast.show(errorText(err), 'error');
    } finally {
      setBusy(false);
      setDeleting(null);
    }
  };

  return (
    <div className="page narrow">
      <header className="page-head">
        <div>
          <h1>Webhooks</h1>
          <p className="muted">
            Picora POSTs a signed JSON event to your endpoints when something happens in your account. Check the
            <code> Picora-Signature</code> header with the endpoint’s secret (see <code>docs/webhooks.md</code>).
          </p>
        </div>
      </header>

      {secret?.secret && (
        <section className="card secret" aria-labelledby="wh-secret-h" role="alert">
          <h2 id="wh-secret-h">Copy the signing secret now</h2>
          <p>This is the only time the secret of {secret.url} is shown. Your endpoint needs it to check signatures.</p>
          <div className="copy-row">
            <code className="secret-value" data-testid="webhook-secret">{secret.secret}</code>
            <CopyButton text={secret.secret} label="Copy secret" />
          </div>
          <button type="button" className="btn" onClick={() => setSecret(null)}>I’ve saved it</button>
        </section>
      )}

      <section className="card" aria-labelledby="wh-new-h">
        <h2 id="wh-new-h">Add an endpoint</h2>
        <form className="stack" onSubmit={(e) => (e.preventDefault(), void create())}>
          <div className="field">
            <label htmlFor="wh-url">Endpoint URL</label>
            <input id="wh-url" type="url" required maxLength={2048} placeholder="https://example.com/picora" value={url} onChange={(e) => setUrl(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="wh-desc">Description <span className="muted">(optional)</span></label>
            <input id="wh-desc" maxLength={200} value={description} onChange={(e) => setDescription(e.target.value)} />
          </div>
          <fieldset className="checks">
            <legend>Events</legend>
            {WEBHOOK_EVENTS.map(([e, label]) => (
              <label key={e}>
                <input type="checkbox" checked={events.includes(e)} onChange={(ev) => setEvents(ev.target.checked ? [...events, e] : events.filter((x) => x !== e))} />
                <span>{label}</span> <code className="muted">{e}</code>
              </label>
            ))}
          </fieldset>
          {error && <p className="form-error" role="alert">{error}</p>}
          <div><button type="submit" className="btn btn-primary" disabled={busy || !url.trim() || events.length === 0}>Add endpoint</button></div>
        </form>
      </section>

      <section className="card" aria-labelledby="wh-list-h">
        <h2 id="wh-list-h">Your endpoints</h2>
        {hooks.error !== undefined ? (
          <ErrorState what="your webhooks" error={hooks.error} onRetry={hooks.reload} />
        ) : !hooks.data ? (
          <Spinner />
        ) : hooks.data.length === 0 ? (
          <EmptyState title="No webhooks yet" icon="bell"><p className="muted">Add an endpoint above to hear about new uploads.</p></EmptyState>
        ) : (
          <ul className="key-list">
            {hooks.data.map((h) => (
              <HookRow key={h.id} hook={h} onChanged={hooks.reload} onSecret={setSecret} onDelete={() => setDeleting(h)} />
            ))}
          </ul>
        )}
      </section>

      <ConfirmDialog open={!!deleting} title="Delete this webhook?" confirmLabel="Delete webhook" danger busy={busy} onConfirm={remove} onClose={() => setDeleting(null)}>
        <p>{deleting?.url} stops receiving events at once, and its delivery log is removed.</p>
      </ConfirmDialog>
    </div>
  );
}
