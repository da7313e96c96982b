import { Type } from '@sinclair/typebox';
import { Envelope, Timestamp, UserRef, errors } from './common.schema.js';

const Int = Type.Integer({ minimum: 0 });

export const AdminUser = Type.Object({
  id: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  nickname: Type.Union([Type.String(), Type.Null()]),
  plan: Type.String(),
  role: Type.String(),
  isActive: Type.Boolean(),
  createdAt: Timestamp,
  usage: Type.Object({ imgStorageBytes: Type.Integer(), imageCount: Type.Integer(), mediaStorageBytes: Type.Integer(), videoCount: Type.Integer() }),
});

export const listUsersSchema = {
  tags: ['admin'],
  querystring: Type.Object({
    cursor: Type.Optional(Type.String({ maxLength: 300 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    q: Type.Optional(Type.String({ maxLength: 100 })),
  }),
  response: { 200: Envelope(Type.Object({ items: Type.Array(AdminUser), nextCursor: Type.Union([Type.String(), Type.Null()]) })), ...errors(400, 401, 403, 422) },
};

export const patchUserSchema = {
  tags: ['admin'],
  params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
  body: Type.Object(
    { plan: Type.Optional(Type.String({ maxLength: 32 })), role: Type.Optional(Type.String({ maxLength: 16 })), isActive: Type.Optional(Type.Boolean()) },
    { additionalProperties: false, minProperties: 1 },
  ),
  response: { 200: Envelope(UserRef), ...errors(400, 401, 403, 404, 422) },
};

const PlanFields = {
  name: Type.String({ minLength: 1, maxLength: 50 }),
  imgStorageBytes: Int, imgBandwidthBytes: Int, maxImageBytes: Int, maxSvgBytes: Int, maxImagePixels: Int,
  videoEnabled: Type.Integer({ minimum: 0, maximum: 1 }), maxVideoBytes: Int, maxVideoSeconds: Int, maxAudioBytes: Int, maxAudioSeconds: Int,
  mediaStorageBytes: Int, mediaBandwidthBytes: Int, apiKeysMax: Int, customDomainsMax: Int,
  watermarksEnabled: Type.Integer({ minimum: 0, maximum: 1 }), uploadsPerDay: Int,
};
export const PlanSchema = Type.Object({ id: Type.String(), ...PlanFields, sortOrder: Type.Integer(), updatedAt: Type.Integer() });

export const listPlansSchema = { tags: ['admin'], response: { 200: Envelope(Type.Array(PlanSchema)), ...errors(401, 403) } };

export const patchPlanSchema = {
  tags: ['admin'],
  params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 32 }) }),
  body: Type.Partial(Type.Object(PlanFields), { additionalProperties: false, minProperties: 1 }),
  response: { 200: Envelope(PlanSchema), ...errors(400, 401, 403, 404, 422) },
};
