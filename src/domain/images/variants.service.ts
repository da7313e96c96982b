// The variant cache: a rendition is keyed by image + canonical parameters + pipeline version, stored in the
// BlobStore and indexed in the database; hot ones live in a byte-bounded memory tier. Identical concurrent
// misses render once; renders are bounded by a concurrency limit.
import { Readable } from 'node:stream';
import { AppError } from '../../errors/app-error.js';
import type { VariantsRepo } from '../../db/repos/variants.repo.js';
import type { ImageRow } from '../../db/schema.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { storageKeys } from '../../storage/keys.js';
import { ByteLru } from '../../lib/byte-lru.js';
import type { Clock } from '../../lib/clock.js';
import { semaphore, singleFlight } from '../../lib/concurrency.js';
import { sha256Hex } from '../../lib/hashing.js';
import { isMediaError } from '../../media/media-error.js';
import { PIPELINE_VERSION, renderImage, type RenderLimits, type RenderSpec } from '../../media/render.js';

export type Variant = { data: Buffer; mimeType: string; size: number };

type Deps = {
  variants: VariantsRepo;
  blobs: BlobStore;
  clock: Clock;
  limits: RenderLimits;
  renderConcurrency: number;
  /** A limit shared with upload decoding; by default renders get their own of `renderConcurrency`. */
  decodeLimit?: <T>(fn: () => Promise<T>) => Promise<T>;
  hotBytes: number;
  originalCacheBytes: number;
  log: { warn(obj: object, msg: string): void };
  /** Counters for renders and cache hits (Prometheus). */
  onRender?: () => void;
  onCacheHit?: (tier: 'memory' | 'store') => void;
};

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export function variantKeyOf(row: Pick<ImageRow, 'id' | 'sha256'>, canonical: string): string {
  return sha256Hex(`${row.id}|${row.sha256}|${canonical}|v${PIPELINE_VERSION}`).slice(0, 40);
}

export function createVariantsService(deps: Deps) {
  const { variants, blobs, clock } = deps;
  const hot = new ByteLru<Variant>(deps.hotBytes);
  const originals = new ByteLru<{ data: Buffer; size: number }>(deps.originalCacheBytes);
  const flight = singleFlight<Variant>();
  const limit = deps.decodeLimit ?? semaphore(deps.renderConcurrency);
  const pendingWrites = new Set<Promise<void>>();
  const stats = { renders: 0, hotHits: 0, storeHits: 0 };

  async function original(row: ImageRow): Promise<Buffer> {
    const cached = originals.get(row.id);
    if (cached) return cached.data;
    const data = await readAll(await blobs.get(storageKeys.imageOriginal(row.userId, row.id)));
    originals.set(row.id, { data, size: data.length });
    return data;
  }

  async function render(row: ImageRow, spec: RenderSpec): Promise<Variant> {
    const input = await original(row);
    stats.renders++;
    deps.onRender?.();
    try {
      const out = await renderImage(input, spec, deps.limits);
      return { data: out.data, mimeType: out.mimeType, size: out.data.length };
    } catch (err) {
      if (isMediaError(err, 'too_many_pixels')) throw new AppError('INVALID_IMAGE_PARAMS', `Cannot render: ${err.message}`);
      if (isMediaError(err)) throw new AppError('VALIDATION_ERROR', 'Validation error: the stored image cannot be rendered', { field: 'image' });
      throw err;
    }
  }

  function persist(row: ImageRow, key: string, canonical: string, v: Variant): void {
    const blobKey = storageKeys.imageVariant(row.userId, row.id, key);
    const write = (async () => {
      await blobs.put(blobKey, Readable.from([v.data])); // the index row holds the type
      try {
        await variants.insert({ imageId: row.id, variantKey: key, params: canonical, mimeType: v.mimeType, sizeBytes: v.size, createdAt: clock.now() });
      } catch (err) {
        await blobs.delete(blobKey).catch(() => undefined); // the image was deleted meanwhile: leave no orphan
        throw err;
      }
    })().catch((err) => deps.log.warn({ err, imageId: row.id }, 'variant rendered but not stored; it will be rendered again'));
    pendingWrites.add(write);
    void write.finally(() => pendingWrites.delete(write));
  }

  return {
    stats,

    /** A cached or freshly rendered variant. `preview` renders without storing or caching. */
    async get(row: ImageRow, spec: RenderSpec, canonical: string, opts: { preview: boolean; beforeRender?: () => Promise<void>; key?: string }): Promise<Variant> {
      const key = opts.key ?? variantKeyOf(row, canonical);
      if (opts.preview) {
        await opts.beforeRender?.();
        return limit(() => render(row, spec));
      }
      const inMemory = hot.get(key);
      if (inMemory) {
        stats.hotHits++;
        deps.onCacheHit?.('memory');
        return inMemory;
      }
      return flight(key, async () => {
        const known = await variants.find(row.id, key);
        if (known) {
          try {
            const data = await readAll(await blobs.get(storageKeys.imageVariant(row.userId, row.id, key)));
            const v = { data, mimeType: known.mimeType, size: data.length };
            stats.storeHits++;
            deps.onCacheHit?.('store');
            hot.set(key, v);
            return v;
          } catch (err) {
            deps.log.warn({ err, imageId: row.id }, 'indexed variant missing from the store; rendering again');
          }
        }
        await opts.beforeRender?.();
        const v = await limit(() => render(row, spec));
        hot.set(key, v);
        persist(row, key, canonical, v);
        return v;
      });
    },

    /** Forget everything cached in memory for an image (after delete). */
    forget(imageId: string): void {
      originals.delete(imageId);
      // variant keys are hashes: the hot tier ages them out; the store objects are deleted with the image
    },

    /** Resolves when background variant writes are done (tests, shutdown). */
    idle: async (): Promise<void> => void (await Promise.all([...pendingWrites])),
  };
}

export type VariantsService = ReturnType<typeof createVariantsService>;
