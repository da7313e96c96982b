// Custom domain rows. Queries only; plan gates, validation and DNS checks live in domain/domains.
import { sql } from 'kysely';
import type { Db } from '../db.js';
import type { CustomDomainRow } from '../schema.js';
import { withUserLock } from './user-lock.js';

export function createDomainsRepo(db: Db, dialect: 'sqlite' | 'postgres') {
  return {
    /** Inserts unless the account already has `max` domains; 'taken' when any account holds the host. */
    insertWithinLimit: (row: CustomDomainRow, max: number): Promise<'ok' | 'full' | 'taken'> =>
      withUserLock(db, dialect, row.userId, async (trx) => {
        const { n } = await trx.selectFrom('customDomains').select(sql<number>`count(*)`.as('n')).where('userId', '=', row.userId).executeTakeFirstOrThrow();
        if (Number(n) >= max) return 'full';
        const inserted = await trx.insertInto('customDomains').values(row).onConflict((oc) => oc.column('host').doNothing()).executeTakeFirst();
        return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1 ? 'ok' : 'taken';
      }),

    findById: (id: string): Promise<CustomDomainRow | undefined> => db.selectFrom('customDomains').selectAll().where('id', '=', id).executeTakeFirst(),

    findByHost: (host: string): Promise<CustomDomainRow | undefined> => db.selectFrom('customDomains').selectAll().where('host', '=', host).executeTakeFirst(),

    listForUser: (userId: string): Promise<CustomDomainRow[]> =>
      db.selectFrom('customDomains').selectAll().where('userId', '=', userId).orderBy('createdAt', 'desc').orderBy('id', 'desc').execute(),

    setVerified: async (id: string, verified: boolean, now: number): Promise<CustomDomainRow | undefined> =>
      db.updateTable('customDomains').set({ verified: verified ? 1 : 0, verifiedAt: verified ? now : null, updatedAt: now }).where('id', '=', id).returningAll().executeTakeFirst(),

    delete: (id: string): Promise<CustomDomainRow | undefined> => db.deleteFrom('customDomains').where('id', '=', id).returningAll().executeTakeFirst(),
  };
}

export type DomainsRepo = ReturnType<typeof createDomainsRepo>;
