// Outbound webhooks (issue 11) on SQLite + local and PostgreSQL + S3: endpoints CRUD with validation, the SSRF
// guard and ownership; image.uploaded / image.deleted / video.ready / video.failed / quota.warning delivered to a
// receiver on loopback (allowed only through PICORA_FETCH_ALLOW_HOSTS), signed as docs/webhooks.md says and
// checked here with that recipe; retries with backoff, then failed, the endpoint disabled and its owner mailed.
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { verifySignature } from '../../src/domain/webhooks/webhook-signing.js';
import { bearer, createKey, outbox, registerUser, startTestApp, type Session, type TestApp } from '../support/app.js';
import { multipart } from '../support/multipart.js';
import { generateClip } from '../support/video-clips.js';
import { distinctPng, json, uploadOk } from './suites/images.suite.js';
import { backendCases, insertVideo } from './suites/media.support.js';

type Received = { path: string; headers: IncomingHttpHeaders; body: string; at: number };

/** A loopback endpoint: records every POST; `/fail…` answers 500, everything else 200. */
async function startReceiver(): Promise<{ port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const fail = (req.url ?? '').startsWith('/fail');
      res.writeHead(fail ? 500 : 200, { 'content-type': 'text/plain' }).end(fail ? 'boom' : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The recipe of docs/webhooks.md, written as a receiver would: no Picora code. */
function receiverVerifies(header: string, secret: string, rawBody: string): boolean {
  const fields = Object.fromEntries(header.split(',').map((kv) => kv.split('=') as [string, string]));
  const t = Number(fields['t']);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > 300) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex'));
  const given = Buffer.from(fields['v1'] ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

for (const c of await backendCases()) {
  describe(`webhooks (${c.name})`, { skip: c.skip }, () => {
    let t: TestApp;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let a: Session;
    let b: Session;
    let base: string;

    before(async () => {
      receiver = await startReceiver();
      base = `http://127.0.0.1:${receiver.port}`;
      t = await startTestApp(c.backend, {
        s3: c.s3, runJobs: true, realClock: true,
        env: {
          PICORA_FETCH_ALLOW_HOSTS: `127.0.0.1:${receiver.port}`, PICORA_JOBS_POLL_MS: '50',
          PICORA_WEBHOOK_RETRY_BASE_MS: '100', PICORA_WEBHOOK_MAX_ATTEMPTS: '3', PICORA_WEBHOOK_DISABLE_AFTER: '2', PICORA_WEBHOOK_TIMEOUT_MS: '2000',
        },
      });
      a = await registerUser(t);
      b = await registerUser(t);
    });
    after(async () => {
      await t?.close();
      await receiver?.close();
    });

    const call = (s: Session, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
      t.app.inject({ method, url, headers: bearer(s.accessToken), ...(payload === undefined ? {} : { payload: payload as object }) });
    async function createHook(s: Session, body: Record<string, unknown>) {
      const res = await call(s, 'POST', '/v1/webhooks', body);
      assert.equal(res.statusCode, 201, res.body);
      return json(res).data as { id: string; secret: string; events: string[]; enabled: boolean };
    }
    const deliveriesTo = (path: string) => receiver.received.filter((r) => r.path === path);

    it('create → 201 with its secret once; list, get, update, rotate the secret, delete', async () => {
      const hook = await createHook(a, { url: `${base}/crud`, description: ' Build server ' });
      assert.match(hook.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(hook.events, ['image.uploaded', 'image.deleted', 'video.ready', 'video.failed', 'quota.warning'], 'every event by default');
      assert.equal(hook.enabled, true);

      const list = json(await call(a, 'GET', '/v1/webhooks')).data as Array<Record<string, unknown>>;
      assert.deepEqual(list.map((h) => h['id']), [hook.id]);
      assert.equal(list[0]!['secret'], undefined, 'the secret is shown at creation and rotation only');
      assert.equal(list[0]!['description'], 'Build server');

      const patched = await call(a, 'PATCH', `/v1/webhooks/${hook.id}`, { events: ['image.deleted', 'image.deleted'], enabled: false });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.deepEqual(json(patched).data.events, ['image.deleted']);
      assert.equal(json(patched).data.enabled, false);

      const rotated = await call(a, 'POST', `/v1/webhooks/${hook.id}/rotate-secret`);
      assert.equal(rotated.statusCode, 200, rotated.body);
      assert.match(json(rotated).data.secret, /^whsec_/);
      assert.notEqual(json(rotated).data.secret, hook.secret);

      const del = await call(a, 'DELETE', `/v1/webhooks/${hook.id}`);
      assert.equal(del.statusCode, 200, del.body);
      assert.deepEqual(json(del), { success: true, data: null });
      assert.equal((await call(a, 'GET', `/v1/webhooks/${hook.id}`)).statusCode, 404);
    });

    it('bad URLs and events → 422 VALIDATION_ERROR naming the field; private and metadata addresses refused', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ url: 'ftp://example.com/hook' }, 'url'],
        [{ url: 'not a url' }, 'url'],
        [{ url: 'http://10.1.2.3/hook' }, 'url'],
        [{ url: 'http://169.254.169.254/latest/meta-data' }, 'url'],
        [{ url: 'http://[::1]:8080/hook' }, 'url'],
        [{ url: 'http://[::ffff:127.0.0.1]/hook' }, 'url'],
        [{ url: 'http://0.0.0.0/hook' }, 'url'],
        [{ url: 'http://user:pw@example.com/hook' }, 'url'],
        [{ url: `${base}/x`, events: ['image.exploded'] }, 'events'],
        [{ url: `${base}/x`, events: [] }, 'events'],
      ];
      for (const [body, field] of cases) {
        const res = await call(a, 'POST', '/v1/webhooks', body);
        assert.equal(res.statusCode, 422, `${JSON.stringify(body)} → ${res.body}`);
        assert.equal(json(res).code, 'VALIDATION_ERROR');
        assert.match(JSON.stringify(json(res)), new RegExp(field), res.body);
      }
      assert.equal((await call(a, 'POST', '/v1/webhooks', { events: ['image.uploaded'] })).statusCode, 422, 'url is required');
      assert.deepEqual(json(await call(a, 'GET', '/v1/webhooks')).data, [], 'nothing was created');
    });

    it('a name that resolves to a loopback address passes creation, then is refused at delivery without a retry', async () => {
      const s = await registerUser(t);
      const hook = await createHook(s, { url: 'http://localhost/hook', events: ['image.uploaded'] }); // names are checked on what they resolve to
      assert.equal((await call(s, 'POST', `/v1/webhooks/${hook.id}/test`)).statusCode, 202);
      const failed = await until('the refused delivery', async () => {
        const items = json(await call(s, 'GET', `/v1/webhooks/${hook.id}/deliveries`)).data.items as Array<{ status: string; attempts: number; error: string; responseStatus: number | null }>;
        return items[0]?.status === 'failed' ? items[0] : undefined;
      });
      assert.equal(failed.attempts, 1, 'retrying cannot make the address public');
      assert.equal(failed.responseStatus, null);
      assert.match(failed.error, /address/i);
    });

    it("another account's endpoint is 404 everywhere; writes need a session, reads work with a key", async () => {
      const hook = await createHook(a, { url: `${base}/mine`, events: ['image.deleted'] });
      for (const [method, url, payload] of [
        ['GET', `/v1/webhooks/${hook.id}`], ['PATCH', `/v1/webhooks/${hook.id}`, { enabled: false }], ['DELETE', `/v1/webhooks/${hook.id}`],
        ['POST', `/v1/webhooks/${hook.id}/rotate-secret`], ['POST', `/v1/webhooks/${hook.id}/test`], ['GET', `/v1/webhooks/${hook.id}/deliveries`],
      ] as const) {
        const res = await call(b, method, url, payload);
        assert.equal(res.statusCode, 404, `${method} ${url}: ${res.body}`);
        assert.equal(json(res).code, 'NOT_FOUND');
      }
      assert.equal(json(await call(a, 'GET', `/v1/webhooks/${hook.id}`)).data.enabled, true, 'untouched');
      assert.deepEqual(json(await call(b, 'GET', '/v1/webhooks')).data, []);

      const key = await createKey(t, a);
      const viaKey = await t.app.inject({ method: 'GET', url: '/v1/webhooks', headers: { authorization: `Bearer ${key.key}` } });
      assert.equal(viaKey.statusCode, 200, viaKey.body);
      const write = await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: { authorization: `Bearer ${key.key}` }, payload: { url: `${base}/k` } });
      assert.ok([401, 403].includes(write.statusCode), write.body);
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/webhooks' })).statusCode, 401);
      await call(a, 'DELETE', `/v1/webhooks/${hook.id}`);
    });

    it('at most 10 endpoints per account → 403 QUOTA_EXCEEDED', async () => {
      const s = await registerUser(t);
      for (let i = 0; i < 10; i++) await createHook(s, { url: `${base}/n${i}` });
      const res = await call(s, 'POST', '/v1/webhooks', { url: `${base}/n10` });
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(json(res).code, 'QUOTA_EXCEEDED');
    });

    it('image.uploaded and image.deleted reach subscribed endpoints, signed; the log shows each delivery', async () => {
      const s = await registerUser(t);
      const all = await createHook(s, { url: `${base}/images-all`, events: ['image.uploaded', 'image.deleted'] });
      await createHook(s, { url: `${base}/images-deleted-only`, events: ['image.deleted'] });
      const image = await uploadOk(t, s.accessToken, await distinctPng(4242), 'sunset.png');

      const uploaded = await until('image.uploaded', () => deliveriesTo('/images-all')[0]);
      assert.equal(uploaded.headers['content-type'], 'application/json');
      assert.equal(uploaded.headers['picora-event'], 'image.uploaded');
      assert.match(String(uploaded.headers['picora-delivery']), /^[A-Za-z0-9_-]{21}$/);
      const sig = String(uploaded.headers['picora-signature']);
      assert.ok(receiverVerifies(sig, all.secret, uploaded.body), `the documented recipe verifies ${sig}`);
      assert.ok(verifySignature(sig, all.secret, uploaded.body, Math.floor(Date.now() / 1000)));
      assert.ok(!receiverVerifies(sig, all.secret, uploaded.body.replace('sunset', 'sunrise')), 'a changed body does not verify');
      assert.ok(!receiverVerifies(sig, `${all.secret}x`, uploaded.body), 'another secret does not verify');
      const event = JSON.parse(uploaded.body) as { id: string; type: string; createdAt: string; data: { id: string; filename: string; url: string } };
      assert.match(event.id, /^evt_/);
      assert.equal(event.type, 'image.uploaded');
      assert.equal(event.data.id, image.id);
      assert.match(event.data.url, new RegExp(image.id));
      assert.equal(deliveriesTo('/images-deleted-only').length, 0, 'an endpoint gets only the events it subscribes to');

      assert.equal((await call(s, 'DELETE', `/v1/images/${image.id}`)).statusCode, 200);
      const deleted = await until('image.deleted ×2', () => {
        const both = [deliveriesTo('/images-all').find((r) => r.headers['picora-event'] === 'image.deleted'), deliveriesTo('/images-deleted-only')[0]];
        return both.every(Boolean) ? both : undefined;
      });
      for (const r of deleted) assert.equal((JSON.parse(r!.body) as { data: { id: string } }).data.id, image.id);

      const log = await until('the log settles', async () => {
        const res = await call(s, 'GET', `/v1/webhooks/${all.id}/deliveries?limit=1`);
        const page = json(res).data as { items: Array<{ status: string; eventType: string; attempts: number; responseStatus: number }>; hasMore: boolean; nextCursor: string };
        return page.items[0]?.status === 'succeeded' && page.hasMore ? page : undefined;
      });
      assert.equal(log.items[0]!.eventType, 'image.deleted', 'newest first');
      assert.equal(log.items[0]!.responseStatus, 200);
      assert.equal(log.items[0]!.attempts, 1);
      const next = json(await call(s, 'GET', `/v1/webhooks/${all.id}/deliveries?limit=1&cursor=${encodeURIComponent(log.nextCursor)}`)).data;
      assert.equal(next.items[0].eventType, 'image.uploaded');
      assert.equal(next.hasMore, false);
    });

    it('test-send → 202 and a signed webhook.test, even to a disabled endpoint', async () => {
      const s = await registerUser(t);
      const hook = await createHook(s, { url: `${base}/test-send`, events: ['video.ready'], enabled: false });
      const res = await call(s, 'POST', `/v1/webhooks/${hook.id}/test`);
      assert.equal(res.statusCode, 202, res.body);
      assert.equal(json(res).data.eventType, 'webhook.test');
      assert.equal(json(res).data.status, 'pending');
      const got = await until('webhook.test', () => deliveriesTo('/test-send')[0]);
      assert.equal(got.headers['picora-event'], 'webhook.test');
      assert.ok(receiverVerifies(String(got.headers['picora-signature']), hook.secret, got.body));
    });

    it('a failing endpoint: retried with backoff, then failed; repeated failure disables it and mails the owner', async () => {
      const s = await registerUser(t);
      const hook = await createHook(s, { url: `${base}/fail-hard`, events: ['image.uploaded'] });
      await call(s, 'POST', `/v1/webhooks/${hook.id}/test`);
      const first = await until('three attempts', () => (deliveriesTo('/fail-hard').length >= 3 ? deliveriesTo('/fail-hard') : undefined));
      const ids = new Set(first.map((r) => r.headers['picora-delivery']));
      assert.equal(ids.size, 1, 'every attempt is the same delivery');
      const gaps = [first[1]!.at - first[0]!.at, first[2]!.at - first[1]!.at];
      assert.ok(gaps[0]! >= 90 && gaps[1]! >= 180, `exponential backoff from 100 ms: ${gaps.join(', ')} ms`);

      const failed = await until('the delivery failed', async () => {
        const items = json(await call(s, 'GET', `/v1/webhooks/${hook.id}/deliveries`)).data.items as Array<{ status: string; attempts: number; responseStatus: number; error: string; responseBody: string }>;
        return items[0]?.status === 'failed' ? items[0] : undefined;
      });
      assert.equal(failed.attempts, 3);
      assert.equal(failed.responseStatus, 500);
      assert.equal(failed.responseBody, 'boom');
      assert.match(failed.error, /500/);
      assert.equal(json(await call(s, 'GET', `/v1/webhooks/${hook.id}`)).data.consecutiveFailures, 1);
      assert.equal(json(await call(s, 'GET', `/v1/webhooks/${hook.id}`)).data.enabled, true, 'one failed delivery is not enough');

      await uploadOk(t, s.accessToken, await distinctPng(777), 'again.png');
      const disabled = await until('disabled', async () => {
        const h = json(await call(s, 'GET', `/v1/webhooks/${hook.id}`)).data as { enabled: boolean; disabledReason: string };
        return h.enabled ? undefined : h;
      });
      assert.match(disabled.disabledReason, /2 deliveries in a row failed/);
      const mail = await until('the mail', async () => (await outbox(t)).find((m) => m.to === s.email && /webhook/i.test(m.subject)));
      assert.match(mail.text, new RegExp(`${base}/fail-hard`.replace(/[/.]/g, '\\$&')));

      const before = deliveriesTo('/fail-hard').length;
      await uploadOk(t, s.accessToken, await distinctPng(778), 'ignored.png');
      await sleep(600);
      assert.equal(deliveriesTo('/fail-hard').length, before, 'a disabled endpoint gets nothing');

      const enabled = await call(s, 'PATCH', `/v1/webhooks/${hook.id}`, { enabled: true, url: `${base}/recovered` });
      assert.equal(json(enabled).data.enabled, true);
      assert.equal(json(enabled).data.consecutiveFailures, 0);
      assert.equal(json(enabled).data.disabledReason, null);
    });

    it('quota.warning at 80 % and at 100 % of image storage, once each per month', async () => {
      const s = await registerUser(t);
      await createHook(s, { url: `${base}/quota-${s.userId}`, events: ['quota.warning'] });
      const limit = Number((await t.deps.db.db.selectFrom('plans').select('imgStorageBytes').where('id', '=', 'trial').executeTakeFirstOrThrow()).imgStorageBytes);
      const setUsed = (bytes: number) => t.deps.db.db.updateTable('userUsage').set({ imgStorageBytes: bytes }).where('userId', '=', s.userId).execute();

      await uploadOk(t, s.accessToken, await distinctPng(501), 'q1.png'); // below 80 %: nothing
      await setUsed(Math.ceil(limit * 0.85));
      await uploadOk(t, s.accessToken, await distinctPng(502), 'q2.png');
      await uploadOk(t, s.accessToken, await distinctPng(503), 'q3.png');
      const eighty = await until('80 %', () => deliveriesTo(`/quota-${s.userId}`)[0]);
      const w = JSON.parse(eighty.body) as { type: string; data: { quotaType: string; level: number; used: number; limit: number } };
      assert.equal(w.type, 'quota.warning');
      assert.equal(w.data.quotaType, 'img_storage');
      assert.equal(w.data.level, 80);
      assert.equal(w.data.limit, limit);

      await setUsed(limit - 10);
      const body = multipart([{ name: 'file', filename: 'full.png', data: await distinctPng(504) }]);
      const full = await t.app.inject({ method: 'POST', url: '/v1/images', headers: { ...body.headers, ...bearer(s.accessToken) }, payload: body.payload });
      assert.equal(full.statusCode, 403, full.body);
      assert.equal(json(full).code, 'QUOTA_EXCEEDED');
      const hundred = await until('100 %', () => deliveriesTo(`/quota-${s.userId}`)[1]);
      assert.equal((JSON.parse(hundred.body) as { data: { level: number } }).data.level, 100);
      await sleep(400);
      assert.equal(deliveriesTo(`/quota-${s.userId}`).length, 2, 'each level once per month');
    });

    // The transcode path is the same on every backend (the job table and the hooks are covered above on both):
    // its ffmpeg minute runs once, on SQLite.
    if (c.backend.db === 'sqlite') it('video.ready and video.failed come from the transcode job', async () => {
      const s = await registerUser(t);
      await t.deps.db.db.updateTable('users').set({ plan: 'pro' }).where('id', '=', s.userId).execute();
      await createHook(s, { url: `${base}/videos-${s.userId}`, events: ['video.ready', 'video.failed'] });
      // a processing video whose original never reached the store: its transcode cannot succeed
      const broken = await insertVideo(t, s.userId, { status: 'processing', progress: 0, readyAt: null, renditions: '[]' });
      await t.deps.jobs.enqueue('video.transcode', { videoId: broken.id }, { key: `transcode-${broken.id}`, maxAttempts: 1 });
      const failed = await until('video.failed', () => deliveriesTo(`/videos-${s.userId}`).find((r) => r.headers['picora-event'] === 'video.failed'), 60_000);
      const fe = JSON.parse(failed.body) as { data: { id: string; status: string } };
      assert.equal(fe.data.id, broken.id);
      assert.equal(fe.data.status, 'failed');

      const body = multipart([{ name: 'file', filename: 'clip.mp4', data: await readFile(await generateClip('landscape')) }]);
      const up = await t.app.inject({ method: 'POST', url: '/v1/videos', headers: { ...body.headers, ...bearer(s.accessToken) }, payload: body.payload });
      assert.equal(up.statusCode, 202, up.body);
      const ready = await until('video.ready', () => deliveriesTo(`/videos-${s.userId}`).find((r) => r.headers['picora-event'] === 'video.ready'), 120_000);
      const re = JSON.parse(ready.body) as { data: { id: string; status: string; playbackUrl: string } };
      assert.equal(re.data.id, json(up).data.videoId);
      assert.equal(re.data.status, 'ready');
      assert.match(re.data.playbackUrl, /master\.m3u8/);
    });
  });
}
