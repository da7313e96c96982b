// Photo information (issue 12) on SQLite and PostgreSQL: camera, date taken and GPS read from the original's EXIF at
// upload and answered to the owner only (GET /v1/images/{id}/info); the Image object, the library and the media host
// never carry them — the served image and its variants keep no EXIF at all.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { bearer, createKey, registerUser, startTestApp, type Session, type TestApp } from '../support/app.js';
import { probePostgres, skipUnless } from '../support/services.js';
import { distinctPng, fixture, json, mediaPath, upload, uploadOk, type ImageData } from './suites/images.suite.js';
import { assertNoMetadata } from './suites/transforms.suite.js';

const pg = await probePostgres();
const cases = [
  { name: 'SQLite', backend: { db: 'sqlite', store: 'local' } as const, skip: undefined },
  { name: 'PostgreSQL', backend: { db: 'postgres', store: 'local' } as const, skip: skipUnless('PostgreSQL', pg) },
];

const NOTHING = { camera: null, lens: null, exposure: { focalLengthMm: null, fNumber: null, exposureTime: null, iso: null }, takenAt: null, location: null };
/** Names of the photo fields in any spelling, and the fixture's coordinates as text. */
const LEAK = /camera|lens|gps|latitude|longitude|takenAt|taken_at|exposure|fNumber|48\.858|2\.2945/i;

for (const c of cases) {
  describe(`photo information (${c.name})`, { skip: c.skip }, () => {
    let t: TestApp;
    let owner: Session;
    let other: Session;
    let gps: ImageData;

    before(async () => {
      t = await startTestApp(c.backend);
      owner = await registerUser(t);
      other = await registerUser(t);
      gps = await uploadOk(t, owner.accessToken, await fixture('photo-exif-orient6-gps.jpg'), 'holiday.jpg');
    });
    after(async () => t?.close());

    const get = (url: string, token?: string) => t.app.inject({ method: 'GET', url, headers: token ? bearer(token) : {} });

    it('answers the owner with camera, date taken and location read at upload', async () => {
      const res = await get(`/v1/images/${gps.id}/info`, owner.accessToken);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(json(res), {
        success: true,
        data: {
          camera: 'Picora Fixture Camera',
          lens: null,
          exposure: { focalLengthMm: null, fNumber: null, exposureTime: null, iso: null },
          takenAt: '2024-05-01T12:00:00',
          location: { latitude: 48.858233, longitude: 2.294508 },
        },
      });
    });

    it('answers an API key of the owner with the read scope; not one without it, not another account, not anonymous', async () => {
      const reader = await createKey(t, owner, { name: 'reader', scopes: ['media.read'] });
      const res = await get(`/v1/images/${gps.id}/info`, reader.key);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(json(res).data.location.latitude, 48.858233);

      const usageOnly = await createKey(t, owner, { name: 'usage only', scopes: ['usage.read'] });
      const noScope = await get(`/v1/images/${gps.id}/info`, usageOnly.key);
      assert.deepEqual([noScope.statusCode, json(noScope).code], [403, 'FORBIDDEN'], noScope.body);

      // another account: FORBIDDEN like every other route of an image that exists (CONTRACT §2), with nothing of it
      const foreign = await get(`/v1/images/${gps.id}/info`, other.accessToken);
      assert.deepEqual([foreign.statusCode, json(foreign).code], [403, 'FORBIDDEN'], foreign.body);
      assert.doesNotMatch(foreign.body, LEAK);

      const missing = await get('/v1/images/doesnotexist/info', owner.accessToken);
      assert.deepEqual([missing.statusCode, json(missing).code], [404, 'NOT_FOUND']);
      const anonymous = await get(`/v1/images/${gps.id}/info`);
      assert.deepEqual([anonymous.statusCode, json(anonymous).code], [401, 'UNAUTHORIZED']);
    });

    it('keeps the fields out of the Image object, the library, the unified media list and the upload answer', async () => {
      for (const url of [`/v1/images/${gps.id}`, '/v1/images', '/v1/media', `/v1/media/${gps.id}`]) {
        const res = await get(url, owner.accessToken);
        assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
        assert.doesNotMatch(res.body, LEAK, url);
      }
      const again = await upload(t, owner.accessToken, await fixture('photo-exif-orient6-gps.jpg'), 'again.jpg');
      assert.equal(again.statusCode, 200, 'the duplicate answers the existing Image');
      assert.doesNotMatch(again.body, LEAK);
    });

    it('serves the public image and its variants without EXIF or GPS (anonymous, as any visitor)', async () => {
      const path = mediaPath(gps);
      for (const query of ['', '?w=100', '?fmt=webp', '?w=64&fmt=png', '?fmt=jpeg&q=90']) {
        const res = await t.app.inject({ method: 'GET', url: `${path}${query}` });
        assert.equal(res.statusCode, 200, `${query}: ${res.body.slice(0, 200)}`);
        const body = res.rawPayload;
        const meta = await sharp(body).metadata();
        assertNoMetadata(meta, body, query || 'plain URL');
      }
    });

    it('has no information for a PNG without EXIF, nor for a HEIC converted on upload', async () => {
      const png = await uploadOk(t, owner.accessToken, await distinctPng(1), 'plain.png');
      const res = await get(`/v1/images/${png.id}/info`, owner.accessToken);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(json(res).data, NOTHING);

      const heic = await uploadOk(t, owner.accessToken, await fixture('image.heic'), 'phone.heic');
      const info = await get(`/v1/images/${heic.id}/info`, owner.accessToken);
      assert.equal(info.statusCode, 200, info.body);
      assert.deepEqual(json(info).data, NOTHING, 'the fixture HEIC carries no camera EXIF');
    });

    it('stores the information on the image row: typed columns, read back the same on this database', async () => {
      const row = await t.deps.db.db.selectFrom('images').select(['cameraMake', 'cameraModel', 'takenAt', 'gpsLatitude', 'gpsLongitude', 'iso']).where('id', '=', gps.id).executeTakeFirstOrThrow();
      assert.deepEqual(row, { cameraMake: 'Picora', cameraModel: 'Fixture Camera', takenAt: '2024-05-01T12:00:00', gpsLatitude: 48.858233, gpsLongitude: 2.294508, iso: null });
    });
  });
}
