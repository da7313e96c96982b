// Shared setup for the transform tests (transforms-params, transforms-cache, transforms-output): fixtures, the
// upload call, media requests, what sharp reads from an answer, and a second app on the same data.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { LightMyRequestResponse } from 'fastify';
import { storageKeys } from '../../../src/storage/keys.js';
import { bearer, startTestApp, type TestApp } from '../../support/app.js';
import { uploadBody } from '../../support/multipart.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const json = (res: { json(): unknown }) => res.json() as Record<string, any>;

export type Uploaded = { id: string; userId: string; url: string; path: string; sha256: string; sizeBytes: number; width: number; height: number; mimeType: string };

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');
export const fixture = (name: string): Promise<Buffer> => readFile(path.join(FIXTURES, name));
export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Uploads a fixture (or bytes) and insists on 201. */
export async function uploadImage(t: TestApp, token: string, file: string | { data: Buffer; name: string }, fields: Record<string, string> = {}): Promise<Uploaded> {
  const data = typeof file === 'string' ? await fixture(file) : file.data;
  const name = typeof file === 'string' ? file : file.name;
  const body = uploadBody(data, name, fields);
  const res = await t.app.inject({ method: 'POST', url: '/v1/images', headers: { ...bearer(token), ...body.headers }, payload: body.payload });
  assert.ok(res.statusCode === 201 || res.statusCode === 200, `${name}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  const img = json(res).data as Omit<Uploaded, 'path'>;
  return { ...img, path: new URL(img.url).pathname };
}

/** A GET of the media host; `query` is appended as written (order and repeats kept). */
export function media(t: TestApp, img: { path: string }, query = '', headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'GET', url: `${img.path}${query ? `?${query}` : ''}`, headers });
}

/** A GET that must answer 200; returns the response and what sharp reads from its body. */
export async function mediaOk(t: TestApp, img: { path: string }, query = '', headers: Record<string, string> = {}) {
  const res = await media(t, img, query, headers);
  assert.equal(res.statusCode, 200, `?${query}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return { res, body: res.rawPayload, meta: await sharp(res.rawPayload).metadata() };
}

/** A 400 INVALID_IMAGE_PARAMS naming `param`. */
export async function assertInvalid(t: TestApp, img: { path: string }, query: string, param: string): Promise<void> {
  const res = await media(t, img, query);
  assert.equal(res.statusCode, 400, `?${query}: ${res.statusCode} ${res.body.slice(0, 200)}`);
  const body = json(res);
  assert.equal(body.code, 'INVALID_IMAGE_PARAMS', `?${query}`);
  assert.equal(body.meta?.param, param, `?${query}: meta.param`);
}

/** The image_variants rows of an image. */
export const variantRows = (t: TestApp, imageId: string) =>
  t.deps.db.db.selectFrom('imageVariants').selectAll().where('imageId', '=', imageId).execute();

/** The stored variant objects of an image. */
export async function variantObjects(t: TestApp, img: { userId: string; id: string }): Promise<string[]> {
  const keys: string[] = [];
  for await (const k of t.deps.blobs.list(storageKeys.imagePrefix(img.userId, img.id))) if (k.includes('/variants/')) keys.push(k);
  return keys;
}

/** A copy of the render/store/hit counters, to compare with later. */
export const statsOf = (t: TestApp) => ({ ...t.deps.variants.stats });

/** The ICC profile is absent or sRGB (its description tag, UTF-16 in v4 profiles, names sRGB). */
export function assertSrgbOrNone(icc: Buffer | undefined, label: string): void {
  if (!icc) return;
  assert.equal(icc.subarray(16, 20).toString('latin1'), 'RGB ', `${label}: an RGB profile`);
  assert.match(icc.toString('latin1').replace(/\0/g, ''), /sRGB/, `${label}: the profile is sRGB`);
}

/** Neither sharp nor a byte scan finds EXIF, GPS or XMP in a rendition. */
export function assertNoMetadata(m: sharp.Metadata, body: Buffer, label: string): void {
  assert.equal(m.exif, undefined, `${label}: no EXIF`);
  assert.equal(m.xmp, undefined, `${label}: no XMP`);
  assert.equal(m.iptc, undefined, `${label}: no IPTC`);
  assert.ok(m.orientation === undefined || m.orientation === 1, `${label}: no orientation tag left to apply`);
  const text = body.toString('latin1');
  assert.ok(!text.includes('Exif\0\0') && !text.includes('http://ns.adobe.com/xap/'), `${label}: no EXIF/XMP segment in the bytes`);
}

/**
 * A second app on the same database, store and data folder (so the same JWT secret): cold memory tiers.
 * Close it before the first one.
 */
export function reopen(t: TestApp): Promise<TestApp> {
  const env: Record<string, string> = { PICORA_DATA_DIR: t.dataDir };
  if (t.config.database.kind === 'postgres') env['PICORA_DATABASE_URL'] = t.config.database.url;
  const s = t.config.storage;
  if (s.kind === 's3') {
    Object.assign(env, {
      PICORA_STORAGE: 's3', PICORA_S3_ENDPOINT: s.endpoint, PICORA_S3_BUCKET: s.bucket, PICORA_S3_REGION: s.region,
      PICORA_S3_ACCESS_KEY: s.accessKeyId, PICORA_S3_SECRET_KEY: s.secretAccessKey,
    });
  }
  return startTestApp({ db: 'sqlite', store: 'local' }, { env });
}
