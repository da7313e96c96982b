// The cover of an audio file without embedded art: one square JPEG per format (a music note on the format's
// colour, its name underneath), drawn from SVG by sharp once per process and kept in memory. No outside hosts.
import sharp from 'sharp';
import type { AudioFormat } from './audio-types.js';

export const DEFAULT_COVER_SIDE = 512;

/** MP3 orange, M4A blue, WAV grey, FLAC green, OGG purple (SPEC §9). */
const COLOURS: Record<AudioFormat, string> = { mp3: '#f97316', m4a: '#2563eb', wav: '#6b7280', flac: '#16a34a', ogg: '#7c3aed' };

function svgOf(format: AudioFormat): string {
  const s = DEFAULT_COVER_SIDE;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${s}" height="${s}" viewBox="0 0 512 512">
  <rect width="512" height="512" fill="${COLOURS[format]}"/>
  <g fill="#ffffff">
    <rect x="282" y="110" width="22" height="200"/>
    <path d="M282 110 L390 140 L390 186 L304 160 Z"/>
    <ellipse cx="254" cy="312" rx="56" ry="42"/>
  </g>
  <text x="256" y="430" font-family="sans-serif" font-size="56" font-weight="700" fill="#ffffff" text-anchor="middle">${format.toUpperCase()}</text>
</svg>`;
}

const cache = new Map<AudioFormat, Promise<Buffer>>();

/** The default cover of `format` (JPEG, DEFAULT_COVER_SIDE square). */
export function defaultCover(format: AudioFormat): Promise<Buffer> {
  let pending = cache.get(format);
  if (!pending) {
    pending = sharp(Buffer.from(svgOf(format))).jpeg({ quality: 85 }).toBuffer();
    pending.catch(() => cache.delete(format));
    cache.set(format, pending);
  }
  return pending;
}
