import { sql } from 'kysely';
import type { Db } from '../db.js';
import type { ApiKeyRow } from '../schema.js';
import { withUserLock } from './user-lock.js';

export function createApiKeysRepo(db: Db, dialect: 'sqlite' | 'postgres') {
  return {
    /**
     * Inserts the key unless the user already holds `max` active keys; the count and the insert run under
     * the user's lock, so concurrent creates cannot overshoot the limit.
     */
    insertWithinLimit: (row: ApiKeyRow, max: number): Promise<boolean> =>
      withUserLock(db, dialect, row.userId, async (trx) => {
        const { n } = await trx
          .selectFrom('apiKeys')
          .select(sql<number>`count(*)`.as('n'))
          .where('userId', '=', row.userId)
          .where('revokedAt', 'is', null)
          .executeTakeFirstOrThrow();
        if (Number(n) >= max) return false;
        await trx.insertInto('apiKeys').values(row).execute();
        return true;
      }),

    findByHash: (keyHash: string): Promise<ApiKeyRow | undefined> =>
      db.selectFrom('apiKeys').selectAll().where('keyHash', '=', keyHash).executeTakeFirst(),

    findForUser: (userId: string, id: string): Promise<ApiKeyRow | undefined> =>
      db.selectFrom('apiKeys').selectAll().where('id', '=', id).where('userId', '=', userId).where('revokedAt', 'is', null).executeTakeFirst(),

    findAnyById: (id: string): Promise<ApiKeyRow | undefined> => db.selectFrom('apiKeys').selectAll().where('id', '=', id).executeTakeFirst(),

    listActive: (userId: string): Promise<ApiKeyRow[]> =>
      db.selectFrom('apiKeys').selectAll().where('userId', '=', userId).where('revokedAt', 'is', null).orderBy('createdAt', 'desc').orderBy('id', 'desc').execute(),

    countActive: async (userId: string): Promise<number> =>
      Number(
        (await db.selectFrom('apiKeys').select(sql<number>`count(*)`.as('n')).where('userId', '=', userId).where('revokedAt', 'is', null).executeTakeFirstOrThrow()).n,
      ),

    update: async (userId: string, id: string, patch: Partial<Pick<ApiKeyRow, 'name' | 'description' | 'scopes' | 'updatedAt'>>): Promise<void> => {
      await db.updateTable('apiKeys').set(patch).where('id', '=', id).where('userId', '=', userId).execute();
    },

    /** Revokes (keeps the row so a later use answers API_KEY_REVOKED). */
    revoke: async (userId: string, id: string, now: number): Promise<boolean> => {
      const r = await db.updateTable('apiKeys').set({ revokedAt: now, updatedAt: now }).where('id', '=', id).where('userId', '=', userId).where('revokedAt', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** Writes lastUsedAt only when the stored value is older than `staleBefore` (no write per request). */
    touch: async (id: string, now: number, staleBefore: number): Promise<void> => {
      await db
        .updateTable('apiKeys')
        .set({ lastUsedAt: now })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('lastUsedAt', 'is', null), eb('lastUsedAt', '<', staleBefore)]))
        .execute();
    },
  };
}

export type ApiKeysRepo = ReturnType<typeof createApiKeysRepo>;
