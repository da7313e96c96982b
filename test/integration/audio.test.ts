// Audio (issue 10, SPEC §9) on SQLite + local and PostgreSQL + S3, with real files made by ffmpeg: MP3 (ID3 APIC),
// FLAC (PICTURE), M4A (covr), WAV and OGG become ready audio at once, with metadata and a clean re-encoded cover
// (or the format's default); refusals (by bytes, plan, size, duration, quota) leave no row, object, spool file,
// usage or reservation behind; the library (GET/PATCH/DELETE with a tombstone), the media host (ranges 206/416,
// validators, private files by owner or signed link, media bandwidth), /v1/media and the sync feed.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { LightMyRequestResponse } from 'fastify';
import { storageKeys } from '../../src/storage/keys.js';
import type { PlanRow } from '../../src/db/schema.js';
import { bearer, registerUser, startTestApp, type Session, type TestApp } from '../support/app.js';
import { generateAudio, type AudioClip } from '../support/audio-clips.js';
import { uploadBody } from '../support/multipart.js';
import { isCI } from '../support/services.js';
import { failingStore, swapPut } from '../support/failing-store.js';
import { createUsageRepo } from '../../src/db/repos/usage.repo.js';
import { newId } from '../../src/lib/ids.js';
import { Readable } from 'node:stream';
import { ffmpegAvailable } from '../support/video-clips.js';
import { backendCases, conforms } from './suites/media.support.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (res: { json(): unknown }) => res.json() as Record<string, any>;

type Audio = {
  id: string; type: 'audio'; url: string; filename: string; sizeBytes: number; mimeType: string; title: string; thumbnailUrl: string;
  durationSeconds: number | null; bitrate: number | null; artist: string | null; album: string | null; status: 'ready'; isPublic: boolean;
  createdAt: string; updatedAt: string;
};

/** An ID3v2.3 tag holding one APIC frame (front cover) with these bytes, to put in front of MPEG frames. */
function id3WithPicture(mime: string, picture: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from([0]), Buffer.from(`${mime}\0`, 'latin1'), Buffer.from([3]), Buffer.from([0]), picture]);
  const frame = Buffer.concat([Buffer.from('APIC', 'latin1'), Buffer.alloc(4), Buffer.from([0, 0]), body]);
  frame.writeUInt32BE(body.length, 4);
  const size = frame.length;
  const syncsafe = Buffer.from([(size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f]);
  return Buffer.concat([Buffer.from('ID3\x03\0\0', 'latin1'), syncsafe, frame]);
}

const ffmpeg = await ffmpegAvailable();
if (!ffmpeg && isCI) throw new Error('ffmpeg is missing (CI=true: the audio tests must run)');

const FILES: Array<{ kind: AudioClip; name: string; mime: string; ext: string; cover: boolean }> = [
  { kind: 'mp3Cover', name: 'song.mp3', mime: 'audio/mpeg', ext: 'mp3', cover: true },
  { kind: 'flacCover', name: 'song.flac', mime: 'audio/flac', ext: 'flac', cover: true },
  { kind: 'm4aCover', name: 'song.m4a', mime: 'audio/mp4', ext: 'm4a', cover: true },
  { kind: 'wav', name: 'tone.wav', mime: 'audio/wav', ext: 'wav', cover: false },
  { kind: 'ogg', name: 'tone.ogg', mime: 'audio/ogg', ext: 'ogg', cover: false },
  { kind: 'mp3Plain', name: 'plain.mp3', mime: 'audio/mpeg', ext: 'mp3', cover: false },
];

for (const c of await backendCases()) {
  describe(`audio (${c.name})`, { skip: c.skip ?? (ffmpeg ? undefined : 'ffmpeg missing'), timeout: 180_000 }, () => {
    let t: TestApp;
    let a: Session;
    let b: Session;
    let trial: Session;
    const uploaded: Audio[] = [];

    before(async () => {
      t = await startTestApp(c.backend, { s3: c.s3 });
      a = await registerUser(t);
      b = await registerUser(t);
      trial = await registerUser(t);
      for (const s of [a, b]) await t.deps.db.db.updateTable('users').set({ plan: 'pro' }).where('id', '=', s.userId).execute();
    });
    after(async () => t?.close());

    const post = async (s: Session, data: Buffer, filename: string, fields: Record<string, string> = {}) => {
      const body = uploadBody(data, filename, fields);
      return t.app.inject({ method: 'POST', url: '/v1/audio', headers: { ...bearer(s.accessToken), ...body.headers }, payload: body.payload });
    };
    const fileOf = async (kind: AudioClip) => readFile(await generateAudio(kind));
    const media = (url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') => {
      const u = new URL(url);
      return t.app.inject({ method, url: `${u.pathname}${u.search}`, headers });
    };
    const objects = async (userId: string) => {
      const keys: string[] = [];
      for await (const k of t.deps.blobs.list(storageKeys.userAudioPrefix(userId))) keys.push(k);
      return keys;
    };
    const mediaUsage = async (userId: string) => {
      const r = await t.deps.db.db.selectFrom('userUsage').selectAll().where('userId', '=', userId).executeTakeFirst();
      return { bytes: Number(r?.mediaStorageBytes ?? 0), count: Number(r?.mediaCount ?? 0) };
    };
    const spoolFiles = async () => (await readdir(path.join(t.dataDir, 'tmp', 'uploads')).catch(() => [] as string[]));
    async function withProPlan<T>(patch: Partial<Omit<PlanRow, 'id'>>, run: () => Promise<T>): Promise<T> {
      const before_ = await t.deps.db.db.selectFrom('plans').selectAll().where('id', '=', 'pro').executeTakeFirstOrThrow();
      await t.deps.db.db.updateTable('plans').set(patch).where('id', '=', 'pro').execute();
      try {
        return await run();
      } finally {
        await t.deps.db.db.updateTable('plans').set(before_).where('id', '=', 'pro').execute();
      }
    }

    it('MP3, FLAC, M4A, WAV, OGG: 201 ready with metadata, the cover re-encoded (≤ 512 px, no metadata) or the default one', async () => {
      let total = 0;
      for (const f of FILES) {
        const data = await fileOf(f.kind);
        const res = await post(a, data, f.name, f.kind === 'flacCover' ? { title: 'My own title' } : {});
        assert.equal(res.statusCode, 201, `${f.kind}: ${res.body}`);
        conforms('POST', '/v1/audio', res);
        const d = json(res).data as Audio;
        uploaded.push(d);
        total += data.length;
        assert.equal(d.type, 'audio');
        assert.equal(d.status, 'ready');
        assert.equal(d.mimeType, f.mime, f.kind);
        assert.equal(d.sizeBytes, data.length);
        assert.equal(d.filename, f.name);
        assert.equal(d.isPublic, true);
        assert.equal(d.durationSeconds, 2, `${f.kind} duration`);
        assert.ok(d.bitrate && d.bitrate > 8, `${f.kind} bitrate ${d.bitrate}`);
        assert.match(d.id, /^[A-Za-z0-9_-]{21}$/);
        assert.ok(d.url.endsWith(`/audio/${d.id}.${f.ext}`), d.url);
        assert.ok(d.thumbnailUrl.endsWith(`/audio-cover/${d.id}.jpg`), d.thumbnailUrl);
        const keys = await objects(a.userId);
        assert.ok(keys.includes(storageKeys.audioOriginal(a.userId, d.id)), `${f.kind}: original stored`);
        assert.equal(keys.includes(storageKeys.audioCover(a.userId, d.id)), f.cover, `${f.kind}: cover stored only when embedded`);
        const cover = await media(d.thumbnailUrl);
        assert.equal(cover.statusCode, 200, cover.body);
        assert.equal(cover.headers['content-type'], 'image/jpeg');
        const meta = await sharp(cover.rawPayload).metadata();
        assert.equal(meta.format, 'jpeg');
        if (f.cover) {
          assert.deepEqual([meta.width, meta.height], [512, 384], `${f.kind}: 800×600 cover fits 512 px`);
          assert.equal(meta.exif, undefined, 'no EXIF');
          assert.equal(meta.xmp, undefined, 'no XMP');
        } else {
          assert.deepEqual([meta.width, meta.height], [512, 512], `${f.kind}: the default cover`);
        }
      }
      const mp3 = uploaded[0]!;
      assert.deepEqual([mp3.title, mp3.artist, mp3.album], ['Tagged Title', 'Test Artist', 'Test Album'], 'ID3 tags');
      assert.equal(uploaded[1]!.title, 'My own title', 'the form title wins');
      assert.equal(uploaded[3]!.title, 'tone', 'no title anywhere: the file name without its extension');
      assert.deepEqual(await mediaUsage(a.userId), { bytes: total, count: FILES.length }, 'media_storage counts every original');
      const defaults = [uploaded[3]!, uploaded[4]!].map((d) => media(d.thumbnailUrl));
      const [wavCover, oggCover] = await Promise.all(defaults);
      assert.notEqual(wavCover!.headers.etag, oggCover!.headers.etag, 'one default cover per format');
    });

    it('refusals: trial 403 PLAN_REQUIRED; bytes that are not accepted audio, too long, too large, over quota → 4xx; nothing is left behind', async () => {
      const res = await post(trial, await fileOf('mp3Plain'), 'x.mp3');
      assert.deepEqual([res.statusCode, json(res).code, json(res).meta?.requiredPlan], [403, 'PLAN_REQUIRED', 'pro'], res.body);
      conforms('POST', '/v1/audio', res);

      const c2 = await registerUser(t);
      await t.deps.db.db.updateTable('users').set({ plan: 'pro' }).where('id', '=', c2.userId).execute();
      const expect = async (r: LightMyRequestResponse, status: number, code: string, message?: RegExp) => {
        assert.deepEqual([r.statusCode, json(r).code], [status, code], r.body);
        if (message) assert.match(json(r).error as string, message);
        assert.ok(r.statusCode < 500);
      };
      await expect(await post(c2, Buffer.from('this is a text file pretending to be an mp3\n'.repeat(20)), 'fake.mp3'), 422, 'INVALID_FILE_TYPE', /Audio MIME not supported: text\/plain/);
      await expect(await post(c2, await fileOf('adts'), 'tone.mp3'), 422, 'INVALID_FILE_TYPE', /Audio MIME not supported: audio\/aac/);
      await expect(await post(c2, await readFile(new URL('../fixtures/photo.jpg', import.meta.url)), 'photo.mp3'), 422, 'INVALID_FILE_TYPE', /image\/jpeg/);
      await expect(await post(c2, await fileOf('video'), 'clip.m4a'), 422, 'INVALID_FILE_TYPE', /video track/);
      // an ID3 tag followed by noise: sniffed as MP3, not playable
      const noise = Buffer.alloc(20_000);
      for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919) & 0xff;
      const bogus = await post(c2, Buffer.concat([Buffer.from('ID3\x03\0\0\0\0\0\x0a'), Buffer.alloc(10), noise]), 'noise.mp3');
      assert.equal(bogus.statusCode, 422, bogus.body);
      // a flac header and nothing after it: no duration
      const stub = await post(c2, Buffer.from('fLaC'), 'stub.flac');
      assert.equal(stub.statusCode, 422, stub.body);
      await expect(await post(c2, Buffer.alloc(0), 'empty.mp3'), 422, 'VALIDATION_ERROR');
      const tooLong = await withProPlan({ maxAudioSeconds: 1 }, async () => post(c2, await fileOf('wav'), 'long.wav'));
      await expect(tooLong, 422, 'VALIDATION_ERROR', /2 s long; your plan allows audio up to 1 s/);
      assert.equal(json(tooLong).meta.field, 'file');
      const tooBig = await withProPlan({ maxAudioBytes: 50_000 }, async () => post(c2, await fileOf('wav'), 'big.wav'));
      await expect(tooBig, 422, 'FILE_TOO_LARGE', /maximum allowed size/);
      const full = await withProPlan({ mediaStorageBytes: 1000 }, async () => post(c2, await fileOf('mp3Cover'), 'full.mp3'));
      await expect(full, 403, 'QUOTA_EXCEEDED');
      assert.equal(json(full).meta.type, 'media_storage');
      await expect(await post(c2, await fileOf('wav'), 'x.wav', { isPublic: 'maybe' }), 422, 'VALIDATION_ERROR');
      await expect(await post(c2, await fileOf('wav'), 'x.wav', { title: 'x'.repeat(256) }), 422, 'VALIDATION_ERROR');
      const noFile = await t.app.inject({ method: 'POST', url: '/v1/audio', headers: bearer(c2.accessToken), payload: { title: 'x' } });
      assert.equal(noFile.statusCode, 400, noFile.body);

      assert.deepEqual(await t.deps.db.db.selectFrom('audio').select('id').where('userId', '=', c2.userId).execute(), [], 'no row');
      assert.deepEqual(await objects(c2.userId), [], 'no stored object');
      assert.deepEqual(await objects(trial.userId), [], 'no stored object (trial)');
      assert.deepEqual(await spoolFiles(), [], 'no spool file');
      assert.deepEqual(await mediaUsage(c2.userId), { bytes: 0, count: 0 }, 'no media usage');
      const reservations = await t.deps.db.db.selectFrom('quotaReservations').select('id').where('userId', '=', c2.userId).execute();
      assert.deepEqual(reservations, [], 'no reservation left');
    });

    it('hostile covers (a 50000² pixel bomb, an SVG with a script, garbage) are never decoded into the thumbnail: the default cover is used', async () => {
      const plain = await fileOf('mp3Plain');
      const fixture = (name: string) => readFile(new URL(`../fixtures/${name}`, import.meta.url));
      for (const [label, mime, picture] of [
        ['pixel bomb', 'image/png', await fixture('bomb-50000x50000.png')],
        ['svg', 'image/svg+xml', await fixture('hostile-script.svg')],
        ['garbage', 'image/jpeg', Buffer.alloc(3000, 0x5a)],
      ] as const) {
        const res = await post(a, Buffer.concat([id3WithPicture(mime, picture), plain]), `${label}.mp3`);
        assert.equal(res.statusCode, 201, `${label}: ${res.body}`);
        const d = json(res).data as Audio;
        assert.equal(d.durationSeconds, 2);
        assert.ok(!(await objects(a.userId)).includes(storageKeys.audioCover(a.userId, d.id)), `${label}: no cover stored`);
        const cover = await media(d.thumbnailUrl);
        assert.equal(cover.statusCode, 200);
        assert.deepEqual([(await sharp(cover.rawPayload).metadata()).width], [512], `${label}: the default cover`);
        assert.equal((await t.app.inject({ method: 'DELETE', url: `/v1/audio/${d.id}`, headers: bearer(a.accessToken) })).statusCode, 204);
      }
      // the control: the same hand-made tag with a sound PNG does give a stored cover
      const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#123456' } }).png().toBuffer();
      const ok = json(await post(a, Buffer.concat([id3WithPicture('image/png', png), plain]), 'sound.mp3')).data as Audio;
      assert.ok((await objects(a.userId)).includes(storageKeys.audioCover(a.userId, ok.id)), 'a sound cover is stored');
      assert.deepEqual([(await sharp((await media(ok.thumbnailUrl)).rawPayload).metadata()).width], [64], 'not enlarged');
      assert.equal((await t.app.inject({ method: 'DELETE', url: `/v1/audio/${ok.id}`, headers: bearer(a.accessToken) })).statusCode, 204);
    });

    it('a store that fails mid-write (the cover, or the original after the cover): 500 STORAGE_ERROR, no object, no row, usage back', async () => {
      const s = await registerUser(t);
      await t.deps.db.db.updateTable('users').set({ plan: 'pro' }).where('id', '=', s.userId).execute();
      const real = t.deps.blobs.put.bind(t.deps.blobs);
      const failing = failingStore(t.deps.blobs, 1000);
      const originalOnly: Parameters<typeof swapPut>[1] = { put: (key, body, o) => (key.endsWith('/original') ? failing.put(key, body, o) : real(key, body, o)) };
      for (const [label, store] of [['the cover write fails', failing], ['the original fails after the cover was stored', originalOnly]] as const) {
        const afterBytes = label;
        const undo = swapPut(t.deps.blobs, store);
        let res;
        try {
          res = await post(s, await fileOf('mp3Cover'), 'doomed.mp3');
        } finally {
          undo();
        }
        assert.deepEqual([res.statusCode, json(res).code], [500, 'STORAGE_ERROR'], res.body);
        assert.doesNotMatch(json(res).error as string, /s3|ECONN|127\.0\.0\.1|test:/i, 'no internals in the message');
        assert.deepEqual(await objects(s.userId), [], `${afterBytes}: no object`);
        assert.deepEqual(await t.deps.db.db.selectFrom('audio').select('id').where('userId', '=', s.userId).execute(), []);
        assert.deepEqual(await mediaUsage(s.userId), { bytes: 0, count: 0 });
        assert.deepEqual(await t.deps.db.db.selectFrom('quotaReservations').select('id').where('userId', '=', s.userId).execute(), []);
        assert.deepEqual(await spoolFiles(), []);
      }
      assert.equal((await post(s, await fileOf('mp3Cover'), 'fine.mp3')).statusCode, 201, 'the store works again');
    });

    it('an upload whose process died (reservation kind "audio", original and cover stored, no row): the sweep removes both and gives the quota back', async () => {
      const s = await registerUser(t);
      const id = newId();
      const now = Date.now();
      const day = new Date(now).toISOString().slice(0, 10);
      const reserved = await createUsageRepo(t.deps.db.db).reserveUpload(
        s.userId, 4321, { storageBytes: 1e12, uploadsPerDay: 1000 }, day, day.slice(0, 7), { id, kind: 'audio', createdAt: now - 10_000, expiresAt: now - 1 },
      );
      assert.equal(reserved.ok, true);
      assert.deepEqual(await mediaUsage(s.userId), { bytes: 4321, count: 1 });
      for (const key of [storageKeys.audioOriginal(s.userId, id), storageKeys.audioCover(s.userId, id)]) await t.deps.blobs.put(key, Readable.from([Buffer.from('half an upload')]));
      assert.equal((await objects(s.userId)).length, 2);
      assert.ok((await t.deps.uploads.sweepAbandoned()) >= 1);
      assert.deepEqual(await objects(s.userId), [], 'both objects removed');
      assert.deepEqual(await mediaUsage(s.userId), { bytes: 0, count: 0 }, 'media storage given back');
      assert.equal(await t.deps.db.db.selectFrom('quotaReservations').select('id').where('id', '=', id).executeTakeFirst(), undefined, 'the reservation is forgotten');
    });

    it('GET / PATCH / DELETE: contract shapes, foreign and unknown ids, the quota and objects go with the delete', async () => {
      const d = uploaded[5]!; // plain.mp3
      const get = (s: Session, id = d.id) => t.app.inject({ url: `/v1/audio/${id}`, headers: bearer(s.accessToken) });
      const got = await get(a);
      assert.equal(got.statusCode, 200);
      conforms('GET', '/v1/audio/{id}', got);
      assert.deepEqual(json(got).data, d);

      const patch = (s: Session, payload: Record<string, unknown>, id = d.id) => t.app.inject({ method: 'PATCH', url: `/v1/audio/${id}`, headers: bearer(s.accessToken), payload });
      const p1 = await patch(a, { title: 'Renamed', is_public: false });
      assert.equal(p1.statusCode, 200, p1.body);
      conforms('PATCH', '/v1/audio/{id}', p1);
      assert.equal(json(p1).data, null);
      const after1 = json(await get(a)).data as Audio;
      assert.deepEqual([after1.title, after1.isPublic], ['Renamed', false]);
      assert.match(after1.url, /\?token=/, "a private file's owner gets a playable link");
      const noop = await patch(a, {});
      assert.equal(noop.statusCode, 200);
      assert.equal((json(await get(a)).data as Audio).updatedAt, after1.updatedAt, 'an empty PATCH changes nothing');
      assert.equal((await patch(a, { isPublic: true })).statusCode, 200);
      for (const bad of [{ title: 'x'.repeat(256) }, { title: '   ' }, { is_public: 'perhaps' }]) {
        const r = await patch(a, bad);
        assert.deepEqual([r.statusCode, json(r).code], [422, 'VALIDATION_ERROR'], JSON.stringify(bad));
      }

      // another account: 403 on everything, nothing changes; an unknown id: 404
      for (const r of [await get(b), await patch(b, { title: 'B was here' }), await t.app.inject({ method: 'DELETE', url: `/v1/audio/${d.id}`, headers: bearer(b.accessToken) })]) {
        assert.deepEqual([r.statusCode, json(r).code], [403, 'FORBIDDEN'], r.body);
      }
      const unknown = await get(a, 'KkVO6hcQTwBXgPTvb-_uE');
      assert.deepEqual([unknown.statusCode, json(unknown).code], [404, 'NOT_FOUND']);
      conforms('GET', '/v1/audio/{id}', unknown);
      assert.equal((json(await get(a)).data as Audio).title, 'Renamed');
      assert.equal((await t.app.inject({ url: `/v1/audio/${d.id}` })).statusCode, 401);

      const usage0 = await mediaUsage(a.userId);
      const del = await t.app.inject({ method: 'DELETE', url: `/v1/audio/${d.id}`, headers: bearer(a.accessToken) });
      assert.equal(del.statusCode, 204, del.body);
      assert.equal(del.body, '');
      assert.deepEqual(await mediaUsage(a.userId), { bytes: usage0.bytes - d.sizeBytes, count: usage0.count - 1 }, 'media storage released');
      assert.ok(!(await objects(a.userId)).some((k) => k.includes(d.id)), 'objects removed');
      assert.equal((await get(a)).statusCode, 404);
      assert.equal((await media(d.url)).statusCode, 404, 'the media URL 404s at once');
      const tomb = await t.deps.db.db.selectFrom('syncTombstones').selectAll().where('id', '=', d.id).executeTakeFirst();
      assert.equal(tomb?.type, 'audio', 'a sync tombstone was written');
      assert.equal((await t.app.inject({ method: 'DELETE', url: `/v1/audio/${d.id}`, headers: bearer(a.accessToken) })).statusCode, 404);
    });

    it('media host: bytes, Range 206 / 416, 304, HEAD; private by owner or signed link only; media bandwidth metered', async () => {
      const d = uploaded[0]!; // the MP3 with a cover
      const original = await fileOf('mp3Cover');
      const whole = await media(d.url);
      assert.equal(whole.statusCode, 200);
      assert.equal(whole.headers['content-type'], 'audio/mpeg');
      assert.equal(whole.headers['accept-ranges'], 'bytes');
      assert.ok(whole.rawPayload.equals(original), 'the stored bytes, as uploaded');
      const part = await media(d.url, { range: 'bytes=100-1099' });
      assert.equal(part.statusCode, 206);
      assert.equal(part.headers['content-range'], `bytes 100-1099/${original.length}`);
      assert.ok(part.rawPayload.equals(original.subarray(100, 1100)));
      const tail = await media(d.url, { range: 'bytes=-64' });
      assert.equal(tail.statusCode, 206);
      assert.ok(tail.rawPayload.equals(original.subarray(original.length - 64)));
      const open = await media(d.url, { range: `bytes=${original.length - 10}-` });
      assert.deepEqual([open.statusCode, open.rawPayload.length], [206, 10]);
      const past = await media(d.url, { range: `bytes=${original.length}-` });
      assert.equal(past.statusCode, 416);
      assert.equal(past.headers['content-range'], `bytes */${original.length}`);
      const notModified = await media(d.url, { 'if-none-match': String(whole.headers.etag) });
      assert.equal(notModified.statusCode, 304);
      const head = await media(d.url, {}, 'HEAD');
      assert.deepEqual([head.statusCode, Number(head.headers['content-length']), head.rawPayload.length], [200, original.length, 0]);
      const wrongExt = await media(d.url.replace(/\.mp3$/, '.flac'));
      assert.equal(wrongExt.statusCode, 404);
      assert.equal((await media(d.url.replace(d.id, 'KkVO6hcQTwBXgPTvb-_uE'))).statusCode, 404);

      // private: the owner or a signed link
      assert.equal((await t.app.inject({ method: 'PATCH', url: `/v1/audio/${d.id}`, headers: bearer(a.accessToken), payload: { isPublic: false } })).statusCode, 200);
      const bare = d.url;
      assert.deepEqual([(await media(bare)).statusCode, json(await media(bare)).code], [401, 'UNAUTHORIZED']);
      assert.equal((await media(d.thumbnailUrl)).statusCode, 401, 'the cover too');
      assert.deepEqual([(await media(bare, bearer(b.accessToken))).statusCode, json(await media(bare, bearer(b.accessToken))).code], [403, 'FORBIDDEN']);
      assert.equal((await media(`${bare}?token=${'1'.repeat(10)}.${'A'.repeat(43)}`)).statusCode, 403, 'a forged token');
      assert.equal((await media(bare, bearer(a.accessToken))).statusCode, 200, 'the owner');
      const mine = json(await t.app.inject({ url: `/v1/audio/${d.id}`, headers: bearer(a.accessToken) })).data as Audio;
      const viaOwnerLink = await media(mine.url, { range: 'bytes=0-9' });
      assert.equal(viaOwnerLink.statusCode, 206, "the owner's response carries a working link");
      assert.equal((await media(mine.thumbnailUrl)).statusCode, 200);
      const signed = await t.app.inject({ method: 'POST', url: `/v1/audio/${d.id}/sign`, headers: bearer(a.accessToken), payload: { expSeconds: 60 } });
      assert.equal(signed.statusCode, 200, signed.body);
      const link = json(signed).data.signedUrl as string;
      assert.equal((await media(link)).statusCode, 200);
      const other = uploaded[1]!; // the FLAC, made private for a moment: d's token does not open it
      assert.equal((await t.app.inject({ method: 'PATCH', url: `/v1/audio/${other.id}`, headers: bearer(a.accessToken), payload: { isPublic: false } })).statusCode, 200);
      const borrowed = await media(link.replace(d.id, other.id).replace('.mp3', '.flac'));
      assert.deepEqual([borrowed.statusCode, json(borrowed).code], [403, 'FORBIDDEN'], 'a token opens only its own file');
      assert.equal((await t.app.inject({ method: 'PATCH', url: `/v1/audio/${other.id}`, headers: bearer(a.accessToken), payload: { isPublic: true } })).statusCode, 200);
      t.clock.advance(61_000);
      const expired = await media(link);
      assert.deepEqual([expired.statusCode, json(expired).code], [403, 'FORBIDDEN']);
      assert.equal((await t.app.inject({ method: 'POST', url: `/v1/audio/${d.id}/sign`, headers: bearer(b.accessToken), payload: {} })).statusCode, 403);
      assert.equal((await t.app.inject({ method: 'PATCH', url: `/v1/audio/${d.id}`, headers: bearer(a.accessToken), payload: { isPublic: true } })).statusCode, 200);

      const usage = json(await t.app.inject({ url: '/v1/user/me/usage', headers: bearer(a.accessToken) })).data;
      assert.ok(usage.videos.bandwidthUsed >= original.length * 2, `media bandwidth counts audio bytes: ${JSON.stringify(usage.videos)}`);
      // past 120 % of the plan's media bandwidth: audio is refused too
      await withProPlan({ mediaBandwidthBytes: 1000 }, async () => {
        const refused = await media(d.url);
        assert.deepEqual([refused.statusCode, json(refused).code, json(refused).meta?.type], [403, 'QUOTA_EXCEEDED', 'media_bandwidth']);
      });
    });

    it('/v1/media?type=audio lists it; /v1/media/{id}; the sync feed shows the upsert and, after a delete, the delete', async () => {
      const list = await t.app.inject({ url: '/v1/media?type=audio&limit=100', headers: bearer(a.accessToken) });
      assert.equal(list.statusCode, 200, list.body);
      conforms('GET', '/v1/media', list);
      const items = json(list).data.items as Array<{ id: string; type: string; url: string; durationSeconds: number; bitrate: number; thumbnailUrl: string }>;
      const live = uploaded.slice(0, 5);
      assert.deepEqual(items.map((i) => i.id).sort(), live.map((u) => u.id).sort());
      assert.ok(items.every((i) => i.type === 'audio' && i.durationSeconds === 2 && i.bitrate > 0 && i.url.includes('/audio/') && i.thumbnailUrl.includes('/audio-cover/')));
      const mixed = json(await t.app.inject({ url: '/v1/media?limit=100', headers: bearer(a.accessToken) })).data.items as Array<{ type: string }>;
      assert.equal(mixed.filter((i) => i.type === 'audio').length, live.length);
      const searched = json(await t.app.inject({ url: '/v1/media?type=audio&q=tagged', headers: bearer(a.accessToken) })).data.items as Array<{ id: string }>;
      assert.deepEqual(searched.map((i) => i.id), [live[0]!.id], 'q searches the title');
      const one = await t.app.inject({ url: `/v1/media/${live[1]!.id}`, headers: bearer(a.accessToken) });
      assert.equal(one.statusCode, 200);
      conforms('GET', '/v1/media/{id}', one);
      assert.equal(json(one).data.type, 'audio');
      assert.equal((await t.app.inject({ url: '/v1/media?type=audio', headers: bearer(b.accessToken) })).json().data.items.length, 0, 'another account sees none');

      const feed = async () => {
        t.clock.advance(1001); // past the feed's settle window
        const res = await t.app.inject({ url: '/v1/sync/state?type=audio&limit=500', headers: bearer(a.accessToken) });
        assert.equal(res.statusCode, 200, res.body);
        conforms('GET', '/v1/sync/state', res);
        return json(res).data.changes as Array<{ op: string; type: string; id: string }>;
      };
      const before_ = await feed();
      const target = live[4]!;
      assert.ok(before_.some((ch) => ch.op === 'upsert' && ch.type === 'audio' && ch.id === target.id), 'the upsert is in the feed');
      const del = await t.app.inject({ method: 'DELETE', url: '/v1/media', headers: bearer(a.accessToken), payload: { items: [{ id: target.id, type: 'audio' }] } });
      assert.deepEqual(json(del).data, { deleted: [target.id], failed: [] });
      const after_ = await feed();
      assert.ok(after_.some((ch) => ch.op === 'delete' && ch.type === 'audio' && ch.id === target.id), 'the delete is in the feed');
      assert.ok(!after_.some((ch) => ch.op === 'upsert' && ch.id === target.id), 'and no upsert of it any more');
      assert.deepEqual(await mediaUsage(a.userId), {
        bytes: live.slice(0, 4).reduce((n, u) => n + u.sizeBytes, 0),
        count: 4,
      }, 'the unified delete released its media storage');
      assert.deepEqual((await t.deps.admin.reconcile(false)).filter((d) => d.userId === a.userId), [], 'reconcile counts audio rows: no drift');
      assert.deepEqual((await t.deps.admin.orphans()).filter((o) => o.userId === a.userId), [], 'no orphans');
      const stray = newId();
      await t.deps.blobs.put(storageKeys.audioOriginal(a.userId, stray), Readable.from([Buffer.from('stray')]));
      const found = (await t.deps.admin.orphans()).filter((o) => o.userId === a.userId);
      assert.deepEqual(found.map((o) => [o.kind, o.id]), [['audio', stray]], 'an audio object without its row is reported');
      await t.deps.blobs.delete(storageKeys.audioOriginal(a.userId, stray));
    });
  });
}
