// The avatar columns of a user row (migration 0010). Queries only.
import type { Db } from '../db.js';

export function createAvatarsRepo(db: Db) {
  return {
    /** The avatar's version, null when the user has none, undefined when there is no such user. */
    version: async (userId: string): Promise<number | null | undefined> =>
      (await db.selectFrom('users').select('avatarVersion').where('id', '=', userId).executeTakeFirst())?.avatarVersion,

    set: async (userId: string, version: number, avatarUrl: string, now: number): Promise<void> =>
      void (await db.updateTable('users').set({ avatarVersion: version, avatarUrl, updatedAt: now }).where('id', '=', userId).execute()),
  };
}

export type AvatarsRepo = ReturnType<typeof createAvatarsRepo>;
