// Audio rows. Queries only; ownership, visibility and plan gates are decided in domain/audio.
import type { Db } from '../db.js';
import type { AudioRow } from '../schema.js';
import { recordTombstone } from './sync.repo.js';

export type AudioPatch = Partial<Pick<AudioRow, 'title' | 'isPublic'>>;

export function createAudioRepo(db: Db) {
  return {
    findById: (id: string): Promise<AudioRow | undefined> => db.selectFrom('audio').selectAll().where('id', '=', id).executeTakeFirst(),

    findManyForUser: (userId: string, ids: string[]): Promise<AudioRow[]> =>
      ids.length === 0 ? Promise.resolve([]) : db.selectFrom('audio').selectAll().where('userId', '=', userId).where('id', 'in', ids).execute(),

    insert: async (row: AudioRow): Promise<void> => {
      await db.insertInto('audio').values(row).execute();
    },

    update: (id: string, patch: AudioPatch, now: number): Promise<AudioRow | undefined> =>
      db.updateTable('audio').set({ ...patch, updatedAt: now }).where('id', '=', id).returningAll().executeTakeFirst(),

    /** Deletes the row and writes its sync tombstone, after its last change, in the same transaction. */
    delete: (id: string, deletedAt: number): Promise<AudioRow | undefined> =>
      db.transaction().execute(async (trx) => {
        const row = await trx.deleteFrom('audio').where('id', '=', id).returningAll().executeTakeFirst();
        if (row) await recordTombstone(trx, { userId: row.userId, type: 'audio', id, at: Math.max(deletedAt, row.updatedAt + 1) });
        return row;
      }),
  };
}

export type AudioRepo = ReturnType<typeof createAudioRepo>;
