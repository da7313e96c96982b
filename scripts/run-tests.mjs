// Runs every test file under test/ with Node's own test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [path-filter…]
// The hostile suite (test/hostile) and the render-budget test run after the others, on their own and one file at a
// time: they hold their server to "/health within 200 ms" while hostile inputs run, which other test files sharing
// the 2 cores (ffmpeg transcodes, Chromium) would make a measure of them.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const filters = process.argv.slice(2);
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else if (name.endsWith('.test.ts')) files.push(full);
  }
})('test');
const selected = filters.length ? files.filter((f) => filters.some((x) => f.includes(x))) : files;
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const alone = (f) => f.startsWith(path.join('test', 'hostile') + path.sep) || f === path.join('test', 'integration', 'render-budget.test.ts');
const phases = [selected.filter((f) => !alone(f)), selected.filter(alone)].filter((p) => p.length > 0);
let status = 0;
for (const [i, phase] of phases.entries()) {
  const quiet = phase.every(alone);
  if (phases.length > 1) console.log(`\n== test phase ${i + 1} of ${phases.length}: ${quiet ? 'the timing-held suites, one file at a time' : 'every suite but the timing-held ones'}\n`);
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${quiet ? 1 : 2}`, ...phase],
    { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
  );
  if ((result.status ?? 1) !== 0) status = result.status ?? 1;
}
process.exit(status);
