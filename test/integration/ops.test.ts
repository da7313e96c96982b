// Operator concerns: the metrics token and the sweep of upload spool files left by a dead process.
import assert from 'node:assert/strict';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/app.js';

describe('operations', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(undefined, { env: { PICORA_METRICS_TOKEN: 'metrics-token-0123456789' } });
  });
  after(async () => t?.close());

  it('GET /metrics wants the configured bearer token', async () => {
    const anonymous = await t.app.inject({ url: '/metrics' });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.json().code, 'UNAUTHORIZED');
    assert.equal((await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong-token-0123456789' } })).statusCode, 401);
    const ok = await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer metrics-token-0123456789' } });
    assert.equal(ok.statusCode, 200);
    assert.match(ok.body, /picora_http_requests_total/);
  });

  it('sweeps spool files older than the limit and keeps fresh ones', async () => {
    const dir = path.join(t.dataDir, 'tmp', 'uploads');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'old.part'), 'x');
    await writeFile(path.join(dir, 'fresh.part'), 'y');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(path.join(dir, 'old.part'), twoHoursAgo, twoHoursAgo);
    assert.equal(await t.deps.uploads.sweepSpool(3600_000), 1);
    assert.deepEqual(await readdir(dir), ['fresh.part']);
  });
});
