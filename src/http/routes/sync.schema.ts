// GET /v1/sync/state: the change feed (SPEC §7.9, openapi).
import { Type } from '@sinclair/typebox';
import { Envelope, Timestamp, errors } from './common.schema.js';
import { MediaTypeSchema } from './media.schema.js';

const Upsert = Type.Object({
  op: Type.Literal('upsert'),
  type: MediaTypeSchema,
  id: Type.String(),
  updatedAt: Timestamp,
  url: Type.Optional(Type.String()),
  contentHash: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  sizeBytes: Type.Optional(Type.Integer()),
  mimeType: Type.Optional(Type.String()),
  filename: Type.Optional(Type.String()),
  isPublic: Type.Optional(Type.Boolean()),
});
const Delete = Type.Object({ op: Type.Literal('delete'), type: MediaTypeSchema, id: Type.String(), updatedAt: Timestamp });

export const stateSchema = {
  tags: ['media'],
  description:
    'Changes since `since` (the previous nextCursor; omit to start from the beginning) in (updatedAt, id) order: upserts carry the ' +
    'current state, deletes come from tombstones kept 30 days. nextCursor is where to resume (keep it even when hasMore is false); ' +
    'changes younger than a second appear on the next call.',
  querystring: Type.Object({
    type: Type.Optional(Type.Union([MediaTypeSchema, Type.Literal('all')])),
    since: Type.Optional(Type.String({ maxLength: 300 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  }),
  response: {
    200: Envelope(Type.Object({ changes: Type.Array(Type.Union([Upsert, Delete])), nextCursor: Type.Union([Type.String(), Type.Null()]), hasMore: Type.Boolean() })),
    ...errors(400, 401, 403, 422),
  },
};
