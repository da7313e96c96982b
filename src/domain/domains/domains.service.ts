// Custom domains (pro_plus, SPEC §14, CONTRACT §6): add a host, point a CNAME at ours, verify it through the
// configured DNS servers, then the media host answers on it — only for that account's media. Deleting a
// domain stops it at once on every instance (the host is looked up per request, no cache).
import { isIP } from 'node:net';
import { AppError, planRequired, validationError } from '../../errors/app-error.js';
import type { DomainsRepo } from '../../db/repos/domains.repo.js';
import type { PlansRepo } from '../../db/repos/plans.repo.js';
import type { CustomDomainRow } from '../../db/schema.js';
import type { Principal } from '../../auth/principal.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { quotaError } from '../usage/quotas.js';

export const DOMAIN_PLAN = 'pro_plus';

/** Resolves a host's CNAME targets (dns.promises.Resolver#resolveCname with the configured servers). */
export type CnameResolver = (host: string) => Promise<string[]>;

type Deps = {
  domains: DomainsRepo;
  plans: PlansRepo;
  clock: Clock;
  resolveCname: CnameResolver;
  /** The host a domain's CNAME must point at. */
  cnameTarget: string;
  /** Our own host names: never addable as a custom domain. */
  selfHosts: readonly string[];
};

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const normalise = (name: string) => name.trim().toLowerCase().replace(/\.$/, '');

/** A lower-case host name of at least two labels, no scheme, port, path or IP literal. */
export function validateHost(raw: string): string {
  const host = raw.trim();
  if (host !== host.toLowerCase()) throw validationError('host', 'must be lower-case (e.g. img.mysite.com)');
  const labels = host.split('.');
  if (host.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels[labels.length - 1]!)) {
    throw validationError('host', 'must be a host name like img.mysite.com (no scheme, port or path)');
  }
  return host;
}

export function createDomainsService(deps: Deps) {
  const { domains, plans, clock } = deps;

  async function owned(p: Principal, id: string): Promise<CustomDomainRow> {
    const row = await domains.findById(id);
    if (!row) throw new AppError('NOT_FOUND', 'Domain not found');
    if (row.userId !== p.userId) throw new AppError('FORBIDDEN', 'This domain belongs to another account');
    return row;
  }

  const instructions = (host: string) => `Add a CNAME record: ${host} → ${deps.cnameTarget}, then verify the domain.`;

  return {
    cnameTarget: deps.cnameTarget,
    instructions,

    async create(p: Principal, rawHost: string): Promise<CustomDomainRow> {
      const plan = await plans.findById(p.plan);
      if (!plan || plan.customDomainsMax <= 0) throw planRequired(DOMAIN_PLAN, 'Custom domains');
      const host = validateHost(rawHost);
      if (deps.selfHosts.includes(host) || host === normalise(deps.cnameTarget)) throw validationError('host', 'is this server\'s own host');
      const now = clock.now();
      const row: CustomDomainRow = { id: newId(), userId: p.userId, host, verified: 0, verifiedAt: null, createdAt: now, updatedAt: now };
      const result = await domains.insertWithinLimit(row, plan.customDomainsMax);
      if (result === 'full') throw quotaError('custom_domain_count', plan);
      if (result === 'taken') throw new AppError('CONFLICT', 'Domain already added');
      return row;
    },

    list: (p: Principal): Promise<CustomDomainRow[]> => domains.listForUser(p.userId),

    /** Looks the CNAME up now; answers whether it points at us (the domain is live at once when it does). */
    async verify(p: Principal, id: string): Promise<{ verified: boolean; message: string }> {
      const row = await owned(p, id);
      let targets: string[];
      try {
        targets = (await deps.resolveCname(row.host)).map(normalise);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        const why = code === 'ENODATA' || code === 'ENOTFOUND' ? 'CNAME record not found' : `DNS lookup failed (${code || 'error'})`;
        await domains.setVerified(id, false, clock.now());
        return { verified: false, message: `${why}, please check your DNS settings: ${instructions(row.host)}` };
      }
      const ok = targets.includes(normalise(deps.cnameTarget));
      await domains.setVerified(id, ok, clock.now());
      return ok
        ? { verified: true, message: `${row.host} points at ${deps.cnameTarget}: media is now served on it` }
        : { verified: false, message: `${row.host} has a CNAME to ${targets.join(', ') || 'nothing'}, not ${deps.cnameTarget}: ${instructions(row.host)}` };
    },

    async remove(p: Principal, id: string): Promise<void> {
      await owned(p, id);
      await domains.delete(id);
    },

    /** False for names that can never be a custom domain: ours, IP addresses, single labels such as localhost. */
    mayBeCustom(host: string): boolean {
      const name = normalise(host);
      return name.includes('.') && !name.startsWith('[') && isIP(name) === 0 && !deps.selfHosts.includes(name);
    },

    /** For the media host: the account a request's Host belongs to ('unverified' → 404), or undefined (not a custom domain). */
    async hostOwner(host: string): Promise<{ userId: string } | 'unverified' | undefined> {
      const name = normalise(host);
      if (deps.selfHosts.includes(name)) return undefined;
      const row = await domains.findByHost(name);
      if (!row) return undefined;
      return row.verified === 1 ? { userId: row.userId } : 'unverified';
    },
  };
}

export type DomainsService = ReturnType<typeof createDomainsService>;
