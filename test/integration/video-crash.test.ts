// A REAL server killed with SIGKILL in the middle of a transcode (issue 9): after a restart on the same data
// folder the job is claimed again once its lease runs out, the video reaches `ready`, and the store holds
// exactly the objects the final playlists name (plus the original and the poster) — no duplicate, no orphan.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { createDb, type DbHandle } from '../../src/db/db.js';
import { createBlobStore } from '../../src/storage/create-store.js';
import type { BlobStore } from '../../src/storage/blob-store.js';
import { storageKeys } from '../../src/storage/keys.js';
import { multipart } from '../support/multipart.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { isCI } from '../support/services.js';
import { ffmpegAvailable } from '../support/video-clips.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const ffmpeg = await ffmpegAvailable();
if (!ffmpeg && isCI) throw new Error('ffmpeg is missing (CI=true: the video crash test must run)');

describe('kill -9 in the middle of a transcode', { skip: ffmpeg ? undefined : 'ffmpeg missing', timeout: 240_000 }, () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  let server: ServerProcess | undefined;
  after(async () => {
    await server?.stop(2_000);
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it('the restarted server runs the job again and the video is ready with no duplicate or orphan objects', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'picora-vcrash-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    // a clip long enough that the kill lands mid-transcode (a few seconds of ffmpeg work on one thread)
    const clip = path.join(dataDir, 'clip.mp4');
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=854x480:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440',
      '-t', '16', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip]);
    const env = {
      PICORA_DATA_DIR: dataDir, PICORA_JOBS_LEASE_MS: '3000', PICORA_JOBS_POLL_MS: '200', PICORA_TRANSCODE_THREADS: '1',
      PICORA_RATE_READ_PER_MIN: '1000000', PICORA_RATE_UPLOAD_PER_MIN: '100000', PICORA_RATE_MUTATION_PER_MIN: '100000', PICORA_RATE_AUTH_PER_MIN: '100000',
    };
    const config = loadConfig(env);
    const db: DbHandle = createDb(config.database);
    cleanups.push(() => db.close());
    server = await startServerProcess(env, { label: 'first server' });
    const blobs: BlobStore = await createBlobStore(config.storage);
    cleanups.push(() => blobs.close());
    const logs = () => `\n--- server ---\n${server?.output().slice(-4000) ?? ''}`;
    const call = async (method: string, pathname: string, token?: string, body?: unknown): Promise<{ status: number; body: Json }> => {
      const init: RequestInit = { method, headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(30_000) };
      if (body !== undefined) {
        init.body = JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] = 'application/json';
      }
      const res = await server!.fetch(pathname, init);
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
    };

    const email = `vcrash-${Date.now()}@example.com`;
    assert.equal((await call('POST', '/v1/auth/send-code', undefined, { email, type: 'register' })).status, 200, logs());
    const mails = (await readFile(path.join(dataDir, 'outbox.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { to: string; text: string });
    const code = /\b(\d{6})\b/.exec(mails.filter((m) => m.to === email).pop()?.text ?? '')?.[1];
    const reg = await call('POST', '/v1/auth/register', undefined, { email, password: 'correct-horse-1', code });
    assert.equal(reg.status, 201, JSON.stringify(reg.body) + logs());
    const token = reg.body.data.accessToken as string;
    const userId = reg.body.data.user.id as string;
    await db.db.updateTable('users').set({ plan: 'pro' }).where('id', '=', userId).execute();

    const form = multipart([{ name: 'file', filename: 'long.mp4', data: await readFile(clip) }]);
    const up = await server.fetch('/v1/videos', { method: 'POST', headers: { ...form.headers, authorization: `Bearer ${token}` }, body: new Uint8Array(form.payload) });
    assert.equal(up.status, 202, (await up.clone().text()) + logs());
    const id = ((await up.json()) as Json).data.videoId as string;

    // wait until the transcode is visibly under way, then kill the server outright
    const deadline = Date.now() + 60_000;
    let progress = 0;
    while (progress < 10) {
      const st = await call('GET', `/v1/videos/${id}/status`, token);
      assert.equal(st.status, 200, JSON.stringify(st.body));
      assert.equal(st.body.data.status, 'processing', 'the kill must land mid-transcode (the clip is too short for this machine?)');
      progress = st.body.data.progress ?? 0;
      if (Date.now() > deadline) assert.fail(`no progress: ${logs()}`);
      await sleep(100);
    }
    server.child.kill('SIGKILL');
    await new Promise((r) => server!.child.once('exit', r));
    const job = await db.db.selectFrom('jobs').selectAll().where('dedupeKey', '=', `transcode-${id}`).executeTakeFirstOrThrow();
    assert.equal(job.state, 'active', 'the job was running when the server died');

    server = await startServerProcess(env, { label: 'restarted server' });
    const end = Date.now() + 150_000;
    let final: Json;
    for (;;) {
      const st = await call('GET', `/v1/videos/${id}/status`, token);
      final = st.body.data;
      if (final.status !== 'processing') break;
      if (Date.now() > end) assert.fail(`not ready after the restart: ${JSON.stringify(final)}${logs()}`);
      await sleep(250);
    }
    assert.equal(final.status, 'ready', JSON.stringify(final) + logs());
    const done = await db.db.selectFrom('jobs').selectAll().where('dedupeKey', '=', `transcode-${id}`).execute();
    assert.equal(done.length, 1, 'one job for the video');
    assert.equal(done[0]!.state, 'done');
    assert.ok(done[0]!.attempts >= 2, `the job ran again (attempts ${done[0]!.attempts})`);

    // every stored object is named by the playlists (or is the original / the poster), and every named one exists
    const keys = new Set<string>();
    for await (const k of blobs.list(storageKeys.videoPrefix(userId, id))) keys.add(k);
    const expected = new Set([storageKeys.videoOriginal(userId, id), storageKeys.videoPoster(userId, id)]);
    const master = await (await server.fetch(`/v/${id}/master.m3u8`)).text();
    for (const uri of master.split('\n').filter((l) => l && !l.startsWith('#'))) {
      const rung = uri.split('/')[0]!;
      const playlist = await (await server.fetch(`/v/${id}/${uri}`)).text();
      expected.add(storageKeys.videoHlsFile(userId, id, rung, 'index.m3u8'));
      const names = [...playlist.matchAll(/URI="([^"]+)"/g)].map((m) => m[1]!).concat(playlist.split('\n').filter((l) => l && !l.startsWith('#')));
      for (const n of names) expected.add(storageKeys.videoHlsFile(userId, id, rung, n));
    }
    assert.deepEqual([...keys].sort(), [...expected].sort(), 'exactly the objects of the final ladder');
    const leftovers = await run('ls', [path.join(dataDir, 'tmp', 'transcode')]).then((r) => r.stdout.trim()).catch(() => '');
    assert.equal(leftovers, '', 'no transcode work folder left');
  });
});
