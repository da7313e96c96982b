// Rival for the cached-delivery benchmark: Debian's nginx (nginx-light) serving a folder from disk on a free
// loopback port, started in the foreground with its own prefix, config and error log in a temp folder.
// The config is Debian's stock nginx.conf where it matters for a static file (sendfile, tcp_nopush,
// keepalive_timeout 65, keepalive_requests left at its default of 1000, no gzip: images are not gzipped) with
// the worker count given, and the access log off (Picora writes no access log at warn level either).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './server.js';

export type NginxServer = { pid: number; baseUrl: string; workers: string; version: string; stop(): Promise<void> };

/** `workers`: 'auto' (Debian's default: one per core) or a number. `root` must be readable by other users. */
export async function startNginx(opts: { root: string; workers: 'auto' | number }): Promise<NginxServer> {
  const prefix = await mkdtemp(path.join(tmpdir(), 'picora-bench-nginx-'));
  for (const d of ['logs', 'tmp']) await mkdir(path.join(prefix, d));
  await chmod(prefix, 0o755);
  const port = await freePort();
  const conf = path.join(prefix, 'nginx.conf');
  await writeFile(conf, `worker_processes ${opts.workers};
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
events { worker_connections 768; }
http {
  sendfile on;
  tcp_nopush on;
  types_hash_max_size 2048;
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  client_body_temp_path ${prefix}/tmp/body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${opts.root};
    location / { try_files $uri =404; }
  }
}
`);
  const version = await new Promise<string>((resolve) => {
    const v = spawn('nginx', ['-v'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let s = '';
    v.stderr.on('data', (c: Buffer) => (s += c.toString()));
    v.once('exit', () => resolve(s.trim().replace(/^nginx version: /, '')));
    v.once('error', () => resolve('not installed'));
  });
  const child: ChildProcess = spawn('nginx', ['-p', prefix, '-e', path.join(prefix, 'logs', 'error.log'), '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!exited) {
      child.kill('SIGQUIT'); // graceful: workers finish, then the master exits
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(t);
    }
    await rm(prefix, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (exited) {
      const log = await readFile(path.join(prefix, 'logs', 'error.log'), 'utf8').catch(() => '');
      await stop();
      throw new Error(`nginx exited during start: ${stderr}${log}`);
    }
    try {
      const res = await fetch(`${baseUrl}/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      return { pid: child.pid!, baseUrl, workers: String(opts.workers), version, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nginx did not answer within 10 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The worker processes of an nginx master (their CPU is what nginx spends serving). */
export async function nginxWorkers(masterPid: number): Promise<number[]> {
  try {
    const children = await readFile(`/proc/${masterPid}/task/${masterPid}/children`, 'utf8');
    return children.trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
