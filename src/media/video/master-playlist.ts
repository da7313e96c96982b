// The master playlist of a video, written from its encoded renditions (ffmpeg's own master is not used: we list
// measured rates, and the server writes URIs that may carry a signed token).
import type { Rendition } from './video-types.js';

/** `#EXTM3U` … one EXT-X-STREAM-INF per rendition, lowest bandwidth first; `uriOf` gives each media playlist's URI. */
export function buildMasterPlaylist(renditions: readonly Rendition[], uriOf: (r: Rendition) => string): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  const ordered = [...renditions].sort((a, b) => a.bandwidth - b.bandwidth || a.width * a.height - b.width * b.height);
  for (const r of ordered) {
    const attrs = [`BANDWIDTH=${Math.max(1, Math.round(r.bandwidth))}`];
    if (r.averageBandwidth > 0) attrs.push(`AVERAGE-BANDWIDTH=${Math.round(r.averageBandwidth)}`);
    attrs.push(`RESOLUTION=${r.width}x${r.height}`);
    if (r.frameRate > 0) attrs.push(`FRAME-RATE=${r.frameRate.toFixed(3)}`);
    if (r.codecs) attrs.push(`CODECS="${r.codecs.replace(/"/g, '')}"`);
    const uri = uriOf(r);
    if (/[\r\n]/.test(uri) || uri.trim() === '' || uri.startsWith('#')) throw new Error(`not a playlist URI: ${JSON.stringify(uri)}`);
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, uri);
  }
  return `${lines.join('\n')}\n`;
}
