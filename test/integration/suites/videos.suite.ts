// Videos end to end on one backend (issue 9): the plan gate, uploads judged by their bytes and probed, the
// transcode job (HLS ladder + poster, progress, ready), playback on the media host (public, private with a
// signed token carried into every URI, ranges, validators), bandwidth states (degraded, 451), the library
// (list, get, patch, delete with every object, custom poster), usage and reconcile. Run per backend by the
// videos.*.test.ts files.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { bearer, registerUser, startTestApp, type Backend, type Session, type TestApp } from '../../support/app.js';
import { multipart } from '../../support/multipart.js';
import type { S3TestConfig } from '../../support/s3.js';
import { generateClip, type ClipKind } from '../../support/video-clips.js';
import { storageKeys } from '../../../src/storage/keys.js';
import { json } from './images.suite.js';

const execFileP = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Video = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `formats`: also run the per-format cases (the media layer's behaviour, the same on every backend: run once). */
export function videosSuite(
  name: string, backend: Backend, s3?: () => S3TestConfig | undefined, skip?: string, extraEnv: () => Record<string, string> = () => ({}), formats = true,
): void {
  describe(`videos (${name})`, { skip }, () => {
    let t: TestApp;
    let pro: Session;
    let other: Session;
    let trial: Session;

    before(async () => {
      t = await startTestApp(backend, { s3: s3?.(), runJobs: true, env: { PICORA_JOBS_POLL_MS: '100', PICORA_TRANSCODE_THREADS: '2', ...extraEnv() } });
      pro = await registerUser(t);
      other = await registerUser(t);
      trial = await registerUser(t);
      for (const s of [pro, other]) await t.deps.db.db.updateTable('users').set({ plan: 'pro' }).where('id', '=', s.userId).execute();
    });
    after(async () => t?.close());

    async function post(token: string, kind: ClipKind | Buffer, fields: Record<string, string> = {}, filename?: string) {
      const data = Buffer.isBuffer(kind) ? kind : await readFile(await generateClip(kind));
      const parts = [...Object.entries(fields).map(([n, value]) => ({ name: n, value })), { name: 'file', filename: filename ?? `${Buffer.isBuffer(kind) ? 'clip' : kind}.mp4`, data }];
      const body = multipart(parts);
      return t.app.inject({ method: 'POST', url: '/v1/videos', headers: { ...body.headers, ...bearer(token) }, payload: body.payload });
    }

    async function waitFor(token: string, id: string, until: (v: Video) => boolean, ms = 90_000): Promise<{ final: Video; seen: number[] }> {
      const seen: number[] = [];
      const end = Date.now() + ms;
      for (;;) {
        const res = await t.app.inject({ method: 'GET', url: `/v1/videos/${id}/status`, headers: bearer(token) });
        assert.equal(res.statusCode, 200, res.body);
        const v = json(res).data as Video;
        if (typeof v.progress === 'number') seen.push(v.progress);
        if (until(v)) return { final: v, seen };
        if (Date.now() > end) assert.fail(`video ${id} did not settle: ${JSON.stringify(v)}`);
        await sleep(100);
      }
    }

    async function uploadReady(token: string, kind: ClipKind, fields: Record<string, string> = {}): Promise<Video> {
      const res = await post(token, kind, fields);
      assert.equal(res.statusCode, 202, res.body);
      const id = json(res).data.videoId as string;
      const { final } = await waitFor(token, id, (v) => v.status !== 'processing');
      assert.equal(final.status, 'ready', `${kind}: ${JSON.stringify(final)}`);
      const got = await t.app.inject({ method: 'GET', url: `/v1/videos/${id}`, headers: bearer(token) });
      return json(got).data as Video;
    }

    const media = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: new URL(url).pathname + new URL(url).search, headers });
    const keysOf = async (userId: string, id: string) => {
      const keys: string[] = [];
      for await (const k of t.deps.blobs.list(storageKeys.videoPrefix(userId, id))) keys.push(k);
      return keys;
    };

    it('trial → 403 PLAN_REQUIRED with meta.requiredPlan, before the body is read; nothing stored', async () => {
      const res = await post(trial.accessToken, 'landscape');
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(json(res).code, 'PLAN_REQUIRED');
      assert.equal(json(res).meta.requiredPlan, 'pro');
      const list = await t.app.inject({ method: 'GET', url: '/v1/videos', headers: bearer(trial.accessToken) });
      assert.deepEqual(json(list).data.videos, []);
    });

    it('upload → 202 {videoId, …}; progress 0–100 visible while processing; ready with an HLS ladder, poster and duration', async () => {
      const res = await post(pro.accessToken, 'landscape', { title: 'Trip', tags: '["a","b"]' }, 'trip.mp4');
      assert.equal(res.statusCode, 202, res.body);
      const d = json(res).data;
      assert.match(d.videoId, /^[A-Za-z0-9_-]{21}$/);
      assert.equal(d.id, d.videoId);
      assert.equal(d.status, 'processing');
      assert.equal(d.title, 'Trip');
      assert.equal(d.filename, 'trip.mp4');
      assert.ok(d.sizeBytes > 0);
      assert.ok(!Number.isNaN(Date.parse(d.createdAt)));
      const { final, seen } = await waitFor(pro.accessToken, d.videoId, (v) => v.status !== 'processing');
      assert.equal(final.status, 'ready', JSON.stringify(final));
      assert.ok(seen.every((p, i) => p >= 0 && p <= 100 && (i === 0 || p >= seen[i - 1]!)), `progress is monotonic in 0–100: ${seen.join(',')}`);
      assert.equal(final.progress, null, 'no progress once ready');
      assert.ok(final.durationSeconds >= 3 && final.durationSeconds <= 5, `duration ${final.durationSeconds}`);
      assert.match(final.playbackUrl, new RegExp(`/v/${d.videoId}/master\\.m3u8$`));

      const v = json(await t.app.inject({ method: 'GET', url: `/v1/videos/${d.videoId}`, headers: bearer(pro.accessToken) })).data as Video;
      assert.deepEqual(v.renditions, ['360p', '480p', '720p'], 'a 720p source gets 360p, 480p and 720p, never above its short side');
      assert.deepEqual(v.tags, ['a', 'b']);
      assert.equal(v.isPublic, true);

      const master = await media(v.playbackUrl);
      assert.equal(master.statusCode, 200);
      assert.equal(master.headers['content-type'], 'application/vnd.apple.mpegurl');
      const lines = master.body.split('\n');
      const inf = lines.filter((l) => l.startsWith('#EXT-X-STREAM-INF:'));
      assert.equal(inf.length, 3, master.body);
      for (const [i, rung] of ['360p', '480p', '720p'].entries()) {
        assert.match(inf[i]!, /BANDWIDTH=\d+/);
        assert.match(inf[i]!, /RESOLUTION=\d+x\d+/);
        assert.match(inf[i]!, /CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"/);
        assert.equal(lines[lines.indexOf(inf[i]!) + 1], `${rung}/index.m3u8`);
      }
      assert.match(inf[2]!, /RESOLUTION=1280x720/);
      const rung = await media(v.playbackUrl.replace('master.m3u8', '720p/index.m3u8'));
      assert.equal(rung.statusCode, 200);
      assert.match(rung.body, /#EXT-X-PLAYLIST-TYPE:VOD/);
      assert.match(rung.body, /#EXT-X-MAP:URI="init\.mp4"/);
      const durations = [...rung.body.matchAll(/#EXTINF:([\d.]+)/g)].map((m) => Number(m[1]));
      assert.ok(durations.length >= 1 && durations.every((x) => x <= 6.5), `segments of about 4–6 s: ${durations.join(',')}`);
      const seg = await media(v.playbackUrl.replace('master.m3u8', '720p/seg_000.m4s'));
      assert.equal(seg.statusCode, 200);
      assert.equal(seg.headers['content-type'], 'video/iso.segment');
      assert.equal(seg.headers['cache-control'], 'public, max-age=31536000, immutable');
      const etag = String(seg.headers['etag']);
      assert.equal((await media(v.playbackUrl.replace('master.m3u8', '720p/seg_000.m4s'), { 'if-none-match': etag })).statusCode, 304);
      const part = await media(v.playbackUrl.replace('master.m3u8', '720p/seg_000.m4s'), { range: 'bytes=0-99' });
      assert.equal(part.statusCode, 206);
      assert.equal(part.rawPayload.length, 100);
      assert.deepEqual(part.rawPayload, seg.rawPayload.subarray(0, 100));
      const poster = await media(v.thumbnailUrl);
      assert.equal(poster.statusCode, 200);
      assert.equal(poster.headers['content-type'], 'image/jpeg');
      assert.equal((await sharp(poster.rawPayload).metadata()).format, 'jpeg');
      assert.equal((await media(v.playbackUrl.replace('master.m3u8', '720p/../../x'))).statusCode, 404);
      assert.equal((await media(v.playbackUrl.replace('master.m3u8', '1080p/index.m3u8'))).statusCode, 404, 'a rung it does not have');
      assert.ok(!(await keysOf(pro.userId, d.videoId)).some((k) => k.includes('master')), 'the master is written per request, not stored');
    });

    it('a portrait clip scales by width; a 240p clip gets one rung; a clip without audio has no mp4a; WebM and AVI are taken', { skip: formats ? undefined : 'run on the SQLite backend' }, async () => {
      const portrait = await uploadReady(pro.accessToken, 'portrait');
      assert.deepEqual(portrait.renditions, ['360p', '480p', '720p']);
      const pm = await media(portrait.playbackUrl);
      assert.match(pm.body, /RESOLUTION=720x1280/);
      assert.match(pm.body, /RESOLUTION=360x640/);
      const small = await uploadReady(pro.accessToken, 'small240');
      assert.deepEqual(small.renditions, ['240p']);
      const silent = await uploadReady(pro.accessToken, 'noAudio');
      const sm = await media(silent.playbackUrl);
      assert.match(sm.body, /CODECS="avc1\.[0-9a-f]{6}"/);
      assert.doesNotMatch(sm.body, /mp4a/);
      for (const kind of ['webm', 'avi'] as const) {
        const v = await uploadReady(pro.accessToken, kind);
        assert.ok(v.renditions.length >= 1, kind);
      }
    });

    it('refusals: bytes that are not a video (whatever the name), audio only, too long, too large, corrupt — never a 5xx, nothing left', async () => {
      const before = await t.deps.db.db.selectFrom('userUsage').selectAll().where('userId', '=', pro.userId).executeTakeFirstOrThrow();
      const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#f00' } }).png().toBuffer();
      const liar = await post(pro.accessToken, png, {}, 'movie.mp4');
      assert.equal(liar.statusCode, 422, liar.body);
      assert.equal(json(liar).code, 'INVALID_FILE_TYPE');
      const audio = await post(pro.accessToken, 'nonVideo', {}, 'song.mp4');
      assert.equal(audio.statusCode, 422, audio.body);
      assert.equal(json(audio).code, 'INVALID_FILE_TYPE');
      const long = await post(pro.accessToken, 'long');
      assert.equal(long.statusCode, 422, long.body);
      assert.equal(json(long).code, 'VALIDATION_ERROR');
      assert.match(json(long).error, /31 min long; your plan allows videos up to 30 min/);
      const plan = await t.deps.db.db.selectFrom('plans').select('maxVideoBytes').where('id', '=', 'pro').executeTakeFirstOrThrow();
      await t.deps.db.db.updateTable('plans').set({ maxVideoBytes: 10_000 }).where('id', '=', 'pro').execute();
      try {
        const big = await post(pro.accessToken, 'landscape');
        assert.equal(big.statusCode, 422, big.body);
        assert.equal(json(big).code, 'FILE_TOO_LARGE');
      } finally {
        await t.deps.db.db.updateTable('plans').set(plan).where('id', '=', 'pro').execute();
      }
      const corrupt = await post(pro.accessToken, 'corrupt');
      assert.ok(corrupt.statusCode === 422 || corrupt.statusCode === 202, corrupt.body);
      if (corrupt.statusCode === 202) {
        const { final } = await waitFor(pro.accessToken, json(corrupt).data.videoId, (v) => v.status !== 'processing');
        assert.equal(final.status, 'failed');
        assert.match(final.error, /could not be/);
        await t.app.inject({ method: 'DELETE', url: `/v1/videos/${final.id}`, headers: bearer(pro.accessToken) });
      } else {
        assert.equal(json(corrupt).code, 'VALIDATION_ERROR');
      }
      const afterUsage = await t.deps.db.db.selectFrom('userUsage').selectAll().where('userId', '=', pro.userId).executeTakeFirstOrThrow();
      assert.equal(afterUsage.mediaStorageBytes, before.mediaStorageBytes, 'no media storage taken by refusals');
      assert.deepEqual(await t.deps.db.db.selectFrom('quotaReservations').selectAll().where('userId', '=', pro.userId).execute(), []);
    });

    it('private: anonymous 401, another account 403, the owner and the signed link play; the token is carried into every URI; tampered or expired → 403', async () => {
      const v = await uploadReady(pro.accessToken, 'small240', { isPublic: 'false' });
      const plain = `/v/${v.id}/master.m3u8`;
      assert.equal((await t.app.inject({ url: plain })).statusCode, 401);
      assert.equal((await t.app.inject({ url: plain, headers: bearer(other.accessToken) })).statusCode, 403);
      assert.equal((await t.app.inject({ url: plain, headers: bearer(pro.accessToken) })).statusCode, 200, 'the owner with credentials');
      assert.match(v.playbackUrl, /\?token=\d+\.[A-Za-z0-9_-]{43}$/, 'the owner is handed a signed URL');
      const signed = json(await t.app.inject({ method: 'POST', url: `/v1/videos/${v.id}/sign`, headers: bearer(pro.accessToken), payload: { expSeconds: 60 } })).data;
      const master = await media(signed.signedUrl);
      assert.equal(master.statusCode, 200, master.body);
      assert.equal(master.headers['cache-control'], 'private, no-cache');
      const token = new URL(signed.signedUrl).searchParams.get('token')!;
      const uris = master.body.split('\n').filter((l) => l && !l.startsWith('#'));
      assert.ok(uris.length >= 1 && uris.every((u) => u.endsWith(`?token=${token}`)), master.body);
      const base = signed.signedUrl.replace(/master\.m3u8.*$/, '');
      const rung = await media(base + uris[0]);
      assert.equal(rung.statusCode, 200);
      const rungName = uris[0]!.split('/')[0];
      const inner = [...rung.body.matchAll(/URI="([^"]+)"/g)].map((m) => m[1]!).concat(rung.body.split('\n').filter((l) => l && !l.startsWith('#')));
      assert.ok(inner.length >= 2 && inner.every((u) => u.endsWith(`?token=${token}`)), rung.body);
      for (const u of inner) assert.equal((await media(`${base}${rungName}/${u}`)).statusCode, 200, u);
      const seg = `${base}${rungName}/seg_000.m4s`;
      assert.equal((await media(seg)).statusCode, 401, 'a segment without the token');
      const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
      assert.equal((await media(`${seg}?token=${tampered}`)).statusCode, 403);
      // a real player over HTTP: ffmpeg's HLS demuxer reads the signed master, a rung and its segments (every URI
      // relative, carrying the token); without the token it gets nothing
      const origin = await t.app.listen({ host: '127.0.0.1', port: 0 });
      const signedPath = new URL(signed.signedUrl);
      const play = (url: string) => execFileP('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', url, '-map', '0:v:0', '-f', 'null', '-'], { timeout: 60_000 });
      await play(`${origin}${signedPath.pathname}${signedPath.search}`);
      await assert.rejects(play(`${origin}${signedPath.pathname}`), /401|Unauthorized|Invalid data|Server returned/i, 'no token: ffmpeg cannot open it');
      const otherVideo = await uploadReady(pro.accessToken, 'noAudio', { isPublic: 'false' });
      assert.equal((await media(`${base.replace(v.id, otherVideo.id)}master.m3u8?token=${token}`)).statusCode, 403, "a token of one video does not open another");
      t.clock.advance(61_000);
      const expired = await media(signed.signedUrl);
      assert.equal(expired.statusCode, 403);
      assert.match(json(expired).error, /expired/);
    });

    it('bandwidth: playback counts; 100–120 % → only the lowest rung (degraded); above 120 % → 451 VIDEO_SUSPENDED on playlists and status', async () => {
      const s = await registerUser(t);
      await t.deps.db.db.updateTable('users').set({ plan: 'pro_plus' }).where('id', '=', s.userId).execute();
      const v = await uploadReady(s.accessToken, 'landscape');
      const seg = await media(v.playbackUrl.replace('master.m3u8', '720p/seg_000.m4s'));
      const master = await media(v.playbackUrl);
      const served = seg.rawPayload.length + master.rawPayload.length;
      const plan = await t.deps.db.db.selectFrom('plans').select('mediaBandwidthBytes').where('id', '=', 'pro_plus').executeTakeFirstOrThrow();
      try {
        await t.deps.db.db.updateTable('plans').set({ mediaBandwidthBytes: Math.floor(served / 1.1) }).where('id', '=', 'pro_plus').execute();
        const degraded = await media(v.playbackUrl);
        assert.equal(degraded.statusCode, 200);
        assert.equal(degraded.body.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF')).length, 1, degraded.body);
        assert.match(degraded.body, /\n360p\/index\.m3u8/);
        const st = json(await t.app.inject({ url: `/v1/videos/${v.id}/status`, headers: bearer(s.accessToken) })).data;
        assert.equal(st.bandwidthState, 'degraded');
        assert.match(st.playbackUrl, /\/360p\/index\.m3u8$/);
        await t.deps.db.db.updateTable('plans').set({ mediaBandwidthBytes: Math.floor(served / 1.3) }).where('id', '=', 'pro_plus').execute();
        const suspended = await media(v.playbackUrl);
        assert.equal(suspended.statusCode, 451);
        assert.equal(json(suspended).code, 'VIDEO_SUSPENDED');
        const status = await t.app.inject({ url: `/v1/videos/${v.id}/status`, headers: bearer(s.accessToken) });
        assert.equal(status.statusCode, 451);
        assert.equal(json(status).code, 'VIDEO_SUSPENDED');
      } finally {
        await t.deps.db.db.updateTable('plans').set(plan).where('id', '=', 'pro_plus').execute();
      }
      await t.deps.bandwidth.flush();
      const usage = json(await t.app.inject({ url: '/v1/user/me/usage', headers: bearer(s.accessToken) })).data;
      assert.ok(usage.videos.storageUsed > 0 && usage.videos.bandwidthUsed >= served, JSON.stringify(usage));
    });

    it('library: list with cursor, get, patch, custom poster, delete removes every object and frees the quota', async () => {
      const s = await registerUser(t);
      await t.deps.db.db.updateTable('users').set({ plan: 'pro' }).where('id', '=', s.userId).execute();
      const a = await uploadReady(s.accessToken, 'small240', { title: 'first' });
      t.clock.advance(1000); // newest first: b is a second younger
      const b = await uploadReady(s.accessToken, 'small240', { title: 'second' });
      const page1 = json(await t.app.inject({ url: '/v1/videos?limit=1', headers: bearer(s.accessToken) })).data;
      assert.deepEqual(page1.videos.map((x: Video) => x.id), [b.id]);
      assert.equal(page1.hasMore, true);
      const page2 = json(await t.app.inject({ url: `/v1/videos?limit=1&cursor=${page1.nextCursor}`, headers: bearer(s.accessToken) })).data;
      assert.deepEqual(page2.videos.map((x: Video) => x.id), [a.id]);
      assert.equal(page2.nextCursor, null);
      assert.equal((await t.app.inject({ url: '/v1/videos?cursor=bogus', headers: bearer(s.accessToken) })).statusCode, 400);
      assert.equal((await t.app.inject({ url: `/v1/videos/${a.id}`, headers: bearer(pro.accessToken) })).statusCode, 403);
      assert.equal((await t.app.inject({ url: '/v1/videos/AAAAAAAAAAAAAAAAAAAAA', headers: bearer(s.accessToken) })).statusCode, 404);

      const patched = await t.app.inject({ method: 'PATCH', url: `/v1/videos/${a.id}`, headers: bearer(s.accessToken), payload: { title: 'renamed', is_public: false, tags: ['x'] } });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.deepEqual(json(patched), { success: true, data: null });
      const got = json(await t.app.inject({ url: `/v1/videos/${a.id}`, headers: bearer(s.accessToken) })).data;
      assert.deepEqual([got.title, got.isPublic, got.tags], ['renamed', false, ['x']]);
      assert.equal((await t.app.inject({ method: 'PATCH', url: `/v1/videos/${a.id}`, headers: bearer(s.accessToken), payload: { title: '  ' } })).statusCode, 422);

      const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#0a0' } }).png().toBuffer();
      const body = multipart([{ name: 'file', filename: 'poster.png', data: png }]);
      const thumb = await t.app.inject({ method: 'POST', url: `/v1/videos/${a.id}/thumbnail`, headers: { ...body.headers, ...bearer(s.accessToken) }, payload: body.payload });
      assert.equal(thumb.statusCode, 200, thumb.body);
      const withPoster = json(thumb).data;
      assert.match(withPoster.thumbnailUrl, /poster\.jpg\?v=1&token=/);
      const poster = await media(withPoster.thumbnailUrl);
      assert.equal(poster.statusCode, 200);
      const meta = await sharp(poster.rawPayload).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 300, 200]);
      const notImage = multipart([{ name: 'file', filename: 'x.png', data: Buffer.from('not an image at all') }]);
      const bad = await t.app.inject({ method: 'POST', url: `/v1/videos/${a.id}/thumbnail`, headers: { ...notImage.headers, ...bearer(s.accessToken) }, payload: notImage.payload });
      assert.equal(bad.statusCode, 422, bad.body);

      const usageBefore = await t.deps.db.db.selectFrom('userUsage').selectAll().where('userId', '=', s.userId).executeTakeFirstOrThrow();
      assert.equal(usageBefore.mediaStorageBytes, a.sizeBytes + b.sizeBytes);
      assert.ok((await keysOf(s.userId, a.id)).length > 3);
      const del = await t.app.inject({ method: 'DELETE', url: `/v1/videos/${a.id}`, headers: bearer(s.accessToken) });
      assert.deepEqual(json(del), { success: true, data: null });
      assert.deepEqual(await keysOf(s.userId, a.id), [], 'original, playlists, segments and poster are gone');
      assert.equal((await t.app.inject({ url: `/v1/videos/${a.id}`, headers: bearer(s.accessToken) })).statusCode, 404);
      assert.equal((await media(a.playbackUrl)).statusCode, 404);
      const usageAfter = await t.deps.db.db.selectFrom('userUsage').selectAll().where('userId', '=', s.userId).executeTakeFirstOrThrow();
      assert.deepEqual([usageAfter.mediaStorageBytes, usageAfter.mediaCount], [b.sizeBytes, 1]);
      assert.deepEqual((await t.deps.admin.reconcile(false)).filter((d) => d.userId === s.userId), [], 'no drift');
      assert.deepEqual((await t.deps.admin.orphans()).filter((o) => o.userId === s.userId), [], 'no orphans');
    });

    it('deleting while the transcode runs is safe: nothing of the video is left once the job ends', async () => {
      const res = await post(pro.accessToken, 'landscape');
      assert.equal(res.statusCode, 202);
      const id = json(res).data.videoId as string;
      await waitFor(pro.accessToken, id, (v) => v.status !== 'processing' || (v.progress ?? 0) > 0);
      const started = Date.now();
      const ready = await t.app.inject({ url: '/ready' });
      assert.equal(ready.statusCode, 200, `/ready is not held up by a running transcode: ${ready.body}`);
      assert.ok(Date.now() - started < 1000, `/ready answered in ${Date.now() - started} ms during a transcode`);
      const del = await t.app.inject({ method: 'DELETE', url: `/v1/videos/${id}`, headers: bearer(pro.accessToken) });
      assert.equal(del.statusCode, 200);
      const end = Date.now() + 60_000;
      for (;;) {
        const job = await t.deps.jobs.find('video.transcode', `transcode-${id}`);
        if (!job || (job.state !== 'queued' && job.state !== 'active')) break;
        if (Date.now() > end) assert.fail('the transcode job did not end');
        await sleep(100);
      }
      await sleep(500);
      assert.deepEqual(await keysOf(pro.userId, id), []);
    });
  });
}
