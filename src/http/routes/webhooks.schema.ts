import { Type } from '@sinclair/typebox';
import { Envelope, SuccessNull, Timestamp, errors } from './common.schema.js';
import { WEBHOOK_EVENTS } from '../../domain/webhooks/webhook-events.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Event = Type.Union(WEBHOOK_EVENTS.map((e) => Type.Literal(e)));

export const WebhookSchema = Type.Object(
  {
    id: Type.String(),
    url: Type.String(),
    description: Nullable(Type.String()),
    events: Type.Array(Type.String()),
    enabled: Type.Boolean(),
    disabledReason: Nullable(Type.String()),
    consecutiveFailures: Type.Integer(),
    secret: Type.Optional(Type.String({ description: 'The signing secret: shown on create and on rotate-secret only' })),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Webhook' },
);
const WebhookRef = Type.Ref(WebhookSchema) as unknown as typeof WebhookSchema;

const Delivery = Type.Object({
  id: Type.String(),
  webhookId: Type.String(),
  eventId: Type.String(),
  eventType: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  responseStatus: Type.Union([Type.Integer(), Type.Null()]),
  responseBody: Nullable(Type.String()),
  error: Nullable(Type.String()),
  durationMs: Type.Union([Type.Integer(), Type.Null()]),
  payload: Type.String({ description: 'The exact JSON body sent (and signed)' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const fields = {
  url: Type.String({ minLength: 1, maxLength: 2048, description: 'http(s) URL on a public address, port 80 or 443' }),
  events: Type.Array(Event, { minItems: 1, maxItems: WEBHOOK_EVENTS.length * 2 }),
  description: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
};
const tags = ['webhooks'];

export const createSchema = {
  tags,
  description: 'Adds an endpoint. `events` defaults to every event. The answer carries the signing secret (see docs/webhooks.md).',
  body: Type.Object({ url: fields.url, events: Type.Optional(fields.events), description: Type.Optional(fields.description), enabled: Type.Optional(Type.Boolean()) }),
  response: { 201: Envelope(WebhookRef), ...errors(400, 401, 403, 422) },
};
export const listSchema = { tags, response: { 200: Envelope(Type.Array(WebhookRef)), ...errors(401, 403) } };
export const getSchema = { tags, params: IdParams, response: { 200: Envelope(WebhookRef), ...errors(401, 403, 404) } };
export const updateSchema = {
  tags,
  params: IdParams,
  body: Type.Object({ url: Type.Optional(fields.url), events: Type.Optional(fields.events), description: Type.Optional(fields.description), enabled: Type.Optional(Type.Boolean()) }),
  response: { 200: Envelope(WebhookRef), ...errors(400, 401, 403, 404, 422) },
};
export const deleteSchema = { tags, params: IdParams, response: { 200: SuccessNull, ...errors(401, 403, 404) } };
export const rotateSchema = { tags, params: IdParams, response: { 200: Envelope(WebhookRef), ...errors(401, 403, 404) } };
export const testSchema = {
  tags,
  description: 'Queues a `webhook.test` delivery to this endpoint (even when disabled); its result appears in the delivery log.',
  params: IdParams,
  response: { 202: Envelope(Delivery), ...errors(401, 403, 404) },
};
export const deliveriesSchema = {
  tags,
  params: IdParams,
  querystring: Type.Object({
    cursor: Type.Optional(Type.String({ maxLength: 300 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  }),
  response: { 200: Envelope(Type.Object({ items: Type.Array(Delivery), nextCursor: Nullable(Type.String()), hasMore: Type.Boolean() })), ...errors(400, 401, 403, 404, 422) },
};
