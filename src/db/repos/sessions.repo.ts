// Session families and their refresh tokens. A family is one login; rotation adds tokens to it.
import type { Db } from '../db.js';
import type { RefreshTokenRow } from '../schema.js';

export function createSessionsRepo(db: Db) {
  return {
    async createFamily(f: { id: string; userId: string; userAgent: string | null; createdAt: number }): Promise<void> {
      await db.insertInto('sessionFamilies').values({ ...f, revokedAt: null }).execute();
    },

    async insertToken(t: Omit<RefreshTokenRow, 'usedAt' | 'revokedAt'>): Promise<void> {
      await db.insertInto('refreshTokens').values({ ...t, usedAt: null, revokedAt: null }).execute();
    },

    findTokenByHash: (tokenHash: string): Promise<RefreshTokenRow | undefined> =>
      db.selectFrom('refreshTokens').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst(),

    /** Marks a token used exactly once; false when another request used it first. */
    async markTokenUsed(id: string, now: number): Promise<boolean> {
      const r = await db.updateTable('refreshTokens').set({ usedAt: now }).where('id', '=', id).where('usedAt', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    findFamily: (id: string) => db.selectFrom('sessionFamilies').selectAll().where('id', '=', id).executeTakeFirst(),

    async revokeFamily(id: string, now: number): Promise<void> {
      await db.updateTable('sessionFamilies').set({ revokedAt: now }).where('id', '=', id).where('revokedAt', 'is', null).execute();
      await db.updateTable('refreshTokens').set({ revokedAt: now }).where('familyId', '=', id).where('revokedAt', 'is', null).execute();
    },

    /** Revokes every session of a user except `keepFamilyId`. */
    async revokeAllForUser(userId: string, now: number, keepFamilyId?: string): Promise<void> {
      let families = db.updateTable('sessionFamilies').set({ revokedAt: now }).where('userId', '=', userId).where('revokedAt', 'is', null);
      let tokens = db.updateTable('refreshTokens').set({ revokedAt: now }).where('userId', '=', userId).where('revokedAt', 'is', null);
      if (keepFamilyId) {
        families = families.where('id', '!=', keepFamilyId);
        tokens = tokens.where('familyId', '!=', keepFamilyId);
      }
      await families.execute();
      await tokens.execute();
    },
  };
}

export type SessionsRepo = ReturnType<typeof createSessionsRepo>;
