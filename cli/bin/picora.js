#!/usr/bin/env node
// The `picora` bin: runs the compiled CLI (dist/cli/main.js). In a fresh clone (`npm ci`, nothing built yet) it
// compiles cli/ once with the repo's TypeScript, so the command works without a separate build step.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const entry = path.join(root, 'dist', 'cli', 'main.js');
if (!existsSync(entry)) {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc)) {
    process.stderr.write('picora: the CLI is not built and TypeScript is not installed: run `npm ci && npm run build`\n');
    process.exit(1);
  }
  const built = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'cli', 'tsconfig.json')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (built.status !== 0) process.exit(1);
}
await import(pathToFileURL(entry).href);
