// POST /v1/images/download (issue 12, bulk actions): a selection as one streamed zip, on SQLite + local and
// PostgreSQL + S3. Each entry is the original's bytes (sha256 compared after `unzip`), stored uncompressed, under a
// safe and unique name; foreign and unknown ids are left out and named in missing.txt (404 when none is the
// caller's); 0 or 501 ids → 422; the bytes count against the image bandwidth; a client that goes away mid-way
// leaves no stream open and the server serving.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { LightMyRequestResponse } from 'fastify';
import { bearer, registerUser, startTestApp, type Session, type TestApp } from '../support/app.js';
import { distinctPng, fixture, json, setTrialPlan, uploadOk, type ImageData } from './suites/images.suite.js';
import { backendCases } from './suites/media.support.js';

const run = promisify(execFile);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A PNG of random pixels: `side`² × 3 bytes that do not compress. */
const noisePng = (side: number) => sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();

type Unzipped = { entries: Map<string, Buffer>; methods: Map<string, string> };

/** Unpacks a zip with Info-ZIP's unzip (CRCs checked) and lists each entry's compression method. */
async function unzip(zip: Buffer): Promise<Unzipped> {
  const dir = await mkdtemp(path.join(tmpdir(), 'picora-zip-'));
  try {
    const file = path.join(dir, 'download.zip');
    await writeFile(file, zip);
    const tested = await run('unzip', ['-t', file]);
    assert.match(tested.stdout, /No errors detected/, tested.stdout);
    // `unzip -v`: Length Method Size Cmpr Date Time CRC-32 Name
    const methods = new Map<string, string>();
    for (const line of (await run('unzip', ['-v', file])).stdout.split('\n')) {
      const m = /^\s*\d+\s+(\S+)\s+\d+\s+\S+\s+\S+\s+\S+\s+[0-9a-f]{8}\s+(.+)$/.exec(line);
      if (m) methods.set(m[2]!, m[1]!);
    }
    const out = path.join(dir, 'out');
    await run('unzip', ['-qq', file, '-d', out]);
    const entries = new Map<string, Buffer>();
    for (const name of await readdir(out)) entries.set(name, await readFile(path.join(out, name)));
    return { entries, methods };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

for (const c of await backendCases()) {
  describe(`download a selection as a zip (${c.name})`, { skip: c.skip }, () => {
    let t: TestApp;
    let a: Session;
    let b: Session;
    const mine: Array<{ img: ImageData; bytes: Buffer }> = [];
    let foreign: ImageData;

    before(async () => {
      t = await startTestApp(c.backend, { s3: c.s3 });
      a = await registerUser(t);
      b = await registerUser(t);
      // Display names as any path may store them (upload from URL, tus metadata, the API), set in the database so the
      // zip's own cleaning is what is tested: repeats (also by case), a wrong extension, paths, dots, reserved characters.
      const files: Array<[Buffer, string]> = [
        [await distinctPng(1), 'photo.png'],
        [await distinctPng(2), 'photo.png'],
        [await distinctPng(3), 'Photo.PNG'],
        [await fixture('photo.jpg'), 'holiday.png'], // JPEG bytes under a .png name: the entry says .jpg
        [await distinctPng(4), '..'],
        [await distinctPng(5), '../../etc/passwd.png'],
        [await distinctPng(6), 'C:\\evil\\x.png'],
        [await distinctPng(7), 'a:b*c?"d<e>f|g.png'],
        [await distinctPng(8), 'tab\there\u0007.png'],
        [await distinctPng(9), 'résumé 写真.png'],
      ];
      for (const [i, [bytes, filename]] of files.entries()) {
        const img = await uploadOk(t, a.accessToken, bytes, `upload-${i}.bin`);
        await t.deps.db.db.updateTable('images').set({ filename }).where('id', '=', img.id).execute();
        mine.push({ img, bytes });
      }
      foreign = await uploadOk(t, b.accessToken, await distinctPng(99), 'not-yours.png');
    });
    after(async () => t?.close());

    const download = (s: Session, payload: unknown): Promise<LightMyRequestResponse> =>
      t.app.inject({ method: 'POST', url: '/v1/images/download', headers: bearer(s.accessToken), payload: payload as Record<string, unknown> });

    it('streams the owned originals, stored, under safe unique names; foreign and unknown ids only in missing.txt', async () => {
      const ids = [...mine.map((m) => m.img.id), foreign.id, 'unknown0000', mine[0]!.img.id];
      const res = await download(a, { ids });
      assert.equal(res.statusCode, 200, res.body.slice(0, 300));
      assert.equal(res.headers['content-type'], 'application/zip');
      const day = new Date(t.clock.now()).toISOString().slice(0, 10);
      assert.equal(res.headers['content-disposition'], `attachment; filename="picora-${day}.zip"`);
      assert.equal(res.headers['x-request-id'] !== undefined, true);

      const { entries, methods } = await unzip(res.rawPayload);
      const expected = [
        'photo.png', 'photo (2).png', 'Photo (3).png', 'holiday.jpg', `${mine[4]!.img.id}.png`, '_.._etc_passwd.png', 'C__evil_x.png',
        'a_b_c__d_e_f_g.png', 'tabhere.png', 'résumé 写真.png',
      ];
      assert.deepEqual([...entries.keys()].sort(), [...expected, 'missing.txt'].sort(), 'one entry per owned image (a repeated id once), and missing.txt');
      expected.forEach((name, i) => {
        assert.equal(sha256(entries.get(name)!), sha256(mine[i]!.bytes), `${name}: the original's bytes`);
        assert.equal(methods.get(name), 'Stored', `${name}: stored, not deflated`);
      });
      const missing = entries.get('missing.txt')!.toString('utf8');
      assert.match(missing, new RegExp(`^${foreign.id}$`, 'm'));
      assert.match(missing, /^unknown0000$/m);
      assert.ok(![...entries.values()].some((e) => sha256(e) === foreign.sha256), "another account's image is never in the zip");
    });

    it('has no missing.txt when every id is the caller\'s, and counts the bytes against the image bandwidth', async () => {
      const usage = async () => json(await t.app.inject({ method: 'GET', url: '/v1/user/me/usage', headers: bearer(a.accessToken) })).data.images.bandwidthUsed as number;
      const before = await usage();
      const res = await download(a, { ids: [mine[1]!.img.id, mine[3]!.img.id] });
      assert.equal(res.statusCode, 200, res.body.slice(0, 300));
      const { entries } = await unzip(res.rawPayload);
      assert.deepEqual([...entries.keys()].sort(), ['holiday.jpg', 'photo.png']);
      assert.equal(await usage(), before + mine[1]!.bytes.length + mine[3]!.bytes.length, 'the originals count as served bytes');
    });

    it('answers 404 when none of the ids is the caller\'s, 403 over the bandwidth, 422 for 0 or 501 ids', async () => {
      const none = await download(a, { ids: [foreign.id, 'unknown0000'] });
      assert.equal(none.statusCode, 404, none.body);
      assert.equal(json(none).code, 'NOT_FOUND');

      for (const [label, payload] of [
        ['0 ids', { ids: [] }],
        ['501 ids', { ids: Array.from({ length: 501 }, (_, i) => `id${i}`) }],
        ['no ids', {}],
        ['a path for an id', { ids: ['../x'] }],
      ] as const) {
        const res = await download(a, payload);
        assert.equal(res.statusCode, 422, `${label}: ${res.body}`);
        assert.equal(json(res).code, 'VALIDATION_ERROR', label);
      }
      const ok500 = await download(a, { ids: [...Array.from({ length: 499 }, (_, i) => `id${i}`), mine[0]!.img.id] });
      assert.equal(ok500.statusCode, 200, '500 ids are fine');

      const anon = await t.app.inject({ method: 'POST', url: '/v1/images/download', payload: { ids: [mine[0]!.img.id] } });
      assert.equal(anon.statusCode, 401, anon.body);

      const undo = await setTrialPlan(t, { imgBandwidthBytes: 1 });
      try {
        const over = await download(a, { ids: [mine[0]!.img.id] });
        assert.equal(over.statusCode, 403, over.body);
        assert.deepEqual({ code: json(over).code, type: json(over).meta?.type }, { code: 'QUOTA_EXCEEDED', type: 'img_bandwidth' });
      } finally {
        await undo();
      }
    });

    it('a client that goes away mid-download: the store streams are closed, the server keeps serving', async () => {
      const big: ImageData[] = [];
      for (let i = 0; i < 5; i++) big.push(await uploadOk(t, a.accessToken, await noisePng(1000), `noise-${i}.png`)); // ≈ 3 MB each
      const opened: Readable[] = [];
      const blobs = t.deps.blobs;
      const get = blobs.get;
      blobs.get = async (...args: Parameters<typeof get>) => {
        const s = await get.apply(blobs, args);
        opened.push(s);
        return s;
      };
      try {
        const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
        const port = Number(new URL(address).port);
        const received = await new Promise<number>((resolve, reject) => {
          const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/images/download', headers: { ...bearer(a.accessToken), 'content-type': 'application/json' } }, (res) => {
            if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
            res.once('data', (chunk: Buffer) => {
              req.destroy(); // the client goes away after its first chunk
              resolve(chunk.length);
            });
          });
          req.on('error', () => undefined);
          req.end(JSON.stringify({ ids: big.map((x) => x.id) }));
        });
        assert.ok(received > 0);
        const deadline = Date.now() + 10_000;
        while (opened.some((s) => !s.destroyed) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        assert.ok(opened.length >= 1, 'the download had started');
        assert.ok(opened.length < big.length, `stopped mid-way: ${opened.length} of ${big.length} originals opened`);
        assert.deepEqual(opened.map((s) => s.destroyed), opened.map(() => true), 'every store stream it opened is closed');

        const next = await download(a, { ids: [mine[0]!.img.id] });
        assert.equal(next.statusCode, 200, 'the server still serves');
        assert.ok((await unzip(next.rawPayload)).entries.has('photo.png'));
      } finally {
        blobs.get = get;
      }
    });
  });
}
