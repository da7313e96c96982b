// Byte stores that fail on purpose, to test what a failed write leaves behind. Not a mock of our storage:
// the real store still receives the bytes, only the body is cut off part-way.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { BlobStore } from '../../src/storage/blob-store.js';

/**
 * A body that passes `afterBytes` bytes through, then fails the stream (as a dropped client or a dying disk
 * would). Lazy: nothing is read, and nothing fails, before the store starts consuming it.
 */
export function cutOff(body: Readable, afterBytes: number): Readable {
  async function* limited(): AsyncGenerator<Buffer> {
    let passed = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      const room = afterBytes - passed;
      if (room > 0) yield chunk.length <= room ? chunk : chunk.subarray(0, room);
      passed += Math.min(Math.max(room, 0), chunk.length);
      if (chunk.length >= room) throw new Error(`test: the write fails after ${afterBytes} bytes`);
    }
  }
  return Readable.from(limited(), { objectMode: false });
}

/** `inner` with a `put` that consumes `afterBytes` of the body, then throws. Everything else is the real store. */
export function failingStore(inner: BlobStore, afterBytes: number): BlobStore {
  const realPut = inner.put.bind(inner); // taken now, so swapPut(inner, this) cannot loop back into itself
  return {
    kind: inner.kind,
    put: (key, body, options) => realPut(key, cutOff(body, afterBytes), options),
    putFile: (key, file, options) => realPut(key, cutOff(createReadStream(file), afterBytes), options),
    get: (key, range) => inner.get(key, range),
    head: (key) => inner.head(key),
    delete: (key) => inner.delete(key),
    list: (prefix) => inner.list(prefix),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
}

/**
 * Makes the store instance the app was built with write through `replacement.put` (services hold that very
 * object, so this reaches them without rebuilding anything). Returns the undo.
 */
export function swapPut(target: BlobStore, replacement: Pick<BlobStore, 'put'>): () => void {
  const originals = (['put', 'putFile'] as const).map((name) => [name, Object.getOwnPropertyDescriptor(target, name)] as const);
  const put = replacement.put.bind(replacement);
  Object.defineProperty(target, 'put', { value: put, configurable: true, writable: true });
  // uploads hand the store a spooled file: route that through the replacement's put as well
  const putFile: BlobStore['putFile'] = (key, file, options) => put(key, createReadStream(file), options);
  Object.defineProperty(target, 'putFile', { value: putFile, configurable: true, writable: true });
  return () => {
    for (const [name, d] of originals) if (d) Object.defineProperty(target, name, d);
  };
}
