import { sql } from 'kysely';
import type { Db } from '../db.js';
import type { NewUser, UserPatch, UserRow } from '../schema.js';

export function createUsersRepo(db: Db) {
  return {
    findById: (id: string): Promise<UserRow | undefined> => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),

    findByEmail: (email: string): Promise<UserRow | undefined> =>
      db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst(),

    /** Inserts the user; the first account of an instance becomes admin, decided inside one statement. */
    async insert(user: Omit<NewUser, 'role'>): Promise<UserRow> {
      const isFirst = await db.selectFrom('users').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
      const row: NewUser = { ...user, role: Number(isFirst.n) === 0 ? 'admin' : 'user' };
      await db.insertInto('users').values(row).execute();
      return (await db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow()) as UserRow;
    },

    update: async (id: string, patch: UserPatch): Promise<UserRow | undefined> => {
      await db.updateTable('users').set(patch).where('id', '=', id).execute();
      return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /**
     * Counts a failed login and decides the lock in the same statement, so concurrent failures can neither
     * lose a count nor all see "under `max`": an expired lock restarts the count at 1; the count reaching
     * `max` locks until `lockUntil`; an active lock is left as it is. Returns the row's new state.
     */
    async recordFailedLogin(id: string, max: number, lockUntil: number, now: number): Promise<LoginFailures | undefined> {
      const expired = sql<boolean>`(locked_until is not null and locked_until <= ${now})`;
      const count = sql<number>`(case when ${expired} then 1 else failed_login_count + 1 end)`;
      return db
        .updateTable('users')
        .set({
          failedLoginCount: count,
          lockedUntil: sql`case when locked_until > ${now} then locked_until when ${count} >= ${max} then ${lockUntil} else null end`,
          updatedAt: now,
        })
        .where('id', '=', id)
        .returning(['failedLoginCount', 'lockedUntil'])
        .executeTakeFirst();
    },

    /**
     * The success path of a login: clears the failure count only while the account is not locked at `now`,
     * in one statement. False when a lock is in force (set, perhaps, by failures that raced this login).
     */
    async clearFailedLoginsUnlessLocked(id: string, now: number): Promise<boolean> {
      const r = await db
        .updateTable('users')
        .set({ failedLoginCount: 0, lockedUntil: null })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<=', now)]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    delete: async (id: string): Promise<boolean> => {
      const r = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    /** A page of accounts, newest first, with their image usage. */
    listWithUsage: (opts: { limit: number; before?: { createdAt: number; id: string } | undefined; q?: string | undefined }) => {
      let query = db
        .selectFrom('users')
        .leftJoin('userUsage', 'userUsage.userId', 'users.id')
        .select(['users.id', 'users.email', 'users.nickname', 'users.plan', 'users.role', 'users.isActive', 'users.createdAt', 'userUsage.imgStorageBytes', 'userUsage.imgCount', 'userUsage.mediaStorageBytes', 'userUsage.mediaCount']);
      if (opts.q) {
        const pattern = `%${opts.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        query = query.where(sql<boolean>`lower(users.email) like ${pattern} escape '\\'`);
      }
      if (opts.before) {
        const { createdAt, id } = opts.before;
        query = query.where((eb) => eb.or([eb('users.createdAt', '<', createdAt), eb.and([eb('users.createdAt', '=', createdAt), eb('users.id', '<', id)])]));
      }
      return query.orderBy('users.createdAt', 'desc').orderBy('users.id', 'desc').limit(opts.limit).execute();
    },

    count: async (): Promise<number> =>
      Number((await db.selectFrom('users').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n),
  };
}

export type UsersRepo = ReturnType<typeof createUsersRepo>;
export type LoginFailures = { failedLoginCount: number; lockedUntil: number | null };
