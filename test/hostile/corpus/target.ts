// The server the hostile corpus runs against: a REAL `picora serve` process (SQLite + local store in a temp
// folder, test/support/server-process.ts), an admin account (the first one registered), the account the inputs
// are sent as (registered through send-code → outbox → register, with an API key), and a few images they aim at.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { uploadBody } from '../../support/multipart.js';
import { startServerProcess, type ServerProcess } from '../../support/server-process.js';
import { httpAnswer, type Answer, type RequestSpec } from './wire.js';

export type Account = { userId: string; email: string; password: string; token: string; key: string };
export type Seeded = { id: string; path: string; sha256: string };

export type Target = {
  server: ServerProcess;
  base: string;
  port: number;
  admin: Account;
  user: Account;
  /** A public PNG, a private PNG and a public SVG of `user`, for the delivery inputs; `patchable` takes JSON bodies. */
  images: { png: Seeded; privatePng: Seeded; svg: Seeded; patchable: Seeded };
  /** A second API key of `user` that JSON inputs may rename or rescope (the corpus sends with `user.key`). */
  spareKeyId: string;
  send(spec: RequestSpec): Promise<Answer>;
  /**
   * Waits (up to `maxMs`) until a tiny upload goes through: the media workers have finished what earlier inputs
   * left them, so the next input is judged on its own. Returns how long that took.
   */
  settle(maxMs?: number): Promise<number>;
  stop(): Promise<void>;
};

// As test/support/app.ts does: the corpus sends hundreds of requests from one address in seconds, and rate
// limits are not what it tests. The cache of delivery decisions is left at its default.
const GENEROUS = {
  PICORA_RATE_READ_PER_MIN: '1000000', PICORA_RATE_UPLOAD_PER_MIN: '1000000', PICORA_RATE_MUTATION_PER_MIN: '1000000',
  PICORA_RATE_AUTH_PER_MIN: '1000000', PICORA_RATE_PER_HOUR: '100000000', PICORA_RENDERS_PER_IP_PER_MIN: '1000000',
  // Tighter time budgets than the defaults (8 s render, 30 s upload): an input that blows its budget, plus
  // the start-up of the worker that replaces the killed one (seconds under tsx on a loaded 2-core machine),
  // must still be answered inside the suite's 10 s hang limit. The budgets themselves are what is tested.
  PICORA_RENDER_TIMEOUT_MS: '5000', PICORA_UPLOAD_PROCESS_TIMEOUT_MS: '6000',
};

const json = (a: Answer) => JSON.parse(a.body.toString('utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function register(server: ServerProcess, email: string, password: string): Promise<Omit<Account, 'key'>> {
  const base = server.url;
  const sent = await httpAnswer(base, { method: 'POST', path: '/v1/auth/send-code', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, type: 'register' }) });
  assert.equal(sent.status, 200, `send-code: ${sent.body.toString()}\n${server.output().slice(-2000)}`);
  const mails = (await readFile(path.join(server.dataDir, 'outbox.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { to: string; text: string });
  const code = /\b(\d{6})\b/.exec(mails.filter((m) => m.to === email).pop()?.text ?? '')?.[1];
  assert.ok(code, `no code mailed to ${email}`);
  const res = await httpAnswer(base, { method: 'POST', path: '/v1/auth/register', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password, code }) });
  assert.equal(res.status, 201, `register: ${res.body.toString()}`);
  const data = json(res).data as { accessToken: string; user: { id: string } };
  return { userId: data.user.id, email, password, token: data.accessToken };
}

async function createKey(base: string, token: string): Promise<{ id: string; key: string }> {
  const res = await httpAnswer(base, {
    method: 'POST', path: '/v1/api-keys',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'hostile corpus', scopes: ['media.read', 'media.write', 'media.delete', 'account.read', 'usage.read'] }),
  });
  assert.equal(res.status, 201, `create key: ${res.body.toString()}`);
  return json(res).data as { id: string; key: string };
}

export async function upload(base: string, token: string, data: Buffer, filename: string, fields: Record<string, string> = {}, timeoutMs?: number): Promise<Answer> {
  const body = uploadBody(data, filename, fields);
  return httpAnswer(base, { method: 'POST', path: '/v1/images', headers: { authorization: `Bearer ${token}`, ...body.headers }, body: body.payload }, timeoutMs ? { timeoutMs } : {});
}

async function seed(base: string, token: string, data: Buffer, filename: string, fields: Record<string, string> = {}): Promise<Seeded> {
  const res = await upload(base, token, data, filename, fields);
  assert.equal(res.status, 201, `seed upload ${filename}: ${res.status} ${res.body.toString().slice(0, 300)}`);
  const img = json(res).data as { id: string; url: string; sha256: string };
  return { id: img.id, path: new URL(img.url).pathname, sha256: img.sha256 };
}

const gradient = (w: number, h: number, seedByte: number) => {
  const raw = Buffer.alloc(w * h * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7 + seedByte) & 0xff;
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
};

/** Every process below `pid` (Linux /proc): the server's media workers outlive a killed server while busy. */
async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isInteger(ppid)) parents.set(ppid, [...(parents.get(ppid) ?? []), Number(name)]);
  }
  const out: number[] = [];
  for (let queue = [pid]; queue.length > 0; ) {
    const kids = parents.get(queue.shift()!) ?? [];
    out.push(...kids);
    queue.push(...kids);
  }
  return out;
}

let unique = 0;
/** A tiny PNG no earlier upload had (a duplicate would be answered without any media work). */
export function uniquePng(): Promise<Buffer> {
  const raw = Buffer.alloc(8 * 8 * 3);
  raw.writeUInt32BE(++unique, 0);
  raw.writeUInt32BE(process.pid, 4);
  raw.writeDoubleBE(Date.now(), 8);
  return sharp(raw, { raw: { width: 8, height: 8, channels: 3 } }).png().toBuffer();
}

export async function startTarget(): Promise<Target> {
  const server = await startServerProcess(GENEROUS, { label: 'hostile corpus server' });
  try {
    const stamp = Date.now();
    const adminSession = await register(server, `admin-${stamp}@example.com`, 'correct-horse-1'); // the first account is the admin
    const userSession = await register(server, `hostile-kiss-${stamp}@example.com`, 'correct-horse-2');
    const adminKey = await createKey(server.url, adminSession.token);
    const userKey = await createKey(server.url, userSession.token);
    const images = {
      png: await seed(server.url, userKey.key, await gradient(320, 200, 1), 'public.png'),
      privatePng: await seed(server.url, userKey.key, await gradient(120, 80, 2), 'private.png', { isPublic: 'false' }),
      svg: await seed(server.url, userKey.key, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="30" fill="#c33"/></svg>'), 'seed.svg'),
      patchable: await seed(server.url, userKey.key, await gradient(40, 30, 3), 'patchable.png'),
    };
    const spare = await createKey(server.url, userSession.token);
    return {
      server,
      base: server.url,
      port: server.port,
      admin: { ...adminSession, key: adminKey.key },
      user: { ...userSession, key: userKey.key },
      images,
      spareKeyId: spare.id,
      send: (spec) => httpAnswer(server.url, spec),
      async settle(maxMs = 70_000) {
        const started = Date.now();
        await upload(server.url, userKey.key, await uniquePng(), 'canary.png', {}, maxMs).catch(() => undefined);
        return Date.now() - started;
      },
      async stop() {
        // the server's own children (media workers) by id: a worker busy in native code outlives its server,
        // and its inherited stdout would keep this test process alive
        const kids = server.child.pid === undefined ? [] : await descendants(server.child.pid);
        await server.stop(3_000);
        for (const pid of kids) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        server.child.stdout?.destroy();
        server.child.stderr?.destroy();
      },
    };
  } catch (err) {
    await server.stop(1_000);
    throw err;
  }
}
