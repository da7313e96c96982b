// Resumable (tus) upload sessions. Queries only; ownership, quotas and the pipelines live in domain/uploads.
import type { Db } from '../db.js';
import type { TusUploadRow, TusUploadState } from '../schema.js';

export type NewTusUpload = Omit<TusUploadRow, 'duplicate' | 'resultId' | 'finishedAt'>;

type Patch = Partial<Pick<TusUploadRow, 'resultId' | 'duplicate' | 'finishedAt' | 'reservedBytes' | 'expiresAt'>>;

const LIVE: TusUploadState[] = ['open', 'finishing'];

export function createTusUploadsRepo(db: Db) {
  return {
    insert: async (row: NewTusUpload): Promise<void> => void (await db.insertInto('tusUploads').values(row).execute()),

    findById: (id: string): Promise<TusUploadRow | undefined> => db.selectFrom('tusUploads').selectAll().where('id', '=', id).executeTakeFirst(),

    /** Moves a session from one state to another; false when it was not in `from` (someone else got there first). */
    async transition(id: string, from: TusUploadState[], to: TusUploadState, patch: Patch = {}): Promise<boolean> {
      const r = await db.updateTable('tusUploads').set({ state: to, ...patch }).where('id', '=', id).where('state', 'in', from).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** Live sessions (open or finishing) past their expiry, oldest first. */
    listExpired: (now: number, limit: number): Promise<TusUploadRow[]> =>
      db.selectFrom('tusUploads').selectAll().where('state', 'in', LIVE).where('expiresAt', '<=', now).orderBy('expiresAt').limit(limit).execute(),

    /** Ended sessions (done, failed, cancelled, expired) whose expiry is older than `before`, oldest first. */
    listEnded: (before: number, limit: number): Promise<TusUploadRow[]> =>
      db.selectFrom('tusUploads').selectAll().where('state', 'not in', LIVE).where('expiresAt', '<=', before).orderBy('expiresAt').limit(limit).execute(),

    /** Sessions of an account that still hold a reservation (open or finishing). */
    listActive: (userId: string): Promise<TusUploadRow[]> =>
      db.selectFrom('tusUploads').selectAll().where('userId', '=', userId).where('state', 'in', LIVE).execute(),

    /** Forgets an ended session. */
    deleteEnded: async (id: string): Promise<void> => void (await db.deleteFrom('tusUploads').where('id', '=', id).where('state', 'not in', LIVE).execute()),

    delete: async (id: string): Promise<void> => void (await db.deleteFrom('tusUploads').where('id', '=', id).execute()),
  };
}

export type TusUploadsRepo = ReturnType<typeof createTusUploadsRepo>;
