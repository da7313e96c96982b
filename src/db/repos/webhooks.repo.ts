// Webhook endpoints, their delivery log and the quota warnings already sent. Queries only; validation, the
// SSRF guard, signing and the failure policy live in domain/webhooks.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../db.js';
import type { Database, WebhookDeliveryRow, WebhookRow } from '../schema.js';
import { withUserLock } from './user-lock.js';

export type WebhookPatch = Partial<Pick<WebhookRow, 'url' | 'description' | 'events' | 'enabled' | 'disabledReason' | 'secretSalt' | 'consecutiveFailures'>>;
export type DeliveryResult = Pick<WebhookDeliveryRow, 'status' | 'responseStatus' | 'responseBody' | 'error' | 'durationMs'>;

export function createWebhooksRepo(db: Db, dialect: 'sqlite' | 'postgres') {
  return {
    /** Inserts unless the account already has `max` endpoints. */
    insertWithinLimit: (row: WebhookRow, max: number): Promise<boolean> =>
      withUserLock(db, dialect, row.userId, async (trx) => {
        const { n } = await trx.selectFrom('webhooks').select(sql<number>`count(*)`.as('n')).where('userId', '=', row.userId).executeTakeFirstOrThrow();
        if (Number(n) >= max) return false;
        await trx.insertInto('webhooks').values(row).execute();
        return true;
      }),

    findById: (id: string): Promise<WebhookRow | undefined> => db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst(),

    listForUser: (userId: string): Promise<WebhookRow[]> =>
      db.selectFrom('webhooks').selectAll().where('userId', '=', userId).orderBy('createdAt', 'desc').orderBy('id', 'desc').execute(),

    /** The account's enabled endpoints (the caller filters by event). */
    listEnabled: (userId: string): Promise<WebhookRow[]> =>
      db.selectFrom('webhooks').selectAll().where('userId', '=', userId).where('enabled', '=', 1).execute(),

    update: (id: string, patch: WebhookPatch, now: number): Promise<WebhookRow | undefined> =>
      db.updateTable('webhooks').set({ ...patch, updatedAt: now }).where('id', '=', id).returningAll().executeTakeFirst(),

    delete: (id: string): Promise<WebhookRow | undefined> => db.deleteFrom('webhooks').where('id', '=', id).returningAll().executeTakeFirst(),

    /** A failed delivery: one more consecutive failure; the new count. */
    async countFailure(id: string, now: number): Promise<number> {
      const row = await db
        .updateTable('webhooks')
        .set({ consecutiveFailures: sql`consecutive_failures + 1`, updatedAt: now })
        .where('id', '=', id)
        .returning('consecutiveFailures')
        .executeTakeFirst();
      return row?.consecutiveFailures ?? 0;
    },

    /** Disables an endpoint that is still enabled; false when it already was not (someone else sends the mail). */
    async disable(id: string, reason: string, now: number): Promise<boolean> {
      const r = await db.updateTable('webhooks').set({ enabled: 0, disabledReason: reason, updatedAt: now }).where('id', '=', id).where('enabled', '=', 1).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    resetFailures: async (id: string): Promise<void> => {
      await db.updateTable('webhooks').set({ consecutiveFailures: 0 }).where('id', '=', id).where('consecutiveFailures', '>', 0).execute();
    },

    /** Inserts the delivery rows and, in the same transaction, whatever `alongside` writes (their jobs). */
    insertDeliveries: (rows: WebhookDeliveryRow[], alongside?: (trx: Transaction<Database>) => Promise<void>): Promise<void> =>
      db.transaction().execute(async (trx) => {
        // in slices: a statement's bound parameters are limited (SQLite 32,766; PostgreSQL 65,535)
        for (let i = 0; i < rows.length; i += 500) await trx.insertInto('webhookDeliveries').values(rows.slice(i, i + 500)).execute();
        await alongside?.(trx);
      }),

    findDelivery: (id: string): Promise<WebhookDeliveryRow | undefined> => db.selectFrom('webhookDeliveries').selectAll().where('id', '=', id).executeTakeFirst(),

    /** One attempt made (counted before it is sent, so a crash mid-send still counts it). */
    startAttempt: async (id: string, now: number): Promise<void> => {
      await db.updateTable('webhookDeliveries').set({ attempts: sql`attempts + 1`, updatedAt: now }).where('id', '=', id).execute();
    },

    recordResult: async (id: string, result: Partial<DeliveryResult>, now: number): Promise<void> => {
      await db.updateTable('webhookDeliveries').set({ ...result, updatedAt: now }).where('id', '=', id).execute();
    },

    /** Deliveries still pending that nobody touched since `before` (the BullMQ reconciler makes sure each has a job). */
    pendingSince: (before: number, limit: number): Promise<Array<Pick<WebhookDeliveryRow, 'id'>>> =>
      db.selectFrom('webhookDeliveries').select('id').where('status', '=', 'pending').where('updatedAt', '<', before).orderBy('updatedAt').limit(limit).execute(),

    /** Newest first, keyset after (createdAt, id). */
    listDeliveries: (webhookId: string, limit: number, after?: { createdAt: number; id: string }): Promise<WebhookDeliveryRow[]> => {
      let q = db.selectFrom('webhookDeliveries').selectAll().where('webhookId', '=', webhookId);
      if (after) q = q.where((eb) => eb.or([eb('createdAt', '<', after.createdAt), eb.and([eb('createdAt', '=', after.createdAt), eb('id', '<', after.id)])]));
      return q.orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(limit).execute();
    },

    /** Log rows older than `before` (the log keeps 30 days). */
    pruneDeliveries: async (before: number): Promise<number> => {
      const r = await db.deleteFrom('webhookDeliveries').where('createdAt', '<', before).where('status', '!=', 'pending').executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    /** Records a quota warning level for a period; false when it was already sent. */
    async markQuotaWarning(userId: string, quotaType: string, level: number, period: string, now: number): Promise<boolean> {
      const r = await db
        .insertInto('quotaWarnings')
        .values({ userId, quotaType, level, period, createdAt: now })
        .onConflict((oc) => oc.columns(['userId', 'quotaType', 'level', 'period']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },
  };
}

export type WebhooksRepo = ReturnType<typeof createWebhooksRepo>;
