// The `picora` CLI (issue 11), run as the BUILT binary (cli/bin/picora.js → dist/cli/main.js) in a child process
// against a REAL server process, with HOME and XDG_CONFIG_HOME in a temp folder: login with a 0600 config,
// whoami, uploads (files, stdin, formats), ls, rm, usage, keys, logout; env credentials; exit codes 2/3/4/5;
// 429s waited out (through a proxy that answers Retry-After: 1) and a real server's 429 reported as partial failure.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { freePort, REPO_ROOT, startServerProcess, baseEnv, type ServerProcess } from '../support/server-process.js';

const BIN = path.join(REPO_ROOT, 'cli', 'bin', 'picora.js');
const PASSWORD = 'correct-horse-cli-1';
const LIMITS = {
  PICORA_RATE_UPLOAD_PER_MIN: '100000', PICORA_RATE_READ_PER_MIN: '100000', PICORA_RATE_MUTATION_PER_MIN: '100000',
  PICORA_RATE_AUTH_PER_MIN: '100000', PICORA_RATE_PER_HOUR: '10000000', PICORA_JWT_SECRET: 'cli-test-secret-0123456789-0123456789',
};

type Run = { code: number | null; stdout: string; stderr: string };

/** Runs the built CLI; `env` is added to a PICORA_*-free environment with HOME/XDG_CONFIG_HOME in `home`. */
function picora(args: string[], opts: { home: string; env?: Record<string, string>; input?: Buffer | string; timeoutMs?: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: path.dirname(opts.home),
      env: { ...baseEnv(), HOME: opts.home, XDG_CONFIG_HOME: path.join(opts.home, 'config'), ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** A distinct small PNG per seed. */
async function png(seed: number): Promise<Buffer> {
  const raw = Buffer.alloc(32 * 32 * 3, 0);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * (seed + 7) * 31 + seed * 13) & 0xff;
  return sharp(raw, { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer();
}

async function register(server: ServerProcess, email: string): Promise<void> {
  const post = (p: string, body: unknown) =>
    server.fetch(p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal((await post('/v1/auth/send-code', { email, type: 'register' })).status, 200);
  const mails = (await readFile(path.join(server.dataDir, 'outbox.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { to: string; text: string });
  const code = /\b(\d{6})\b/.exec(mails.filter((m) => m.to === email).pop()?.text ?? '')?.[1];
  const res = await post('/v1/auth/register', { email, password: PASSWORD, code });
  assert.equal(res.status, 201, await res.text());
}

/** Forwards to `upstream`, but answers the first `rejections` uploads with 429 + Retry-After: 1. */
async function rateLimitingProxy(upstream: ServerProcess, rejections: number): Promise<{ url: string; rejected: () => number; close: () => Promise<void> }> {
  let rejected = 0;
  const proxy = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/v1/images' && rejected < rejections) {
      rejected++;
      req.resume();
      req.on('end', () => {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end(JSON.stringify({ success: false, error: 'Rate limit exceeded (upload)', code: 'RATE_LIMITED' }));
      });
      return;
    }
    const fwd = http.request({ host: '127.0.0.1', port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  const port = await freePort();
  await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}`, rejected: () => rejected, close: () => new Promise((r) => proxy.close(() => r())) };
}

describe('picora CLI (built binary against a real server)', { timeout: 120_000 }, () => {
  let server: ServerProcess;
  let work: string;
  let home: string;
  const email = `cli-${Date.now()}@example.com`;
  const files: string[] = [];
  const cleanups: Array<() => Promise<unknown>> = [];

  before(async () => {
    await rm(path.join(REPO_ROOT, 'dist', 'cli'), { recursive: true, force: true });
    const built = spawnSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(REPO_ROOT, 'cli', 'tsconfig.json')], { encoding: 'utf8' });
    assert.equal(built.status, 0, `building the CLI failed:\n${built.stdout}${built.stderr}`);
    work = await mkdtemp(path.join(tmpdir(), 'picora-cli-test-'));
    cleanups.push(() => rm(work, { recursive: true, force: true }));
    home = path.join(work, 'home');
    for (let i = 0; i < 6; i++) {
      const f = path.join(work, `img-${i}.png`);
      await writeFile(f, await png(i));
      files.push(f);
    }
    server = await startServerProcess(LIMITS, { label: 'cli test server' });
    cleanups.push(() => server.stop(2_000));
    await register(server, email);
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  const logs = (r: Run) => `\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}\n--- server ---\n${server.output().slice(-3000)}`;

  it('--help lists every command, the environment and the exit codes', async () => {
    const r = await picora(['--help'], { home });
    assert.equal(r.code, 0, logs(r));
    for (const cmd of ['login', 'logout', 'upload', 'ls', 'rm', 'whoami', 'usage', 'keys']) assert.match(r.stdout, new RegExp(`^  ${cmd}\\b`, 'm'), cmd);
    for (const text of ['PICORA_URL', 'PICORA_API_KEY', 'Exit codes', 'tus']) assert.ok(r.stdout.includes(text), text);
    const up = await picora(['upload', '--help'], { home });
    assert.equal(up.code, 0);
    for (const flag of ['--format', '--public', '--private', '--tag', '--title', '--max-wait']) assert.ok(up.stdout.includes(flag), flag);
  });

  it('exit 2 on usage errors, 3 without a login, 4 when the server is unreachable', async () => {
    assert.equal((await picora(['--bogus'], { home })).code, 2);
    assert.equal((await picora(['upload'], { home })).code, 2);
    assert.equal((await picora(['upload', files[0]!, '--format', 'bmp'], { home })).code, 2);
    assert.equal((await picora(['ls', '--limit', '0'], { home })).code, 2);
    assert.equal((await picora(['frobnicate'], { home })).code, 2);
    const noLogin = await picora(['whoami'], { home });
    assert.equal(noLogin.code, 3, logs(noLogin));
    assert.match(noLogin.stderr, /not logged in/);
    const down = await picora(['whoami', '--json'], { home, env: { PICORA_URL: `http://127.0.0.1:${await freePort()}`, PICORA_API_KEY: 'pk_nothing' } });
    assert.equal(down.code, 4, logs(down));
    assert.equal(JSON.parse(down.stderr).exitCode, 4);
  });

  it('login: a wrong password exits 3; the right one stores url + key in a 0600 file (dir 0700)', async () => {
    const bad = await picora(['login', server.url, '--email', email, '--password-stdin'], { home, input: 'wrong-password-123\n' });
    assert.equal(bad.code, 3, logs(bad));
    const r = await picora(['login', server.url, '--email', email, '--password-stdin'], { home, input: `${PASSWORD}\n` });
    assert.equal(r.code, 0, logs(r));
    const file = path.join(home, 'config', 'picora', 'config.json');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(path.dirname(file))).mode & 0o777, 0o700);
    const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    assert.equal(config['url'], server.url);
    assert.ok(config['apiKey'] && config['apiKeyId'] && config['refreshToken']);
    assert.ok(!r.stdout.includes(config['apiKey']!), 'the key is not printed');
  });

  it('whoami --json, usage --json, keys', async () => {
    const who = await picora(['whoami', '--json'], { home });
    assert.equal(who.code, 0, logs(who));
    assert.equal(JSON.parse(who.stdout).user.email, email);
    const usage = await picora(['usage', '--json'], { home });
    assert.equal(usage.code, 0, logs(usage));
    assert.equal(typeof JSON.parse(usage.stdout), 'object');
    const keys = await picora(['keys', '--json'], { home });
    assert.equal(keys.code, 0, logs(keys));
    const list = JSON.parse(keys.stdout) as Array<{ name: string; scopesV2: string[] }>;
    assert.ok(list.some((k) => k.name.startsWith('picora-cli on ') && k.scopesV2.includes('media.delete')), keys.stdout);
  });

  let uploadedIds: string[] = [];
  it('upload two files as markdown (URLs serve 200), and one from stdin', async () => {
    const r = await picora(['upload', files[0]!, files[1]!, '--format', 'markdown', '--public'], { home });
    assert.equal(r.code, 0, logs(r));
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 2, logs(r));
    for (const line of lines) {
      const m = /^!\[[^\]]*\]\((http[^)]+)\)$/.exec(line);
      assert.ok(m, line);
      assert.equal((await fetch(m[1]!)).status, 200, m[1]);
    }
    const s = await picora(['upload', '-', '--json', '--name', 'piped.png'], { home, input: await png(42) });
    assert.equal(s.code, 0, logs(s));
    const [result] = JSON.parse(s.stdout) as Array<{ success: boolean; image: { id: string; url: string; filename: string } }>;
    assert.ok(result?.success);
    assert.equal(result.image.filename, 'piped.png');
    const html = await picora(['upload', path.join(work, 'img-2.*'), '--format', 'html', '--title', 'A "title"'], { home });
    assert.equal(html.code, 0, logs(html));
    assert.match(html.stdout.trim(), /^<img src="http[^"]+" alt="A &#34;title&#34;">$/);
  });

  it('ls --json lists them; rm deletes (then 404), rm of a missing id exits 1', async () => {
    const r = await picora(['ls', '--json', '--limit', '10'], { home });
    assert.equal(r.code, 0, logs(r));
    const page = JSON.parse(r.stdout) as { items: Array<{ id: string; url: string }> };
    assert.equal(page.items.length, 4);
    uploadedIds = page.items.map((i) => i.id);
    const victim = page.items[0]!;
    const del = await picora(['rm', victim.id], { home });
    assert.equal(del.code, 0, logs(del));
    assert.equal((await fetch(victim.url)).status, 404);
    const again = await picora(['rm', victim.id], { home });
    assert.equal(again.code, 1, logs(again));
    assert.match(again.stderr, /NOT_FOUND/);
    const partial = await picora(['rm', uploadedIds[1]!, victim.id], { home });
    assert.equal(partial.code, 5, logs(partial));
  });

  it('PICORA_URL + PICORA_API_KEY replace a login; 429s are waited out (Retry-After) and retried', async () => {
    const config = JSON.parse(await readFile(path.join(home, 'config', 'picora', 'config.json'), 'utf8')) as { apiKey: string };
    const other = path.join(work, 'env-home');
    const env = { PICORA_URL: server.url, PICORA_API_KEY: config.apiKey };
    const who = await picora(['whoami', '--json'], { home: other, env });
    assert.equal(who.code, 0, logs(who));
    assert.equal(JSON.parse(who.stdout).credentials, 'env');
    const keys = await picora(['keys'], { home: other, env });
    assert.equal(keys.code, 3, 'keys needs a session, which an API key cannot open');

    const proxy = await rateLimitingProxy(server, 2);
    try {
      const started = Date.now();
      const r = await picora(['upload', files[3]!, files[4]!, '--concurrency', '1'], { home: other, env: { ...env, PICORA_URL: proxy.url } });
      assert.equal(r.code, 0, logs(r));
      assert.equal(proxy.rejected(), 2);
      assert.equal(r.stdout.trim().split('\n').length, 2);
      assert.match(r.stderr, /rate limited, retrying in 1s/);
      assert.ok(Date.now() - started >= 2_000, 'it waited Retry-After each time');
    } finally {
      await proxy.close();
    }
  });

  it("a real server's 429 beyond --max-wait fails that file: exit 5 with the others printed", async () => {
    const limited = await startServerProcess({ ...LIMITS, PICORA_RATE_UPLOAD_PER_MIN: '1' }, { label: 'rate-limited server' });
    cleanups.push(() => limited.stop(2_000));
    const otherHome = path.join(work, 'limited-home');
    await register(limited, `first-${email}`); // the first account on an instance is its admin (limits ×10)
    await register(limited, email);
    const login = await picora(['login', limited.url, '--email', email, '--password-stdin'], { home: otherHome, input: PASSWORD });
    assert.equal(login.code, 0, logs(login));
    // 1 per minute + a burst of 1: two pass, the third is refused with Retry-After ≈ 60 s > --max-wait 2
    const r = await picora(['upload', files[0]!, files[1]!, files[5]!, '--concurrency', '1', '--max-wait', '2'], { home: otherHome });
    assert.equal(r.code, 5, logs(r));
    assert.equal(r.stdout.trim().split('\n').length, 2);
    assert.match(r.stderr, /RATE_LIMITED/);
  });

  it('logout revokes the key and deletes the stored login', async () => {
    const file = path.join(home, 'config', 'picora', 'config.json');
    const { apiKey } = JSON.parse(await readFile(file, 'utf8')) as { apiKey: string };
    const r = await picora(['logout', '--json'], { home });
    assert.equal(r.code, 0, logs(r));
    assert.deepEqual(JSON.parse(r.stdout), { loggedOut: true, revoked: true });
    await assert.rejects(stat(file));
    const revoked = await picora(['whoami'], { home, env: { PICORA_URL: server.url, PICORA_API_KEY: apiKey } });
    assert.equal(revoked.code, 3, logs(revoked));
  });
});
