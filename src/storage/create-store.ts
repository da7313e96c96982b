// Builds the configured byte store. Called once by the composition root (main.ts) and by tests.
import type { BlobStore } from './blob-store.js';
import { createLocalStore } from './local-store.js';
import { createS3Store, ensureBucket } from './s3-store.js';
import type { S3StoreOptions } from './s3-store.js';

export type BlobStoreConfig = { kind: 'local'; root: string } | ({ kind: 's3' } & S3StoreOptions);

export async function createBlobStore(config: BlobStoreConfig): Promise<BlobStore> {
  if (config.kind === 'local') return createLocalStore(config.root);
  const { kind: _kind, ...options } = config;
  await ensureBucket(options);
  return createS3Store(options);
}
