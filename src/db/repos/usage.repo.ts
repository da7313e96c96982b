// Usage counters: image storage and count, uploads per day/month, monthly bandwidth; and the reservations of
// uploads in flight (quota_reservations), each changed in the same transaction as the counters it stands for.
// Every change is one conditional statement, so concurrent requests can never pass a limit, and two sweepers
// (or a sweeper and the upload itself) can never give the same reservation back twice.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../db.js';
import type { Database, QuotaReservationRow, UserUsageRow } from '../schema.js';

export type ReserveLimits = { storageBytes: number; uploadsPerDay: number };
export type ReserveResult = { ok: true } | { ok: false; type: 'img_storage' | 'uploads_per_day'; usage: UserUsageRow };
export type NewReservation = { id: string; expiresAt: number; createdAt: number };
/** A reservation whose quota has been given back and whose object (if any) is still to be removed. */
export type ReleasedReservation = Pick<QuotaReservationRow, 'id' | 'userId'>;

type Executor = Db | Transaction<Database>;

/** Takes one upload's storage, image count and day slot off the counters (never below zero). */
async function giveBack(ex: Executor, r: Pick<QuotaReservationRow, 'userId' | 'bytes' | 'count' | 'day'>): Promise<void> {
  await ex
    .updateTable('userUsage')
    .set({
      imgStorageBytes: sql`case when img_storage_bytes >= ${r.bytes} then img_storage_bytes - ${r.bytes} else 0 end`,
      imgCount: sql`case when img_count >= ${r.count} then img_count - ${r.count} else 0 end`,
      uploadsToday: sql`case when uploads_day = ${r.day} and uploads_today > 0 then uploads_today - 1 else uploads_today end`,
    })
    .where('userId', '=', r.userId)
    .execute();
}

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

    /**
     * Reserves `bytes` of image storage and one upload of today, or says which limit stands in the way. The
     * reservation row is written in the same transaction: a process that dies before the upload settles
     * leaves the row, and the sweeper gives the quota back.
     */
    async reserveUpload(userId: string, bytes: number, limits: ReserveLimits, day: string, month: string, reservation: NewReservation): Promise<ReserveResult> {
      await ensureRow(userId);
      const reserved = await db.transaction().execute(async (trx) => {
        const r = await trx
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
        if (Number(r.numUpdatedRows) !== 1) return false;
        await trx.insertInto('quotaReservations').values({ ...reservation, userId, bytes, count: 1, day, state: 'open' }).execute();
        return true;
      });
      if (reserved) return { ok: true };
      const usage = await get(userId);
      const type = usage.imgStorageBytes + bytes > limits.storageBytes ? 'img_storage' : 'uploads_per_day';
      return { ok: false, type, usage };
    },

    /**
     * The upload is about to write its row: open → committing, with a fresh expiry. False when the sweeper
     * already released it (the upload outlived its reservation): the upload must not complete then.
     */
    async claimReservation(id: string, expiresAt: number): Promise<boolean> {
      const r = await db.updateTable('quotaReservations').set({ state: 'committing', expiresAt }).where('id', '=', id).where('state', '=', 'open').executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** The upload's row is written: the reservation has become the image and is forgotten. */
    async settleReservation(id: string): Promise<void> {
      await db.deleteFrom('quotaReservations').where('id', '=', id).where('state', '!=', 'released').execute();
    },

    /** The upload failed: gives its quota back, unless the sweeper already did. */
    async releaseReservation(id: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const gone = await trx
          .deleteFrom('quotaReservations')
          .where('id', '=', id)
          .where('state', 'in', ['open', 'committing'])
          .returning(['userId', 'bytes', 'count', 'day'])
          .executeTakeFirst();
        if (gone) await giveBack(trx, gone);
      });
    },

    /**
     * Releases reservations that expired (their upload died with its process, or never came back): gives their
     * quota back and returns them, with those released earlier whose object is still to be removed. A
     * reservation whose image row exists had completed (its process died before forgetting it): it is only forgotten. Each step is
     * conditional on the state it saw, so concurrent sweepers (other instances) release each one once.
     */
    async releaseExpiredReservations(now: number, limit: number): Promise<ReleasedReservation[]> {
      const expired = await db.selectFrom('quotaReservations').selectAll().where('expiresAt', '<=', now).orderBy('expiresAt').limit(limit).execute();
      const released: ReleasedReservation[] = [];
      for (const r of expired) {
        if (r.state === 'released') {
          released.push({ id: r.id, userId: r.userId });
          continue;
        }
        const imageExists = sql<boolean>`exists (select 1 from images where images.id = quota_reservations.id)`;
        const done = await db.transaction().execute(async (trx) => {
          const completed = await trx.deleteFrom('quotaReservations').where('id', '=', r.id).where('state', '=', r.state).where(imageExists).executeTakeFirst();
          if (Number(completed.numDeletedRows) === 1) return false;
          const u = await trx
            .updateTable('quotaReservations')
            .set({ state: 'released' })
            .where('id', '=', r.id)
            .where('state', '=', r.state)
            .where('expiresAt', '<=', now)
            .where(sql<boolean>`not ${imageExists}`)
            .executeTakeFirst();
          if (Number(u.numUpdatedRows) !== 1) return false;
          await giveBack(trx, r);
          return true;
        });
        if (done) released.push({ id: r.id, userId: r.userId });
      }
      return released;
    },

    /** A released reservation whose object is gone: nothing of its upload remains. */
    async forgetReservation(id: string): Promise<void> {
      await db.deleteFrom('quotaReservations').where('id', '=', id).where('state', '=', 'released').execute();
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

    /**
     * Stored counters next to the truth recomputed from the image rows plus the uploads in flight (open or
     * committing reservations whose row is not written yet), for every account with any of them.
     */
    async drift(): Promise<Array<{ userId: string; storedBytes: number; actualBytes: number; storedCount: number; actualCount: number }>> {
      const actual = await db.selectFrom('images').select(['userId', sql<number>`sum(size_bytes)`.as('bytes'), sql<number>`count(*)`.as('n')]).groupBy('userId').execute();
      const inFlight = await db
        .selectFrom('quotaReservations')
        .select(['userId', sql<number>`sum(bytes)`.as('bytes'), sql<number>`sum(count)`.as('n')])
        .where('state', 'in', ['open', 'committing'])
        .where(sql<boolean>`not exists (select 1 from images where images.id = quota_reservations.id)`)
        .groupBy('userId')
        .execute();
      const stored = await db.selectFrom('userUsage').select(['userId', 'imgStorageBytes', 'imgCount']).execute();
      const byUser = new Map<string, { storedBytes: number; actualBytes: number; storedCount: number; actualCount: number }>();
      for (const s of stored) byUser.set(s.userId, { storedBytes: s.imgStorageBytes, storedCount: s.imgCount, actualBytes: 0, actualCount: 0 });
      for (const a of [...actual, ...inFlight]) {
        const e = byUser.get(a.userId) ?? { storedBytes: 0, storedCount: 0, actualBytes: 0, actualCount: 0 };
        e.actualBytes += Number(a.bytes);
        e.actualCount += Number(a.n);
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
