// Where resumable (tus) uploads keep their bytes while they arrive: the tus project's file store under
// `{dataDir}/tmp/tus` on the default setup, its S3 store under `tmp/tus/` in the bucket when storage is S3.
// Upload ids are ours (21-char nanoids); the store's name for one follows from it here and nowhere else.
// Expiry is not the store's business: domain/uploads keeps each session's expiry and sweeps it.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';
import { S3Store } from '@tus/s3-store';
import type { DataStore } from '@tus/server';
import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { storageKeys } from './keys.js';
import type { BlobStoreConfig } from './create-store.js';
import { createS3Client } from './s3-store.js';

export type TusDatastore = {
  /** The tus store the protocol handlers write to. */
  store: DataStore;
  /** The store's name for upload `id`. */
  storeId(id: string): string;
  /** The upload id a store name stands for; undefined when it names nothing of ours. */
  uploadId(storeId: string): string | undefined;
  /** The received bytes of a finished upload. */
  read(id: string): Promise<Readable>;
  /** Removes an upload's bytes (and its sidecar objects); bytes already gone are no failure. */
  remove(id: string): Promise<void>;
  /** Every name the store holds (objects or files, sidecars included): for tests and audits. */
  names(): Promise<string[]>;
  close(): void;
};

const ID = /^[A-Za-z0-9_-]{21}$/;

const isNotFound = (err: unknown): boolean => {
  const e = err as { status_code?: number; name?: string; code?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.status_code === 404 || e?.status_code === 410 || e?.code === 'ENOENT' || e?.name === 'NoSuchKey' || e?.name === 'NoSuchUpload' || e?.$metadata?.httpStatusCode === 404;
};

export function createTusDatastore(storage: BlobStoreConfig, dataDir: string): TusDatastore {
  if (storage.kind === 'local') {
    const directory = path.join(dataDir, 'tmp', 'tus');
    const store = new FileStore({ directory });
    return {
      store,
      storeId: (id) => id,
      uploadId: (name) => (ID.test(name) ? name : undefined),
      read: async (id) => store.read(id),
      async remove(id) {
        if (!ID.test(id)) return;
        // the bytes and the `.json` sidecar (the store's own remove() keeps the sidecar when the bytes are gone)
        await rm(path.join(directory, id), { force: true });
        await rm(path.join(directory, `${id}.json`), { force: true });
      },
      names: async () => readdir(directory).catch(() => []),
      close: () => undefined,
    };
  }
  const { kind: _kind, ...s3 } = storage;
  const store = new S3Store({
    partSize: 8 * 1024 * 1024,
    // expiry is enforced by our sweep (domain/uploads); radosgw need not support object tags
    useTags: false,
    s3ClientConfig: {
      bucket: storage.bucket,
      endpoint: storage.endpoint,
      region: storage.region,
      credentials: { accessKeyId: storage.accessKeyId, secretAccessKey: storage.secretAccessKey },
      forcePathStyle: true,
      maxAttempts: 3,
      // radosgw (and other non-AWS servers) answer 411 to the SDK's default streaming checksums
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    },
  });
  const prefix = storageKeys.tusUpload('x'.repeat(21)).slice(0, -21);
  const client = createS3Client(s3);
  const storeId = (id: string) => storageKeys.tusUpload(id);
  return {
    store,
    storeId,
    uploadId: (name) => (name.startsWith(prefix) && ID.test(name.slice(prefix.length)) ? name.slice(prefix.length) : undefined),
    read: async (id) => (await store.read(storeId(id))) as Readable,
    async remove(id) {
      const name = storeId(id);
      try {
        await store.remove(name); // aborts a multipart upload in progress, removes the object and its `.info`
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      // whatever is left: an incomplete part, or the object of an upload whose multipart upload was completed
      const Objects = [name, `${name}.info`, `${name}.part`].map((Key) => ({ Key }));
      await client.send(new DeleteObjectsCommand({ Bucket: storage.bucket, Delete: { Objects, Quiet: true } }));
    },
    async names() {
      const out: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: storage.bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of page.Contents ?? []) if (o.Key) out.push(o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return out;
    },
    close: () => client.destroy(),
  };
}
