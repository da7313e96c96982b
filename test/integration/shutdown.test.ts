// Issue 14 §1: SIGTERM while a long render runs ends the real server process within its grace period, and
// its media worker processes end with it.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FILTER_BOMB_SVG } from '../support/hostile-svg.js';
import { uploadBody } from '../support/multipart.js';
import { childrenOf, isAlive as alive } from '../support/processes.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

describe('bounded shutdown (real server process)', () => {
  let server: ServerProcess;
  let token: string;
  before(async () => {
    server = await startServerProcess({ PICORA_RENDER_TIMEOUT_MS: '120000', PICORA_SHUTDOWN_TIMEOUT_MS: '2000', PICORA_RENDER_CONCURRENCY: '1' });
    const email = `stop-${Date.now()}@example.com`;
    const post = (url: string, body: unknown) => server.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await post('/v1/auth/send-code', { email, type: 'register' })).status, 200);
    const mails = (await readFile(path.join(server.dataDir, 'outbox.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { text: string });
    const code = /\b(\d{6})\b/.exec(mails.at(-1)!.text)![1];
    const res = await post('/v1/auth/register', { email, password: 'correct-horse-1', code });
    assert.equal(res.status, 201);
    token = ((await res.json()) as { data: { accessToken: string } }).data.accessToken;
  });
  after(async () => server?.stop(1_000));

  it('SIGTERM during a render that would run for minutes exits within the grace period; workers go too', async () => {
    const body = uploadBody(FILTER_BOMB_SVG, 'bomb.svg');
    const up = await server.fetch('/v1/images', { method: 'POST', headers: { authorization: `Bearer ${token}`, ...body.headers }, body: new Uint8Array(body.payload) });
    assert.equal(up.status, 201, await up.clone().text());
    const url = new URL(((await up.json()) as { data: { url: string } }).data.url);
    const pending = server.fetch(`${url.pathname}?w=4096&fmt=png`).then((r) => r.status, () => 'connection closed');
    await new Promise((r) => setTimeout(r, 800)); // the render is running in its worker now
    const workers = await childrenOf(server.child.pid!);
    assert.ok(workers.length >= 1, 'the server runs a worker process');

    const started = Date.now();
    const exited = new Promise<number | string>((resolve) => server.child.once('exit', (code, signal) => resolve(signal ?? code ?? 'unknown')));
    server.child.kill('SIGTERM');
    const how = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 8_000))]);
    const took = Date.now() - started;
    assert.notEqual(how, 'still running', `the server did not exit within 8 s of SIGTERM:\n${server.output()}`);
    assert.ok(took < 5_000, `exit took ${took} ms (grace 2 s)`);
    await pending;
    for (let i = 0; i < 50 && workers.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(workers.filter(alive), [], 'every worker process ended with the server');
  });
});
