// One usage chart drawn with uPlot: stacked series over UTC days, as an area (storage) or bars (bandwidth).
// Loaded with import() by usage-history.tsx only when there is something to draw, so the library (and its CSS)
// never weighs on the first page. Colours come from the theme's CSS variables and follow a theme change; the
// chart follows its container's width; the legend is the hover readout (the latest day when not hovering).
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatBytes } from '../../lib/format';

/** One stacked series: its own bytes per day, and the CSS variable it is drawn in ("--accent"). */
export type ChartSeries = { label: string; values: number[]; colorVar: string };
type Props = { kind: 'area' | 'bars'; x: number[]; series: ChartSeries[]; height?: number };
type Drawn = { label: string; values: number[]; color: string };

const DAY = 86_400;
const formatDay = (sec: number): string => new Date(sec * 1000).toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
/** Tick steps in bytes on powers of 1024, so the axis reads "256 KB", "1 MB", "2 MB"… */
const BYTE_INCRS = [0, 1, 2, 3, 4, 5].flatMap((p) => [1, 2, 5, 10, 20, 50, 100, 200, 500].map((m) => m * 1024 ** p));

/** A CSS variable as a colour the canvas understands ("#rrggbb" or "rgba(…)"). */
function themeColor(name: string, fallback: string): string {
  const raw = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  const ctx = document.createElement('canvas').getContext('2d');
  if (!ctx || !raw) return fallback;
  ctx.fillStyle = fallback;
  ctx.fillStyle = raw;
  return ctx.fillStyle;
}

function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (hex) return `rgba(${hex.slice(1).map((h) => parseInt(h, 16)).join(', ')}, ${alpha})`;
  const rgb = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/.exec(color);
  return rgb ? `rgba(${rgb[1]}, ${rgb[2]}, ${rgb[3]}, ${alpha})` : color;
}

/** Changes when the theme may have changed: the system's dark mode, or a class / data attribute on <html>. */
function useThemeTick(): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const bump = () => setTick((t) => t + 1);
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    media.addEventListener('change', bump);
    const observer = new MutationObserver(bump);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['class', 'data-theme', 'style'] });
    return () => {
      media.removeEventListener('change', bump);
      observer.disconnect();
    };
  }, []);
  return tick;
}

function buildOptions(kind: Props['kind'], x: number[], series: Drawn[], height: number, width: number): uPlot.Options {
  const text = themeColor('--muted', '#62626f');
  const grid = themeColor('--border', '#e2e2ea');
  const surface = themeColor('--surface', '#ffffff');
  const font = `12px ${getComputedStyle(document.body).fontFamily || 'system-ui'}`;
  const axis = { stroke: text, font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const last = x.length - 1;
  // drawn top of the stack first, so each lower series paints over the part of the total that is not its own
  const drawn = series.map((_, i) => series.length - 1 - i);
  const bars = uPlot.paths.bars?.({ size: [0.7, 48] });
  return {
    width,
    height,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    cursor: { drag: { x: false, y: false }, points: { size: 7, fill: surface } },
    legend: { live: true },
    scales: {
      // half a day either side for both kinds, so the storage and bandwidth charts line their days up
      x: { time: true, range: (_u, min, max) => [min - DAY / 2, max + DAY / 2] },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1024] },
    },
    axes: [
      { ...axis, space: 56, incrs: [DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY], values: (_u, splits) => splits.map(formatDay) },
      { ...axis, size: 64, space: 36, incrs: BYTE_INCRS, values: (_u, splits) => splits.map((v) => formatBytes(v)) },
    ],
    series: [
      { label: 'Day', value: (_u, v) => formatDay(v ?? x[last]!) },
      ...drawn.map((i): uPlot.Series => {
        const s = series[i]!;
        return {
          label: s.label,
          stroke: s.color,
          width: kind === 'bars' ? 0 : 2,
          fill: kind === 'bars' ? s.color : withAlpha(s.color, 0.28),
          paths: kind === 'bars' ? bars : undefined,
          points: { show: kind !== 'bars' && x.length <= 10 },
          // the stacked total is drawn; the readout shows this series' own bytes
          value: (_u, _v, _s, idx) => formatBytes(s.values[idx ?? last] ?? 0),
        };
      }),
    ],
  };
}

export function UsageChart({ kind, x, series, height = 200 }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const theme = useThemeTick();

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const colored = series.map((s): Drawn => ({ label: s.label, values: s.values, color: themeColor(s.colorVar, '#6d5dfc') }));
    const stacked = colored.map((_, i) => x.map((__, d) => colored.slice(0, i + 1).reduce((sum, s) => sum + (s.values[d] ?? 0), 0)));
    const drawn = stacked.map((_, i) => stacked[stacked.length - 1 - i]!);
    const chart = new uPlot(buildOptions(kind, x, colored, height, el.clientWidth), [x, ...drawn], el);
    let width = el.clientWidth;
    const observer = new ResizeObserver(() => {
      if (el.clientWidth === width || el.clientWidth === 0) return;
      width = el.clientWidth;
      chart.setSize({ width, height });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [kind, x, series, height, theme]);

  return <div ref={box} className="usage-chart" data-kind={kind} />;
}
