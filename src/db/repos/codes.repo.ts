import type { Db } from '../db.js';
import type { VerificationCodeRow } from '../schema.js';

type Purpose = VerificationCodeRow['purpose'];

export function createCodesRepo(db: Db) {
  return {
    insert: async (row: VerificationCodeRow): Promise<void> => void (await db.insertInto('verificationCodes').values(row).execute()),

    /** Codes sent to an address for a purpose since `since`, newest first. */
    recent: (email: string, purpose: Purpose, since: number): Promise<VerificationCodeRow[]> =>
      db.selectFrom('verificationCodes').selectAll().where('email', '=', email).where('purpose', '=', purpose).where('createdAt', '>=', since).orderBy('createdAt', 'desc').execute(),

    /** The newest live code for an address and purpose. */
    latestLive: (email: string, purpose: Purpose, now: number): Promise<VerificationCodeRow | undefined> =>
      db
        .selectFrom('verificationCodes')
        .selectAll()
        .where('email', '=', email)
        .where('purpose', '=', purpose)
        .where('consumedAt', 'is', null)
        .where('expiresAt', '>', now)
        .orderBy('createdAt', 'desc')
        .limit(1)
        .executeTakeFirst(),

    addAttempt: async (id: string): Promise<void> => {
      await db.updateTable('verificationCodes').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('id', '=', id).execute();
    },

    /** Consumes a code once; false when it was already used. */
    consume: async (id: string, now: number): Promise<boolean> => {
      const r = await db.updateTable('verificationCodes').set({ consumedAt: now }).where('id', '=', id).where('consumedAt', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    purgeExpired: async (before: number): Promise<void> => {
      await db.deleteFrom('verificationCodes').where('expiresAt', '<', before).execute();
    },
  };
}

export type CodesRepo = ReturnType<typeof createCodesRepo>;
