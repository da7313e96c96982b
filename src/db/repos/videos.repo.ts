// Video rows. Queries only; ownership, visibility and plan gates are decided in domain/videos.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../db.js';
import type { Database, VideoRow } from '../schema.js';
import { recordTombstone, recordTombstones } from './sync.repo.js';

export type VideoPatch = Partial<Pick<VideoRow, 'title' | 'tags' | 'isPublic'>>;
export type ReadyVideo = Pick<VideoRow, 'durationSeconds' | 'width' | 'height' | 'hasAudio' | 'renditions' | 'outputBytes'>;

export function createVideosRepo(db: Db) {
  return {
    findById: (id: string): Promise<VideoRow | undefined> => db.selectFrom('videos').selectAll().where('id', '=', id).executeTakeFirst(),

    findManyForUser: (userId: string, ids: string[]): Promise<VideoRow[]> =>
      ids.length === 0 ? Promise.resolve([]) : db.selectFrom('videos').selectAll().where('userId', '=', userId).where('id', 'in', ids).execute(),

    /** Inserts the row and, in the same transaction, whatever `alongside` writes (the job that will transcode it). */
    insert: (row: VideoRow, alongside?: (trx: Transaction<Database>) => Promise<void>): Promise<void> =>
      db.transaction().execute(async (trx) => {
        await trx.insertInto('videos').values(row).execute();
        await alongside?.(trx);
      }),

    /** Newest first, keyset after (createdAt, id). */
    list: (userId: string, limit: number, after?: { createdAt: number; id: string }): Promise<VideoRow[]> => {
      let q = db.selectFrom('videos').selectAll().where('userId', '=', userId);
      if (after) q = q.where((eb) => eb.or([eb('createdAt', '<', after.createdAt), eb.and([eb('createdAt', '=', after.createdAt), eb('id', '<', after.id)])]));
      return q.orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(limit).execute();
    },

    update: async (id: string, patch: VideoPatch, now: number): Promise<VideoRow | undefined> =>
      db.updateTable('videos').set({ ...patch, updatedAt: now }).where('id', '=', id).returningAll().executeTakeFirst(),

    /** Progress of a running transcode; false when the video is gone or no longer processing (stop the work). */
    async setProgress(id: string, progress: number, now: number): Promise<boolean> {
      const r = await db.updateTable('videos').set({ progress, updatedAt: now }).where('id', '=', id).where('status', '=', 'processing').executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** processing → ready; false when the video was deleted (or finished) meanwhile. */
    async markReady(id: string, ready: ReadyVideo, now: number): Promise<boolean> {
      const r = await db
        .updateTable('videos')
        .set({ ...ready, status: 'ready', progress: 100, error: null, readyAt: now, updatedAt: now })
        .where('id', '=', id)
        .where('status', '=', 'processing')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async markFailed(id: string, reason: string, now: number): Promise<boolean> {
      const r = await db.updateTable('videos').set({ status: 'failed', error: reason.slice(0, 500), updatedAt: now }).where('id', '=', id).where('status', '=', 'processing').executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** A new poster: bumps its version (its URL changes). */
    async setPoster(id: string, custom: boolean, now: number): Promise<VideoRow | undefined> {
      return db
        .updateTable('videos')
        .set({ posterVersion: sql`poster_version + 1`, customPoster: custom ? 1 : 0, updatedAt: now })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    },

    /** Deletes the row and writes its sync tombstone, after its last change, in the same transaction. */
    delete: (id: string, deletedAt: number): Promise<VideoRow | undefined> =>
      db.transaction().execute(async (trx) => {
        const row = await trx.deleteFrom('videos').where('id', '=', id).returningAll().executeTakeFirst();
        if (row) await recordTombstone(trx, { userId: row.userId, type: 'video', id, at: Math.max(deletedAt, row.updatedAt + 1) });
        return row;
      }),

    /** Deletes the account's rows among `ids` and writes their tombstones in one transaction; returns the rows deleted. */
    deleteMany: (userId: string, ids: string[], deletedAt: number): Promise<VideoRow[]> =>
      ids.length === 0
        ? Promise.resolve([])
        : db.transaction().execute(async (trx) => {
          const rows = await trx.deleteFrom('videos').where('userId', '=', userId).where('id', 'in', ids).returningAll().execute();
          await recordTombstones(trx, rows.map((row) => ({ userId, type: 'video' as const, id: row.id, at: Math.max(deletedAt, row.updatedAt + 1) })));
          return rows;
        }),

    /** Videos still processing that were last touched before `before` (for the jobs reconciler). */
    processingSince: (before: number, limit: number): Promise<Array<Pick<VideoRow, 'id'>>> =>
      db.selectFrom('videos').select('id').where('status', '=', 'processing').where('updatedAt', '<', before).orderBy('updatedAt').limit(limit).execute(),

    /** Per account: count and bytes of video originals (for reconcile and the admin views). */
    totals: (): Promise<Array<{ userId: string; bytes: number; n: number }>> =>
      db.selectFrom('videos').select(['userId', sql<number>`sum(size_bytes)`.as('bytes'), sql<number>`count(*)`.as('n')]).groupBy('userId').execute(),

    countFor: async (userId: string): Promise<{ n: number; bytes: number }> => {
      const r = await db.selectFrom('videos').select([sql<number>`count(*)`.as('n'), sql<number>`coalesce(sum(size_bytes), 0)`.as('bytes')]).where('userId', '=', userId).executeTakeFirst();
      return { n: Number(r?.n ?? 0), bytes: Number(r?.bytes ?? 0) };
    },
  };
}

export type VideosRepo = ReturnType<typeof createVideosRepo>;
