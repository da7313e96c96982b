// Shared setup for the image suites (images-upload, images-rejects, images-library, images-delivery), which the
// images.*.test.ts files run once per backend: fixtures, the upload call, and what is left in the
// database, the store and the spool after a request.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { LightMyRequestResponse } from 'fastify';
import type { PlanRow } from '../../../src/db/schema.js';
import { storageKeys } from '../../../src/storage/keys.js';
import { bearer, type TestApp } from '../../support/app.js';
import { uploadBody } from '../../support/multipart.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const json = (res: { json(): unknown }) => res.json() as Record<string, any>;

/** The Image of CONTRACT §5 as the API answers it. */
export type ImageData = {
  id: string; userId: string; url: string; filename: string; title: string | null; mimeType: string; sizeBytes: number;
  width: number | null; height: number | null; tags: string[]; isPublic: boolean; allowedReferers: string[] | null;
  sha256: string; blurhash: string | null; dominantColor: string | null; createdAt: string; updatedAt: string;
};

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');
const cache = new Map<string, Buffer>();
export async function fixture(name: string): Promise<Buffer> {
  let b = cache.get(name);
  if (!b) cache.set(name, (b = await readFile(path.join(FIXTURES, name))));
  return b;
}

export function upload(t: TestApp, token: string | undefined, data: Buffer, filename: string, fields: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const body = uploadBody(data, filename, fields);
  return t.app.inject({ method: 'POST', url: '/v1/images', headers: { ...(token ? bearer(token) : {}), ...body.headers }, payload: body.payload });
}

/** Uploads and insists on 201; returns the Image. */
export async function uploadOk(t: TestApp, token: string, data: Buffer, filename: string, fields: Record<string, string> = {}): Promise<ImageData> {
  const res = await upload(t, token, data, filename, fields);
  assert.equal(res.statusCode, 201, `${filename}: ${res.body.slice(0, 300)}`);
  return json(res).data as ImageData;
}

/** The media path of an Image (its url without the origin). */
export const mediaPath = (img: { url: string }): string => new URL(img.url).pathname;

/** A small PNG unique to `seed`; every seed gives the same byte size (no compression). */
export async function distinctPng(seed: number, side = 24): Promise<Buffer> {
  const raw = Buffer.alloc(side * side * 3, 200);
  for (let i = 0; i < 4; i++) raw.writeUInt32BE((seed * 2654435761 + i * 40503) >>> 0, i * 4);
  return sharp(raw, { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0, adaptiveFiltering: false }).toBuffer();
}

export async function usageOf(t: TestApp, userId: string) {
  const row = await t.deps.db.db.selectFrom('userUsage').selectAll().where('userId', '=', userId).executeTakeFirst();
  return { imgStorageBytes: Number(row?.imgStorageBytes ?? 0), imgCount: Number(row?.imgCount ?? 0), uploadsToday: Number(row?.uploadsToday ?? 0) };
}

export async function rowsOf(t: TestApp, userId: string) {
  return t.deps.db.db.selectFrom('images').select(['id', 'sizeBytes']).where('userId', '=', userId).execute();
}

/** Every stored object of an account. */
export async function objectKeys(t: TestApp, userId: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const k of t.deps.blobs.list(storageKeys.userPrefix(userId))) keys.push(k);
  return keys;
}

export const originalKey = (img: { userId: string; id: string }) => storageKeys.imageOriginal(img.userId, img.id);

/** Files left in the upload spool (`<dataDir>/tmp/uploads`) and, for the local store, in its own temp folder. */
export async function leftovers(t: TestApp): Promise<string[]> {
  const list = async (dir: string) => (await readdir(dir).catch(() => [] as string[])).map((f) => path.join(dir, f));
  const local = t.config.storage.kind === 'local' ? await list(path.join(t.config.storage.root, '.tmp')) : [];
  return [...(await list(path.join(t.dataDir, 'tmp', 'uploads'))), ...local];
}

/** Nothing of a refused or failed upload remains: no row, no object, no spool file, no usage. */
export async function assertNothingLeft(t: TestApp, userId: string, label: string): Promise<void> {
  assert.deepEqual(await rowsOf(t, userId), [], `${label}: no image row`);
  assert.deepEqual(await objectKeys(t, userId), [], `${label}: no stored object`);
  assert.deepEqual(await leftovers(t), [], `${label}: no spool or temp file`);
  const u = await usageOf(t, userId);
  assert.deepEqual({ bytes: u.imgStorageBytes, count: u.imgCount }, { bytes: 0, count: 0 }, `${label}: no usage`);
}

/** Changes the trial plan of this test app's own database; returns the undo. */
export async function setTrialPlan(t: TestApp, patch: Partial<Omit<PlanRow, 'id'>>): Promise<() => Promise<void>> {
  const before = await t.deps.db.db.selectFrom('plans').selectAll().where('id', '=', 'trial').executeTakeFirstOrThrow();
  await t.deps.db.db.updateTable('plans').set(patch).where('id', '=', 'trial').execute();
  const undo = Object.fromEntries(Object.keys(patch).map((k) => [k, before[k as keyof PlanRow]]));
  return async () => void (await t.deps.db.db.updateTable('plans').set(undo).where('id', '=', 'trial').execute());
}

/** Signs in again (after the test clock moved past the 15-minute access token). */
export async function login(t: TestApp, s: { email: string; password: string }): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: s.email, password: s.password } });
  assert.equal(res.statusCode, 200, res.body);
  return json(res).data.accessToken as string;
}

/** The bytes the store holds for an image. */
export async function storedBytes(t: TestApp, img: { userId: string; id: string }): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await t.deps.blobs.get(originalKey(img))) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
