// /v1/webhooks: an account's endpoints (create, list, get, update, delete), a test delivery, the delivery log and
// secret rotation. A URL is checked by the same guard that every delivery goes through (http/https, no user
// name, ports 80/443, no private address literal); names are checked again at every delivery, on the address
// actually connected to. The signing secret is shown when it is made (create, rotate) and can be read again by
// the owner; the database keeps only a salt.
import { randomBytes } from 'node:crypto';
import type { Principal } from '../../auth/principal.js';
import type { WebhooksRepo } from '../../db/repos/webhooks.repo.js';
import type { WebhookDeliveryRow, WebhookRow } from '../../db/schema.js';
import { AppError, validationError } from '../../errors/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { SafeFetchError, type AddressGuard } from '../../lib/safe-fetch.js';
import { WEBHOOK_EVENTS, type WebhookEvents } from './webhook-events.js';
import { webhookSecret } from './webhook-signing.js';

/** Endpoints per account. */
export const WEBHOOKS_PER_ACCOUNT = 10;

export type WebhookInput = { url?: string | undefined; events?: string[] | undefined; description?: string | null | undefined; enabled?: boolean | undefined };
export type DeliveryPage = { items: WebhookDeliveryRow[]; nextCursor: string | null; hasMore: boolean };

type Deps = {
  webhooks: WebhooksRepo;
  events: WebhookEvents;
  guard: Pick<AddressGuard, 'checkUrl'>;
  cursors: { encodeCursor(c: { createdAt: number; id: string }): string; decodeCursor(s: string): { createdAt: number; id: string } };
  clock: Clock;
  serverSecret: string;
};

const newSalt = () => randomBytes(16).toString('base64url');

export function createWebhooksService(deps: Deps) {
  const { webhooks, clock } = deps;

  async function owned(p: Principal, id: string): Promise<WebhookRow> {
    const row = await webhooks.findById(id);
    // another account's endpoint is as absent as one that never existed
    if (!row || row.userId !== p.userId) throw new AppError('NOT_FOUND', 'Webhook not found');
    return row;
  }

  function checkUrl(raw: string): string {
    const url = raw.trim();
    if (url.length > 2048) throw validationError('url', 'must be at most 2048 characters');
    try {
      deps.guard.checkUrl(url, 0);
    } catch (err) {
      if (err instanceof SafeFetchError) throw validationError('url', err.message);
      throw err;
    }
    return url;
  }

  function checkEvents(events: string[]): string {
    const unique = [...new Set(events)];
    const unknown = unique.filter((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e));
    if (unknown.length > 0) throw validationError('events', `has unknown events (${unknown.join(', ')}); known: ${WEBHOOK_EVENTS.join(', ')}`);
    if (unique.length === 0) throw validationError('events', 'must name at least one event');
    return JSON.stringify(unique);
  }

  return {
    secretOf: (row: WebhookRow): string => webhookSecret(deps.serverSecret, row.id, row.secretSalt),

    async create(p: Principal, input: WebhookInput): Promise<WebhookRow> {
      const now = clock.now();
      const row: WebhookRow = {
        id: newId(), userId: p.userId, url: checkUrl(input.url ?? ''), description: input.description?.trim() || null,
        events: checkEvents(input.events ?? [...WEBHOOK_EVENTS]), enabled: input.enabled === false ? 0 : 1, disabledReason: null,
        secretSalt: newSalt(), consecutiveFailures: 0, createdAt: now, updatedAt: now,
      };
      if (!(await webhooks.insertWithinLimit(row, WEBHOOKS_PER_ACCOUNT))) {
        throw new AppError('QUOTA_EXCEEDED', `An account can have at most ${WEBHOOKS_PER_ACCOUNT} webhooks`, { type: 'webhook_count', limit: WEBHOOKS_PER_ACCOUNT });
      }
      return row;
    },

    list: (p: Principal): Promise<WebhookRow[]> => webhooks.listForUser(p.userId),

    get: (p: Principal, id: string): Promise<WebhookRow> => owned(p, id),

    async update(p: Principal, id: string, input: WebhookInput): Promise<WebhookRow> {
      await owned(p, id);
      const patch: Parameters<WebhooksRepo['update']>[1] = {};
      if (input.url !== undefined) patch.url = checkUrl(input.url);
      if (input.events !== undefined) patch.events = checkEvents(input.events);
      if (input.description !== undefined) patch.description = input.description?.trim() || null;
      if (input.enabled !== undefined) {
        patch.enabled = input.enabled ? 1 : 0;
        // enabling again starts the failure count afresh; disabling by hand needs no reason
        patch.disabledReason = null;
        if (input.enabled) patch.consecutiveFailures = 0;
      }
      const row = await webhooks.update(id, patch, clock.now());
      if (!row) throw new AppError('NOT_FOUND', 'Webhook not found');
      return row;
    },

    async remove(p: Principal, id: string): Promise<void> {
      await owned(p, id);
      await webhooks.delete(id); // its deliveries go with it; their queued jobs find nothing and end
    },

    async rotateSecret(p: Principal, id: string): Promise<WebhookRow> {
      await owned(p, id);
      const row = await webhooks.update(id, { secretSalt: newSalt() }, clock.now());
      if (!row) throw new AppError('NOT_FOUND', 'Webhook not found');
      return row;
    },

    async sendTest(p: Principal, id: string): Promise<WebhookDeliveryRow> {
      return deps.events.sendTest(await owned(p, id));
    },

    async deliveries(p: Principal, id: string, input: { cursor?: string | undefined; limit?: number | undefined }): Promise<DeliveryPage> {
      await owned(p, id);
      const limit = input.limit ?? 20;
      const after = input.cursor ? deps.cursors.decodeCursor(input.cursor) : undefined;
      const rows = await webhooks.listDeliveries(id, limit + 1, after);
      const hasMore = rows.length > limit;
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items, hasMore, nextCursor: hasMore && last ? deps.cursors.encodeCursor({ createdAt: last.createdAt, id: last.id }) : null };
    },
  };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
