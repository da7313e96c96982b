import type { Transaction } from 'kysely';
import type { Db } from '../db.js';
import type { Database } from '../schema.js';

/**
 * Runs `fn` in a transaction that holds the user's row (PostgreSQL: SELECT … FOR UPDATE; SQLite: the
 * database, whose writers are serialised), so a count-then-insert inside cannot be overtaken by a
 * concurrent one of the same account.
 */
export function withUserLock<T>(db: Db, dialect: 'sqlite' | 'postgres', userId: string, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const lock = trx.selectFrom('users').select('id').where('id', '=', userId);
    await (dialect === 'postgres' ? lock.forUpdate() : lock).executeTakeFirst();
    return fn(trx);
  });
}
