// Shared setup for the watermark suites: pro_plus accounts, template calls, uploads, and the contract check.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import type { PlanId } from '../../../src/db/schema.js';
import { bearer, registerUser, type Session, type TestApp } from '../../support/app.js';
import { uploadBody } from '../../support/multipart.js';
import { loadContract } from '../../support/openapi.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const json = (res: { json(): unknown }) => res.json() as Record<string, any>;

export const BASE = '/v1/watermark-templates';

const contract = loadContract();
if ('skip' in contract) console.log(`# watermark suites: contract checks skipped (${contract.skip})`);

/**
 * Validates an answer against the OpenAPI contract. The contract gives single templates as a bare
 * WatermarkTemplate while CONTRACT §1 (which wins) wraps every success in { success, data }: for those the
 * `data` is what is checked. Lists, deletes and errors are checked whole.
 */
export function conforms(method: string, apiPath: string, res: LightMyRequestResponse, bare = false): void {
  if ('skip' in contract) return;
  const body = json(res);
  assert.ok(contract.validator.check(method, apiPath, res.statusCode, bare ? body.data : body), `the contract has a schema for ${method} ${apiPath} ${res.statusCode}`);
}

export async function setPlan(t: TestApp, userId: string, plan: PlanId): Promise<void> {
  await t.deps.db.db.updateTable('users').set({ plan }).where('id', '=', userId).execute();
}

/** A fresh account on `plan` (pro_plus by default). */
export async function account(t: TestApp, plan: PlanId = 'pro_plus'): Promise<Session> {
  const s = await registerUser(t);
  if (plan !== 'trial') await setPlan(t, s.userId, plan);
  return s;
}

export function call(t: TestApp, s: Session | undefined, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}) {
  return t.app.inject({ method, url, headers: { ...(s ? bearer(s.accessToken) : {}), ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) });
}

export type Template = { id: string; name: string; type: 'text' | 'image'; position: string; opacity: number; text?: string; fontSize?: number; imageUrl?: string; createdAt: string; updatedAt: string };

export async function createTemplate(t: TestApp, s: Session, body: Record<string, unknown>): Promise<Template> {
  const res = await call(t, s, 'POST', BASE, body);
  assert.equal(res.statusCode, 201, res.body);
  conforms('POST', BASE, res, true);
  return json(res).data as Template;
}

export type Uploaded = { id: string; url: string; path: string; width: number; height: number };

export async function uploadPng(t: TestApp, s: Session, data: Buffer, fields: Record<string, string> = {}, name = 'image.png'): Promise<Uploaded> {
  const body = uploadBody(data, name, fields);
  const res = await t.app.inject({ method: 'POST', url: '/v1/images', headers: { ...bearer(s.accessToken), ...body.headers }, payload: body.payload });
  assert.ok(res.statusCode === 201 || res.statusCode === 200, `${res.statusCode} ${res.body.slice(0, 300)}`);
  const img = json(res).data as Omit<Uploaded, 'path'>;
  return { ...img, path: new URL(img.url).pathname };
}

/** A busy photo-like PNG (gradients and noise) unique to `seed`, so every region has detail. */
export async function busyPng(seed: number, width = 400, height = 300): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  let x = Math.imul(seed, 2654435761) >>> 0;
  for (let i = 0; i < raw.length; i += 3) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const p = i / 3;
    raw[i] = ((p % width) * 255) / width;
    raw[i + 1] = (Math.floor(p / width) * 255) / height;
    raw[i + 2] = x >>> 24;
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** A solid-colour PNG (a logo for image watermarks). */
export const solidPng = (width: number, height: number, colour: string): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 4, background: colour } }).png().toBuffer();

export type Pixels = { data: Buffer; width: number; height: number; channels: number; pages: number; pageHeight: number };

/** Decoded RGBA pixels of an answer (every frame of an animation, as one strip). */
export async function pixels(body: Buffer): Promise<Pixels> {
  const { data, info } = await sharp(body, { pages: -1 }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const pages = info.pages ?? 1;
  return { data, width: info.width, height: info.height, channels: info.channels, pages, pageHeight: info.pageHeight ?? info.height };
}

/** How many pixels of the box [x0,x1)×[y0,y1) (in frame `page`) differ between two decodings by more than `tolerance`. */
export function differing(a: Pixels, b: Pixels, box: { x0: number; y0: number; x1: number; y1: number }, page = 0, tolerance = 0): number {
  assert.equal(a.width, b.width);
  assert.equal(a.height, b.height);
  let n = 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const i = ((page * a.pageHeight + y) * a.width + x) * a.channels;
      for (let c = 0; c < a.channels; c++) {
        if (Math.abs(a.data[i + c]! - b.data[i + c]!) > tolerance) {
          n++;
          break;
        }
      }
    }
  }
  return n;
}
