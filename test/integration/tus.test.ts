// Resumable uploads (tus 1.0 at /v1/uploads, SPEC §7.10) driven by tus-js-client — the client most apps use —
// against a real listening server, on SQLite + local store and PostgreSQL + S3: a 200 MB upload cut off mid-way
// and resumed from the server's offset, parallel uploads by two accounts, ownership, the protocol's refusals
// (409, 412, 413, 415), quotas, DELETE, the expiry sweep, a refused file; after each the store, the reservations
// and the usage counters are checked. The server restart between chunks is in tus-restart.test.ts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import * as tus from 'tus-js-client';
import { storageKeys } from '../../src/storage/keys.js';
import { bearer, registerUser, startTestApp, type Session, type TestApp } from '../support/app.js';
import { testBins } from '../support/video-clips.js';
import { backendCases, conforms } from './suites/media.support.js';
import { json } from './suites/images.suite.js';
import { bigAvi as makeAvi, cutOffUpload, MB, noisyPng, tusUpload } from './suites/tus.support.js';

const run = promisify(execFile);
/** The big upload on PostgreSQL + S3 (every byte crosses the S3 server three times there: parts, download, store). */
const BIG_S3_MB = 200;
const cases = await backendCases();
const scratch = await mkdtemp(path.join(tmpdir(), 'picora-tus-'));
after(() => rm(scratch, { recursive: true, force: true }));
const bigAvi = (mb: number) => makeAvi(scratch, mb);

for (const c of cases) {
  describe(`resumable uploads, tus (${c.name})`, { skip: c.skip, timeout: 240_000 }, () => {
    let t: TestApp;
    let base: string;
    let trial: Session;
    let pro: Session;
    let other: Session;

    before(async () => {
      t = await startTestApp(c.backend, { s3: c.s3, env: { PICORA_TUS_EXPIRY_MS: '60000' } });
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const addr = t.app.server.address() as { port: number };
      base = `http://127.0.0.1:${addr.port}`;
      await registerUser(t); // the first account is the admin
      trial = await registerUser(t);
      pro = await registerUser(t);
      other = await registerUser(t);
      for (const s of [pro, other]) await t.deps.db.db.updateTable('users').set({ plan: 'pro' }).where('id', '=', s.userId).execute();
    });
    after(async () => t?.close());

    const endpoint = () => `${base}/v1/uploads`;
    const db = () => t.deps.db.db;
    const usage = async (s: Session) => {
      const u = await db().selectFrom('userUsage').selectAll().where('userId', '=', s.userId).executeTakeFirst();
      return { img: Number(u?.imgStorageBytes ?? 0), imgCount: Number(u?.imgCount ?? 0), media: Number(u?.mediaStorageBytes ?? 0), mediaCount: Number(u?.mediaCount ?? 0) };
    };
    const reservations = async (s: Session) => db().selectFrom('quotaReservations').selectAll().where('userId', '=', s.userId).execute();
    const tusNames = () => t.deps.resumableUploads.datastore.names();
    const session = (id: string) => db().selectFrom('tusUploads').selectAll().where('id', '=', id).executeTakeFirst();
    const idOf = (url: string) => url.split('/').pop()!;
    const tusFetch = (pathOrUrl: string, init: RequestInit & { token?: string } = {}) =>
      fetch(pathOrUrl.startsWith('http') ? pathOrUrl : `${base}${pathOrUrl}`, {
        ...init,
        headers: { 'tus-resumable': '1.0.0', ...(init.token ? bearer(init.token) : {}), ...(init.headers as Record<string, string>) },
      });
    const create = (token: string, length: number, meta: Record<string, string> = {}) => {
      const pairs = Object.entries(meta).map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`);
      return tusFetch('/v1/uploads', { method: 'POST', token, headers: { 'upload-length': String(length), ...(pairs.length ? { 'upload-metadata': pairs.join(',') } : {}) } });
    };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const asJson = async (res: Response) => ({ statusCode: res.status, body: (await res.json()) as Record<string, any> });
    /** Nothing of the account's resumable uploads remains: no reservation, no tus bytes. */
    const assertClean = async (s: Session, label: string) => {
      assert.deepEqual(await reservations(s), [], `${label}: no reservation left`);
      assert.deepEqual(await tusNames(), [], `${label}: no tus bytes left`);
    };

    it('OPTIONS answers the tus capabilities without credentials, preflights included', async () => {
      const res = await fetch(endpoint(), { method: 'OPTIONS' });
      assert.equal(res.status, 204);
      assert.equal(res.headers.get('tus-resumable'), '1.0.0');
      assert.equal(res.headers.get('tus-version'), '1.0.0');
      assert.deepEqual(res.headers.get('tus-extension')?.split(','), ['creation', 'creation-with-upload', 'termination', 'expiration']);
      assert.equal(res.headers.get('tus-max-size'), String(2 * 1024 * MB));
      assert.ok(res.headers.get('x-request-id'));
      const pre = await fetch(`${endpoint()}/${'a'.repeat(21)}`, {
        method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'tus-resumable,upload-offset,content-type,authorization' },
      });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), '*');
      assert.match(pre.headers.get('access-control-allow-headers') ?? '', /upload-offset/);
      assert.equal(pre.headers.get('tus-version'), '1.0.0');
    });

    it('an image uploaded in chunks becomes an image; its reservation becomes its usage, counted once', async () => {
      const png = await noisyPng(700, 1); // ~1.5 MB
      const { url, finalHeaders } = await tusUpload(png, { endpoint: endpoint(), token: trial.accessToken, chunkSize: 512 * 1024, metadata: { filename: 'noise.png', resourceType: 'image', title: 'Noise', tags: 'a,b' } });
      assert.match(url, /\/v1\/uploads\/[A-Za-z0-9_-]{21}$/);
      assert.equal(finalHeaders['x-picora-resource-type'], 'image');
      const imageId = finalHeaders['x-picora-resource-id']!;
      const res = await t.app.inject({ method: 'GET', url: `/v1/images/${imageId}`, headers: bearer(trial.accessToken) });
      assert.equal(res.statusCode, 200, res.body);
      conforms('GET', '/v1/images/{id}', res);
      const img = json(res).data;
      assert.equal(img.title, 'Noise');
      assert.equal(img.filename, 'noise.png');
      assert.deepEqual(img.tags, ['a', 'b']);
      const u = await usage(trial);
      assert.deepEqual({ bytes: u.img, count: u.imgCount }, { bytes: img.sizeBytes, count: 1 });
      assert.equal((await session(idOf(url)))?.state, 'done');
      await assertClean(trial, 'finished image');
      // the ended session answers 404 (SPEC: expired or finished)
      const head = await tusFetch(url, { method: 'HEAD', token: trial.accessToken });
      assert.equal(head.status, 404);

      // the same bytes again: the existing image, no second count
      const again = await tusUpload(png, { endpoint: endpoint(), token: trial.accessToken, chunkSize: 1024 * 1024, metadata: { filename: 'again.png' } });
      assert.equal(again.finalHeaders['x-picora-resource-id'], imageId);
      assert.equal(again.finalHeaders['x-picora-duplicate'], 'true');
      assert.deepEqual(await usage(trial), u);
      await assertClean(trial, 'duplicate');
    });

    it('creation-with-upload: a file sent whole with its POST is finished by that POST', async () => {
      const png = await noisyPng(200, 2);
      const { finalHeaders } = await tusUpload(png, { endpoint: endpoint(), token: trial.accessToken, chunkSize: 4 * MB, withCreation: true, metadata: { filename: 'one-shot.png' } });
      assert.equal(finalHeaders['x-picora-resource-type'], 'image');
      const row = await db().selectFrom('images').select(['userId', 'filename']).where('id', '=', finalHeaders['x-picora-resource-id']!).executeTakeFirstOrThrow();
      assert.deepEqual(row, { userId: trial.userId, filename: 'one-shot.png' });
      await assertClean(trial, 'creation-with-upload');
    });

    it('the protocol refusals are our envelope: 412, 415, 409, 400, 404 for an unknown id, 401 without credentials', async () => {
      const created = await create(trial.accessToken, 100, { resourceType: 'image' });
      assert.equal(created.status, 201, await created.text());
      assert.equal(created.headers.get('tus-resumable'), '1.0.0');
      const expires = Date.parse(created.headers.get('upload-expires') ?? '');
      assert.equal(expires, Math.floor((t.clock.now() + 60_000) / 1000) * 1000, 'Upload-Expires is the session expiry (RFC 7231 date)');
      const loc = created.headers.get('location')!;
      assert.match(loc, /^\/v1\/uploads\/[A-Za-z0-9_-]{21}$/);
      const patch = (headers: Record<string, string>, body: BodyInit = 'x'.repeat(10), token = trial.accessToken) =>
        tusFetch(loc, { method: 'PATCH', token, headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0', ...headers }, body });

      let r = await asJson(await patch({ 'upload-offset': '5' }));
      assert.equal(r.statusCode, 409);
      assert.equal(r.body.code, 'CONFLICT');
      assert.equal(r.body.success, false);
      r = await asJson(await patch({ 'content-type': 'application/json' }, '{"a":1}'));
      assert.equal(r.statusCode, 415);
      assert.equal(r.body.code, 'BAD_REQUEST');
      r = await asJson(await patch({ 'content-type': 'text/plain' }));
      assert.equal(r.statusCode, 415);
      r = await asJson(await patch({ 'upload-offset': 'abc' }));
      assert.equal(r.statusCode, 400);
      const oldVersion = await tusFetch(loc, { method: 'PATCH', token: trial.accessToken, headers: { 'tus-resumable': '0.2.2', 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' }, body: 'x' });
      assert.equal(oldVersion.status, 412);
      assert.equal(((await oldVersion.json()) as { code: string }).code, 'BAD_REQUEST');
      const noVersion = await fetch(`${base}${loc}`, { method: 'PATCH', headers: { ...bearer(trial.accessToken), 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' }, body: 'x' });
      assert.equal(noVersion.status, 412);
      assert.equal(((await noVersion.json()) as { code: string }).code, 'BAD_REQUEST');
      assert.equal((await tusFetch(loc, { method: 'HEAD' })).status, 401);
      r = await asJson(await tusFetch(loc, { method: 'PATCH', headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' }, body: 'x' }));
      assert.equal(r.statusCode, 401);
      assert.equal(r.body.code, 'UNAUTHORIZED');
      conforms('PATCH', '/v1/uploads/{id}', { statusCode: r.statusCode, json: () => r.body });
      const anonCreate = await asJson(await tusFetch('/v1/uploads', { method: 'POST', headers: { 'upload-length': '10' } }));
      assert.equal(anonCreate.statusCode, 401);
      conforms('POST', '/v1/uploads', { statusCode: anonCreate.statusCode, json: () => anonCreate.body });
      r = await asJson(await tusFetch(`/v1/uploads/${'b'.repeat(21)}`, { method: 'PATCH', token: trial.accessToken, headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' }, body: 'x' }));
      assert.equal(r.statusCode, 404);
      assert.equal(r.body.code, 'NOT_FOUND');
      // more bytes than declared
      r = await asJson(await patch({}, 'y'.repeat(200)));
      assert.equal(r.statusCode, 413);
      assert.equal(r.body.code, 'FILE_TOO_LARGE');
      // nothing was written by any refusal; HEAD and GET report the offset, the length and the expiry
      for (const method of ['HEAD', 'GET']) {
        const head = await tusFetch(loc, { method, token: trial.accessToken });
        assert.equal(head.status, 200, method);
        assert.equal(head.headers.get('upload-offset'), '0', method);
        assert.equal(head.headers.get('upload-length'), '100', method);
        assert.equal(Date.parse(head.headers.get('upload-expires') ?? ''), expires, method);
        assert.equal(head.headers.get('cache-control'), 'no-store');
      }
      const getNoVersion = await fetch(`${base}${loc}`, { headers: bearer(trial.accessToken) });
      assert.equal(getNoVersion.status, 412);
      const del = await tusFetch(loc, { method: 'DELETE', token: trial.accessToken });
      assert.equal(del.status, 204);
      await assertClean(trial, 'refusals');
    });

    it('creation refusals: bad metadata 422, trial video 403 PLAN_REQUIRED, over the per-file limit 413, quota full 403; nothing reserved', async () => {
      const before = await usage(trial);
      let r = await asJson(await create(trial.accessToken, 100, { resourceType: 'document' }));
      assert.equal(r.statusCode, 422);
      assert.equal(r.body.code, 'VALIDATION_ERROR');
      assert.match(r.body.error, /resourceType/);
      r = await asJson(await create(trial.accessToken, 100, { isPublic: 'perhaps' }));
      assert.equal(r.statusCode, 422);
      r = await asJson(await create(trial.accessToken, 0));
      assert.equal(r.statusCode, 422);
      r = await asJson(await tusFetch('/v1/uploads', { method: 'POST', token: trial.accessToken, headers: { 'upload-defer-length': '1' } }));
      assert.equal(r.statusCode, 422);
      r = await asJson(await create(trial.accessToken, 1000, { resourceType: 'video', filename: 'a.mp4' }));
      assert.equal(r.statusCode, 403);
      assert.equal(r.body.code, 'PLAN_REQUIRED');
      r = await asJson(await create(trial.accessToken, 10 * MB + 1, { resourceType: 'image' }));
      assert.equal(r.statusCode, 413);
      assert.equal(r.body.code, 'FILE_TOO_LARGE');
      assert.equal(r.body.meta.maxBytes, 10 * MB);
      r = await asJson(await create(pro.accessToken, 500 * MB + 1, { resourceType: 'video' }));
      assert.equal(r.statusCode, 413);
      r = await asJson(await create(trial.accessToken, 3 * 1024 * MB, { resourceType: 'image' }));
      assert.equal(r.statusCode, 413, 'above every plan: refused by the tus server itself, still our envelope');
      assert.equal(r.body.code, 'FILE_TOO_LARGE');
      // the image storage is nearly full: the whole declared length must fit
      const limit = 100 * MB;
      await db().insertInto('userUsage').values({ userId: trial.userId, imgStorageBytes: 0, imgCount: 0, uploadsDay: '', uploadsToday: 0, uploadsMonth: '', uploadsThisMonth: 0 }).onConflict((oc) => oc.column('userId').doNothing()).execute();
      await db().updateTable('userUsage').set({ imgStorageBytes: limit - 1000 }).where('userId', '=', trial.userId).execute();
      try {
        r = await asJson(await create(trial.accessToken, 1001, { resourceType: 'image' }));
        assert.equal(r.statusCode, 403);
        assert.equal(r.body.code, 'QUOTA_EXCEEDED');
        assert.equal(r.body.meta.type, 'img_storage');
        const ok = await create(trial.accessToken, 1000, { resourceType: 'image' });
        assert.equal(ok.status, 201, 'exactly what is left fits');
        assert.equal((await usage(trial)).img, limit);
        const del = await tusFetch(ok.headers.get('location')!, { method: 'DELETE', token: trial.accessToken });
        assert.equal(del.status, 204);
        assert.equal((await usage(trial)).img, limit - 1000, 'DELETE gave the reservation back');
      } finally {
        await db().updateTable('userUsage').set({ imgStorageBytes: before.img }).where('userId', '=', trial.userId).execute();
      }
      assert.deepEqual(await usage(trial), before);
      await assertClean(trial, 'creation refusals');
      assert.deepEqual(await db().selectFrom('tusUploads').select('id').where('userId', '=', trial.userId).where('state', 'in', ['open', 'finishing']).execute(), []);
    });

    it('another account cannot see, write or cancel an upload (404); parallel uploads by two accounts each land with their owner', async () => {
      const created = await create(pro.accessToken, 50, { resourceType: 'image' });
      const loc = created.headers.get('location')!;
      for (const method of ['HEAD', 'GET', 'DELETE']) {
        const res = await tusFetch(loc, { method, token: other.accessToken });
        assert.equal(res.status, 404, method);
      }
      const foreignPatch = await asJson(await tusFetch(loc, { method: 'PATCH', token: other.accessToken, headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' }, body: 'x'.repeat(50) }));
      assert.equal(foreignPatch.statusCode, 404);
      assert.equal(foreignPatch.body.code, 'NOT_FOUND');
      const head = await tusFetch(loc, { method: 'HEAD', token: pro.accessToken });
      assert.equal(head.headers.get('upload-offset'), '0', 'the foreign PATCH wrote nothing');
      assert.equal((await tusFetch(loc, { method: 'DELETE', token: pro.accessToken })).status, 204);

      const [a, b] = await Promise.all([noisyPng(600, 21), noisyPng(600, 22)]);
      const [ra, rb] = await Promise.all([
        tusUpload(a!, { endpoint: endpoint(), token: pro.accessToken, chunkSize: 256 * 1024, metadata: { filename: 'a.png' } }),
        tusUpload(b!, { endpoint: endpoint(), token: other.accessToken, chunkSize: 256 * 1024, metadata: { filename: 'b.png' } }),
      ]);
      const owner = async (id: string) => (await db().selectFrom('images').select('userId').where('id', '=', id).executeTakeFirstOrThrow()).userId;
      assert.equal(await owner(ra.finalHeaders['x-picora-resource-id']!), pro.userId);
      assert.equal(await owner(rb.finalHeaders['x-picora-resource-id']!), other.userId);
      for (const s of [pro, other]) await assertClean(s, 'parallel');
    });

    it('a refused file (not an image) releases everything: no image, no object, no reservation, no usage', async () => {
      const before = await usage(trial);
      const junk = randomBytes(300 * 1024);
      await assert.rejects(
        tusUpload(junk, { endpoint: endpoint(), token: trial.accessToken, chunkSize: 128 * 1024, metadata: { filename: 'fake.png', resourceType: 'image' } }),
        (err: tus.DetailedError) => {
          assert.equal(err.originalResponse?.getStatus(), 422);
          const body = JSON.parse(err.originalResponse?.getBody() ?? '{}') as { code: string };
          assert.equal(body.code, 'INVALID_FILE_TYPE');
          return true;
        },
      );
      assert.deepEqual(await usage(trial), before);
      await assertClean(trial, 'refused file');
      const failed = await db().selectFrom('tusUploads').select('state').where('userId', '=', trial.userId).where('state', '=', 'failed').execute();
      assert.equal(failed.length, 1);
      const keys: string[] = [];
      for await (const k of t.deps.blobs.list(`images/${trial.userId}/`)) keys.push(k);
      const rows = await db().selectFrom('images').select('id').where('userId', '=', trial.userId).execute();
      assert.equal(keys.length, rows.length, 'no orphan object beside the images that exist');
    });

    it('a video uploaded through tus becomes a video with its transcode job; media storage counted once', async () => {
      const avi = await bigAvi(2);
      const size = (await stat(avi)).size;
      const { finalHeaders } = await tusUpload(avi, { endpoint: endpoint(), token: other.accessToken, size, chunkSize: 1024 * 1024, metadata: { filename: 'clip.avi', resourceType: 'video', title: 'Clip' } });
      assert.equal(finalHeaders['x-picora-resource-type'], 'video');
      const videoId = finalHeaders['x-picora-resource-id']!;
      const res = await t.app.inject({ method: 'GET', url: `/v1/videos/${videoId}`, headers: bearer(other.accessToken) });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(json(res).data.title, 'Clip');
      assert.equal(json(res).data.sizeBytes, size);
      const jobs = await db().selectFrom('jobs').select(['queue', 'payload']).where('queue', '=', 'video.transcode').execute();
      if (t.deps.jobs.backend === 'table') assert.ok(jobs.some((j) => String(j.payload).includes(videoId)), 'a transcode job was enqueued with the row');
      assert.deepEqual({ bytes: (await usage(other)).media, count: (await usage(other)).mediaCount }, { bytes: size, count: 1 });
      await assertClean(other, 'video');
    });

    it(`a ${c.backend.store === 'local' ? 200 : BIG_S3_MB} MB video cut off mid-way resumes from the server's offset and lands whole`, async () => {
      const mb = c.backend.store === 'local' ? 200 : BIG_S3_MB;
      const avi = await bigAvi(mb);
      const size = (await stat(avi)).size;
      const opts = { endpoint: endpoint(), token: pro.accessToken, size, chunkSize: 64 * MB, metadata: { filename: 'big.avi', resourceType: 'video' } };
      const url = await cutOffUpload(avi, { ...opts, cutAt: Math.floor(size * 0.45) });
      const head = await tusFetch(url, { method: 'HEAD', token: pro.accessToken });
      assert.equal(head.status, 200);
      const offset = Number(head.headers.get('upload-offset'));
      assert.ok(offset > 0 && offset < size, `the server kept part of the upload (${offset} of ${size})`);
      assert.equal((await usage(pro)).media, size, 'the whole length stays reserved while the upload is paused');
      const patchOffsets: string[] = [];
      const { finalHeaders } = await new Promise<{ finalHeaders: Record<string, string> }>((resolve, reject) => {
        const upload = new tus.Upload(createReadStream(avi), {
          ...opts, uploadUrl: `${base}${new URL(url).pathname}`, headers: bearer(pro.accessToken), uploadSize: size, retryDelays: null,
          onBeforeRequest: (req) => void (req.getMethod() === 'PATCH' && patchOffsets.push(req.getHeader('Upload-Offset') ?? '')),
          onAfterResponse: (_req, res) => {
            if (res.getHeader('x-picora-resource-id')) resolve({ finalHeaders: { id: res.getHeader('x-picora-resource-id')!, type: res.getHeader('x-picora-resource-type')! } });
          },
          onError: reject,
        });
        upload.start();
      });
      assert.equal(patchOffsets[0], String(offset), 'the resumed upload starts at the server offset, not at 0');
      assert.equal(finalHeaders['type'], 'video');
      const row = await db().selectFrom('videos').selectAll().where('id', '=', finalHeaders['id']!).executeTakeFirstOrThrow();
      assert.equal(row.sizeBytes, size);
      const hash = createHash('sha256');
      for await (const chunk of createReadStream(avi)) hash.update(chunk as Buffer);
      assert.equal(row.sha256, hash.digest('hex'), 'the stored file is the file that was sent');
      assert.equal((await t.deps.blobs.head(storageKeys.videoOriginal(pro.userId, row.id)))?.size, size);
      const u = await usage(pro);
      assert.deepEqual({ bytes: u.media, count: u.mediaCount }, { bytes: size, count: 1 });
      await assertClean(pro, 'big upload');
      await rm(avi, { force: true });
    });

    it('audio through tus becomes a ready audio item (pro); a trial account is refused at creation', async () => {
      const wav = path.join(scratch, `tone-${c.backend.db}.wav`);
      await run(testBins.ffmpeg, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=22050', '-t', '2', '-f', 'wav', wav], { timeout: 60_000 });
      const size = (await stat(wav)).size;
      const refused = await asJson(await create(trial.accessToken, size, { resourceType: 'audio', filename: 'tone.wav' }));
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.body.code, 'PLAN_REQUIRED');
      const before = await usage(other);
      const { finalHeaders } = await tusUpload(await readFile(wav), { endpoint: endpoint(), token: other.accessToken, chunkSize: 32 * 1024, metadata: { filename: 'tone.wav', resourceType: 'audio', title: 'Tone' } });
      assert.equal(finalHeaders['x-picora-resource-type'], 'audio');
      const res = await t.app.inject({ method: 'GET', url: `/v1/audio/${finalHeaders['x-picora-resource-id']}`, headers: bearer(other.accessToken) });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(json(res).data.title, 'Tone');
      assert.equal(json(res).data.status, 'ready');
      const u = await usage(other);
      assert.deepEqual({ bytes: u.media - before.media, count: u.mediaCount - before.mediaCount }, { bytes: size, count: 1 });
      await assertClean(other, 'audio');
    });

    it('an upload past its expiry answers 404 and is swept: quota back, bytes removed, session expired', async () => {
      const before = await usage(pro);
      const png = await noisyPng(400, 31);
      const url = await cutOffUpload(png, { endpoint: endpoint(), token: pro.accessToken, chunkSize: 64 * 1024, cutAt: 100 * 1024, metadata: { filename: 'late.png' } });
      const id = idOf(url);
      assert.equal((await usage(pro)).img, before.img + png.length, 'the whole length is reserved');
      assert.ok((await tusNames()).length > 0);
      t.clock.advance(61_000);
      assert.equal((await tusFetch(url, { method: 'HEAD', token: pro.accessToken })).status, 404);
      const patch = await tusFetch(url, { method: 'PATCH', token: pro.accessToken, headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' }, body: 'x' });
      assert.equal(patch.status, 404);
      assert.equal(await t.deps.resumableUploads.sweep(), 1);
      assert.equal((await session(id))?.state, 'expired');
      assert.deepEqual(await usage(pro), before);
      await assertClean(pro, 'expired');
      assert.equal(await t.deps.resumableUploads.sweep(), 0, 'swept once');
    });
  });
}
