// Photo albums (CONTRACT §9) on SQLite + local and PostgreSQL + local: /v1/collections CRUD with its validation
// (supported types, names, slugs, immutable fields), lists with counts and cursors, POST /v1/images/batch-move
// (counts, foreign albums, other accounts' ids, types the album does not allow), the collection_id filter of
// /v1/images and /v1/media, delete refused while an album holds items, and cascade deleting the items for real
// (rows, bytes in the store, usage). Another account's album is a 404 everywhere. Bodies match openapi.json.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LightMyRequestResponse } from 'fastify';
import { newId } from '../../src/lib/ids.js';
import type { AudioRow } from '../../src/db/schema.js';
import { bearer, createKey, registerUser, startTestApp, type Backend, type Session, type TestApp } from '../support/app.js';
import { probePostgres, skipUnless } from '../support/services.js';
import { distinctPng, json, objectKeys, originalKey, uploadOk, usageOf, type ImageData } from './suites/images.suite.js';
import { conforms, insertVideo } from './suites/media.support.js';

type Collection = {
  id: string; name: string; slug: string; collectionType: string; allowedResourceTypes: string[]; customTypeId: null; kbType: string;
  description: string | null; docCount: number; sizeBytes: number; imageCount: number; videoCount: number; audioCount: number;
  isDefault: boolean; createdAt: string; updatedAt: string; deletedAt: null;
};

const pg = await probePostgres();
const cases: Array<{ name: string; backend: Backend; skip?: string | undefined }> = [
  { name: 'SQLite + local', backend: { db: 'sqlite', store: 'local' } },
  { name: 'PostgreSQL + local', backend: { db: 'postgres', store: 'local' }, skip: skipUnless('PostgreSQL', pg) },
];

async function insertAudio(t: TestApp, userId: string): Promise<AudioRow> {
  const now = t.clock.now();
  const row: AudioRow = {
    id: newId(), userId, title: 'A song', filename: 'song.mp3', format: 'mp3', ext: 'mp3', mimeType: 'audio/mpeg', sizeBytes: 3000,
    sha256: newId().padEnd(64, '0'), durationSeconds: 12, bitrate: 128, sampleRate: 44100, channels: 2, codec: 'mp3', artist: null, album: null,
    hasCover: 0, isPublic: 1, createdAt: now, updatedAt: now,
  };
  await t.deps.db.db.insertInto('audio').values(row).execute();
  return row;
}

for (const c of cases) {
  describe(`collections (${c.name})`, { skip: c.skip, timeout: 180_000 }, () => {
    let t: TestApp;
    let a: Session;
    let b: Session;
    let seed = 0;

    before(async () => {
      // the jobs run: deleting images hands their objects to a purge job
      t = await startTestApp(c.backend, { runJobs: true });
      a = await registerUser(t);
      b = await registerUser(t);
    });
    after(async () => t?.close());

    const call = (s: Session | string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
      t.app.inject({ method, url, headers: bearer(typeof s === 'string' ? s : s.accessToken), ...(payload === undefined ? {} : { payload: payload as object }) });

    async function create(s: Session, body: Record<string, unknown>): Promise<Collection> {
      const res = await call(s, 'POST', '/v1/collections', body);
      assert.equal(res.statusCode, 201, res.body);
      conforms('POST', '/v1/collections', res);
      return json(res).data as Collection;
    }
    async function getOne(s: Session, id: string): Promise<Collection> {
      const res = await call(s, 'GET', `/v1/collections/${id}`);
      assert.equal(res.statusCode, 200, res.body);
      conforms('GET', '/v1/collections/{id}', res);
      return json(res).data as Collection;
    }
    async function move(s: Session, ids: string[], kbId: string | null): Promise<number> {
      const res = await call(s, 'POST', '/v1/images/batch-move', { ids, kbId });
      assert.equal(res.statusCode, 200, res.body);
      conforms('POST', '/v1/images/batch-move', res);
      return json(res).data.moved as number;
    }
    const photo = async (s: Session): Promise<ImageData> => uploadOk(t, s.accessToken, await distinctPng(++seed), `p${seed}.png`);
    function refused(res: LightMyRequestResponse, status: number, code: string, field?: string): void {
      assert.equal(res.statusCode, status, res.body);
      assert.equal(json(res).code, code, res.body);
      if (field !== undefined) {
        assert.equal(json(res).meta?.field, field, res.body);
        assert.match(json(res).error as string, new RegExp(field));
      }
    }

    it('create: photo_album by default, album, slugs made from the name and kept unique; refusals name the field', async () => {
      const plain = await create(a, { name: '  Summer in Lisbon  ' });
      assert.equal(plain.collectionType, 'photo_album');
      assert.deepEqual(plain.allowedResourceTypes, ['image', 'video']);
      assert.equal(plain.name, 'Summer in Lisbon');
      assert.equal(plain.slug, 'summer-in-lisbon');
      assert.match(plain.id, /^[A-Za-z0-9_-]{21}$/);
      assert.deepEqual([plain.docCount, plain.sizeBytes, plain.isDefault, plain.deletedAt, plain.customTypeId, plain.description], [0, 0, false, null, null, null]);
      const again = await create(a, { name: 'Summer in Lisbon', collectionType: 'photo_album', description: 'Trip' });
      assert.equal(again.slug, 'summer-in-lisbon-2');
      assert.equal(again.description, 'Trip');
      const music = await create(a, { name: 'Ça va — 音乐', collectionType: 'album' });
      assert.equal(music.collectionType, 'album');
      assert.deepEqual(music.allowedResourceTypes, ['image', 'video', 'audio']);
      assert.equal(music.slug, 'ca-va');
      const custom = await create(a, { name: 'Picked', slug: 'my-pick', allowedResourceTypes: ['video', 'image', 'image'] });
      assert.equal(custom.slug, 'my-pick');
      assert.deepEqual(custom.allowedResourceTypes, ['image', 'video']);
      assert.equal((await create(a, { name: 'x'.repeat(120) })).name.length, 120);

      const bad: Array<[Record<string, unknown>, number, string, string]> = [
        [{ name: 'KB', collectionType: 'knowledge_base' }, 422, 'VALIDATION_ERROR', 'collectionType'],
        [{ name: 'Show', collectionType: 'tv_series' }, 422, 'VALIDATION_ERROR', 'collectionType'],
        [{ name: 'Nope', collectionType: 'nonsense' }, 422, 'VALIDATION_ERROR', 'collectionType'],
        [{ name: '' }, 422, 'VALIDATION_ERROR', 'name'],
        [{ name: '   ' }, 422, 'VALIDATION_ERROR', 'name'],
        [{ name: 'x'.repeat(121) }, 422, 'VALIDATION_ERROR', 'name'],
        [{}, 422, 'VALIDATION_ERROR', 'name'],
        [{ name: 'Bad slug', slug: 'Not A Slug' }, 422, 'VALIDATION_ERROR', 'slug'],
        [{ name: 'Taken', slug: 'my-pick' }, 409, 'CONFLICT', 'slug'],
        [{ name: 'Custom', customTypeId: 'ct_1' }, 422, 'VALIDATION_ERROR', 'customTypeId'],
        [{ name: 'Types', allowedResourceTypes: ['image', 'pdf'] }, 422, 'VALIDATION_ERROR', 'allowedResourceTypes'],
        [{ name: 'Types', allowedResourceTypes: [] }, 422, 'VALIDATION_ERROR', 'allowedResourceTypes'],
      ];
      for (const [body, status, code, field] of bad) {
        const res = await call(a, 'POST', '/v1/collections', body);
        refused(res, status, code, field);
        conforms('POST', '/v1/collections', res);
      }
      // the other account's slugs are its own
      assert.equal((await create(b, { name: 'Mine', slug: 'my-pick' })).slug, 'my-pick');
      refused(await t.app.inject({ method: 'POST', url: '/v1/collections', payload: { name: 'anonymous' } }), 401, 'UNAUTHORIZED');
    });

    it('list: the caller\'s albums with counts, newest change first or by name, page by page exactly once; bad cursors are 400', async () => {
      const s = await registerUser(t);
      const made: Collection[] = [];
      for (const name of ['delta', 'Alpha', 'charlie', 'bravo', 'echo']) {
        made.push(await create(s, { name, collectionType: name === 'echo' ? 'album' : 'photo_album' }));
        t.clock.advance(name === 'charlie' ? 0 : 3); // two share a millisecond
      }
      const img = await photo(s);
      await move(s, [img.id], made[2]!.id);

      async function all(query: string, limit: number): Promise<Collection[]> {
        const out: Collection[] = [];
        let cursor: string | null = null;
        for (let pages = 0; pages < 20; pages++) {
          const res = await call(s, 'GET', `/v1/collections?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
          assert.equal(res.statusCode, 200, res.body);
          conforms('GET', '/v1/collections', res);
          const d = json(res).data as { items: Collection[]; nextCursor: string | null; hasMore: boolean };
          assert.ok(d.items.length <= limit);
          assert.equal(d.hasMore, d.nextCursor !== null);
          out.push(...d.items);
          if (!d.nextCursor) return out;
          cursor = d.nextCursor;
        }
        throw new Error('too many pages');
      }

      const byUpdate = await all('', 20);
      // charlie changed last (an image was filed into it)
      assert.deepEqual(byUpdate.map((x) => x.name), ['charlie', 'echo', 'bravo', 'Alpha', 'delta']);
      assert.deepEqual(byUpdate.map((x) => x.docCount), [1, 0, 0, 0, 0]);
      assert.equal(byUpdate[0]!.imageCount, 1);
      assert.equal(byUpdate[0]!.sizeBytes, img.sizeBytes);
      assert.deepEqual((await all('', 2)).map((x) => x.id), byUpdate.map((x) => x.id));
      assert.deepEqual((await all('&sort=name', 2)).map((x) => x.name), ['Alpha', 'bravo', 'charlie', 'delta', 'echo']);
      assert.deepEqual((await all('&type=album', 2)).map((x) => x.name), ['echo']);
      assert.deepEqual((await all('&type=photo_album&sort=name', 3)).map((x) => x.name), ['Alpha', 'bravo', 'charlie', 'delta']);
      assert.deepEqual(await all('&type=knowledge_base', 2), []);
      assert.equal((await all('&type=all&kbType=all', 50)).length, 5);

      const first = json(await call(s, 'GET', '/v1/collections?limit=2')).data as { nextCursor: string };
      refused(await call(s, 'GET', `/v1/collections?cursor=${first.nextCursor}x`), 400, 'BAD_REQUEST');
      refused(await call(s, 'GET', `/v1/collections?sort=name&cursor=${first.nextCursor}`), 400, 'BAD_REQUEST');
      refused(await call(s, 'GET', '/v1/collections?limit=51'), 422, 'VALIDATION_ERROR', 'limit');
      refused(await call(s, 'GET', '/v1/collections?type=folder'), 422, 'VALIDATION_ERROR', 'type');
      assert.equal((json(await call(b, 'GET', '/v1/collections')).data.items as Collection[]).some((x) => made.some((m) => m.id === x.id)), false);
    });

    it('get and patch: rename, describe, extend the types, the one default; immutable fields are 409, narrowing 422', async () => {
      const one = await create(a, { name: 'Patch me' });
      const two = await create(a, { name: 'Other' });
      assert.deepEqual(await getOne(a, one.id), one);
      t.clock.advance(10);
      const res = await call(a, 'PATCH', `/v1/collections/${one.id}`, { name: ' Renamed ', description: 'Best of', allowedResourceTypes: ['image', 'video', 'audio'], collectionType: 'photo_album' });
      assert.equal(res.statusCode, 200, res.body);
      conforms('PATCH', '/v1/collections/{id}', res);
      const patched = json(res).data as Collection;
      assert.deepEqual([patched.name, patched.description, patched.allowedResourceTypes, patched.slug], ['Renamed', 'Best of', ['image', 'video', 'audio'], one.slug]);
      assert.ok(patched.updatedAt > one.updatedAt);
      assert.equal((json(await call(a, 'PATCH', `/v1/collections/${one.id}`, { description: null })).data as Collection).description, null);

      refused(await call(a, 'PATCH', `/v1/collections/${one.id}`, { collectionType: 'album' }), 409, 'CONFLICT', 'collectionType');
      refused(await call(a, 'PATCH', `/v1/collections/${one.id}`, { slug: 'another' }), 409, 'CONFLICT', 'slug');
      refused(await call(a, 'PATCH', `/v1/collections/${one.id}`, { allowedResourceTypes: ['image'] }), 422, 'VALIDATION_ERROR', 'allowedResourceTypes');
      refused(await call(a, 'PATCH', `/v1/collections/${one.id}`, { name: '' }), 422, 'VALIDATION_ERROR', 'name');
      refused(await call(a, 'PATCH', `/v1/collections/${one.id}`, { name: 'y'.repeat(121) }), 422, 'VALIDATION_ERROR', 'name');

      const def = async (id: string, isDefault: boolean) => json(await call(a, 'PATCH', `/v1/collections/${id}`, { isDefault })).data as Collection;
      assert.equal((await def(one.id, true)).isDefault, true);
      assert.equal((await def(two.id, true)).isDefault, true);
      assert.equal((await getOne(a, one.id)).isDefault, false, 'one default per account');
      assert.equal((await def(two.id, false)).isDefault, false);
      refused(await call(a, 'GET', '/v1/collections/AAAAAAAAAAAAAAAAAAAAA'), 404, 'NOT_FOUND');
    });

    it("another account's album is a 404 to read, change, delete, file into or filter by", async () => {
      const mine = await create(a, { name: 'Private album' });
      const img = await photo(a);
      await move(a, [img.id], mine.id);
      for (const [method, payload] of [['GET', undefined], ['PATCH', { name: 'stolen' }], ['DELETE', undefined]] as const) {
        const res = await call(b, method, `/v1/collections/${mine.id}`, payload);
        refused(res, 404, 'NOT_FOUND');
        conforms(method, '/v1/collections/{id}', res);
      }
      refused(await call(b, 'DELETE', `/v1/collections/${mine.id}?cascade=true`), 404, 'NOT_FOUND');
      const bImg = await photo(b);
      refused(await call(b, 'POST', '/v1/images/batch-move', { ids: [bImg.id], kbId: mine.id }), 404, 'NOT_FOUND');
      const theirs = json(await call(b, 'GET', `/v1/images?collection_id=${mine.id}`)).data;
      assert.deepEqual([theirs.items, theirs.total], [[], 0]);
      assert.deepEqual(json(await call(b, 'GET', `/v1/media?collection_id=${mine.id}`)).data.items, []);
      const kept = await getOne(a, mine.id);
      assert.deepEqual([kept.name, kept.docCount], ['Private album', 1]);
    });

    it('batch-move: counts what moved; foreign or unknown album 404; other accounts\' ids untouched; 1–50 ids; null files out', async () => {
      const album = await create(a, { name: 'Moves' });
      const other = await create(a, { name: 'Moves too' });
      const imgs = [await photo(a), await photo(a), await photo(a)];
      const bImg = await photo(b);
      assert.equal(await move(a, [imgs[0]!.id, imgs[1]!.id, imgs[0]!.id, bImg.id, 'doesNotExist'], album.id), 2);
      assert.equal(await move(a, [imgs[0]!.id, imgs[1]!.id], album.id), 0, 'already there');
      assert.deepEqual([(await getOne(a, album.id)).docCount, (await getOne(a, album.id)).sizeBytes], [2, imgs[0]!.sizeBytes + imgs[1]!.sizeBytes]);
      // at most one album: moving files it out of the first
      assert.equal(await move(a, [imgs[1]!.id, imgs[2]!.id], other.id), 2);
      assert.equal((await getOne(a, album.id)).docCount, 1);
      assert.equal((await getOne(a, other.id)).docCount, 2);
      // the image says where it is filed (kbId), in one read and in lists
      assert.equal(json(await call(a, 'GET', `/v1/images/${imgs[0]!.id}`)).data.kbId, album.id);
      const listed = json(await call(a, 'GET', `/v1/images?collection_id=${other.id}`)).data.items as Array<{ kbId: string | null }>;
      assert.deepEqual(listed.map((i) => i.kbId), [other.id, other.id]);
      // b's image never moved
      assert.deepEqual(json(await call(b, 'GET', `/v1/images?collection_id=${album.id}`)).data.items, []);
      const bRow = await t.deps.db.db.selectFrom('images').select('collectionId').where('id', '=', bImg.id).executeTakeFirstOrThrow();
      assert.equal(bRow.collectionId, null);

      refused(await call(a, 'POST', '/v1/images/batch-move', { ids: [imgs[0]!.id], kbId: 'AAAAAAAAAAAAAAAAAAAAA' }), 404, 'NOT_FOUND');
      refused(await call(a, 'POST', '/v1/images/batch-move', { ids: [], kbId: album.id }), 422, 'VALIDATION_ERROR', 'ids');
      const many = Array.from({ length: 51 }, (_, i) => `id${i}`);
      refused(await call(a, 'POST', '/v1/images/batch-move', { ids: many, kbId: album.id }), 422, 'VALIDATION_ERROR', 'ids');
      assert.equal(await move(a, many.slice(0, 50), album.id), 0, '50 ids are fine');
      refused(await call(a, 'POST', '/v1/images/batch-move', { ids: [imgs[0]!.id] }), 422, 'VALIDATION_ERROR', 'kbId');
      refused(await call(a, 'POST', '/v1/images/batch-move', { ids: [imgs[0]!.id], kbId: '' }), 422, 'VALIDATION_ERROR', 'kbId');
      for (const res of [await call(a, 'POST', '/v1/images/batch-move', { ids: [], kbId: album.id }), await call(a, 'POST', '/v1/images/batch-move', { ids: [imgs[0]!.id], kbId: 'AAAAAAAAAAAAAAAAAAAAA' })]) {
        conforms('POST', '/v1/images/batch-move', res);
      }

      assert.equal(await move(a, [imgs[0]!.id, imgs[1]!.id, imgs[2]!.id], null), 3, 'kbId null files every one out');
      assert.equal(await move(a, [imgs[0]!.id], null), 0);
      assert.equal(json(await call(a, 'GET', `/v1/images/${imgs[0]!.id}`)).data.kbId, null);
      assert.deepEqual([(await getOne(a, album.id)).docCount, (await getOne(a, other.id)).docCount], [0, 0]);

      // videos and audio are filed by id too, where the album allows their type
      const video = await insertVideo(t, a.userId);
      const song = await insertAudio(t, a.userId);
      assert.equal(await move(a, [video.id, song.id], album.id), 1, 'a photo album holds no audio');
      const music = await create(a, { name: 'Music', collectionType: 'album' });
      assert.equal(await move(a, [song.id, video.id], music.id), 2);
      const counted = await getOne(a, music.id);
      assert.deepEqual([counted.docCount, counted.videoCount, counted.audioCount, counted.sizeBytes], [2, 1, 1, video.sizeBytes + song.sizeBytes]);
    });

    it('API keys: reading needs media.read, filing media.write, deleting an album media.delete', async () => {
      const s = await registerUser(t);
      const album = await create(s, { name: 'Keys' });
      const img = await photo(s);
      const key = (await createKey(t, s)).key; // the default scopes: read and write, no delete
      assert.equal((await call(key, 'GET', `/v1/collections/${album.id}`)).statusCode, 200);
      assert.equal((await call(key, 'POST', '/v1/collections', { name: 'By key' })).statusCode, 201);
      assert.equal(json(await call(key, 'POST', '/v1/images/batch-move', { ids: [img.id], kbId: album.id })).data.moved, 1);
      refused(await call(key, 'DELETE', `/v1/collections/${album.id}?cascade=true`), 403, 'FORBIDDEN');
      const readOnly = (await createKey(t, s, { name: 'ro', scopes: ['media.read'] })).key;
      refused(await call(readOnly, 'POST', '/v1/images/batch-move', { ids: [img.id], kbId: null }), 403, 'FORBIDDEN');
      refused(await call(readOnly, 'PATCH', `/v1/collections/${album.id}`, { name: 'ro' }), 403, 'FORBIDDEN');
      assert.equal((await getOne(s, album.id)).docCount, 1);
    });

    it('collection_id filters /v1/images (items and total, with the other filters) and /v1/media (every type)', async () => {
      const s = await registerUser(t);
      const album = await create(s, { name: 'Filter', allowedResourceTypes: ['image', 'video', 'audio'] });
      const inside = [await photo(s), await photo(s)];
      await photo(s); // outside
      const tagged = await call(s, 'PATCH', `/v1/images/${inside[0]!.id}`, { tags: ['red'] });
      assert.equal(tagged.statusCode, 200, tagged.body);
      const video = await insertVideo(t, s.userId);
      const song = await insertAudio(t, s.userId);
      await insertVideo(t, s.userId); // outside
      assert.equal(await move(s, [...inside.map((i) => i.id), video.id, song.id], album.id), 4);

      const images = json(await call(s, 'GET', `/v1/images?collection_id=${album.id}&limit=1`)).data;
      assert.equal(images.total, 2);
      assert.equal(images.items.length, 1);
      const rest = json(await call(s, 'GET', `/v1/images?collection_id=${album.id}&cursor=${encodeURIComponent(images.nextCursor as string)}`)).data;
      assert.deepEqual(new Set([images.items[0].id, rest.items[0].id]), new Set(inside.map((i) => i.id)));
      const red = json(await call(s, 'GET', `/v1/images?collection_id=${album.id}&tag=red`)).data;
      assert.deepEqual([red.items.map((i: ImageData) => i.id), red.total], [[inside[0]!.id], 1]);
      assert.equal(json(await call(s, 'GET', '/v1/images')).data.total, 3, 'without the filter: every image');
      const unknown = json(await call(s, 'GET', '/v1/images?collection_id=AAAAAAAAAAAAAAAAAAAAA')).data;
      assert.deepEqual([unknown.items, unknown.total], [[], 0]);

      const media = await call(s, 'GET', `/v1/media?collection_id=${album.id}`);
      assert.equal(media.statusCode, 200, media.body);
      conforms('GET', '/v1/media', media);
      const items = json(media).data.items as Array<{ id: string; type: string }>;
      assert.deepEqual(new Set(items.map((i) => `${i.type}:${i.id}`)), new Set([...inside.map((i) => `image:${i.id}`), `video:${video.id}`, `audio:${song.id}`]));
      assert.deepEqual((json(await call(s, 'GET', `/v1/media?collection_id=${album.id}&type=audio`)).data.items as Array<{ id: string }>).map((i) => i.id), [song.id]);
      const paged = json(await call(s, 'GET', `/v1/media?collection_id=${album.id}&limit=3`)).data;
      assert.equal(paged.items.length, 3);
      assert.equal(json(await call(s, 'GET', `/v1/media?collection_id=${album.id}&limit=3&cursor=${encodeURIComponent(paged.nextCursor as string)}`)).data.items.length, 1);
      assert.deepEqual(json(await call(s, 'GET', '/v1/media?collection_id=AAAAAAAAAAAAAAAAAAAAA')).data.items, []);
    });

    it('delete: an empty album goes (200 {id}); one with items is 409 and keeps them; cascade deletes the items for real', async () => {
      const s = await registerUser(t);
      const empty = await create(s, { name: 'Empty' });
      const del = await call(s, 'DELETE', `/v1/collections/${empty.id}`);
      assert.equal(del.statusCode, 200, del.body);
      conforms('DELETE', '/v1/collections/{id}', del);
      assert.deepEqual(json(del), { success: true, data: { id: empty.id } });
      refused(await call(s, 'GET', `/v1/collections/${empty.id}`), 404, 'NOT_FOUND');
      refused(await call(s, 'DELETE', `/v1/collections/${empty.id}`), 404, 'NOT_FOUND');

      const album = await create(s, { name: 'Full', collectionType: 'album' });
      const keep = await create(s, { name: 'Keep' });
      const doomed = [await photo(s), await photo(s), await photo(s)];
      const spared = await photo(s);
      const video = await insertVideo(t, s.userId);
      const song = await insertAudio(t, s.userId);
      const bImg = await photo(b);
      assert.equal(await move(s, [...doomed.map((i) => i.id), video.id, song.id], album.id), 5);
      assert.equal(await move(s, [spared.id], keep.id), 1);
      const before = await usageOf(t, s.userId);
      assert.equal(before.imgCount, 4);

      const conflict = await call(s, 'DELETE', `/v1/collections/${album.id}`);
      refused(conflict, 409, 'CONFLICT');
      assert.equal(json(conflict).meta.items, 5);
      refused(await call(s, 'DELETE', `/v1/collections/${album.id}?cascade=false`), 409, 'CONFLICT');
      assert.equal((await getOne(s, album.id)).docCount, 5, 'without cascade the items stay');
      for (const img of doomed) assert.equal((await call(s, 'GET', `/v1/images/${img.id}`)).statusCode, 200);

      const cascaded = await call(s, 'DELETE', `/v1/collections/${album.id}?cascade=true`);
      assert.equal(cascaded.statusCode, 200, cascaded.body);
      conforms('DELETE', '/v1/collections/{id}', cascaded);
      assert.deepEqual(json(cascaded), { success: true, data: { id: album.id } });
      refused(await call(s, 'GET', `/v1/collections/${album.id}`), 404, 'NOT_FOUND');
      for (const img of doomed) refused(await call(s, 'GET', `/v1/images/${img.id}`), 404, 'NOT_FOUND');
      refused(await call(s, 'GET', `/v1/media/${video.id}`), 404, 'NOT_FOUND');
      refused(await call(s, 'GET', `/v1/media/${song.id}`), 404, 'NOT_FOUND');
      const after = await usageOf(t, s.userId);
      assert.deepEqual([after.imgCount, after.imgStorageBytes], [1, before.imgStorageBytes - doomed.reduce((n, i) => n + i.sizeBytes, 0)], 'usage freed');
      // the bytes: the purge job removes the originals
      const gone = new Set(doomed.map((i) => originalKey(i)));
      const deadline = Date.now() + 30_000;
      while ((await objectKeys(t, s.userId)).some((k) => gone.has(k)) && Date.now() < deadline) await sleep(50);
      const left = await objectKeys(t, s.userId);
      assert.deepEqual(left.filter((k) => gone.has(k)), [], 'no bytes of the deleted images are left');
      assert.ok(left.includes(originalKey(spared)), 'the other album\'s image keeps its bytes');
      const tombstones = await t.deps.db.db.selectFrom('syncTombstones').select('id').where('userId', '=', s.userId).execute();
      assert.deepEqual(new Set(tombstones.map((r) => r.id)), new Set([...doomed.map((i) => i.id), video.id, song.id]), 'sync clients learn of every delete');

      // the rest is untouched: the other album, its image, the other account's image
      assert.equal((await getOne(s, keep.id)).docCount, 1);
      assert.equal((await call(s, 'GET', `/v1/images/${spared.id}`)).statusCode, 200);
      assert.equal((await call(b, 'GET', `/v1/images/${bImg.id}`)).statusCode, 200);
    });
  });
}
