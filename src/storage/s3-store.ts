import { createReadStream } from 'node:fs';
// The byte store on any S3-compatible server (AWS S3, Ceph radosgw, MinIO, …). Uploads stream through
// lib-storage's Upload: one PutObject for small bodies, a bounded multipart upload for big ones, aborted
// on failure so no object or orphaned part is left behind.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable, Transform } from 'node:stream';
import { BlobNotFoundError, BlobStoreError } from './blob-store.js';
import type { BlobHead, BlobStore, ByteRange, PutOptions } from './blob-store.js';

export type S3StoreOptions = {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Give up on a connection attempt after this long (default 3 s). */
  connectTimeoutMs?: number;
  /** Give up on a request whose socket stays silent this long (default 60 s). */
  idleTimeoutMs?: number;
};

const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 2; // at most ~(QUEUE_SIZE + 1) × PART_SIZE of one upload in memory

/** One S3 client with the settings every S3-compatible server accepts. */
export function createS3Client(opts: S3StoreOptions): S3Client {
  return new S3Client({
    endpoint: opts.endpoint,
    region: opts.region,
    credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey },
    forcePathStyle: true,
    // radosgw (and other non-AWS servers) answer 411 to the SDK's default streaming checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    requestHandler: {
      connectionTimeout: opts.connectTimeoutMs ?? 3_000,
      socketTimeout: opts.idleTimeoutMs ?? 60_000,
    },
  });
}

function statusOf(err: unknown): number | undefined {
  return err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined;
}

function isNotFound(err: unknown): boolean {
  if (!(err instanceof S3ServiceException)) return false;
  return err.name === 'NoSuchKey' || err.name === 'NotFound' || (err.name !== 'NoSuchBucket' && statusOf(err) === 404);
}

function fail(op: string, key: string, err: unknown): BlobStoreError {
  const status = statusOf(err);
  const detail = `${(err as Error).name}: ${(err as Error).message}${status ? ` (HTTP ${status})` : ''}`;
  return new BlobStoreError(`s3 store: ${op} ${JSON.stringify(key)} failed: ${detail}`, { cause: err });
}

/** Creates the bucket when it does not exist yet (start-up and tests). */
export async function ensureBucket(opts: S3StoreOptions): Promise<void> {
  const client = createS3Client(opts);
  try {
    try {
      await client.send(new HeadBucketCommand({ Bucket: opts.bucket }));
      return;
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    try {
      await client.send(new CreateBucketCommand({ Bucket: opts.bucket }));
    } catch (err) {
      if (!(err instanceof S3ServiceException && err.name === 'BucketAlreadyOwnedByYou')) throw err;
    }
  } catch (err) {
    throw fail('ensure bucket', opts.bucket, err);
  } finally {
    client.destroy();
  }
}

export function createS3Store(opts: S3StoreOptions): BlobStore {
  const client = createS3Client(opts);
  const Bucket = opts.bucket;

  return {
    kind: 's3',

    putFile(key: string, file: string, options: PutOptions = {}) {
      return this.put(key, createReadStream(file), options);
    },

    async put(key: string, body: Readable, options: PutOptions = {}) {
      let size = 0;
      const counted = new Transform({
        transform(chunk: Buffer | string, _encoding, done) {
          size += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
          done(null, chunk);
        },
      });
      // A failing body destroys `counted`, which makes the upload fail; the reverse is handled below.
      body.on('error', (err) => counted.destroy(err));
      body.pipe(counted);
      try {
        const upload = new Upload({
          client,
          params: { Bucket, Key: key, Body: counted, ContentType: options.contentType },
          partSize: PART_SIZE,
          queueSize: QUEUE_SIZE,
          leavePartsOnError: false, // abort the multipart upload on any failure
        });
        await upload.done();
      } catch (err) {
        body.unpipe(counted);
        body.destroy();
        counted.destroy();
        throw fail('put', key, err);
      }
      return { size };
    },

    async get(key: string, range?: ByteRange) {
      if (range && !(Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end) && range.start >= 0 && range.end >= range.start)) {
        throw new Error(`invalid byte range ${range.start}-${range.end}`);
      }
      try {
        const res = await client.send(
          new GetObjectCommand({ Bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
        );
        if (!(res.Body instanceof Readable)) throw new Error('response body is not a Node stream');
        return res.Body;
      } catch (err) {
        if (isNotFound(err)) throw new BlobNotFoundError(key);
        throw fail('get', key, err);
      }
    },

    async head(key: string): Promise<BlobHead | undefined> {
      try {
        const res = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return { key, size: res.ContentLength ?? 0, contentType: res.ContentType, etag: res.ETag };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw fail('head', key, err);
      }
    },

    async delete(key: string) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
      } catch (err) {
        if (isNotFound(err)) return;
        throw fail('delete', key, err);
      }
    },

    async *list(prefix: string) {
      try {
        for await (const page of paginateListObjectsV2({ client, pageSize: 1000 }, { Bucket, Prefix: prefix })) {
          for (const object of page.Contents ?? []) {
            if (object.Key !== undefined) yield object.Key;
          }
        }
      } catch (err) {
        throw fail('list', prefix, err);
      }
    },

    async ping() {
      try {
        await client.send(new HeadBucketCommand({ Bucket }));
      } catch (err) {
        throw fail('ping', Bucket, err);
      }
    },

    async close() {
      client.destroy();
    },
  };
}
