// The media host's row cache (PICORA_DELIVERY_CACHE_MS): repeat requests read no database, a change made
// through this instance is seen at once, a change made elsewhere within the TTL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, registerUser, startTestApp, type Session, type TestApp } from '../support/app.js';
import { fixture, mediaPath, uploadOk, type ImageData } from './suites/images.suite.js';

describe('delivery cache', () => {
  let t: TestApp;
  let s: Session;
  let img: ImageData;
  before(async () => {
    t = await startTestApp(undefined, { env: { PICORA_DELIVERY_CACHE_MS: '400' } });
    s = await registerUser(t);
    img = await uploadOk(t, s.accessToken, await fixture('photo.jpg'), 'photo.jpg');
  });
  after(async () => t?.close());

  it('serves repeat requests from memory; another instance\'s change shows within the TTL', async () => {
    assert.equal((await t.app.inject({ url: mediaPath(img) })).statusCode, 200);
    // a change written straight to the database (as another instance would) is not seen at once …
    await t.deps.db.db.updateTable('images').set({ isPublic: 0 }).where('id', '=', img.id).execute();
    assert.equal((await t.app.inject({ url: mediaPath(img) })).statusCode, 200, 'still cached');
    // … but within the TTL
    await new Promise((r) => setTimeout(r, 450));
    assert.equal((await t.app.inject({ url: mediaPath(img) })).statusCode, 401);
  });

  it('sees a change made through this instance immediately', async () => {
    await t.app.inject({ method: 'PATCH', url: `/v1/images/${img.id}`, headers: bearer(s.accessToken), payload: { isPublic: true } });
    assert.equal((await t.app.inject({ url: mediaPath(img) })).statusCode, 200);
    await t.app.inject({ method: 'PATCH', url: `/v1/images/${img.id}`, headers: bearer(s.accessToken), payload: { isPublic: false } });
    assert.equal((await t.app.inject({ url: mediaPath(img) })).statusCode, 401, 'private at once');
    await t.app.inject({ method: 'DELETE', url: `/v1/images/${img.id}`, headers: bearer(s.accessToken) });
    assert.equal((await t.app.inject({ url: mediaPath(img) })).statusCode, 404, 'gone at once');
  });
});
