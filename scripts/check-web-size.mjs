// Prints the gzipped size of the JavaScript the dashboard's first page loads (the entry script and its
// modulepreloads in web/dist/index.html) and fails above the budget of 150 KB gzipped.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET = 150 * 1024; // issue 12: first-page JavaScript ≤ 150 KB compressed
const dist = fileURLToPath(new URL('../web/dist', import.meta.url));
let html;
try {
  html = readFileSync(path.join(dist, 'index.html'), 'utf8');
} catch {
  console.error('check-web-size: web/dist/index.html is missing: run `npm run build:web` first');
  process.exit(1);
}
const refs = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*\brel="modulepreload"[^>]*\bhref)="([^"]+\.js)"/g)].map((m) => m[1]);
const css = [...html.matchAll(/<link[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+\.css)"/g)].map((m) => m[1]);
const size = (ref) => {
  const bytes = readFileSync(path.join(dist, ref.replace(/^\/app\//, '')));
  return { raw: bytes.length, gz: gzipSync(bytes, { level: 9 }).length };
};
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
let total = 0;
for (const ref of refs) {
  const s = size(ref);
  total += s.gz;
  console.log(`  ${ref}: ${kb(s.raw)} → ${kb(s.gz)} gzipped`);
}
for (const ref of css) console.log(`  ${ref}: ${kb(size(ref).gz)} gzipped (CSS)`);
console.log(`dashboard first-page JavaScript: ${kb(total)} gzipped (budget ${kb(BUDGET)})`);
if (refs.length === 0) {
  console.error('check-web-size: no script found in web/dist/index.html');
  process.exit(1);
}
if (total > BUDGET) {
  console.error(`check-web-size: over budget by ${kb(total - BUDGET)}`);
  process.exit(1);
}
