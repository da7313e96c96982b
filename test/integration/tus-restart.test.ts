// Resumable uploads across a server restart (tus 1.0 at /v1/uploads), on SQLite + local store and PostgreSQL + S3:
// a real server process takes part of an upload through tus-js-client and is stopped; a new process on the same
// database, store and data folder reports the offset it kept, and the upload finishes there.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import * as tus from 'tus-js-client';
import type { BlobStoreConfig } from '../../src/storage/create-store.js';
import { createTusDatastore } from '../../src/storage/tus-datastore.js';
import { bearer } from '../support/app.js';
import { createTestBucket } from '../support/s3.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { createTestDatabase } from '../support/services.js';
import { backendCases } from './suites/media.support.js';
import { noisyPng } from './suites/tus.support.js';

const cases = await backendCases();
const scratch = await mkdtemp(path.join(tmpdir(), 'picora-tus-restart-'));
after(() => rm(scratch, { recursive: true, force: true }));

for (const c of cases) {
  describe(`resumable uploads across a server restart (${c.name})`, { skip: c.skip, timeout: 300_000 }, () => {
    const cleanups: Array<() => Promise<void>> = [];
    after(async () => {
      for (const f of cleanups.reverse()) await f().catch(() => undefined);
    });

    it('an upload started on one server process finishes on the next one from the offset the first kept', async () => {
      const dataDir = await mkdtemp(path.join(scratch, 'restart-'));
      const env: Record<string, string> = {
        PICORA_DATA_DIR: dataDir, PICORA_RATE_MUTATION_PER_MIN: '100000', PICORA_RATE_READ_PER_MIN: '100000', PICORA_RATE_AUTH_PER_MIN: '100000',
        PICORA_RATE_UPLOAD_PER_MIN: '100000', PICORA_RATE_PER_HOUR: '10000000',
      };
      let storage: BlobStoreConfig = { kind: 'local', root: path.join(dataDir, 'blobs') };
      if (c.backend.db === 'postgres') {
        const tdb = await createTestDatabase();
        cleanups.push(tdb.drop);
        env['PICORA_DATABASE_URL'] = tdb.url;
      }
      if (c.backend.store === 's3' && c.s3) {
        const bucket = await createTestBucket(c.s3);
        cleanups.push(bucket.drop);
        Object.assign(env, {
          PICORA_STORAGE: 's3', PICORA_S3_ENDPOINT: c.s3.endpoint, PICORA_S3_BUCKET: bucket.bucket, PICORA_S3_REGION: c.s3.region,
          PICORA_S3_ACCESS_KEY: c.s3.accessKeyId, PICORA_S3_SECRET_KEY: c.s3.secretAccessKey,
        });
        storage = { kind: 's3', ...c.s3, bucket: bucket.bucket };
      }
      let server: ServerProcess | undefined = await startServerProcess(env, { label: 'tus server 1', readyMs: 120_000 });
      cleanups.push(async () => void (await server?.stop()));

      // an account, through the public API
      const email = `restart-${Date.now()}@example.com`;
      assert.equal((await server.fetch('/v1/auth/send-code', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, type: 'register' }) })).status, 200);
      const mails = (await readFile(path.join(dataDir, 'outbox.jsonl'), 'utf8')).trim().split('\n');
      const code = /\b(\d{6})\b/.exec(mails[mails.length - 1]!)![1]!;
      const reg = await server.fetch('/v1/auth/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'correct-horse-1', code }) });
      assert.equal(reg.status, 201);
      const token = ((await reg.json()) as { data: { accessToken: string } }).data.accessToken;

      const png = await noisyPng(900, 41); // ~2.4 MB
      const chunk = 512 * 1024;
      const url = await new Promise<string>((resolve, reject) => {
        let stopped = false;
        const upload: tus.Upload = new tus.Upload(png, {
          endpoint: `${server!.url}/v1/uploads`, headers: bearer(token), chunkSize: chunk, retryDelays: null, metadata: { filename: 'restart.png' },
          onChunkComplete: (_size, accepted) => {
            if (stopped || accepted < 2 * chunk) return;
            stopped = true;
            void upload.abort().then(() => resolve(upload.url ?? ''));
          },
          onError: reject,
          onSuccess: () => reject(new Error('finished before the restart')),
        });
        upload.start();
      });
      const uploadPath = new URL(url).pathname;
      await server.stop();
      server = await startServerProcess(env, { label: 'tus server 2', readyMs: 120_000 });

      const head = await server.fetch(uploadPath, { method: 'HEAD', headers: { ...bearer(token), 'tus-resumable': '1.0.0' } });
      assert.equal(head.status, 200);
      const offset = Number(head.headers.get('upload-offset'));
      assert.equal(offset, 2 * chunk, 'the new process reports what the old one took');
      const offsets: string[] = [];
      const imageId = await new Promise<string>((resolve, reject) => {
        let id = '';
        const upload = new tus.Upload(png, {
          endpoint: `${server!.url}/v1/uploads`, uploadUrl: `${server!.url}${uploadPath}`, headers: bearer(token), chunkSize: chunk, retryDelays: null,
          onBeforeRequest: (req) => void (req.getMethod() === 'PATCH' && offsets.push(req.getHeader('Upload-Offset') ?? '')),
          onAfterResponse: (_req, res) => void (id = res.getHeader('x-picora-resource-id') ?? id),
          onError: reject,
          onSuccess: () => resolve(id),
        });
        upload.start();
      });
      assert.equal(offsets[0], String(offset));
      const img = await server.fetch(`/v1/images/${imageId}`, { headers: bearer(token) });
      assert.equal(img.status, 200);
      assert.equal(((await img.json()) as { data: { filename: string } }).data.filename, 'restart.png');
      const store = createTusDatastore(storage, dataDir);
      try {
        assert.deepEqual(await store.names(), [], 'no tus bytes left');
      } finally {
        store.close();
      }
    });
  });
}
