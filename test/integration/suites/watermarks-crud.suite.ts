// Watermark templates through the public API (SPEC §15): the plan gate, CRUD shapes against the OpenAPI
// contract, ownership, validation, the per-account limit and If-Unmodified-Since. Run per backend.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type Backend, type TestApp } from '../../support/app.js';
import type { S3TestConfig } from '../../support/s3.js';
import { newId } from '../../../src/lib/ids.js';
import { BASE, account, call, conforms, createTemplate, json, solidPng, uploadPng } from './watermarks.support.js';

export function watermarksCrudSuite(name: string, backend: Backend, s3?: () => S3TestConfig | undefined, skip?: string): void {
  describe(`watermark templates (${name})`, { skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(backend, { s3: s3?.() });
    });
    after(async () => t?.close());

    it('answers PLAN_REQUIRED (meta.requiredPlan: pro_plus) to trial and pro accounts on every endpoint', async () => {
      const owner = await account(t);
      const tpl = await createTemplate(t, owner, { name: 'mark', type: 'text', text: 'hi' });
      for (const plan of ['trial', 'pro'] as const) {
        const s = await account(t, plan);
        const calls = [
          call(t, s, 'GET', BASE),
          call(t, s, 'POST', BASE, { name: 'x', type: 'text', text: 'x' }),
          call(t, s, 'GET', `${BASE}/${tpl.id}`),
          call(t, s, 'PATCH', `${BASE}/${tpl.id}`, { name: 'y' }),
          call(t, s, 'DELETE', `${BASE}/${tpl.id}`),
        ];
        for (const res of await Promise.all(calls)) {
          assert.equal(res.statusCode, 403, `${plan}: ${res.body}`);
          assert.deepEqual(json(res), { success: false, error: 'Watermark templates requires the pro_plus plan', code: 'PLAN_REQUIRED', meta: { requiredPlan: 'pro_plus' } });
        }
        conforms('POST', BASE, await call(t, s, 'POST', BASE, { name: 'x', type: 'text', text: 'x' }));
      }
      assert.equal((await call(t, undefined, 'GET', BASE)).statusCode, 401);
    });

    it('creates, lists, reads, changes and deletes a text template in the contract shape', async () => {
      const s = await account(t);
      const created = await createTemplate(t, s, { name: ' Corner mark ', type: 'text', text: '© Ana 2026' });
      assert.match(created.id, /^[A-Za-z0-9_-]{21}$/);
      assert.deepEqual(
        { ...created, createdAt: undefined, updatedAt: undefined, id: undefined },
        { id: undefined, name: 'Corner mark', type: 'text', position: 'bottom-right', opacity: 0.5, text: '© Ana 2026', fontSize: 24, createdAt: undefined, updatedAt: undefined },
      );
      const second = await createTemplate(t, s, { name: 'Centre', type: 'text', text: 'DRAFT', position: 'center', opacity: 0.25, fontSize: 64 });

      const list = await call(t, s, 'GET', BASE);
      assert.equal(list.statusCode, 200);
      conforms('GET', BASE, list);
      assert.deepEqual(json(list).data.map((x: { id: string }) => x.id).sort(), [created.id, second.id].sort());

      const got = await call(t, s, 'GET', `${BASE}/${created.id}`);
      assert.equal(got.statusCode, 200);
      conforms('GET', `${BASE}/{id}`, got, true);
      assert.deepEqual(json(got).data, created);
      assert.equal(got.headers['last-modified'], new Date(created.updatedAt).toUTCString());

      t.clock.advance(1000);
      const patched = await call(t, s, 'PATCH', `${BASE}/${created.id}`, { text: 'changed', opacity: 1, position: 'top-left' });
      assert.equal(patched.statusCode, 200, patched.body);
      conforms('PATCH', `${BASE}/{id}`, patched, true);
      const p = json(patched).data;
      assert.equal(p.text, 'changed');
      assert.equal(p.opacity, 1);
      assert.equal(p.position, 'top-left');
      assert.equal(p.name, 'Corner mark');
      assert.equal(p.createdAt, created.createdAt);
      assert.ok(Date.parse(p.updatedAt) > Date.parse(created.updatedAt));

      const del = await call(t, s, 'DELETE', `${BASE}/${created.id}`);
      assert.equal(del.statusCode, 200);
      assert.deepEqual(json(del), { success: true, data: null });
      conforms('DELETE', `${BASE}/{id}`, del);
      const gone = await call(t, s, 'GET', `${BASE}/${created.id}`);
      assert.equal(gone.statusCode, 404);
      assert.equal(json(gone).code, 'NOT_FOUND');
      conforms('GET', `${BASE}/{id}`, gone);
      assert.equal((await call(t, s, 'DELETE', `${BASE}/${created.id}`)).statusCode, 404);
    });

    it('image templates name an image of the own library; imageUrl comes back as its media URL', async () => {
      const s = await account(t);
      const logo = await uploadPng(t, s, await solidPng(40, 20, '#ff0000'));
      const tpl = await createTemplate(t, s, { name: 'logo', type: 'image', imageUrl: logo.url, opacity: 0.8 });
      assert.equal(tpl.imageUrl, logo.url);
      assert.equal(tpl.text, undefined);
      assert.equal(tpl.fontSize, undefined);
      const byId = await createTemplate(t, s, { name: 'logo by id', type: 'image', imageUrl: logo.id });
      assert.equal(byId.imageUrl, logo.url);

      const other = await account(t);
      const foreign = await uploadPng(t, other, await solidPng(40, 20, '#00ff00'));
      for (const imageUrl of [foreign.url, 'https://example.com/not-an-image', `${logo.url.slice(0, -15)}AAAAAAAAAAA.png`]) {
        const res = await call(t, s, 'POST', BASE, { name: 'bad', type: 'image', imageUrl });
        assert.equal(res.statusCode, 422, imageUrl);
        assert.equal(json(res).meta.field, 'imageUrl');
      }
      // Deleting the image leaves the template without one; wm= then answers 400 (see the render suite).
      assert.equal((await call(t, s, 'DELETE', `/v1/images/${logo.id}`)).statusCode, 200);
      const after = json(await call(t, s, 'GET', `${BASE}/${tpl.id}`)).data;
      assert.equal(after.imageUrl, undefined);
    });

    it("another account's template is 403 FORBIDDEN; a missing one 404 NOT_FOUND", async () => {
      const a = await account(t);
      const b = await account(t);
      const tpl = await createTemplate(t, a, { name: 'mine', type: 'text', text: 'A' });
      for (const [method, payload] of [['GET', undefined], ['PATCH', { name: 'theirs' }], ['DELETE', undefined]] as const) {
        const res = await call(t, b, method, `${BASE}/${tpl.id}`, payload);
        assert.equal(res.statusCode, 403, `${method}: ${res.body}`);
        assert.equal(json(res).code, 'FORBIDDEN');
        const missing = await call(t, b, method, `${BASE}/${newId()}`, payload);
        assert.equal(missing.statusCode, 404, `${method} missing`);
      }
      assert.deepEqual(json(await call(t, b, 'GET', BASE)).data, [], 'lists hold only the own templates');
      assert.equal(json(await call(t, a, 'GET', `${BASE}/${tpl.id}`)).data.name, 'mine', 'untouched');
    });

    it('refuses invalid bodies with 422 VALIDATION_ERROR naming the field', async () => {
      const s = await account(t);
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ type: 'text', text: 'x' }, 'name'],
        [{ name: '   ', type: 'text', text: 'x' }, 'name'],
        [{ name: 'x'.repeat(101), type: 'text', text: 'x' }, 'name'],
        [{ name: 'n', text: 'x' }, 'type'],
        [{ name: 'n', type: 'svg', text: 'x' }, 'type'],
        [{ name: 'n', type: 'text' }, 'text'],
        [{ name: 'n', type: 'text', text: 'y'.repeat(101) }, 'text'],
        [{ name: 'n', type: 'text', text: 'a\u0007b' }, 'text'],
        [{ name: 'n', type: 'image' }, 'imageUrl'],
        [{ name: 'n', type: 'text', text: 'x', opacity: 1.5 }, 'opacity'],
        [{ name: 'n', type: 'text', text: 'x', fontSize: 7 }, 'fontSize'],
        [{ name: 'n', type: 'text', text: 'x', fontSize: 12.5 }, 'fontSize'],
        [{ name: 'n', type: 'text', text: 'x', position: 'middle' }, 'position'],
      ];
      for (const [body, field] of cases) {
        const res = await call(t, s, 'POST', BASE, body);
        assert.equal(res.statusCode, 422, `${JSON.stringify(body)}: ${res.body}`);
        assert.equal(json(res).code, 'VALIDATION_ERROR');
        assert.equal(json(res).meta.field, field, JSON.stringify(body));
        assert.match(json(res).error, new RegExp(field));
      }
      conforms('POST', BASE, await call(t, s, 'POST', BASE, { name: 'n', type: 'text' }));
      const tpl = await createTemplate(t, s, { name: 'ok', type: 'text', text: 'x' });
      const empty = await call(t, s, 'PATCH', `${BASE}/${tpl.id}`, {});
      assert.equal(empty.statusCode, 422);
      const toImage = await call(t, s, 'PATCH', `${BASE}/${tpl.id}`, { type: 'image' });
      assert.equal(toImage.statusCode, 422);
      assert.equal(json(toImage).meta.field, 'imageUrl');
      const broken = await call(t, s, 'POST', BASE, '{"name":', { 'content-type': 'application/json' });
      assert.equal(broken.statusCode, 400);
    });

    it('holds at most 50 templates per account (422 VALIDATION_ERROR; QUOTA_EXCEEDED types are fixed by the contract)', async () => {
      const s = await account(t);
      const now = t.clock.now();
      await t.deps.db.db
        .insertInto('watermarkTemplates')
        .values(Array.from({ length: 49 }, (_, i) => ({
          id: newId(), userId: s.userId, name: `t${i}`, kind: 'text' as const, text: 'x', imageId: null, position: 'bottom-right', opacity: 0.5, fontSize: 24, createdAt: now, updatedAt: now,
        })))
        .execute();
      await createTemplate(t, s, { name: 'fiftieth', type: 'text', text: 'x' });
      const over = await call(t, s, 'POST', BASE, { name: 'one too many', type: 'text', text: 'x' });
      assert.equal(over.statusCode, 422);
      assert.equal(json(over).code, 'VALIDATION_ERROR');
      assert.deepEqual(json(over).meta, { field: 'templates', limit: 50 });
      assert.equal(json(await call(t, s, 'GET', BASE)).data.length, 50);
    });

    it('PATCH with If-Unmodified-Since: applies when unchanged since, 412 when changed after', async () => {
      const s = await account(t);
      const tpl = await createTemplate(t, s, { name: 'locked', type: 'text', text: 'v1' });
      const url = `${BASE}/${tpl.id}`;
      t.clock.advance(5000);
      const first = await call(t, s, 'PATCH', url, { text: 'v2' }, { 'if-unmodified-since': tpl.updatedAt });
      assert.equal(first.statusCode, 200, first.body);
      const v2 = json(first).data;

      const stale = await call(t, s, 'PATCH', url, { text: 'v3' }, { 'if-unmodified-since': tpl.updatedAt });
      assert.equal(stale.statusCode, 412);
      assert.deepEqual(json(stale), { success: false, error: 'Precondition failed: the watermark template was modified after If-Unmodified-Since' });
      assert.equal(stale.headers['last-modified'], new Date(v2.updatedAt).toUTCString());
      assert.ok(stale.headers['x-request-id']);
      conforms('PATCH', '/v1/watermark-templates/{id}', stale);
      assert.equal(json(await call(t, s, 'GET', url)).data.text, 'v2', 'the stale write changed nothing');

      // An HTTP-date (one-second precision, as Last-Modified sends it) covers its whole second.
      t.clock.advance(5000);
      const lastModified = first.headers['last-modified'] as string;
      const viaHeader = await call(t, s, 'PATCH', url, { text: 'v4' }, { 'if-unmodified-since': lastModified });
      assert.equal(viaHeader.statusCode, 200, viaHeader.body);
      const staleHttpDate = await call(t, s, 'PATCH', url, { text: 'v5' }, { 'if-unmodified-since': lastModified });
      assert.equal(staleHttpDate.statusCode, 412);
      // Not a date: ignored, as RFC 9110 asks.
      assert.equal((await call(t, s, 'PATCH', url, { text: 'v6' }, { 'if-unmodified-since': 'yesterday' })).statusCode, 200);
      // Two edits within the same millisecond still move updatedAt (it is part of the variant key).
      const a = json(await call(t, s, 'PATCH', url, { text: 'v7' })).data.updatedAt;
      const b = json(await call(t, s, 'PATCH', url, { text: 'v8' })).data.updatedAt;
      assert.ok(Date.parse(b) > Date.parse(a));
    });
  });
}
