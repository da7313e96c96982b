// When the byte store fails a write, an upload answers 500 STORAGE_ERROR and leaves nothing behind: no row,
// no object (nor an orphaned multipart upload), no spool file, and the quota it reserved is given back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { createS3Client, createS3Store } from '../../src/storage/s3-store.js';
import { registerUser, startTestApp, type Backend, type Session, type TestApp } from '../support/app.js';
import { failingStore, swapPut } from '../support/failing-store.js';
import { probeS3 } from '../support/s3.js';
import { skipUnless } from '../support/services.js';
import { distinctPng, json, leftovers, objectKeys, rowsOf, upload, uploadOk, usageOf } from './suites/images.suite.js';

const s3 = await probeS3();
const s3Skip = skipUnless('S3', s3);

function storeFailureSuite(name: string, backend: Backend, skip?: string): void {
  describe(`uploads when the store fails (${name})`, { skip }, () => {
    let t: TestApp;
    let s: Session;
    before(async () => {
      t = await startTestApp(backend, { s3: s3.ok ? s3.value : undefined });
      s = await registerUser(t);
    });
    after(async () => t?.close());

    /** Runs `fn` with the app's store writing through `put`; then checks the refusal left no trace. */
    async function expectStorageError(put: Parameters<typeof swapPut>[1], bytes: Buffer, label: string): Promise<void> {
      const rowsBefore = (await rowsOf(t, s.userId)).map((r) => r.id).sort();
      const keysBefore = (await objectKeys(t, s.userId)).sort();
      const usageBefore = await usageOf(t, s.userId);
      const undo = swapPut(t.deps.blobs, put);
      let res;
      try {
        res = await upload(t, s.accessToken, bytes, 'doomed.png', { tags: '["x"]' });
      } finally {
        undo();
      }
      assert.equal(res.statusCode, 500, `${label}: ${res.body}`);
      assert.deepEqual(res.json(), { success: false, error: json(res).error, code: 'STORAGE_ERROR' });
      assert.doesNotMatch(json(res).error, /s3|ECONN|127\.0\.0\.1|local store|test:/i, `${label}: no internals in the message`);
      assert.deepEqual((await rowsOf(t, s.userId)).map((r) => r.id).sort(), rowsBefore, `${label}: no row`);
      assert.deepEqual((await objectKeys(t, s.userId)).sort(), keysBefore, `${label}: no object`);
      assert.deepEqual(await leftovers(t), [], `${label}: no spool or temp file`);
      assert.deepEqual(await usageOf(t, s.userId), usageBefore, `${label}: usage given back`);
      const retry = await upload(t, s.accessToken, bytes, 'doomed.png');
      assert.equal(retry.statusCode, 201, `${label}: the same bytes upload fine afterwards (no ghost duplicate)`);
    }

    it('a write that fails part-way: 500 STORAGE_ERROR, nothing left, usage back where it was', async () => {
      await expectStorageError(failingStore(t.deps.blobs, 0), await distinctPng(1), 'fails at once');
      await uploadOk(t, s.accessToken, await distinctPng(2), 'kept.png');
      await expectStorageError(failingStore(t.deps.blobs, 700), await distinctPng(3), 'fails after 700 bytes, with an image already stored');
    });

    if (backend.store === 's3') {
      it('a big upload cut off after its first multipart part leaves no orphaned parts', async () => {
        const side = 1800; // ≈ 9.7 MB of uncompressed PNG: more than the S3 store's 8 MB part
        const noise = Buffer.alloc(side * side * 3);
        for (let i = 0; i < noise.length; i += 4) noise.writeUInt32LE((i * 2654435761) >>> 0, i);
        const big = await sharp(noise.subarray(0, side * side * 3), { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
        assert.ok(big.length > 9 * 1024 * 1024 && big.length < 10 * 1024 * 1024, `${big.length} bytes`);
        await expectStorageError(failingStore(t.deps.blobs, 8.5 * 1024 * 1024), big, 'cut off after 8.5 MB');
        const cfg = t.config.storage;
        assert.equal(cfg.kind, 's3');
        if (cfg.kind !== 's3') return;
        const client = createS3Client(cfg);
        try {
          const pending = await client.send(new ListMultipartUploadsCommand({ Bucket: cfg.bucket }));
          assert.deepEqual((pending.Uploads ?? []).map((u) => u.Key), [], 'the multipart upload was aborted');
        } finally {
          client.destroy();
        }
      });

      it('an unreachable S3 server: 500 STORAGE_ERROR, nothing left in the real bucket, usage unchanged', async () => {
        const cfg = t.config.storage;
        if (cfg.kind !== 's3') throw new Error('expected the s3 backend');
        const dead = createS3Store({ ...cfg, endpoint: 'http://127.0.0.1:1', connectTimeoutMs: 500 });
        try {
          const started = Date.now();
          await expectStorageError(dead, await distinctPng(4), 'S3 unreachable');
          assert.ok(Date.now() - started < 15_000, 'fails fast');
        } finally {
          await dead.close();
        }
      });
    }
  });
}

storeFailureSuite('SQLite + local store', { db: 'sqlite', store: 'local' });
storeFailureSuite('SQLite + S3', { db: 'sqlite', store: 's3' }, s3Skip);
