// What the CLI prints: results on stdout (JSON when asked), messages and errors on stderr.
import type { CliError } from './exit-codes.js';

export const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

export const printLine = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

export const note = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** Renders an error on stderr: the API's text and code, or a JSON object in --json mode. */
export function printError(err: CliError, json: boolean): void {
  if (json) {
    process.stderr.write(`${JSON.stringify({ success: false, error: err.message, code: err.code ?? null, status: err.status ?? null, exitCode: err.exitCode })}\n`);
    return;
  }
  process.stderr.write(`picora: ${err.message}${err.code ? ` (${err.code}${err.status ? `, HTTP ${err.status}` : ''})` : ''}\n`);
}

/** Key: value lines for a flat object (nested values as JSON). */
export function printFields(obj: Record<string, unknown>): void {
  const width = Math.max(...Object.keys(obj).map((k) => k.length));
  for (const [k, v] of Object.entries(obj)) {
    printLine(`${k.padEnd(width)}  ${v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  }
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
