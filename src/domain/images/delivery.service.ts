// The media host's decisions: which image a URL names, whether this request may have it (visibility,
// signature, hotlink list, bandwidth), and how to stream it. The HTTP details live in delivery.routes.ts.
import type { Readable } from 'node:stream';
import { AppError, quotaExceeded } from '../../errors/app-error.js';
import type { ImagesRepo } from '../../db/repos/images.repo.js';
import type { PlansRepo } from '../../db/repos/plans.repo.js';
import type { UsersRepo } from '../../db/repos/users.repo.js';
import type { ImageRow } from '../../db/schema.js';
import type { BlobStore, ByteRange } from '../../storage/blob-store.js';
import { storageKeys } from '../../storage/keys.js';
import { hasScope, type Principal } from '../../auth/principal.js';
import type { Clock } from '../../lib/clock.js';
import type { BandwidthMeter } from '../usage/bandwidth-meter.js';
import { parseReferers, refererAllowed } from './image-policy.js';
import type { UrlSigner } from './url-signing.js';

export type DeliveryRequest = {
  file: string;
  principal: Principal | undefined;
  exp?: string | undefined;
  sig?: string | undefined;
  referer?: string | undefined;
};

export type DeliveredImage = ImageRow;
export type DeliveryGrant = { row: DeliveredImage; via: 'public' | 'owner' | 'signature' };

const FILE = /^([A-Za-z0-9_-]{11})\.([A-Za-z0-9]{1,5})$/;

type Deps = {
  images: ImagesRepo;
  users: UsersRepo;
  plans: PlansRepo;
  blobs: BlobStore;
  signer: UrlSigner;
  bandwidth: BandwidthMeter;
  clock: Clock;
  selfHosts: readonly string[];
};

export function createDeliveryService(deps: Deps) {
  const { images, blobs, signer, clock } = deps;

  async function checkBandwidth(row: ImageRow): Promise<void> {
    const owner = await deps.users.findById(row.userId);
    const plan = owner ? await deps.plans.findById(owner.plan) : undefined;
    if (!plan) throw new AppError('NOT_FOUND', 'Image not found');
    if ((await deps.bandwidth.used(row.userId)) >= plan.imgBandwidthBytes) {
      throw quotaExceeded('img_bandwidth', { limit: plan.imgBandwidthBytes });
    }
  }

  return {
    /** Decides whether the request may have the image; throws the contract's error when it may not. */
    async authorize(req: DeliveryRequest): Promise<DeliveryGrant> {
      const m = FILE.exec(req.file);
      const row = m ? await images.findById(m[1]!) : undefined;
      if (!row) throw new AppError('NOT_FOUND', 'Image not found');
      let via: DeliveryGrant['via'];
      if (req.exp !== undefined || req.sig !== undefined) {
        const exp = Number(req.exp);
        const valid = Number.isSafeInteger(exp) && exp * 1000 > clock.now() && typeof req.sig === 'string' && signer.verify(row.id, exp, req.sig);
        if (!valid) throw new AppError('FORBIDDEN', 'Invalid or expired signature');
        via = 'signature';
      } else if (req.principal && req.principal.userId === row.userId && hasScope(req.principal, 'media.read')) {
        via = 'owner';
      } else if (row.isPublic !== 1) {
        if (!req.principal) throw new AppError('UNAUTHORIZED', 'This image is private: sign in or use a signed URL');
        throw new AppError('FORBIDDEN', 'This image is private');
      } else {
        if (!refererAllowed(parseReferers(row), req.referer, deps.selfHosts)) {
          throw new AppError('FORBIDDEN', 'Hotlinking this image is not allowed from this site');
        }
        via = 'public';
      }
      await checkBandwidth(row);
      return { row, via };
    },

    open: (row: ImageRow, range?: ByteRange): Promise<Readable> => blobs.get(storageKeys.imageOriginal(row.userId, row.id), range),

    recordServed: (row: ImageRow, bytes: number): void => deps.bandwidth.record(row.userId, bytes),
  };
}

export type DeliveryService = ReturnType<typeof createDeliveryService>;
