// The Usage page's history (issue 12): storage and bandwidth per UTC day for the last 7, 30 or 90 days, as two
// charts with a summary line and a table for screen readers. The chart code (uPlot) is fetched only when there
// is something to draw.
import { lazy, Suspense, useId, useMemo, useState } from 'react';
import { api } from '../../api/client';
import { EmptyState, ErrorState, Spinner } from '../../components/ui';
import { formatBytes } from '../../lib/format';
import { useAsync } from '../../lib/use-async';
import type { ChartSeries } from './usage-chart';

const UsageChart = lazy(() => import('./usage-chart').then((m) => ({ default: m.UsageChart })));

/** GET /v1/usage/history: one entry per UTC day, oldest first, ending today. */
export type UsageDay = { date: string; imgStorageBytes: number; mediaStorageBytes: number; imgBandwidthBytes: number; mediaBandwidthBytes: number };

const RANGES = [7, 30, 90] as const;
type Range = (typeof RANGES)[number];

const dayLabel = (date: string, year = false): string =>
  new Date(`${date}T00:00:00Z`).toLocaleDateString(undefined, { month: 'short', day: 'numeric', year: year ? 'numeric' : undefined, timeZone: 'UTC' });
const sum = (days: UsageDay[], pick: (d: UsageDay) => number): number => days.reduce((n, d) => n + pick(d), 0);

function charts(days: UsageDay[]): { x: number[]; storage: ChartSeries[]; bandwidth: ChartSeries[] } {
  const x = days.map((d) => Date.parse(`${d.date}T00:00:00Z`) / 1000);
  const hasMedia = days.some((d) => d.mediaStorageBytes > 0 || d.mediaBandwidthBytes > 0);
  const pair = (img: (d: UsageDay) => number, media: (d: UsageDay) => number): ChartSeries[] => [
    { label: 'Images', values: days.map(img), colorVar: '--accent' },
    ...(hasMedia ? [{ label: 'Video and audio', values: days.map(media), colorVar: '--ok' }] : []),
  ];
  return {
    x,
    storage: pair((d) => d.imgStorageBytes, (d) => d.mediaStorageBytes),
    bandwidth: pair((d) => d.imgBandwidthBytes, (d) => d.mediaBandwidthBytes),
  };
}

/** The text alternative: where storage stands today and what the range served. */
function summary(days: UsageDay[]): string {
  const last = days[days.length - 1]!;
  const served = sum(days, (d) => d.imgBandwidthBytes + d.mediaBandwidthBytes);
  return `Storage ${formatBytes(last.imgStorageBytes + last.mediaStorageBytes)} on ${dayLabel(last.date)}; bandwidth last ${days.length} days ${formatBytes(served)}.`;
}

function HistoryTable({ days }: { days: UsageDay[] }) {
  return (
    <details className="history-table">
      <summary>Show the numbers</summary>
      <div className="table-wrap">
        <table className="table">
          <caption className="sr-only">Storage at the end of each day and bandwidth served that day (UTC)</caption>
          <thead>
            <tr><th scope="col">Day</th><th scope="col" className="num">Stored</th><th scope="col" className="num">Served</th></tr>
          </thead>
          <tbody>
            {[...days].reverse().map((d) => (
              <tr key={d.date}>
                <th scope="row">{dayLabel(d.date, true)}</th>
                <td className="num">{formatBytes(d.imgStorageBytes + d.mediaStorageBytes)}</td>
                <td className="num">{formatBytes(d.imgBandwidthBytes + d.mediaBandwidthBytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

export function UsageHistory() {
  const [range, setRange] = useState<Range>(30);
  const name = useId();
  const state = useAsync(() => api<{ days: UsageDay[] }>('/v1/usage/history', { query: { days: range } }), [range]);
  const days = state.data?.days;
  const drawn = useMemo(() => (days?.length ? charts(days) : undefined), [days]);
  const empty = !days?.length || days.every((d) => !d.imgStorageBytes && !d.mediaStorageBytes && !d.imgBandwidthBytes && !d.mediaBandwidthBytes);

  return (
    <section className="card usage-history" aria-labelledby="history-h" aria-busy={state.loading}>
      <div className="usage-history-head">
        <h2 id="history-h">History</h2>
        <fieldset className="segmented">
          <legend className="sr-only">Days shown</legend>
          {RANGES.map((r) => (
            <label key={r}>
              <input type="radio" name={name} checked={range === r} onChange={() => setRange(r)} />
              <span>{r} days</span>
            </label>
          ))}
        </fieldset>
      </div>
      {state.error !== undefined ? (
        <ErrorState what="your usage history" error={state.error} onRetry={state.reload} />
      ) : !days || !drawn ? (
        <Spinner />
      ) : empty ? (
        <EmptyState title="Nothing to chart yet" icon="chart">
          <p>Storage and bandwidth show here day by day once you upload and share files.</p>
        </EmptyState>
      ) : (
        <>
          <p className="small" data-testid="history-summary" aria-live="polite">{summary(days)}</p>
          <Suspense fallback={<Spinner label="Drawing the charts…" />}>
            <figure className="usage-figure">
              <figcaption>Storage</figcaption>
              <UsageChart kind="area" x={drawn.x} series={drawn.storage} />
            </figure>
            <figure className="usage-figure">
              <figcaption>Bandwidth per day</figcaption>
              <UsageChart kind="bars" x={drawn.x} series={drawn.bandwidth} />
            </figure>
          </Suspense>
          <HistoryTable days={days} />
          <p className="muted small">Days are UTC. Storage is what was stored at the end of each day (today: now).</p>
        </>
      )}
    </section>
  );
}
