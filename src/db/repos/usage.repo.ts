// Usage counters: image storage and count, uploads per day/month, monthly bandwidth; and the reservations of
// uploads in flight (quota_reservations), each changed in the same transaction as the counters it stands for.
// Every change is one conditional statement, so concurrent requests can never pass a limit, and two sweepers
// (or a sweeper and the upload itself) can never give the same reservation back twice.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../db.js';
import type { Database, QuotaReservationRow, UserUsageRow } from '../schema.js';
import { addDailyBandwidth } from './usage-daily.repo.js';

export type ReserveLimits = { storageBytes: number; uploadsPerDay: number };
export type ReserveResult = { ok: true; /** the storage counter after the reservation */ used: number } | { ok: false; type: 'img_storage' | 'media_storage' | 'uploads_per_day'; usage: UserUsageRow };
/** `kind` says which storage counter the upload takes from: images, or media (video and audio). */
export type NewReservation = { id: string; expiresAt: number; createdAt: number; kind?: 'image' | 'video' | 'audio' };
/** A reservation whose quota has been given back and whose object (if any) is still to be removed. */
export type ReleasedReservation = Pick<QuotaReservationRow, 'id' | 'userId'> & { kind: 'image' | 'video' | 'audio' };

/** The storage counters one kind of upload takes from. */
const COUNTERS = {
  image: { bytes: 'img_storage_bytes', count: 'img_count' },
  video: { bytes: 'media_storage_bytes', count: 'media_count' },
  audio: { bytes: 'media_storage_bytes', count: 'media_count' },
} as const;

/** True for a reservation whose resource row exists (its upload completed). */
const resourceExists = sql<boolean>`(exists (select 1 from images where images.id = quota_reservations.id) or exists (select 1 from videos where videos.id = quota_reservations.id) or exists (select 1 from audio where audio.id = quota_reservations.id))`;

type Executor = Db | Transaction<Database>;

/** Stored storage counters of an account next to the truth recomputed from its rows. */
export type StorageDrift = {
  userId: string;
  storedBytes: number;
  actualBytes: number;
  storedCount: number;
  actualCount: number;
  storedMediaBytes: number;
  actualMediaBytes: number;
  storedMediaCount: number;
  actualMediaCount: number;
};

/** Takes one upload's storage, count and day slot off the counters (never below zero). */
async function giveBack(ex: Executor, r: Pick<QuotaReservationRow, 'userId' | 'bytes' | 'count' | 'day' | 'kind'>): Promise<void> {
  const c = COUNTERS[r.kind];
  const bytes = sql.ref(c.bytes);
  const count = sql.ref(c.count);
  await ex
    .updateTable('userUsage')
    .set({
      [r.kind === 'image' ? 'imgStorageBytes' : 'mediaStorageBytes']: sql`case when ${bytes} >= ${r.bytes} then ${bytes} - ${r.bytes} else 0 end`,
      [r.kind === 'image' ? 'imgCount' : 'mediaCount']: sql`case when ${count} >= ${r.count} then ${count} - ${r.count} else 0 end`,
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
      const kind = reservation.kind ?? 'image';
      const c = COUNTERS[kind];
      const stored = sql.ref(c.bytes);
      const reserved = await db.transaction().execute(async (trx) => {
        const r = await trx
          .updateTable('userUsage')
          .set({
            [kind === 'image' ? 'imgStorageBytes' : 'mediaStorageBytes']: sql`${stored} + ${bytes}`,
            [kind === 'image' ? 'imgCount' : 'mediaCount']: sql`${sql.ref(c.count)} + 1`,
            uploadsToday: sql`case when uploads_day = ${day} then uploads_today + 1 else 1 end`,
            uploadsDay: day,
            uploadsThisMonth: sql`case when uploads_month = ${month} then uploads_this_month + 1 else 1 end`,
            uploadsMonth: month,
          })
          .where('userId', '=', userId)
          .where(sql<boolean>`${stored} + ${bytes} <= ${limits.storageBytes}`)
          .where((eb) => eb.or([eb('uploadsDay', '!=', day), eb('uploadsToday', '<', limits.uploadsPerDay)]))
          .returning(['imgStorageBytes', 'mediaStorageBytes'])
          .executeTakeFirst();
        if (!r) return undefined;
        await trx.insertInto('quotaReservations').values({ ...reservation, kind, userId, bytes, count: 1, day, state: 'open' }).execute();
        return Number(kind === 'image' ? r.imgStorageBytes : r.mediaStorageBytes);
      });
      if (reserved !== undefined) return { ok: true, used: reserved };
      const usage = await get(userId);
      const used = kind === 'image' ? usage.imgStorageBytes : usage.mediaStorageBytes;
      const type = used + bytes > limits.storageBytes ? (kind === 'image' ? 'img_storage' : 'media_storage') : 'uploads_per_day';
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

    /**
     * Hands an open reservation over to another id (a resumable upload's to the image or video it became) at
     * its final size: the storage counter moves by the difference, refused ('over') when growing would pass
     * `storageLimit`; 'missing' when the reservation is no longer open (released or swept).
     */
    async adoptReservation(fromId: string, toId: string, bytes: number, storageLimit: number, expiresAt: number): Promise<'ok' | 'missing' | 'over'> {
      const lost = new Error('reservation changed during adoption');
      try {
        return await db.transaction().execute(async (trx) => {
          const r = await trx.selectFrom('quotaReservations').selectAll().where('id', '=', fromId).where('state', '=', 'open').executeTakeFirst();
          if (!r) return 'missing';
          const delta = bytes - Number(r.bytes);
          if (delta !== 0) {
            const stored = sql.ref(COUNTERS[r.kind].bytes);
            let q = trx
              .updateTable('userUsage')
              .set({ [r.kind === 'image' ? 'imgStorageBytes' : 'mediaStorageBytes']: sql`case when ${stored} + ${delta} > 0 then ${stored} + ${delta} else 0 end` })
              .where('userId', '=', r.userId);
            if (delta > 0) q = q.where(sql<boolean>`${stored} + ${delta} <= ${storageLimit}`);
            if (Number((await q.executeTakeFirst()).numUpdatedRows) !== 1) return 'over';
          }
          const moved = await trx.updateTable('quotaReservations').set({ id: toId, bytes, expiresAt }).where('id', '=', fromId).where('state', '=', 'open').executeTakeFirst();
          if (Number(moved.numUpdatedRows) !== 1) throw lost; // rolls the counter back too
          return 'ok';
        });
      } catch (err) {
        if (err === lost) return 'missing';
        throw err;
      }
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
          .returning(['userId', 'bytes', 'count', 'day', 'kind'])
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
          released.push({ id: r.id, userId: r.userId, kind: r.kind });
          continue;
        }
        const imageExists = resourceExists;
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
        if (done) released.push({ id: r.id, userId: r.userId, kind: r.kind });
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

    /**
     * Adds served bytes to monthly image (or media) bandwidth, many users at once (one statement each); with `day`,
     * also to that day's row (usage history), in the same transaction, so the two totals never disagree.
     */
    async addBandwidth(entries: Array<{ userId: string; month: string; bytes: number; day?: string }>, kind: 'img' | 'media' = 'img'): Promise<void> {
      for (const e of entries) {
        const write = async (ex: Executor) => {
          const q = ex.insertInto('usageMonthly');
          await (kind === 'img'
            ? q.values({ userId: e.userId, month: e.month, imgBandwidthBytes: e.bytes })
                .onConflict((oc) => oc.columns(['userId', 'month']).doUpdateSet({ imgBandwidthBytes: sql`usage_monthly.img_bandwidth_bytes + excluded.img_bandwidth_bytes` }))
            : q.values({ userId: e.userId, month: e.month, imgBandwidthBytes: 0, mediaBandwidthBytes: e.bytes })
                .onConflict((oc) => oc.columns(['userId', 'month']).doUpdateSet({ mediaBandwidthBytes: sql`usage_monthly.media_bandwidth_bytes + excluded.media_bandwidth_bytes` }))
          ).execute();
          if (e.day) await addDailyBandwidth(ex, kind === 'img' ? 'img_bandwidth' : 'media_bandwidth', { userId: e.userId, day: e.day, bytes: e.bytes });
        };
        await (e.day ? db.transaction().execute(write) : write(db));
      }
    },

    /** Frees the media storage of deleted videos (or audio). */
    async releaseMediaStorage(userId: string, bytes: number, count: number): Promise<void> {
      await db
        .updateTable('userUsage')
        .set({
          mediaStorageBytes: sql`case when media_storage_bytes >= ${bytes} then media_storage_bytes - ${bytes} else 0 end`,
          mediaCount: sql`case when media_count >= ${count} then media_count - ${count} else 0 end`,
        })
        .where('userId', '=', userId)
        .execute();
    },

    /**
     * Stored counters next to the truth recomputed from the image and video rows plus the uploads in flight (open
     * or committing reservations whose row is not written yet), for every account with any of them.
     */
    async drift(): Promise<StorageDrift[]> {
      const images = await db.selectFrom('images').select(['userId', sql<number>`sum(size_bytes)`.as('bytes'), sql<number>`count(*)`.as('n')]).groupBy('userId').execute();
      const videos = await db.selectFrom('videos').select(['userId', sql<number>`sum(size_bytes)`.as('bytes'), sql<number>`count(*)`.as('n')]).groupBy('userId').execute();
      const audio = await db.selectFrom('audio').select(['userId', sql<number>`sum(size_bytes)`.as('bytes'), sql<number>`count(*)`.as('n')]).groupBy('userId').execute();
      const inFlight = await db
        .selectFrom('quotaReservations')
        .select(['userId', 'kind', sql<number>`sum(bytes)`.as('bytes'), sql<number>`sum(count)`.as('n')])
        .where('state', 'in', ['open', 'committing'])
        .where(sql<boolean>`not ${resourceExists}`)
        .groupBy(['userId', 'kind'])
        .execute();
      const stored = await db.selectFrom('userUsage').select(['userId', 'imgStorageBytes', 'imgCount', 'mediaStorageBytes', 'mediaCount']).execute();
      const byUser = new Map<string, Omit<StorageDrift, 'userId'>>();
      const entry = (userId: string) => {
        let e = byUser.get(userId);
        if (!e) {
          e = { storedBytes: 0, storedCount: 0, actualBytes: 0, actualCount: 0, storedMediaBytes: 0, storedMediaCount: 0, actualMediaBytes: 0, actualMediaCount: 0 };
          byUser.set(userId, e);
        }
        return e;
      };
      for (const s of stored) Object.assign(entry(s.userId), { storedBytes: s.imgStorageBytes, storedCount: s.imgCount, storedMediaBytes: s.mediaStorageBytes, storedMediaCount: s.mediaCount });
      for (const a of [...images, ...inFlight.filter((r) => r.kind === 'image')]) {
        const e = entry(a.userId);
        e.actualBytes += Number(a.bytes);
        e.actualCount += Number(a.n);
      }
      for (const a of [...videos, ...audio, ...inFlight.filter((r) => r.kind === 'video' || r.kind === 'audio')]) {
        const e = entry(a.userId);
        e.actualMediaBytes += Number(a.bytes);
        e.actualMediaCount += Number(a.n);
      }
      return [...byUser.entries()].map(([userId, e]) => ({ userId, ...e }));
    },

    /** Sets an account's media storage counters to the given truth. */
    async setMediaStorage(userId: string, bytes: number, count: number): Promise<void> {
      await ensureRow(userId);
      await db.updateTable('userUsage').set({ mediaStorageBytes: bytes, mediaCount: count }).where('userId', '=', userId).execute();
    },

    /** Which of these ids have an image or video row or an upload in flight (the rest are orphans in the store). */
    async knownIds(kind: 'images' | 'videos' | 'audio', ids: string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await db.selectFrom(kind).select('id').where('id', 'in', ids).execute();
      const pending = await db.selectFrom('quotaReservations').select('id').where('id', 'in', ids).execute();
      return new Set([...rows, ...pending].map((r) => r.id));
    },

    /** Sets an account's storage counters to the given truth. */
    async setStorage(userId: string, bytes: number, count: number): Promise<void> {
      await ensureRow(userId);
      await db.updateTable('userUsage').set({ imgStorageBytes: bytes, imgCount: count }).where('userId', '=', userId).execute();
    },

    bandwidth: async (userId: string, month: string, kind: 'img' | 'media' = 'img'): Promise<number> => {
      const row = await db.selectFrom('usageMonthly').select(['imgBandwidthBytes', 'mediaBandwidthBytes']).where('userId', '=', userId).where('month', '=', month).executeTakeFirst();
      return (kind === 'img' ? row?.imgBandwidthBytes : row?.mediaBandwidthBytes) ?? 0;
    },
  };
}

export type UsageRepo = ReturnType<typeof createUsageRepo>;
