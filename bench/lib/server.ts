// Runs the built server (dist/main.js) as a child process on a throwaway data folder and port, the way an
// operator runs it: migrate, adjust the plans table, create the account, serve, wait for /health, log in.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';

const run = promisify(execFile);

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const mainJs = path.join(repoRoot, 'dist', 'main.js');

/** Plan columns a benchmark may raise for its own data folder (snake_case, as in the plans table). */
export type PlanOverrides = Partial<Record<'max_image_bytes' | 'img_storage_bytes' | 'uploads_per_day' | 'max_image_pixels' | 'img_bandwidth_bytes', number>>;

export type BenchAccount = { email: string; password: string; plan: 'trial' | 'pro' | 'pro_plus' };

export type BenchServer = {
  pid: number;
  baseUrl: string;
  dataDir: string;
  logFile: string;
  /** The server's log (warn and up), last `lines` lines. */
  logTail(lines?: number): string;
  /** Whether the child is still running (it should be until stop()). */
  alive(): boolean;
  /** How and when the child ended, if it has: an exit before stop() is a crash worth reporting. */
  exitInfo(): { code: number | null; signal: NodeJS.Signals | null; at: string; stopped: boolean } | undefined;
  /** Copies the server log next to the other kept logs (BENCH_TMPDIR or the OS temp folder); returns its path. */
  keepLog(label: string): Promise<string>;
  /** SIGINT (graceful: the server closes and exits 0, writing a --cpu-prof profile), SIGKILL after 15 s. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/** Builds dist/ with the project's build config unless BENCH_SKIP_BUILD=1 (run.mjs builds once for all). */
export async function buildServer(): Promise<void> {
  if (process.env.BENCH_SKIP_BUILD === '1' && existsSync(mainJs)) return;
  await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repoRoot, timeout: 180_000 });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function serverEnv(dataDir: string, port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // keep the caller's PATH and friends, but no PICORA_* setting from the shell leaks into the benchmark
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PICORA_')) env[k] = v;
  return {
    ...env,
    PICORA_DATA_DIR: dataDir,
    PICORA_PORT: String(port),
    PICORA_HOST: '127.0.0.1',
    PICORA_LOG_LEVEL: 'warn',
    PICORA_ACCESS_TOKEN_TTL_SECONDS: '3600',
    ...extra,
  };
}

/**
 * A fresh data folder: migrated, with `overrides` written into every plan row, and `account` created.
 * Removed by `removeDataDir` (kept when BENCH_KEEP=1).
 */
export async function prepareDataDir(opts: { overrides?: PlanOverrides; account: BenchAccount }): Promise<string> {
  const dataDir = await mkdtemp(path.join(process.env.BENCH_TMPDIR ?? tmpdir(), 'picora-bench-'));
  const env = serverEnv(dataDir, 0);
  await run(process.execPath, [mainJs, 'migrate'], { cwd: repoRoot, env, timeout: 60_000 });
  const entries = Object.entries(opts.overrides ?? {});
  if (entries.length > 0) {
    const db = new Database(path.join(dataDir, 'picora.db'));
    try {
      db.prepare(`UPDATE plans SET ${entries.map(([col]) => `${col} = @${col}`).join(', ')}`).run(opts.overrides);
    } finally {
      db.close();
    }
  }
  const { email, password, plan } = opts.account;
  await run(process.execPath, [mainJs, 'admin', 'create-user', '--email', email, '--password', password, '--plan', plan], {
    cwd: repoRoot, env, timeout: 60_000,
  });
  return dataDir;
}

/** Runs `node dist/main.js <args>` (migrate, admin …) on a data folder, the way an operator would; returns its stdout. */
export async function runMain(dataDir: string, args: string[], extraEnv: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(process.execPath, [mainJs, ...args], { cwd: repoRoot, env: serverEnv(dataDir, 0, extraEnv), timeout: 120_000 });
  return stdout;
}

export async function removeDataDir(dataDir: string): Promise<void> {
  if (process.env.BENCH_KEEP === '1') {
    console.log(`  (kept ${dataDir})`);
    return;
  }
  await rm(dataDir, { recursive: true, force: true });
}

export async function startServer(dataDir: string, opts: { nodeArgs?: string[]; env?: Record<string, string> } = {}): Promise<BenchServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const logFile = path.join(dataDir, 'server.log');
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...(opts.nodeArgs ?? []), mainJs, 'serve'], {
      cwd: repoRoot, env: serverEnv(dataDir, port, opts.env), stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let exitAt = '';
  let stopping = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      exitAt = new Date().toISOString();
      resolve((exit = { code, signal }));
    }),
  );
  const logTail = (lines = 40) => {
    try {
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  const server: BenchServer = {
    pid: child.pid!,
    baseUrl,
    dataDir,
    logFile,
    logTail,
    alive: () => exit === undefined,
    exitInfo: () => (exit ? { ...exit, at: exitAt, stopped: stopping } : undefined),
    async keepLog(label: string) {
      const dir = path.join(process.env.BENCH_TMPDIR ?? tmpdir(), 'picora-bench-logs');
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, `${label}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
      await copyFile(logFile, file);
      return file;
    },
    async stop() {
      if (exit) return exit;
      stopping = true;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exit) throw new Error(`server exited during start (${JSON.stringify(exit)}):\n${logTail()}`);
    try {
      const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`server did not answer /health within 30 s:\n${logTail()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** POST /v1/auth/login → the access token. */
export async function login(server: BenchServer, account: BenchAccount): Promise<string> {
  const res = await fetch(`${server.baseUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: account.email, password: account.password }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { data?: { accessToken?: string } };
  if (!res.ok || !body.data?.accessToken) throw new Error(`login failed: ${res.status} ${JSON.stringify(body)}`);
  return body.data.accessToken;
}

export const benchAccount: BenchAccount = { email: 'bench@example.com', password: 'bench-password-1', plan: 'pro_plus' };
