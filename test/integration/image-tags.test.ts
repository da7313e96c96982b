// GET /v1/images/tags (issue 12, defect 4): the account's tags with counts, counted by the database, on SQLite and
// PostgreSQL. Most used first, ties by tag; `q` a case-insensitive prefix (LIKE wildcards are literal); `limit`
// 1–1000; another account's tags never show; deleting images or replacing their tags changes the counts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, createKey, registerUser, startTestApp, type Backend, type Session, type TestApp } from '../support/app.js';
import { probePostgres, skipUnless } from '../support/services.js';
import { distinctPng, json, uploadOk, type ImageData } from './suites/images.suite.js';

type TagCount = { tag: string; count: number };

const pg = await probePostgres();
const backends: Array<{ name: string; backend: Backend; skip: string | undefined }> = [
  { name: 'SQLite', backend: { db: 'sqlite', store: 'local' }, skip: undefined },
  { name: 'PostgreSQL', backend: { db: 'postgres', store: 'local' }, skip: skipUnless('PostgreSQL', pg) },
];

for (const { name, backend, skip } of backends) {
  describe(`image tags with counts (${name})`, { skip }, () => {
    let t: TestApp;
    let a: Session;
    let b: Session;
    const imgs: ImageData[] = [];

    before(async () => {
      t = await startTestApp(backend);
      a = await registerUser(t);
      b = await registerUser(t);
      const tagSets = [['cat', 'beach', 'Berlin'], ['cat', 'beach', 'Berlin'], ['cat', 'beach', 'dog'], ['cat', 'dog', 'zebra'], ['alpha', 'zebra'], [], ['100%', 'a_b']];
      for (const [i, tags] of tagSets.entries()) {
        imgs.push(await uploadOk(t, a.accessToken, await distinctPng(i + 1), `p${i}.png`, { tags: JSON.stringify(tags) }));
      }
      await uploadOk(t, b.accessToken, await distinctPng(50), 'b.png', { tags: JSON.stringify(['cat', 'secret-of-b']) });
    });
    after(async () => t?.close());

    async function tags(query = '', s: Session = a): Promise<TagCount[]> {
      const res = await t.app.inject({ method: 'GET', url: `/v1/images/tags${query}`, headers: bearer(s.accessToken) });
      assert.equal(res.statusCode, 200, res.body);
      const body = json(res);
      assert.equal(body.success, true);
      return body.data.items as TagCount[];
    }

    it('lists every tag of the account with its count, most used first, ties by tag; not swallowed by /v1/images/:id', async () => {
      assert.deepEqual(await tags(), [
        { tag: 'cat', count: 4 },
        { tag: 'beach', count: 3 },
        { tag: 'Berlin', count: 2 },
        { tag: 'dog', count: 2 },
        { tag: 'zebra', count: 2 },
        { tag: '100%', count: 1 },
        { tag: 'a_b', count: 1 },
        { tag: 'alpha', count: 1 },
      ]);
    });

    it("never shows another account's tags, nor counts its images", async () => {
      const mine = await tags();
      assert.ok(!mine.some((x) => x.tag === 'secret-of-b'));
      assert.deepEqual(await tags('', b), [{ tag: 'cat', count: 1 }, { tag: 'secret-of-b', count: 1 }]);
    });

    it('filters by a case-insensitive prefix, with % and _ taken literally', async () => {
      assert.deepEqual(await tags('?q=be'), [{ tag: 'beach', count: 3 }, { tag: 'Berlin', count: 2 }]);
      assert.deepEqual(await tags('?q=BE'), [{ tag: 'beach', count: 3 }, { tag: 'Berlin', count: 2 }]);
      assert.deepEqual(await tags('?q=%20berl'), [{ tag: 'Berlin', count: 2 }], 'the prefix is trimmed');
      assert.deepEqual(await tags('?q=%25'), [], '% is no wildcard');
      assert.deepEqual(await tags('?q=100%25'), [{ tag: '100%', count: 1 }]);
      assert.deepEqual(await tags('?q=_'), [], '_ is no wildcard');
      assert.deepEqual(await tags('?q=a_'), [{ tag: 'a_b', count: 1 }]);
      assert.deepEqual(await tags('?q=nothing'), []);
    });

    it('limits the list (1–1000, default 200) and refuses anything else with 422', async () => {
      assert.deepEqual(await tags('?limit=2'), [{ tag: 'cat', count: 4 }, { tag: 'beach', count: 3 }]);
      assert.equal((await tags('?limit=1000')).length, 8);
      for (const bad of ['0', '1001', '-1', 'many', '2.5']) {
        const res = await t.app.inject({ method: 'GET', url: `/v1/images/tags?limit=${bad}`, headers: bearer(a.accessToken) });
        assert.equal(res.statusCode, 422, `limit=${bad}: ${res.body}`);
        assert.equal(json(res).code, 'VALIDATION_ERROR');
        assert.match(json(res).error as string, /limit/);
      }
    });

    it('needs the images read scope', async () => {
      const anon = await t.app.inject({ method: 'GET', url: '/v1/images/tags' });
      assert.equal(anon.statusCode, 401, anon.body);
      const noRead = await createKey(t, a, { name: 'account only', scopes: ['account.read'] });
      const refused = await t.app.inject({ method: 'GET', url: '/v1/images/tags', headers: bearer(noRead.key) });
      assert.equal(refused.statusCode, 403, refused.body);
      const reader = await createKey(t, a, { name: 'reader', scopes: ['media.read'] });
      const ok = await t.app.inject({ method: 'GET', url: '/v1/images/tags?limit=1', headers: bearer(reader.key) });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual(json(ok).data.items, [{ tag: 'cat', count: 4 }]);
    });

    it('deleted images stop counting; replaced tags move the counts', async () => {
      const del = await t.app.inject({ method: 'DELETE', url: `/v1/images/${imgs[0]!.id}`, headers: bearer(a.accessToken) });
      assert.equal(del.statusCode, 200, del.body);
      const batch = await t.app.inject({ method: 'DELETE', url: '/v1/images', headers: bearer(a.accessToken), payload: { ids: [imgs[3]!.id, imgs[6]!.id] } });
      assert.equal(batch.statusCode, 200, batch.body);
      const patch = await t.app.inject({ method: 'PATCH', url: `/v1/images/${imgs[4]!.id}`, headers: bearer(a.accessToken), payload: { tags: ['beach', 'dog'] } });
      assert.equal(patch.statusCode, 200, patch.body);
      assert.deepEqual(await tags(), [
        { tag: 'beach', count: 3 },
        { tag: 'cat', count: 2 },
        { tag: 'dog', count: 2 },
        { tag: 'Berlin', count: 1 },
      ]);
    });
  });
}
