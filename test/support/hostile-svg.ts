// SVGs that cost a renderer or a sanitiser dearly, generated at test time.

/** 311 bytes that rendered for minutes before renders had a budget: a big canvas under turbulence and a wide blur. */
export const FILTER_BOMB_SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="6000" height="6000"><filter id="f"><feTurbulence baseFrequency="0.01" numOctaves="10"/>' +
    '<feGaussianBlur stdDeviation="50"/></filter><rect width="100%" height="100%" filter="url(#f)"/></svg>',
);

/** ~1.9 MB of 45,000 small paths: seconds of sanitising. */
export function manyPathsSvg(paths = 45_000): Buffer {
  const body = Array.from({ length: paths }, (_, i) => `<path d="M${i % 1000} ${i % 997}l10 10l-5 3z" fill="#${(i % 4096).toString(16).padStart(3, '0')}"/>`);
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="1000">${body.join('')}</svg>`);
}
