// Plan, storage and bandwidth against the plan's limits, uploads today, the daily history, and the rate-limit windows.
import { api } from '../../api/client';
import type { RateLimitStatus, Subscription, TierStatus, Usage } from '../../api/types';
import { ErrorState, Meter, Spinner } from '../../components/ui';
import { formatBytes, formatDuration, plural } from '../../lib/format';
import { useAsync } from '../../lib/use-async';
import { UsageHistory } from './usage-history';

const TIERS: Array<[keyof RateLimitStatus, string, string]> = [
  ['read', 'Reads', 'per minute'],
  ['upload', 'Uploads', 'per minute'],
  ['mutation', 'Changes', 'per minute'],
  ['hourly', 'All requests', 'per hour'],
];

function TierMeter({ label, unit, t }: { label: string; unit: string; t: TierStatus }) {
  const used = t.limit - t.remaining;
  return <Meter label={`${label} ${unit}`} used={used} limit={t.limit} detail={`${t.remaining.toLocaleString()} of ${t.limit.toLocaleString()} left · resets in ${formatDuration(t.resetSeconds)}`} />;
}

export function UsagePage() {
  const state = useAsync(
    () => Promise.all([api<Subscription>('/v1/me/subscription'), api<Usage>('/v1/user/me/usage'), api<RateLimitStatus>('/v1/user/me/rate-limits')]),
    [],
  );
  if (state.error !== undefined) return <div className="page narrow"><h1>Usage</h1><ErrorState what="your usage" error={state.error} onRetry={state.reload} /></div>;
  if (!state.data) return <div className="page narrow"><h1>Usage</h1><Spinner /></div>;
  const [sub, usage, limits] = state.data;
  const l = sub.limits;

  return (
    <div className="page narrow">
      <header className="page-head">
        <div>
          <h1>Usage</h1>
          <p className="muted">What your library uses this month, against your plan.</p>
        </div>
        <button type="button" className="btn" onClick={state.reload} disabled={state.loading}>Refresh</button>
      </header>

      <section className="card plan-card">
        <div>
          <span className="muted small">Current plan</span>
          <strong className="plan-name" data-testid="plan-name">{sub.planName}</strong>
        </div>
        <div className="stats">
          <div><strong>{usage.images.totalCount.toLocaleString()}</strong><span className="muted small">images</span></div>
          <div><strong>{usage.images.uploadCountToday.toLocaleString()}</strong><span className="muted small">uploads today</span></div>
          <div><strong>{usage.images.uploadCountMonth.toLocaleString()}</strong><span className="muted small">this month</span></div>
        </div>
      </section>

      <section className="card" aria-labelledby="usage-h">
        <h2 id="usage-h">Storage and bandwidth</h2>
        <div data-testid="storage-meter">
          <Meter label="Storage" used={usage.images.storageUsed} limit={l.imgStorageBytes} detail={`${formatBytes(usage.images.storageUsed)} of ${formatBytes(l.imgStorageBytes)}`} />
        </div>
        <p className="muted small" data-testid="storage-bytes">{usage.images.storageUsed.toLocaleString()} bytes stored</p>
        <Meter label="Bandwidth this month" used={usage.images.bandwidthUsed} limit={l.imgBandwidthBytes} detail={`${formatBytes(usage.images.bandwidthUsed)} of ${formatBytes(l.imgBandwidthBytes)}`} />
        <Meter label="Uploads today" used={sub.usage.uploadsToday} limit={l.uploadsPerDay} detail={`${plural(sub.usage.uploadsToday, 'upload')} of ${l.uploadsPerDay.toLocaleString()}`} />
        <ul className="limits small muted">
          <li>Largest image: {formatBytes(l.maxImageBytes)} (SVG {formatBytes(l.maxSvgBytes)})</li>
          <li>Largest picture: {(l.maxImagePixels / 1e6).toLocaleString()} megapixels</li>
          <li>API keys: up to {l.apiKeysMax}</li>
        </ul>
      </section>

      <UsageHistory />

      <section className="card" aria-labelledby="rate-h">
        <h2 id="rate-h">Rate limits</h2>
        <p className="muted small">Requests you can still make in the current window. Over the limit, the API answers 429 with the wait time.</p>
        {TIERS.map(([k, label, unit]) => <TierMeter key={k} label={label} unit={unit} t={limits[k]} />)}
      </section>
    </div>
  );
}
