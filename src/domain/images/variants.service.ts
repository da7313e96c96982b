// The variant cache: a rendition is keyed by image + canonical parameters + pipeline version, stored in the
// BlobStore and indexed in the database; hot ones live in a byte-bounded memory tier. Identical concurrent
// misses render once. Renders run in the media worker processes under a hard time budget; a render that blew
// it is remembered and refused at once (per variant, and per image after repeated strikes) instead of being
// retried by every new request.
import { Readable } from 'node:stream';
import { AppError } from '../../errors/app-error.js';
import type { VariantsRepo } from '../../db/repos/variants.repo.js';
import type { ImageRow } from '../../db/schema.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { storageKeys } from '../../storage/keys.js';
import { ByteLru } from '../../lib/byte-lru.js';
import type { Clock } from '../../lib/clock.js';
import { singleFlight } from '../../lib/concurrency.js';
import { sha256Hex } from '../../lib/hashing.js';
import { TtlCache } from '../../lib/ttl-cache.js';
import { isMediaError } from '../../media/media-error.js';
import { PIPELINE_VERSION, type RenderLimits, type RenderSpec } from '../../media/render.js';
import type { MediaWorkers } from '../../media/worker/media-workers.js';

export type Variant = { data: Buffer; mimeType: string; size: number };

type Deps = {
  variants: VariantsRepo;
  blobs: BlobStore;
  clock: Clock;
  limits: RenderLimits;
  /** The media worker processes (shared with upload preparation): they bound renders at once and in time. */
  workers: Pick<MediaWorkers, 'render'>;
  /** How long a render that blew its time budget stays refused (per variant; per image after REFUSED_IMAGE_STRIKES). */
  refusalTtlMs?: number;
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

/** After this many renders of one image blew the budget, every uncached render of it is refused for a while. */
export const REFUSED_IMAGE_STRIKES = 3;

export function createVariantsService(deps: Deps) {
  const { variants, blobs, clock } = deps;
  const hot = new ByteLru<Variant>(deps.hotBytes);
  const originals = new ByteLru<{ data: Buffer; size: number }>(deps.originalCacheBytes);
  const flight = singleFlight<Variant>();
  const refusalTtl = deps.refusalTtlMs ?? 60 * 60_000;
  const refusedVariants = new TtlCache<AppError>(refusalTtl, 10_000);
  const strikes = new TtlCache<number>(refusalTtl, 10_000);
  const pendingWrites = new Set<Promise<void>>();
  const stats = { renders: 0, hotHits: 0, storeHits: 0 };
  let refusals = 0;

  /** Throws, without rendering, for a variant (or an image) that blew its time budget before. */
  function refuseIfKnown(imageId: string, key: string): void {
    let refused = refusedVariants.get(key);
    if (!refused && (strikes.get(imageId) ?? 0) >= REFUSED_IMAGE_STRIKES) {
      refused = new AppError('VALIDATION_ERROR', 'Validation error: this image is too complex to render; new sizes of it are refused for a while', { field: 'image' });
    }
    if (refused) {
      refusals++;
      throw refused;
    }
  }

  async function original(row: ImageRow): Promise<Buffer> {
    const cached = originals.get(row.id);
    if (cached) return cached.data;
    const data = await readAll(await blobs.get(storageKeys.imageOriginal(row.userId, row.id)));
    originals.set(row.id, { data, size: data.length });
    return data;
  }

  async function render(row: ImageRow, spec: RenderSpec, key: string): Promise<Variant> {
    const input = await original(row);
    stats.renders++;
    deps.onRender?.();
    try {
      const out = await deps.workers.render(input, spec, deps.limits);
      return { data: out.data, mimeType: out.mimeType, size: out.data.length };
    } catch (err) {
      if (isMediaError(err, 'too_many_pixels')) throw new AppError('INVALID_IMAGE_PARAMS', `Cannot render: ${err.message}`);
      if (isMediaError(err, 'too_slow')) {
        const refusal = new AppError('VALIDATION_ERROR', `Validation error: this image is too complex to render at these parameters (${err.message})`, { field: 'image' });
        refusedVariants.set(key, refusal);
        strikes.set(row.id, (strikes.get(row.id) ?? 0) + 1);
        deps.log.warn({ imageId: row.id, variantKey: key }, 'render blew its time budget; refused from now on');
        throw refusal;
      }
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
    /** Renders refused without rendering (a variant or image that blew its time budget before). */
    refusals: (): number => refusals,

    /** A cached or freshly rendered variant. `preview` renders without storing or caching. */
    async get(row: ImageRow, spec: RenderSpec, canonical: string, opts: { preview: boolean; beforeRender?: () => Promise<void>; key?: string }): Promise<Variant> {
      const key = opts.key ?? variantKeyOf(row, canonical);
      if (opts.preview) {
        refuseIfKnown(row.id, key);
        await opts.beforeRender?.();
        return render(row, spec, key);
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
        refuseIfKnown(row.id, key); // before beforeRender: a refusal costs the client no render budget
        await opts.beforeRender?.();
        const v = await render(row, spec, key);
        hot.set(key, v);
        persist(row, key, canonical, v);
        return v;
      });
    },

    /** Forget everything cached in memory for an image (after delete). */
    forget(imageId: string): void {
      originals.delete(imageId);
      strikes.delete(imageId);
      // variant keys are hashes: the hot tier ages them out; the store objects are deleted with the image
    },

    /** Resolves when background variant writes are done (tests, shutdown). */
    idle: async (): Promise<void> => void (await Promise.all([...pendingWrites])),
  };
}

export type VariantsService = ReturnType<typeof createVariantsService>;
