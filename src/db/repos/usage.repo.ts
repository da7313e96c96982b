// Usage counters: image storage and count, uploads per day/month, monthly bandwidth.
// Every change is one conditional statement, so concurrent requests can never pass a limit.
import { sql } from 'kysely';
import type { Db } from '../db.js';
import type { UserUsageRow } from '../schema.js';

export type ReserveLimits = { storageBytes: number; uploadsPerDay: number };
export type ReserveResult = { ok: true } | { ok: false; type: 'img_storage' | 'uploads_per_day'; usage: UserUsageRow };

export function createUsageRepo(db: Db) {
  async function ensureRow(userId: string): Promise<void> {
    await db.insertInto('userUsage').values({ userId, imgStorageBytes: 0, imgCount: 0, uploadsDay: '', uploadsToday: 0, uploadsMonth: '', uploadsThisMonth: 0 }).onConflict((oc) => oc.column('userId').doNothing()).execute();
  }

  async function get(userId: string): Promise<UserUsageRow> {
    await ensureRow(userId);
    return db.selectFrom('userUsage').selectAll().where('userId', '=', userId).executeTakeFirstOrThrow();
  }

  return {
    get,

    /** Reserves `bytes` of image storage and one upload of today, or says which limit stands in the way. */
    async reserveUpload(userId: string, bytes: number, limits: ReserveLimits, day: string, month: string): Promise<ReserveResult> {
      await ensureRow(userId);
      const r = await db
        .updateTable('userUsage')
        .set({
          imgStorageBytes: sql`img_storage_bytes + ${bytes}`,
          imgCount: sql`img_count + 1`,
          uploadsToday: sql`case when uploads_day = ${day} then uploads_today + 1 else 1 end`,
          uploadsDay: day,
          uploadsThisMonth: sql`case when uploads_month = ${month} then uploads_this_month + 1 else 1 end`,
          uploadsMonth: month,
        })
        .where('userId', '=', userId)
        .where(sql<boolean>`img_storage_bytes + ${bytes} <= ${limits.storageBytes}`)
        .where((eb) => eb.or([eb('uploadsDay', '!=', day), eb('uploadsToday', '<', limits.uploadsPerDay)]))
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 1) return { ok: true };
      const usage = await get(userId);
      const type = usage.imgStorageBytes + bytes > limits.storageBytes ? 'img_storage' : 'uploads_per_day';
      return { ok: false, type, usage };
    },

    /** Gives back a reservation whose upload did not complete. */
    async releaseUpload(userId: string, bytes: number, day: string): Promise<void> {
      await db
        .updateTable('userUsage')
        .set({
          imgStorageBytes: sql`case when img_storage_bytes >= ${bytes} then img_storage_bytes - ${bytes} else 0 end`,
          imgCount: sql`case when img_count > 0 then img_count - 1 else 0 end`,
          uploadsToday: sql`case when uploads_day = ${day} and uploads_today > 0 then uploads_today - 1 else uploads_today end`,
        })
        .where('userId', '=', userId)
        .execute();
    },

    /** Frees the storage of deleted images (uploads already counted stay counted). */
    async releaseStorage(userId: string, bytes: number, count: number): Promise<void> {
      await db
        .updateTable('userUsage')
        .set({
          imgStorageBytes: sql`case when img_storage_bytes >= ${bytes} then img_storage_bytes - ${bytes} else 0 end`,
          imgCount: sql`case when img_count >= ${count} then img_count - ${count} else 0 end`,
        })
        .where('userId', '=', userId)
        .execute();
    },

    /** Adds served bytes to monthly bandwidth, many users at once (one statement each). */
    async addBandwidth(entries: Array<{ userId: string; month: string; bytes: number }>): Promise<void> {
      for (const e of entries) {
        await db
          .insertInto('usageMonthly')
          .values({ userId: e.userId, month: e.month, imgBandwidthBytes: e.bytes })
          .onConflict((oc) => oc.columns(['userId', 'month']).doUpdateSet({ imgBandwidthBytes: sql`usage_monthly.img_bandwidth_bytes + excluded.img_bandwidth_bytes` }))
          .execute();
      }
    },

    /** Stored counters next to the truth recomputed from the image rows, for every account with either. */
    async drift(): Promise<Array<{ userId: string; storedBytes: number; actualBytes: number; storedCount: number; actualCount: number }>> {
      const actual = await db.selectFrom('images').select(['userId', sql<number>`sum(size_bytes)`.as('bytes'), sql<number>`count(*)`.as('n')]).groupBy('userId').execute();
      const stored = await db.selectFrom('userUsage').select(['userId', 'imgStorageBytes', 'imgCount']).execute();
      const byUser = new Map<string, { storedBytes: number; actualBytes: number; storedCount: number; actualCount: number }>();
      for (const s of stored) byUser.set(s.userId, { storedBytes: s.imgStorageBytes, storedCount: s.imgCount, actualBytes: 0, actualCount: 0 });
      for (const a of actual) {
        const e = byUser.get(a.userId) ?? { storedBytes: 0, storedCount: 0, actualBytes: 0, actualCount: 0 };
        e.actualBytes = Number(a.bytes);
        e.actualCount = Number(a.n);
        byUser.set(a.userId, e);
      }
      return [...byUser.entries()].map(([userId, e]) => ({ userId, ...e }));
    },

    /** Sets an account's storage counters to the given truth. */
    async setStorage(userId: string, bytes: number, count: number): Promise<void> {
      await ensureRow(userId);
      await db.updateTable('userUsage').set({ imgStorageBytes: bytes, imgCount: count }).where('userId', '=', userId).execute();
    },

    bandwidth: async (userId: string, month: string): Promise<number> =>
      (await db.selectFrom('usageMonthly').select('imgBandwidthBytes').where('userId', '=', userId).where('month', '=', month).executeTakeFirst())?.imgBandwidthBytes ?? 0,
  };
}

export type UsageRepo = ReturnType<typeof createUsageRepo>;
