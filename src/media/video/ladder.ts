// Which renditions a video gets: the standard rungs no taller than the source (by its short side, so a portrait
// clip is measured by its width), or one rung at the source's own size when it is smaller than the lowest.
import type { Rung, VideoProbe } from './video-types.js';

/** The standard ladder, lowest first: short side, peak rate (capped CRF) and VBV buffer (2× the rate). */
export const STANDARD_RUNGS: readonly Rung[] = [
  { name: '360p', shortSide: 360, maxrateKbps: 900, bufsizeKbps: 1800 },
  { name: '480p', shortSide: 480, maxrateKbps: 1400, bufsizeKbps: 2800 },
  { name: '720p', shortSide: 720, maxrateKbps: 3000, bufsizeKbps: 6000 },
  { name: '1080p', shortSide: 1080, maxrateKbps: 6000, bufsizeKbps: 12_000 },
];

/** The lowest peak rate a tiny rung gets. */
const MIN_MAXRATE_KBPS = 200;

/** The rungs to encode for `probe`, lowest first (1–4 of them). */
export function planLadder(probe: Pick<VideoProbe, 'width' | 'height'>): Rung[] {
  const sourceShort = Math.min(probe.width, probe.height);
  const rungs = STANDARD_RUNGS.filter((r) => r.shortSide <= sourceShort).map((r) => ({ ...r }));
  if (rungs.length > 0) return rungs;
  // smaller than 360p: one rung at its own short side (even, as 4:2:0 needs), its rate scaled by area
  const shortSide = Math.max(2, Math.floor(sourceShort / 2) * 2);
  const lowest = STANDARD_RUNGS[0]!;
  const scaled = Math.round((lowest.maxrateKbps * (shortSide / lowest.shortSide) ** 2) / 10) * 10;
  const maxrateKbps = Math.max(MIN_MAXRATE_KBPS, scaled);
  return [{ name: `${shortSide}p`, shortSide, maxrateKbps, bufsizeKbps: 2 * maxrateKbps }];
}
