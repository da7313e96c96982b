// A REAL Picora server in a child process (`node --import tsx src/main.ts serve`) on a free loopback port,
// for tests that need several instances sharing one database, bucket and Redis. Its output is kept so a
// failing test can show what the server said.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export type ServerProcess = {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** The last ~64 KB the server wrote (stdout and stderr: pino logs to stdout). */
  output(): string;
  fetch(pathname: string, init?: RequestInit): Promise<Response>;
  /** SIGTERM, then SIGKILL after `graceMs`; removes the temp data folder. Returns the exit code or signal. */
  stop(graceMs?: number): Promise<string>;
};

/** A port nobody listens on right now (the kernel picks it). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The environment of this process without any PICORA_* setting (a child gets only what the test gives). */
export function baseEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !e[0].startsWith('PICORA_')));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `src/main.ts serve` with `env` (its own port, data folder and log level are filled in) and waits until
 * GET /health answers 200. Rejects with the server's output when it exits or does not come up in `readyMs`.
 */
export async function startServerProcess(env: Record<string, string>, opts: { readyMs?: number; label?: string } = {}): Promise<ServerProcess> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'picora-proc-'));
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: REPO_ROOT,
    env: { ...baseEnv(), PICORA_HOST: '127.0.0.1', PICORA_PORT: String(port), PICORA_DATA_DIR: dataDir, PICORA_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.length > 64 * 1024) out = out.slice(-64 * 1024);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exit: string | undefined;
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve((exit = signal ?? String(code)))));
  const label = opts.label ?? `server on ${port}`;

  const stop = async (graceMs = 5_000): Promise<string> => {
    if (exit === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
    return exit ?? 'unknown';
  };

  const deadline = Date.now() + (opts.readyMs ?? 30_000);
  for (;;) {
    if (exit !== undefined) {
      await rm(dataDir, { recursive: true, force: true });
      throw new Error(`${label} exited (${exit}) before it was healthy:\n${out}`);
    }
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop(1_000);
      throw new Error(`${label} did not answer /health within ${opts.readyMs ?? 30_000} ms:\n${out}`);
    }
    await sleep(100);
  }

  return {
    url, port, dataDir, child, stop,
    output: () => out,
    fetch: (pathname, init) => fetch(`${url}${pathname}`, init),
  };
}
