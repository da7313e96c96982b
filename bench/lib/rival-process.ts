// Starts a rival server script (lib/rival-*.mjs) in a plain `node` child on a free loopback port: the script
// takes the port as its first argument and prints one JSON line once it listens.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './server.js';

export type RivalServer = { pid: number; baseUrl: string; info: Record<string, unknown>; stop(): Promise<void> };

export async function startRival(script: string, args: string[]): Promise<RivalServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [script, String(port), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const info = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 20 s: ${err}`)), 20_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Record<string, unknown>);
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) during start: ${err}`)));
  }).catch(async (e: unknown) => {
    child.kill('SIGKILL');
    throw e;
  });
  return {
    pid: child.pid!, baseUrl: `http://127.0.0.1:${port}`, info,
    async stop() {
      child.kill('SIGINT');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}
