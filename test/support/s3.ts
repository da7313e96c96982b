// The S3-compatible server for integration tests (start it with `bash scripts/s3.sh start`).
import { DeleteBucketCommand, DeleteObjectsCommand, ListBucketsCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { nanoid } from 'nanoid';
import { createS3Client, ensureBucket } from '../../src/storage/s3-store.js';
import type { S3StoreOptions } from '../../src/storage/s3-store.js';
import type { Probe } from './services.js';

export type S3TestConfig = Omit<S3StoreOptions, 'bucket'>;

export const S3_TEST_ENDPOINT = process.env.PICORA_TEST_S3_ENDPOINT ?? 'http://127.0.0.1:7480';

function testConfig(): S3TestConfig {
  return {
    endpoint: S3_TEST_ENDPOINT,
    region: 'us-east-1',
    accessKeyId: process.env.PICORA_TEST_S3_ACCESS_KEY ?? 'TESTKEY',
    secretAccessKey: process.env.PICORA_TEST_S3_SECRET_KEY ?? 'TESTSECRET',
  };
}

/** Whether the server answers with our keys (ListBuckets, 3 s at most). */
export async function probeS3(): Promise<Probe<S3TestConfig>> {
  const cfg = testConfig();
  const client = createS3Client({ ...cfg, bucket: '', connectTimeoutMs: 2_000, idleTimeoutMs: 3_000 });
  try {
    await client.send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(3_000) });
    return { ok: true, value: cfg };
  } catch (err) {
    const e = err as Error;
    return { ok: false, reason: `${cfg.endpoint}: ${e.name}: ${e.message} (start it with: bash scripts/s3.sh start)` };
  } finally {
    client.destroy();
  }
}

/** A fresh, empty bucket for one test file; `drop` empties and removes it. */
export async function createTestBucket(cfg: S3TestConfig): Promise<{ bucket: string; drop: () => Promise<void> }> {
  const bucket = `picora-t-${nanoid(12).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
  await ensureBucket({ ...cfg, bucket });
  return {
    bucket,
    drop: async () => {
      const client = createS3Client({ ...cfg, bucket });
      try {
        for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket })) {
          const objects = (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [{ Key: o.Key }]));
          if (objects.length > 0) await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
        }
        await client.send(new DeleteBucketCommand({ Bucket: bucket }));
      } finally {
        client.destroy();
      }
    },
  };
}
