// The sync feed (issue 10, SPEC §7.9) on SQLite + local and PostgreSQL + S3: a client replaying the feed from the
// start in small pages while images and videos are uploaded, patched and deleted (many changes in one
// millisecond) ends with exactly the server's set; PATCH moves updatedAt; deletes come from tombstones written
// with the delete and swept after 30 days; bad input is a 4xx; every body matches openapi.json.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, registerUser, startTestApp, type Session, type TestApp } from '../support/app.js';
import { distinctPng, json, uploadOk } from './suites/images.suite.js';
import { backendCases, conforms, insertVideo } from './suites/media.support.js';

type Change = { op: 'upsert' | 'delete'; type: string; id: string; updatedAt: string; isPublic?: boolean; filename?: string; contentHash?: string | null };

for (const c of await backendCases()) {
  describe(`sync feed (${c.name})`, { skip: c.skip }, () => {
    let t: TestApp;
    let a: Session;
    let b: Session;

    before(async () => {
      t = await startTestApp(c.backend, { s3: c.s3 });
      a = await registerUser(t);
      b = await registerUser(t);
    });
    after(async () => t?.close());

    const feed = (s: Session, query: string) => t.app.inject({ method: 'GET', url: `/v1/sync/state?${query}`, headers: bearer(s.accessToken) });

    /** A client: applies pages to its local set, resumes from nextCursor. */
    function client(s: Session, limit: number) {
      const state = new Map<string, Change>();
      let cursor: string | null = null;
      let lastAt = '';
      return {
        state,
        async pull(): Promise<boolean> {
          const res = await feed(s, `limit=${limit}${cursor ? `&since=${encodeURIComponent(cursor)}` : ''}`);
          assert.equal(res.statusCode, 200, res.body);
          conforms('GET', '/v1/sync/state', res);
          const d = json(res).data as { changes: Change[]; nextCursor: string | null; hasMore: boolean };
          assert.ok(d.changes.length <= limit);
          for (const ch of d.changes) {
            // (updatedAt, id) order; ids within one ms follow the database's collation, so only the time is checked here
            assert.ok(ch.updatedAt >= lastAt, `feed order: ${ch.updatedAt} after ${lastAt}`);
            lastAt = ch.updatedAt;
            if (ch.op === 'delete') state.delete(`${ch.type}:${ch.id}`);
            else state.set(`${ch.type}:${ch.id}`, ch);
          }
          cursor = d.nextCursor ?? cursor;
          return d.hasMore;
        },
        async drain(): Promise<void> {
          while (await this.pull());
        },
      };
    }

    it('a replay from the start in pages of 3, during uploads, patches and deletes, ends with exactly the server set', async () => {
      const live = client(a, 3);
      let seed = 1;
      const images: string[] = [];
      const videos: string[] = [];
      const bystander = await uploadOk(t, b.accessToken, await distinctPng(9000), 'other.png');
      // a deterministic mix; the clock stands still for several operations in a row (same-ms changes)
      const steps = ['img', 'img', 'vid', 'patch-img', 'img', 'vid', 'del-img', 'patch-vid', 'img', 'patch-img', 'vid', 'del-vid', 'img', 'patch-img', 'patch-img', 'del-img', 'vid', 'img'];
      for (let round = 0; round < 3; round++) {
        for (const [i, step] of steps.entries()) {
          if (step === 'img') images.push((await uploadOk(t, a.accessToken, await distinctPng(seed++), `p${seed}.png`)).id);
          else if (step === 'vid') videos.push((await insertVideo(t, a.userId, { createdAt: t.clock.now(), updatedAt: t.clock.now() })).id);
          else if (step === 'patch-img' && images.length) {
            const id = images[(seed++ * 7) % images.length]!;
            const r = await t.app.inject({ method: 'PATCH', url: `/v1/images/${id}`, headers: bearer(a.accessToken), payload: { isPublic: seed % 2 === 0, title: `t${seed}` } });
            assert.equal(r.statusCode, 200, r.body);
          } else if (step === 'patch-vid' && videos.length) {
            const id = videos[(seed++ * 5) % videos.length]!;
            const r = await t.app.inject({ method: 'PATCH', url: `/v1/videos/${id}`, headers: bearer(a.accessToken), payload: { is_public: seed % 2 === 0 } });
            assert.equal(r.statusCode, 200, r.body);
          } else if (step === 'del-img' && images.length) {
            const id = images.splice((seed++ * 3) % images.length, 1)[0]!;
            assert.equal((await t.app.inject({ method: 'DELETE', url: `/v1/images/${id}`, headers: bearer(a.accessToken) })).statusCode, 200);
          } else if (step === 'del-vid' && videos.length) {
            const id = videos.splice((seed++ * 3) % videos.length, 1)[0]!;
            assert.equal((await t.app.inject({ method: 'DELETE', url: `/v1/videos/${id}`, headers: bearer(a.accessToken) })).statusCode, 200);
          }
          if (i % 4 === 3) t.clock.advance(1); // most changes share their millisecond with others
          if (i % 6 === 5) t.clock.advance(700); // and the feed catches up with some of them meanwhile
          if (i % 2 === 0) await live.pull();
        }
      }
      t.clock.advance(1001); // past the settle window: everything is visible now
      await live.drain();
      const serverImages = await t.deps.db.db.selectFrom('images').select(['id', 'isPublic', 'filename', 'sha256']).where('userId', '=', a.userId).execute();
      const serverVideos = await t.deps.db.db.selectFrom('videos').select(['id', 'isPublic']).where('userId', '=', a.userId).execute();
      const expected = [...serverImages.map((r) => `image:${r.id}`), ...serverVideos.map((r) => `video:${r.id}`)].sort();
      assert.deepEqual([...live.state.keys()].sort(), expected);
      assert.ok(!live.state.has(`image:${bystander.id}`), 'another account never appears');
      for (const r of serverImages) {
        const ch = live.state.get(`image:${r.id}`)!;
        assert.deepEqual([ch.isPublic, ch.filename, ch.contentHash], [r.isPublic === 1, r.filename, r.sha256], 'the latest state of every image');
      }
      for (const r of serverVideos) assert.equal(live.state.get(`video:${r.id}`)!.isPublic, r.isPublic === 1, 'the latest state of every video');

      // a fresh client from the start (pages of 2) agrees; an up-to-date client's next call brings nothing
      const fresh = client(a, 2);
      await fresh.drain();
      assert.deepEqual([...fresh.state.keys()].sort(), expected);
      assert.equal(await live.pull(), false);
      // type filter
      const onlyVideos = json(await feed(a, 'type=video&limit=500')).data.changes as Change[];
      assert.ok(onlyVideos.length > 0 && onlyVideos.every((ch) => ch.type === 'video'));
    });

    it('PATCH moves updatedAt even within the same millisecond; a delete leaves a tombstone later than the last change', async () => {
      const img = await uploadOk(t, a.accessToken, await distinctPng(5000), 'u.png');
      const p1 = await t.app.inject({ method: 'PATCH', url: `/v1/images/${img.id}`, headers: bearer(a.accessToken), payload: { title: 'x' } });
      const p2 = await t.app.inject({ method: 'PATCH', url: `/v1/images/${img.id}`, headers: bearer(a.accessToken), payload: { title: 'y' } });
      const [u0, u1, u2] = [img.updatedAt, json(p1).data.updatedAt, json(p2).data.updatedAt].map((s) => Date.parse(s as string));
      assert.ok(u0! < u1! && u1! < u2!, `${u0} < ${u1} < ${u2}`);
      const v = await insertVideo(t, a.userId);
      assert.equal((await t.app.inject({ method: 'PATCH', url: `/v1/videos/${v.id}`, headers: bearer(a.accessToken), payload: { title: 'new' } })).statusCode, 200);
      const vAfter = await t.deps.db.db.selectFrom('videos').select('updatedAt').where('id', '=', v.id).executeTakeFirstOrThrow();
      assert.ok(vAfter.updatedAt > v.updatedAt);
      assert.equal((await t.app.inject({ method: 'DELETE', url: `/v1/videos/${v.id}`, headers: bearer(a.accessToken) })).statusCode, 200);
      assert.equal((await t.app.inject({ method: 'DELETE', url: `/v1/images/${img.id}`, headers: bearer(a.accessToken) })).statusCode, 200);
      const stones = await t.deps.db.db.selectFrom('syncTombstones').selectAll().where('id', 'in', [v.id, img.id]).execute();
      assert.equal(stones.length, 2);
      assert.ok(stones.find((s) => s.id === v.id)!.deletedAt > vAfter.updatedAt);
      assert.ok(stones.find((s) => s.id === img.id)!.deletedAt > u2!);
      assert.ok(stones.every((s) => s.userId === a.userId));
    });

    it('tombstones are swept after 30 days, not before', async () => {
      const count = async () => Number((await t.deps.db.db.selectFrom('syncTombstones').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const before = await count();
      assert.ok(before > 0);
      t.clock.advance(29 * 86_400_000);
      assert.equal(await t.deps.sync.sweep(), 0);
      t.clock.advance(2 * 86_400_000);
      assert.equal(await t.deps.sync.sweep(), before);
      assert.equal(await count(), 0);
    });

    it('bad input is a 4xx with a clear message; no credentials → 401', async () => {
      // the clock moved a month on: sign in again
      for (const s of [a, b]) {
        s.accessToken = (await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: s.email, password: s.password } })).json<{ data: { accessToken: string } }>().data.accessToken;
      }
      for (const [q, status, code] of [
        ['since=not-a-cursor', 400, 'BAD_REQUEST'], ['since=eyJjIjoxLCJpIjoieCJ9.AAAAAAAAAAAAAAAA', 400, 'BAD_REQUEST'],
        ['limit=0', 422, 'VALIDATION_ERROR'], ['limit=501', 422, 'VALIDATION_ERROR'], ['type=document', 422, 'VALIDATION_ERROR'], ['limit=abc', 422, 'VALIDATION_ERROR'],
      ] as const) {
        const res = await feed(a, q);
        assert.deepEqual([res.statusCode, json(res).code], [status, code], `${q}: ${res.body}`);
        assert.ok((json(res).error as string).length > 5);
        conforms('GET', '/v1/sync/state', res);
      }
      const anon = await t.app.inject({ method: 'GET', url: '/v1/sync/state' });
      assert.equal(anon.statusCode, 401);
      conforms('GET', '/v1/sync/state', anon);
      const empty = await feed(b, 'type=video');
      assert.deepEqual(json(empty).data, { changes: [], nextCursor: null, hasMore: false });
    });
  });
}
