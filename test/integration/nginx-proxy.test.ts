// The deployment recipe under test (issue 11): Debian's real nginx runs deploy/nginx.conf (only the upstream
// port, listen port and temp paths changed) in front of a real Picora process with PICORA_TRUST_PROXY=true, all
// on loopback. Through it: a streamed upload, Range on the image, and rate limits that see each client's own
// address (from X-Forwarded-For), not the proxy's. Also checks deploy/.env.example parses as a valid configuration.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir, chmod } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { loadConfig } from '../../src/config/config.js';
import { createDb } from '../../src/db/db.js';
import { uploadBody } from '../support/multipart.js';
import { REPO_ROOT, freePort, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { isCI } from '../support/services.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => spawnSync(p, ['-v']).status === 0);
if (!NGINX && isCI) throw new Error('nginx is missing (CI=true: .ci/run installs Debian nginx-light)');
if (!NGINX) console.log('# SKIP nginx proxy test: nginx is not installed (apt-get install nginx-light)');

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };

/** One request from a chosen loopback source address (a distinct "client" as nginx sees it). */
function request(port: number, opts: { method?: string; path: string; from?: string; headers?: Record<string, string>; body?: Buffer }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, localAddress: opts.from ?? '127.0.0.1', headers: opts.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.end(opts.body);
  });
}

describe('behind Debian nginx with deploy/nginx.conf', { skip: NGINX ? undefined : 'nginx missing', timeout: 120_000 }, () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  let server: ServerProcess | undefined;
  let nginx: ChildProcess | undefined;
  after(async () => {
    nginx?.kill('SIGTERM');
    await server?.stop(2_000);
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it('deploy/.env.example is a valid configuration', async () => {
    const text = await readFile(path.join(REPO_ROOT, 'deploy', '.env.example'), 'utf8');
    const env = Object.fromEntries(text.split('\n').filter((l) => /^[A-Z0-9_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const config = loadConfig(env);
    assert.equal(config.database.kind, 'postgres');
    assert.equal(config.storage.kind, 's3');
    assert.equal(config.jobs.backend, 'bullmq');
    assert.equal(config.trustProxy, true);
  });

  it('streams uploads, passes Range, and rate-limits each client by its own address', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'picora-nginx-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const proxyPort = await freePort();
    server = await startServerProcess({ PICORA_TRUST_PROXY: 'true', PICORA_RATE_READ_PER_MIN: '20', PICORA_RATE_UPLOAD_PER_MIN: '1000', PICORA_RATE_AUTH_PER_MIN: '1000' }, { label: 'picora behind nginx' });
    // the recipe as shipped, pointed at this test's ports and folders
    const site = (await readFile(path.join(REPO_ROOT, 'deploy', 'nginx.conf'), 'utf8'))
      .replace('server 127.0.0.1:8787;', `server 127.0.0.1:${server.port};`)
      .replace('listen 80;', `listen 127.0.0.1:${proxyPort};`)
      .replace('listen [::]:80;', '')
      .replace('server_name images.example.com;', 'server_name _;');
    assert.match(site, new RegExp(`127\\.0\\.0\\.1:${server.port}`), 'the recipe names its upstream as expected');
    const temp = path.join(dir, 'temp');
    await mkdir(temp, { recursive: true });
    await chmod(dir, 0o777);
    await chmod(temp, 0o777);
    await writeFile(path.join(dir, 'site.conf'), site);
    await writeFile(
      path.join(dir, 'nginx.conf'),
      `daemon off;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\nevents { worker_connections 256; }\n` +
        `http {\n  access_log off;\n  client_body_temp_path ${temp}/body;\n  proxy_temp_path ${temp}/proxy;\n  fastcgi_temp_path ${temp}/fastcgi;\n` +
        `  uwsgi_temp_path ${temp}/uwsgi;\n  scgi_temp_path ${temp}/scgi;\n  include ${dir}/site.conf;\n}\n`,
    );
    const check = spawnSync(NGINX!, ['-t', '-c', path.join(dir, 'nginx.conf'), '-p', dir], { encoding: 'utf8' });
    assert.equal(check.status, 0, `nginx -t: ${check.stderr}`);
    nginx = spawn(NGINX!, ['-c', path.join(dir, 'nginx.conf'), '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let nginxErr = '';
    nginx.stderr?.on('data', (c: Buffer) => (nginxErr += c.toString()));
    for (let i = 0; ; i++) {
      const ok = await request(proxyPort, { path: '/health' }).then((r) => r.status === 200).catch(() => false);
      if (ok) break;
      if (i > 100) assert.fail(`nginx did not come up: ${nginxErr}`);
      await sleep(100);
    }

    // an account and a key, through the proxy
    const email = `nginx-${Date.now()}@example.com`;
    const jsonBody = (o: unknown) => ({ headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(o)) });
    assert.equal((await request(proxyPort, { method: 'POST', path: '/v1/auth/send-code', ...jsonBody({ email, type: 'register' }) })).status, 200);
    const mails = (await readFile(path.join(server.dataDir, 'outbox.jsonl'), 'utf8')).trim().split('\n');
    const code = /\b(\d{6})\b/.exec(mails.map((l) => JSON.parse(l) as { to: string; text: string }).filter((m) => m.to === email).pop()?.text ?? '')?.[1];
    const reg = await request(proxyPort, { method: 'POST', path: '/v1/auth/register', ...jsonBody({ email, password: 'correct-horse-1', code }) });
    assert.equal(reg.status, 201, reg.body.toString());
    const token = (JSON.parse(reg.body.toString()) as { data: { accessToken: string } }).data.accessToken;

    // a ~4 MB upload streams through (proxy_request_buffering off) and is stored whole
    const raw = Buffer.alloc(1200 * 1100 * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
    const png = await sharp(raw, { raw: { width: 1200, height: 1100, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    assert.ok(png.length > 3_000_000);
    const up = uploadBody(png, 'big.png');
    const created = await request(proxyPort, { method: 'POST', path: '/v1/images', headers: { ...up.headers, authorization: `Bearer ${token}` }, body: up.payload });
    assert.equal(created.status, 201, created.body.toString().slice(0, 300));
    const image = (JSON.parse(created.body.toString()) as { data: { url: string; sizeBytes: number } }).data;
    assert.equal(image.sizeBytes, png.length);
    const file = new URL(image.url).pathname;
    const part = await request(proxyPort, { path: `${file}?original=1`, headers: { range: 'bytes=100-199', authorization: `Bearer ${token}` } });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], `bytes 100-199/${png.length}`);
    assert.deepEqual(part.body, png.subarray(100, 200));

    // a verified custom domain through the proxy: the Host nginx passes on picks the owner's media and nothing else
    // (the CNAME check itself is covered by domains.test.ts with a loopback DNS server; here the row is marked verified)
    const db = createDb(loadConfig({ PICORA_DATA_DIR: server.dataDir }).database);
    try {
      const userId = (JSON.parse(reg.body.toString()) as { data: { user: { id: string } } }).data.user.id;
      await db.db.updateTable('users').set({ plan: 'pro_plus' }).where('id', '=', userId).execute();
      const added = await request(proxyPort, { method: 'POST', path: '/v1/domains', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: Buffer.from(JSON.stringify({ host: 'img.owner.test' })) });
      assert.equal(added.status, 201, added.body.toString());
      await db.db.updateTable('customDomains').set({ verified: 1, verifiedAt: Date.now() }).where('host', '=', 'img.owner.test').execute();
    } finally {
      await db.close();
    }
    const viaDomain = await request(proxyPort, { path: `${file}?original=1`, headers: { host: 'img.owner.test', authorization: `Bearer ${token}`, range: 'bytes=0-9' } });
    assert.equal(viaDomain.status, 206, 'the image, with Range, on the custom domain');
    assert.equal((await request(proxyPort, { path: '/v1/user/me', headers: { host: 'img.owner.test', authorization: `Bearer ${token}` } })).status, 404, 'only media on a custom domain');

    // anonymous API requests are limited per client address: nginx's own address must not be the one counted
    let limited = 0;
    for (let i = 0; i < 60 && limited === 0; i++) {
      const r = await request(proxyPort, { path: '/v1/billing/plans', from: '127.0.0.2' });
      if (r.status === 429) limited = i;
      else assert.equal(r.status, 200);
    }
    assert.ok(limited > 0, 'client 127.0.0.2 ran into its read limit');
    const other = await request(proxyPort, { path: '/v1/billing/plans', from: '127.0.0.3' });
    assert.equal(other.status, 200, 'another client behind the same proxy still has its own budget');
    assert.ok(Number(other.headers['ratelimit-remaining']) > 0);
  });
});
