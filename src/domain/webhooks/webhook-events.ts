// What happened, told to the account's endpoints: one signed JSON body per event, one delivery row and one
// `webhook.deliver` job per subscribed endpoint, written together (table backend: one transaction). Emitting
// never blocks or fails the request that caused it: the fan-out runs beside it and its errors are logged.
import type { Logger } from 'pino';
import type { WebhooksRepo } from '../../db/repos/webhooks.repo.js';
import type { WebhookDeliveryRow, WebhookRow } from '../../db/schema.js';
import type { JobQueue } from '../../jobs/queue.js';
import { toIso, type Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';

export const WEBHOOK_EVENTS = ['image.uploaded', 'image.deleted', 'video.ready', 'video.failed', 'quota.warning'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
/** Sent by test-send to one endpoint, whatever it subscribes to. */
export const TEST_EVENT = 'webhook.test';

/** Quota levels (percent of the plan's limit) that raise `quota.warning`, each once per month and quota. */
const LEVELS = [100, 80] as const;
/** Events whose deliveries are written in one transaction at most (a bulk delete announces pages of 500). */
const EVENTS_PER_WRITE = 100;

type Deps = {
  webhooks: WebhooksRepo;
  jobs: JobQueue;
  clock: Clock;
  log: Logger;
  maxAttempts: number;
};

export const subscribedTo = (hook: Pick<WebhookRow, 'events'>, type: string): boolean => (JSON.parse(hook.events) as string[]).includes(type);

export function createWebhookEvents(deps: Deps) {
  const { webhooks, jobs, clock, log } = deps;
  const inFlight = new Set<Promise<unknown>>();
  /** Levels this process already announced (saves the marker write on every upload past 80 %). */
  const announced = new Set<string>();

  /** Delivery rows + their jobs for each event to each of `hooks`, all or nothing on the table backend. */
  async function fanOut(hooks: WebhookRow[], type: string, events: unknown[]): Promise<WebhookDeliveryRow[]> {
    if (hooks.length === 0 || events.length === 0) return [];
    const now = clock.now();
    const rows: WebhookDeliveryRow[] = events.flatMap((data) => {
      const eventId = `evt_${newId()}`;
      const payload = JSON.stringify({ id: eventId, type, createdAt: toIso(now), data });
      return hooks.map((h): WebhookDeliveryRow => ({
        id: newId(), webhookId: h.id, eventId, eventType: type, payload, status: 'pending', attempts: 0,
        responseStatus: null, responseBody: null, error: null, durationMs: null, createdAt: now, updatedAt: now,
      }));
    });
    const pending = rows.map((r) => jobs.prepare('webhook.deliver', { deliveryId: r.id }, { key: r.id, maxAttempts: deps.maxAttempts }));
    await webhooks.insertDeliveries(rows, async (trx) => {
      for (const job of pending) await job.inTransaction(trx);
    });
    for (const job of pending) await job.afterCommit();
    return rows;
  }

  function background(work: () => Promise<unknown>, what: Record<string, unknown>): void {
    const p = work()
      .catch((err: unknown) => log.warn({ err, ...what }, 'webhooks: could not queue an event'))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }

  /**
   * Like `emitMany`, for events whose account and data need a read first (undefined: nothing to tell). One
   * background task per call, whatever the number of events: the account's endpoints are read once and the
   * deliveries written in transactions of EVENTS_PER_WRITE events.
   */
  function emitWith(type: WebhookEvent, load: () => Promise<{ userId: string; events: unknown[] } | undefined>): void {
    background(async () => {
      const loaded = await load();
      if (!loaded || loaded.events.length === 0) return;
      const hooks = (await webhooks.listEnabled(loaded.userId)).filter((h) => subscribedTo(h, type));
      for (let i = 0; i < loaded.events.length && hooks.length > 0; i += EVENTS_PER_WRITE) await fanOut(hooks, type, loaded.events.slice(i, i + EVENTS_PER_WRITE));
    }, { type });
  }

  return {
    /** Tells every enabled endpoint of the account that subscribes to `type`. Returns at once. */
    emit(userId: string, type: WebhookEvent, data: unknown): void {
      emitWith(type, async () => ({ userId, events: [data] }));
    },

    /** One event per item of `events` (a bulk delete's page), queued by one background task. */
    emitMany(userId: string, type: WebhookEvent, events: unknown[]): void {
      if (events.length > 0) emitWith(type, async () => ({ userId, events }));
    },

    emitWith,

    /** A test event to one endpoint (enabled or not): its delivery row. */
    async sendTest(hook: WebhookRow): Promise<WebhookDeliveryRow> {
      const [row] = await fanOut([hook], TEST_EVENT, [{ webhookId: hook.id, message: 'This is a test delivery from Picora.' }]);
      return row!;
    },

    /**
     * Usage of a quota changed to `used` of `limit` (or an upload was refused for lack of it: that is 100 %):
     * the highest level reached is announced once per month and quota (the marker row makes that hold across
     * instances and restarts).
     */
    quotaUsage(userId: string, quotaType: string, usage: { used: number; limit: number; refused: boolean }): void {
      const { used, limit } = usage;
      if (!(limit > 0)) return;
      const level = usage.refused ? 100 : LEVELS.find((l) => used >= (limit * l) / 100);
      if (level === undefined) return;
      const period = toIso(clock.now()).slice(0, 7);
      const key = `${userId}:${quotaType}:${level}:${period}`;
      if (announced.has(key)) return;
      if (announced.size >= 10_000) announced.clear();
      announced.add(key);
      background(async () => {
        if (!(await webhooks.markQuotaWarning(userId, quotaType, level, period, clock.now()))) return;
        const hooks = (await webhooks.listEnabled(userId)).filter((h) => subscribedTo(h, 'quota.warning'));
        await fanOut(hooks, 'quota.warning', [{ quotaType, level, used, limit, period }]);
      }, { userId, type: 'quota.warning' });
    },

    /** Waits for the events being queued (shutdown, tests). */
    async idle(): Promise<void> {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

export type WebhookEvents = ReturnType<typeof createWebhookEvents>;
