// Applying a template to a delivered image (`wm=<id>`, SPEC §7.8/§15): which template a URL may name, the
// version that goes into the variant key, and the overlay for one output size (built once, then cached).
import type { Readable } from 'node:stream';
import { AppError } from '../../errors/app-error.js';
import type { WatermarksRepo } from '../../db/repos/watermarks.repo.js';
import type { ImageRow, PlanRow, WatermarkTemplateRow } from '../../db/schema.js';
import { BlobNotFoundError, type BlobStore } from '../../storage/blob-store.js';
import { storageKeys } from '../../storage/keys.js';
import { ByteLru } from '../../lib/byte-lru.js';
import { singleFlight } from '../../lib/concurrency.js';
import { isMediaError } from '../../media/media-error.js';
import type { RenderSpec } from '../../media/render.js';
import { buildWatermarkOverlay, isAnimatedOutput, outputSizeOf, type Overlay, type WatermarkPosition, type WatermarkSpec } from '../../media/watermark.js';
import { requireWatermarkPlan } from './watermark-policy.js';

type Deps = {
  watermarks: Pick<WatermarksRepo, 'findById'>;
  blobs: BlobStore;
  /** Bytes of built overlays (and of mark images) kept in memory. */
  cacheBytes?: number;
  /** Pixel budget for decoding an image mark. */
  maxPixels?: number;
};

type Cached = { overlay: Overlay | undefined; size: number };

const unknownTemplate = () => new AppError('INVALID_IMAGE_PARAMS', 'Unknown watermark template', { param: 'wm' });

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export function createWatermarkOverlays(deps: Deps) {
  const cache = new ByteLru<Cached>(deps.cacheBytes ?? 16 * 1024 * 1024);
  // Mark images are immutable (an image id never changes its bytes): one read serves every output size.
  const sources = new ByteLru<{ data: Buffer; size: number }>(deps.cacheBytes ?? 16 * 1024 * 1024);
  const flight = singleFlight<Cached>();

  async function specOf(t: WatermarkTemplateRow): Promise<WatermarkSpec> {
    const position = t.position as WatermarkPosition;
    if (t.kind === 'text') return { kind: 'text', text: t.text ?? '', fontSize: t.fontSize, opacity: t.opacity, position };
    if (t.imageId === null) throw new AppError('INVALID_IMAGE_PARAMS', 'The watermark template has no image', { param: 'wm' });
    const known = sources.get(t.imageId);
    if (known) return { kind: 'image', image: known.data, opacity: t.opacity, position };
    try {
      const image = await readAll(await deps.blobs.get(storageKeys.imageOriginal(t.userId, t.imageId)));
      sources.set(t.imageId, { data: image, size: image.length });
      return { kind: 'image', image, opacity: t.opacity, position };
    } catch (err) {
      if (err instanceof BlobNotFoundError) throw new AppError('INVALID_IMAGE_PARAMS', 'The watermark image no longer exists', { param: 'wm' });
      throw err;
    }
  }

  return {
    /**
     * The template `wm=` names for this image: it must be the image owner's, and the owner's plan must include
     * watermarks (PLAN_REQUIRED, meta.requiredPlan: pro_plus). A missing or foreign id is INVALID_IMAGE_PARAMS.
     */
    async resolve(row: ImageRow, ownerPlan: PlanRow | undefined, templateId: string): Promise<WatermarkTemplateRow> {
      requireWatermarkPlan(ownerPlan);
      const t = await deps.watermarks.findById(templateId);
      if (!t || t.userId !== row.userId) throw unknownTemplate();
      if (t.kind === 'image' && t.imageId === null) throw new AppError('INVALID_IMAGE_PARAMS', 'The watermark template has no image', { param: 'wm' });
      return t;
    },

    /** Joins the canonical parameter string: editing the template changes the variant key and the ETag. */
    versionOf: (t: WatermarkTemplateRow): string => `wmv=${t.updatedAt}`,

    /** The overlay for this image rendered with `spec`; undefined when the output is too small to carry a mark. */
    async overlayFor(t: WatermarkTemplateRow, row: ImageRow, spec: RenderSpec): Promise<Overlay | undefined> {
      if (row.width === null || row.height === null) throw new AppError('INVALID_IMAGE_PARAMS', 'This image cannot carry a watermark', { param: 'wm' });
      const frames = isAnimatedOutput(row.frames, spec.format, row.mimeType) ? row.frames : 1;
      const frame = outputSizeOf({ width: row.width, height: row.height }, spec, frames > 1);
      const key = `${t.id}|${t.updatedAt}|${frame.width}x${frame.height}x${frames}`;
      const hit = cache.get(key);
      if (hit) return hit.overlay;
      const built = await flight(key, async () => {
        try {
          const overlay = await buildWatermarkOverlay(await specOf(t), frame, { frames, maxPixels: deps.maxPixels ?? 100_000_000 });
          const c = { overlay, size: (overlay?.input.length ?? 0) + 64 };
          cache.set(key, c);
          return c;
        } catch (err) {
          if (isMediaError(err)) throw new AppError('INVALID_IMAGE_PARAMS', 'The watermark cannot be rendered', { param: 'wm' });
          throw err;
        }
      });
      return built.overlay;
    },
  };
}

export type WatermarkOverlays = ReturnType<typeof createWatermarkOverlays>;
