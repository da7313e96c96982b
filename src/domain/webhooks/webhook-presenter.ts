// Webhook endpoints and deliveries as the API shows them (times as ISO strings, events as a list).
import type { WebhookDeliveryRow, WebhookRow } from '../../db/schema.js';
import { toIso } from '../../lib/clock.js';

export type WebhookResponse = {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  secret?: string;
  createdAt: string;
  updatedAt: string;
};

export function presentWebhook(row: WebhookRow, secret?: string): WebhookResponse {
  return {
    id: row.id, url: row.url, description: row.description, events: JSON.parse(row.events) as string[], enabled: row.enabled === 1,
    disabledReason: row.disabledReason, consecutiveFailures: row.consecutiveFailures,
    ...(secret === undefined ? {} : { secret }),
    createdAt: toIso(row.createdAt), updatedAt: toIso(row.updatedAt),
  };
}

export function presentDelivery(row: WebhookDeliveryRow) {
  return {
    id: row.id, webhookId: row.webhookId, eventId: row.eventId, eventType: row.eventType, status: row.status, attempts: row.attempts,
    responseStatus: row.responseStatus, responseBody: row.responseBody, error: row.error, durationMs: row.durationMs,
    payload: row.payload, createdAt: toIso(row.createdAt), updatedAt: toIso(row.updatedAt),
  };
}
