// The IDOR matrix's cast on the real app (in-process): an admin (the first account), owner A with one of every
// resource an account can own, and intruder B on the same plan as A (pro_plus, so plan gates cannot hide
// the ownership checks) with a session and an API key holding every scope. Plans are changed through the
// admin API, as an operator would.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import { bearer, createKey, registerUser, type Session, type TestApp } from '../../support/app.js';
import { uploadBody } from '../../support/multipart.js';
import { readFile } from 'node:fs/promises';
import { multipart } from '../../support/multipart.js';
import { generateClip } from '../../support/video-clips.js';
import { generateAudio } from '../../support/audio-clips.js';
import type { Kind } from './routes.js';

const json = (res: LightMyRequestResponse) => res.json() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type Cast = {
  admin: Session;
  a: Session;
  b: Session;
  bKey: string;
  aKey: { id: string; key: string };
  /** The ids to aim at, per kind (a media file is `id.ext` plus the query that makes it A's alone). */
  targets: Record<Kind, string[]>;
  /** Strings only A's data holds: none may appear in an answer to B. */
  secrets: string[];
};

export const ALL_SCOPES = ['media.read', 'media.write', 'media.delete', 'account.read', 'usage.read'];

async function png(seed: number): Promise<Buffer> {
  const raw = Buffer.alloc(32 * 24 * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * seed) & 0xff;
  return sharp(raw, { raw: { width: 32, height: 24, channels: 3 } }).png().toBuffer();
}

async function upload(t: TestApp, s: Session, data: Buffer, fields: Record<string, string>): Promise<{ id: string; url: string; sha256: string }> {
  const body = uploadBody(data, 'a-secret-file.png', fields);
  const res = await t.app.inject({ method: 'POST', url: '/v1/images', headers: { ...bearer(s.accessToken), ...body.headers }, payload: body.payload });
  assert.equal(res.statusCode, 201, res.body);
  return json(res).data;
}

async function setPlan(t: TestApp, admin: Session, userId: string, plan: string): Promise<void> {
  const res = await t.app.inject({ method: 'PATCH', url: `/v1/admin/users/${userId}`, headers: bearer(admin.accessToken), payload: { plan } });
  assert.equal(res.statusCode, 200, `set plan: ${res.body}`);
}

export async function makeCast(t: TestApp): Promise<Cast> {
  const admin = await registerUser(t); // the first account of the instance is its admin
  const a = await registerUser(t, `owner-a-${Date.now()}@example.com`);
  const b = await registerUser(t);
  await setPlan(t, admin, a.userId, 'pro_plus');
  await setPlan(t, admin, b.userId, 'pro_plus');
  const image = await upload(t, a, await png(3), { title: 'A-secret-title', tags: '["a-secret-tag"]' });
  const privateImage = await upload(t, a, await png(5), { title: 'A-secret-private', isPublic: 'false' });
  const aKey = await createKey(t, a, { name: 'A-secret-key', description: 'A-secret-description' });
  const wm = await t.app.inject({
    method: 'POST', url: '/v1/watermark-templates', headers: bearer(a.accessToken),
    payload: { name: 'A-secret-watermark', type: 'text', text: 'A-secret-mark', position: 'top-left', opacity: 0.25 },
  });
  assert.equal(wm.statusCode, 201, `watermark: ${wm.body}`);
  const clip = multipart([{ name: 'title', value: 'A-secret-video' }, { name: 'isPublic', value: 'false' }, { name: 'file', filename: 'a-secret-clip.mp4', data: await readFile(await generateClip('small240')) }]);
  const vid = await t.app.inject({ method: 'POST', url: '/v1/videos', headers: { ...bearer(a.accessToken), ...clip.headers }, payload: clip.payload });
  assert.equal(vid.statusCode, 202, `video: ${vid.body}`);
  const videoId = json(vid).data.videoId as string;
  const track = multipart([{ name: 'title', value: 'A-secret-audio' }, { name: 'isPublic', value: 'false' }, { name: 'file', filename: 'a-secret-track.mp3', data: await readFile(await generateAudio('mp3Cover')) }]);
  const aud = await t.app.inject({ method: 'POST', url: '/v1/audio', headers: { ...bearer(a.accessToken), ...track.headers }, payload: track.payload });
  assert.equal(aud.statusCode, 201, `audio: ${aud.body}`);
  const audioId = json(aud).data.id as string;
  const dom = await t.app.inject({ method: 'POST', url: '/v1/domains', headers: bearer(a.accessToken), payload: { host: 'a-secret-domain.example.test' } });
  assert.equal(dom.statusCode, 201, `domain: ${dom.body}`);
  const hook = await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(a.accessToken), payload: { url: 'https://a-secret-hook.example.test/in', description: 'A-secret-hook' } });
  assert.equal(hook.statusCode, 201, `webhook: ${hook.body}`);
  const album = await t.app.inject({ method: 'POST', url: '/v1/collections', headers: bearer(a.accessToken), payload: { name: 'A-secret-album' } });
  assert.equal(album.statusCode, 201, `collection: ${album.body}`);
  const albumId = json(album).data.id as string;
  const filed = await t.app.inject({ method: 'POST', url: '/v1/images/batch-move', headers: bearer(a.accessToken), payload: { ids: [privateImage.id], kbId: albumId } });
  assert.equal(json(filed).data.moved, 1, `batch-move: ${filed.body}`);
  const avatar = uploadBody(await png(7), 'a-secret-avatar.png');
  const av = await t.app.inject({ method: 'POST', url: '/v1/user/me/avatar', headers: { ...bearer(a.accessToken), ...avatar.headers }, payload: avatar.payload });
  assert.equal(av.statusCode, 200, `avatar: ${av.body}`);
  const tus = { 'tus-resumable': '1.0.0' };
  const created = await t.app.inject({
    method: 'POST', url: '/v1/uploads',
    headers: { ...bearer(a.accessToken), ...tus, 'upload-length': '1000', 'upload-metadata': `resourceType ${Buffer.from('image').toString('base64')},filename ${Buffer.from('a-secret-upload.png').toString('base64')}` },
  });
  assert.equal(created.statusCode, 201, `upload: ${created.body}`);
  const uploadId = String(created.headers['location']).split('/').pop()!;
  const sent = await t.app.inject({
    method: 'PATCH', url: `/v1/uploads/${uploadId}`, payload: Buffer.alloc(100, 7),
    headers: { ...bearer(a.accessToken), ...tus, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
  });
  assert.equal(sent.statusCode, 204, `upload PATCH: ${sent.body}`);
  const bKey = await createKey(t, b, { name: 'intruder', scopes: ALL_SCOPES });
  const file = (img: { url: string }) => new URL(img.url).pathname.slice(1);
  return {
    admin, a, b, bKey: bKey.key, aKey,
    targets: {
      image: [image.id, privateImage.id],
      video: [videoId],
      audio: [audioId],
      media: [image.id, privateImage.id, videoId, audioId],
      avatar: [a.userId],
      upload: [uploadId],
      // the private audio file and its cover, on both media host routes
      audioFile: [`${audioId}.mp3`, `${audioId}.jpg`],
      domain: [json(dom).data.id as string],
      webhook: [json(hook).data.id as string],
      collection: [albumId],
      // the private video's master playlist, poster and a segment path (the URL's wildcard part is filled below)
      videoFile: [videoId],
      apiKey: [aKey.id],
      watermark: [json(wm).data.id as string],
      user: [a.userId],
      plan: ['pro_plus'],
      // another account's private file, with and without a transform; anyone's original is for its owner
      mediaFile: [file(privateImage), `${file(privateImage)}?w=16&fmt=png`, `${file(image)}?original=1`],
    },
    secrets: [a.email, 'A-secret', 'a-secret', image.sha256, privateImage.sha256, aKey.key, aKey.key.slice(0, 12)],
  };
}

/** Everything A can see of A's resources (and the admin of the plan), to compare before and after. */
export async function snapshot(t: TestApp, cast: Cast): Promise<Record<string, unknown>> {
  const as = (s: Session, url: string) => t.app.inject({ url, headers: bearer(s.accessToken) });
  const out: Record<string, unknown> = {};
  const domains = json(await as(cast.a, '/v1/domains')).data as Array<{ id: string }>;
  for (const id of cast.targets.domain) out[`domain ${id}`] = domains.find((d) => d.id === id) ?? 'missing';
  const hooks = json(await as(cast.a, '/v1/webhooks')).data as Array<{ id: string }>;
  for (const id of cast.targets.webhook) {
    out[`webhook ${id}`] = hooks.find((h) => h.id === id) ?? 'missing';
    out[`webhook ${id} deliveries`] = json(await as(cast.a, `/v1/webhooks/${id}/deliveries`)).data;
  }
  for (const id of cast.targets.collection) {
    const res = await as(cast.a, `/v1/collections/${id}`);
    assert.equal(res.statusCode, 200, `A's album ${id} is gone: ${res.body}`);
    out[`collection ${id}`] = json(res).data;
    out[`collection ${id} items`] = json(await as(cast.a, `/v1/images?collection_id=${id}`)).data;
  }
  for (const id of cast.targets.video) {
    const res = await as(cast.a, `/v1/videos/${id}`);
    assert.equal(res.statusCode, 200, `A's video ${id} is gone: ${res.body}`);
    const { updatedAt: _u, progress: _p, ...video } = json(res).data as Record<string, unknown>;
    out[`video ${id}`] = { ...video, playbackUrl: null, thumbnailUrl: null };
  }
  for (const id of cast.targets.upload) {
    const res = await t.app.inject({ method: 'HEAD', url: `/v1/uploads/${id}`, headers: { ...bearer(cast.a.accessToken), 'tus-resumable': '1.0.0' } });
    assert.equal(res.statusCode, 200, `A's upload ${id} is gone: ${res.statusCode}`);
    out[`upload ${id}`] = { offset: res.headers['upload-offset'], length: res.headers['upload-length'] };
  }
  for (const id of cast.targets.audio) {
    const res = await as(cast.a, `/v1/audio/${id}`);
    assert.equal(res.statusCode, 200, `A's audio ${id} is gone: ${res.body}`);
    const { url: _url, thumbnailUrl: _thumb, ...track } = json(res).data as Record<string, unknown>; // links carry a fresh token
    out[`audio ${id}`] = track;
  }
  for (const id of cast.targets.image) {
    const res = await as(cast.a, `/v1/images/${id}`);
    assert.equal(res.statusCode, 200, `A's image ${id} is gone: ${res.body}`);
    const img = json(res).data as { url: string; sha256: string };
    const original = await as(cast.a, `${new URL(img.url).pathname}?original=1`);
    assert.equal(original.statusCode, 200, `A's original of ${id}: ${original.statusCode}`);
    out[`image ${id}`] = img;
    out[`image ${id} bytes`] = createHash('sha256').update(original.rawPayload).digest('hex');
  }
  const keys = json(await as(cast.a, '/v1/api-keys')).data as Array<{ id: string }>;
  out[`apiKey ${cast.aKey.id}`] = keys.find((k) => k.id === cast.aKey.id) ?? 'missing';
  for (const id of cast.targets.watermark) {
    const res = await as(cast.a, `/v1/watermark-templates/${id}`);
    out[`watermark ${id}`] = res.statusCode === 200 ? json(res).data : `status ${res.statusCode}`;
  }
  out['user A'] = json(await as(cast.a, '/v1/user/me')).data;
  const plans = json(await as(cast.admin, '/v1/admin/plans')).data as Array<{ id: string }>;
  out['plan pro_plus'] = plans.find((p) => p.id === 'pro_plus') ?? 'missing';
  return out;
}
