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

    /** Counts a failed login; locks the account when the count reaches `max`. Returns the new count. */
    async recordFailedLogin(id: string, max: number, lockUntil: number, now: number): Promise<void> {
      await db
        .updateTable('users')
        .set({
          failedLoginCount: sql`failed_login_count + 1`,
          lockedUntil: sql`case when failed_login_count + 1 >= ${max} then ${lockUntil} else locked_until end`,
          updatedAt: now,
        })
        .where('id', '=', id)
        .execute();
    },

    resetFailedLogins: async (id: string): Promise<void> => {
      await db.updateTable('users').set({ failedLoginCount: 0, lockedUntil: null }).where('id', '=', id).execute();
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
        .select(['users.id', 'users.email', 'users.nickname', 'users.plan', 'users.role', 'users.isActive', 'users.createdAt', 'userUsage.imgStorageBytes', 'userUsage.imgCount']);
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
