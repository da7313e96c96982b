// The media host's decisions: which image a URL names, whether this request may have it (visibility,
// signature, hotlink list, bandwidth), and what to send — the stored bytes or a rendition. HTTP details
// (validators, ranges, headers) live in http/routes/delivery.routes.ts.
import type { Readable } from 'node:stream';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../../errors/app-error.js';
import type { ImageRowWithTrash, ImagesRepo } from '../../db/repos/images.repo.js';
import type { PlansRepo } from '../../db/repos/plans.repo.js';
import type { UsersRepo } from '../../db/repos/users.repo.js';
import type { ImageRow, PlanRow, WatermarkTemplateRow } from '../../db/schema.js';
import type { BlobStore, ByteRange } from '../../storage/blob-store.js';
import { storageKeys } from '../../storage/keys.js';
import { hasScope, type Principal } from '../../auth/principal.js';
import type { Clock } from '../../lib/clock.js';
import { TtlCache } from '../../lib/ttl-cache.js';
import type { RenderSpec } from '../../media/render.js';
import { canonicalParams, hasTransform, negotiateFormat, ParamError, parseTransform, signedParams, type TransformParams } from '../../media/transform-params.js';
import type { Quotas } from '../usage/quotas.js';
import type { WatermarkOverlays } from '../watermarks/watermark-overlays.js';
import { parseReferers, refererAllowed } from './image-policy.js';
import type { UrlSigner } from './url-signing.js';
import { variantKeyOf, type Variant, type VariantsService } from './variants.service.js';

export type DeliveredImage = ImageRow;

export type DeliveryRequest = {
  file: string;
  principal: Principal | undefined;
  query: Record<string, string | string[] | undefined>;
  accept?: string | undefined;
  referer?: string | undefined;
  /** The client's address: uncached renders are limited per IP. */
  ip?: string | undefined;
  /** Asked on an account's custom domain: only that account's images exist there. */
  onlyOwner?: string | undefined;
};

export type DeliveryPlan =
  | { kind: 'original'; row: ImageRow; etag: string }
  | { kind: 'variant'; row: ImageRow; etag: string; key: string; varyAccept: boolean; spec: RenderSpec; canonical: string; preview: boolean; ip: string | undefined; watermark?: WatermarkTemplateRow | undefined };

const FILE = /^([A-Za-z0-9_-]{11})\.([A-Za-z0-9]{1,5})$/;
/** The rendition a plain URL serves when the original carries metadata: same format, auto-oriented, stripped. */
const CLEAN: TransformParams = { fit: 'inside', fmt: 'auto', q: 90, preview: false };

type Deps = {
  images: ImagesRepo;
  users: UsersRepo;
  plans: PlansRepo;
  blobs: BlobStore;
  signer: UrlSigner;
  quotas: Pick<Quotas, 'assertImageBandwidth' | 'recordImageBandwidth'>;
  variants: VariantsService;
  /** Resolves `wm=` templates and builds their overlays. */
  watermarks: WatermarkOverlays;
  clock: Clock;
  selfHosts: readonly string[];
  previewsPerMinute?: number;
  /** Uncached renders one IP may cause per minute (floods of unique transform URLs). */
  rendersPerIpPerMinute?: number;
  onServed?: (bytes: number) => void;
  /** Reuse of image rows in ms (owner plans 5×); 0 disables the cache. */
  cacheMs?: number;
};

export function createDeliveryService(deps: Deps) {
  const { images, blobs, signer, clock } = deps;
  const previews = new RateLimiterMemory({ points: deps.previewsPerMinute ?? 60, duration: 60 });
  const rendersPerIp = new RateLimiterMemory({ points: deps.rendersPerIpPerMinute ?? 600, duration: 60 });
  // The hot path reads no database on repeat requests: image rows for `cacheMs` (1 s by default; this
  // instance drops an entry at once when the image changes here, other instances see a change within the
  // TTL) and owner plans for 5 × that.
  const cacheMs = deps.cacheMs ?? 1000;
  const rows = new TtlCache<ImageRowWithTrash | null>(cacheMs, 50_000);
  const ownerPlans = new TtlCache<PlanRow | null>(cacheMs * 5, 10_000);

  /** One request against an in-memory limiter; RATE_LIMITED with Retry-After when it is spent. */
  async function consumeOrRefuse(limiter: RateLimiterMemory, key: string, message: string): Promise<void> {
    try {
      await limiter.consume(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const s = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw new AppError('RATE_LIMITED', message, { retryAfterSec: s }, { 'retry-after': String(s) });
    }
  }

  const limitRenders = async (ip: string | undefined): Promise<void> =>
    ip ? consumeOrRefuse(rendersPerIp, ip, 'Too many new image variants requested from this address') : undefined;
  const limitPreview = (ownerId: string): Promise<void> => consumeOrRefuse(previews, ownerId, 'Preview rate limit exceeded (60 per minute)');

  async function checkBandwidth(row: ImageRow): Promise<PlanRow> {
    const plan = await ownerPlans.through(row.userId, async () => {
      const owner = await deps.users.findById(row.userId);
      return (owner ? await deps.plans.findById(owner.plan) : undefined) ?? null;
    });
    if (!plan) throw new AppError('NOT_FOUND', 'Image not found');
    await deps.quotas.assertImageBandwidth(row.userId, plan);
    return plan;
  }

  function parse(query: DeliveryRequest['query']): TransformParams | undefined {
    try {
      return hasTransform(query) ? parseTransform(query) : undefined;
    } catch (err) {
      if (err instanceof ParamError) throw new AppError('INVALID_IMAGE_PARAMS', err.message, { param: err.param });
      throw err;
    }
  }

  return {
    /** Authorises the request and decides what it gets; throws the contract's error when it may not. */
    async plan(req: DeliveryRequest): Promise<DeliveryPlan> {
      const params = parse(req.query);
      const { exp, sig, original } = req.query as Record<string, string | undefined>;
      const m = FILE.exec(req.file);
      const found = m ? await rows.through(m[1]!, async () => (await images.findWithTrash(m[1]!)) ?? null) : null;
      if (!found || (req.onlyOwner !== undefined && found.userId !== req.onlyOwner)) throw new AppError('NOT_FOUND', 'Image not found');

      const isOwner = !!req.principal && req.principal.userId === found.userId && hasScope(req.principal, 'media.read');
      // In the trash: its owner (session or key) still gets it, as a private image (never cacheable: `private,
      // no-store`), so the dashboard's Trash can show it; for anyone else, signed URL or not, it is deleted: 404.
      if (found.trashedAt !== null && !isOwner) throw new AppError('NOT_FOUND', 'Image not found');
      const { trashedAt, ...live } = found;
      const row: ImageRow = trashedAt === null ? live : { ...live, isPublic: 0 };
      if (exp !== undefined || sig !== undefined) {
        const e = Number(exp);
        const ok = Number.isSafeInteger(e) && e * 1000 > clock.now() && typeof sig === 'string' && signer.verify(row.id, e, sig, params ? signedParams(params) : '');
        if (!ok) throw new AppError('FORBIDDEN', 'Invalid or expired signature');
      } else if (!isOwner) {
        if (row.isPublic !== 1) {
          if (!req.principal) throw new AppError('UNAUTHORIZED', 'This image is private: sign in or use a signed URL');
          throw new AppError('FORBIDDEN', 'This image is private');
        }
        if (!refererAllowed(parseReferers(row), req.referer, deps.selfHosts)) throw new AppError('FORBIDDEN', 'Hotlinking this image is not allowed from this site');
      }
      if (original !== undefined) {
        if (original !== '1' || params) throw new AppError('INVALID_IMAGE_PARAMS', 'original=1 takes no other parameters', { param: 'original' });
        if (!req.principal) throw new AppError('UNAUTHORIZED', 'The original file is for its owner: sign in');
        if (!isOwner) throw new AppError('FORBIDDEN', 'The original file is for its owner');
      }
      const ownerPlan = await checkBandwidth(row);

      const wanted = original !== undefined ? undefined : (params ?? (row.hasMetadata === 1 ? CLEAN : undefined));
      if (!wanted) return { kind: 'original', row, etag: `"${row.sha256.slice(0, 40)}"` };
      // wm=: the image owner's template, on a plan with watermarks (else PLAN_REQUIRED); its version joins the key.
      const watermark = wanted.wm === undefined ? undefined : await deps.watermarks.resolve(row, ownerPlan, wanted.wm);
      if (wanted.preview) await limitPreview(row.userId);
      const format = negotiateFormat(wanted === CLEAN ? 'auto' : wanted.fmt, wanted === CLEAN ? undefined : req.accept, { animated: row.frames > 1 });
      const canonical = canonicalParams(wanted, format) + (watermark ? `&${deps.watermarks.versionOf(watermark)}` : '');
      const key = variantKeyOf(row, canonical);
      return {
        kind: 'variant', row, canonical, preview: wanted.preview, ip: req.ip, watermark,
        key,
        etag: `"v-${key}"`,
        varyAccept: wanted !== CLEAN && wanted.fmt === 'auto',
        spec: { w: wanted.w, h: wanted.h, fit: wanted.fit, format, q: wanted.q },
      };
    },

    /** Drops what this instance cached about an image (after a change or a delete here). */
    forget(imageId: string): void {
      rows.delete(imageId);
    },

    open: (row: ImageRow, range?: ByteRange): Promise<Readable> => blobs.get(storageKeys.imageOriginal(row.userId, row.id), range),

    render: async (plan: Extract<DeliveryPlan, { kind: 'variant' }>): Promise<Variant> => {
      const overlay = plan.watermark ? await deps.watermarks.overlayFor(plan.watermark, plan.row, plan.spec) : undefined;
      const spec = overlay ? { ...plan.spec, overlay } : plan.spec;
      return deps.variants.get(plan.row, spec, plan.canonical, { preview: plan.preview, key: plan.key, beforeRender: () => limitRenders(plan.ip) });
    },

    recordServed(row: ImageRow, bytes: number): void {
      deps.quotas.recordImageBandwidth(row.userId, bytes);
      deps.onServed?.(bytes);
    },
  };
}

export type DeliveryService = ReturnType<typeof createDeliveryService>;
