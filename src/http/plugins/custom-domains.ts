// Requests whose Host is a custom domain: a verified one is served exactly like the media host, but only the
// media routes and only its owner's media (request.mediaOwner); an unverified one answers 404 to everything.
// Any other Host (ours, an address, a name nobody registered) goes on as usual.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import type { DomainsService } from '../../domain/domains/domains.service.js';
import { TtlCache } from '../../lib/ttl-cache.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on a verified custom domain: the account whose media alone is served there. */
    mediaOwner: string | undefined;
  }
}

type Owner = { userId: string } | 'unverified' | 'none';

/**
 * `mediaRoutes`: the route urls of the media host. `cacheMs`: how long a host's answer is reused (a deleted or
 * newly verified domain shows within it on every instance; 0 asks the database every time).
 */
export function registerCustomDomains(app: FastifyInstance, domains: Pick<DomainsService, 'hostOwner' | 'mayBeCustom'>, opts: { mediaRoutes: string[]; cacheMs: number }): void {
  const cache = new TtlCache<Owner>(opts.cacheMs, 10_000);
  const media = new Set(opts.mediaRoutes);
  app.decorateRequest('mediaOwner', undefined);
  app.addHook('onRequest', async (request) => {
    const host = request.hostname.toLowerCase();
    // our own names, addresses and single labels (localhost) are ours without a lookup, and without an await:
    // requests keep their arrival order on the way to the handlers
    if (!domains.mayBeCustom(host)) return;
    const load = async (): Promise<Owner> => (await domains.hostOwner(host)) ?? 'none';
    const owner = opts.cacheMs > 0 ? await cache.through(host, load) : await load();
    if (owner === 'none') return;
    if (owner === 'unverified' || !media.has(request.routeOptions.url ?? '')) throw new AppError('NOT_FOUND', 'Not found');
    request.mediaOwner = owner.userId;
  });
}
