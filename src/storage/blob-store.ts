// The byte store: bytes only, no metadata beyond size and content type. Keys come from storage/keys.ts.
import type { Readable } from 'node:stream';

export type BlobHead = { key: string; size: number; contentType: string | undefined; etag: string | undefined };

export type ByteRange = { start: number; end: number }; // inclusive, like HTTP Range

export type PutOptions = { contentType?: string };

export interface BlobStore {
  readonly kind: 'local' | 's3';
  /** Streams `body` to `key`. The object appears whole or not at all; on failure nothing remains. */
  put(key: string, body: Readable, options?: PutOptions): Promise<{ size: number }>;
  /**
   * Stores a local file under `key`. The file is moved when the store can (a local folder on the same
   * disk: a rename, no copy), so it may be gone afterwards; otherwise it is streamed like `put`.
   */
  putFile(key: string, file: string, options?: PutOptions): Promise<{ size: number }>;
  /** A stream of the whole object or of an inclusive byte range; throws BlobNotFoundError. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** Size and type, or undefined when the key does not exist. */
  head(key: string): Promise<BlobHead | undefined>;
  /** Removes the key; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Keys under a prefix, in lexical order. */
  list(prefix: string): AsyncIterable<string>;
  /** Whether the store answers (for /ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class BlobNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`blob not found: ${key}`);
    this.name = 'BlobNotFoundError';
  }
}

/** Wraps any store failure so callers can tell a store fault from their own bugs. */
export class BlobStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BlobStoreError';
  }
}
