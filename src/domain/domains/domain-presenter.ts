// The CustomDomain object of the API (SPEC §14), with the CNAME it needs and how to set it.
import type { CustomDomainRow } from '../../db/schema.js';
import { toIso } from '../../lib/clock.js';

export type DomainResponse = { id: string; host: string; verified: boolean; verifiedAt: string | null; cnameTarget: string; instructions: string; createdAt: string };

export function presentDomain(row: CustomDomainRow, cnameTarget: string, instructions: string): DomainResponse {
  return {
    id: row.id, host: row.host, verified: row.verified === 1, verifiedAt: row.verifiedAt === null ? null : toIso(row.verifiedAt),
    cnameTarget, instructions, createdAt: toIso(row.createdAt),
  };
}
