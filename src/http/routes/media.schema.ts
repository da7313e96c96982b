// Schemas of the unified library (/v1/media) and the two-step bulk delete (/v1/bulk-delete), openapi `MediaItem`.
import { Type } from '@sinclair/typebox';
import { Envelope, Timestamp, errors } from './common.schema.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
export const MediaTypeSchema = Type.Union([Type.Literal('image'), Type.Literal('video'), Type.Literal('audio')]);

export const MediaItemSchema = Type.Object({
  id: Type.String(),
  type: MediaTypeSchema,
  url: Type.Optional(Type.String()),
  playbackUrl: Type.Optional(Type.String()),
  thumbnailUrl: Type.Optional(Type.String()),
  filename: Type.String(),
  title: Type.Optional(Type.String()),
  mimeType: Type.Optional(Type.String()),
  sizeBytes: Type.Integer(),
  durationSeconds: Type.Optional(Nullable(Type.Integer())),
  bitrate: Type.Optional(Nullable(Type.Integer())),
  status: Type.String(),
  isPublic: Type.Boolean(),
  tags: Type.Optional(Type.Array(Type.String())),
  createdAt: Timestamp,
  updatedAt: Type.Optional(Timestamp),
});

const MediaIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const listSchema = {
  tags: ['media'],
  description: 'Images, videos and audio in one newest-first list (created_at desc, id desc), cursor pagination.',
  querystring: Type.Object({
    type: Type.Optional(MediaTypeSchema),
    q: Type.Optional(Type.String({ maxLength: 200 })),
    is_public: Type.Optional(Type.Boolean()),
    isPublic: Type.Optional(Type.Boolean()),
    collection_id: Type.Optional(Type.String({ maxLength: 64, description: "Only the items in this album (another account's or an unknown album: none)" })),
    cursor: Type.Optional(Type.String({ maxLength: 300 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  }),
  response: { 200: Envelope(Type.Object({ items: Type.Array(MediaItemSchema), nextCursor: Nullable(Type.String()), hasMore: Type.Boolean() })), ...errors(400, 401, 403, 422) },
};

export const getSchema = { tags: ['media'], params: MediaIdParams, response: { 200: Envelope(MediaItemSchema), ...errors(401, 403, 404) } };

export const deleteManySchema = {
  tags: ['media'],
  description: 'Deletes each item on its own: always 200 with what was deleted and what failed (and why); nothing is rolled back.',
  body: Type.Object({
    items: Type.Array(Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), type: MediaTypeSchema }), { minItems: 1, maxItems: 100 }),
  }),
  response: {
    200: Envelope(Type.Object({
      deleted: Type.Array(Type.String()),
      failed: Type.Array(Type.Object({ id: Type.String(), type: Type.String(), reason: Type.String() })),
    })),
    ...errors(400, 401, 403, 422),
  },
};

export const bulkDeleteSchema = {
  tags: ['media'],
  description:
    'Two steps. dryRun=true (default) with `{resourceType, filters}` counts the matching set and answers a snapshotToken (5 minutes, ' +
    'bound to the account and the exact set). dryRun=false with `{snapshotToken, confirmCount}` deletes exactly that set; 409 when ' +
    'the count does not match, the set changed or the token expired. `media` means videos and audio.',
  querystring: Type.Object({ dryRun: Type.Optional(Type.Boolean({ default: true })) }),
  body: Type.Object({
    resourceType: Type.Optional(Type.Union([Type.Literal('image'), Type.Literal('video'), Type.Literal('media'), Type.Literal('document')])),
    filters: Type.Optional(Type.Object({
      createdBefore: Type.Optional(Type.String({ maxLength: 64 })),
      minSizeBytes: Type.Optional(Type.Integer({ minimum: 0 })),
      tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 10 })),
      isPublic: Type.Optional(Type.Boolean()),
    })),
    snapshotToken: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    confirmCount: Type.Optional(Type.Integer({ minimum: 0 })),
  }),
  response: {
    200: Envelope(Type.Object({
      count: Type.Integer(),
      snapshotToken: Type.Optional(Type.String()),
      expiresAt: Type.Optional(Timestamp),
      deleted: Type.Optional(Type.Integer()),
      failed: Type.Optional(Type.Integer()),
    })),
    ...errors(400, 401, 403, 409, 422),
  },
};
