// Schemas of /v1/collections (photo albums, openapi `Collection`) and POST /v1/images/batch-move.
import { Type } from '@sinclair/typebox';
import { Envelope, Timestamp, errors } from './common.schema.js';
import { DESCRIPTION_MAX, KNOWN_TYPES, NAME_MAX, SLUG_MAX } from '../../domain/collections/collection-policy.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const CollectionSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  slug: Type.String(),
  collectionType: Type.String(),
  allowedResourceTypes: Type.Array(Type.String()),
  customTypeId: Nullable(Type.String()),
  kbType: Type.String(),
  description: Nullable(Type.String()),
  docCount: Type.Integer({ description: 'Items filed in the collection (images, videos and audio)' }),
  sizeBytes: Type.Integer({ description: "The items' original bytes" }),
  imageCount: Type.Integer(),
  videoCount: Type.Integer(),
  audioCount: Type.Integer(),
  isDefault: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  deletedAt: Nullable(Timestamp),
});

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const fields = {
  name: Type.String({ minLength: 1, maxLength: NAME_MAX }),
  description: Nullable(Type.String({ maxLength: DESCRIPTION_MAX })),
  collectionType: Type.String({ maxLength: 40, description: 'photo_album (default) or album; the other types of the public API are not hosted here (422)' }),
  allowedResourceTypes: Type.Array(Type.String({ maxLength: 16 }), { maxItems: 8, description: 'image | video | audio | doc; extend-only after creation' }),
  slug: Type.String({ maxLength: SLUG_MAX * 2, description: 'lower-case letters, digits and hyphens, unique per account; made from the name when omitted' }),
  customTypeId: Nullable(Type.String({ maxLength: 64 })),
};
const tags = ['collections'];

export const createSchema = {
  tags,
  description: 'Creates a photo album. `collectionType` is fixed once created; `allowedResourceTypes` defaults by type (photo_album: image, video; album: image, video, audio).',
  body: Type.Object({
    name: fields.name,
    slug: Type.Optional(fields.slug),
    description: Type.Optional(fields.description),
    collectionType: Type.Optional(fields.collectionType),
    allowedResourceTypes: Type.Optional(fields.allowedResourceTypes),
    customTypeId: Type.Optional(fields.customTypeId),
    kbType: Type.Optional(Literals(['creator', 'output'] as const)),
  }),
  response: { 201: Envelope(CollectionSchema), ...errors(400, 401, 403, 409, 422) },
};

export const listSchema = {
  tags,
  description: "The caller's albums with their item counts, cursor pagination: `sort=updated_at` (default, newest first) or `name` (A→Z).",
  querystring: Type.Object({
    type: Type.Optional(Literals(['all', ...KNOWN_TYPES] as const)),
    kbType: Type.Optional(Literals(['all', 'creator', 'output'] as const)),
    sort: Type.Optional(Literals(['updated_at', 'name'] as const)),
    cursor: Type.Optional(Type.String({ maxLength: 600 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
  }),
  response: { 200: Envelope(Type.Object({ items: Type.Array(CollectionSchema), nextCursor: Nullable(Type.String()), hasMore: Type.Boolean() })), ...errors(400, 401, 403, 422) },
};

export const getSchema = { tags, params: IdParams, response: { 200: Envelope(CollectionSchema), ...errors(401, 403, 404) } };

export const updateSchema = {
  tags,
  description: '`collectionType`, `slug` and `customTypeId` cannot change (409 when a different value is sent); `allowedResourceTypes` can only grow.',
  params: IdParams,
  body: Type.Object({
    name: Type.Optional(fields.name),
    description: Type.Optional(fields.description),
    isDefault: Type.Optional(Type.Boolean()),
    allowedResourceTypes: Type.Optional(fields.allowedResourceTypes),
    collectionType: Type.Optional(fields.collectionType),
    slug: Type.Optional(fields.slug),
    customTypeId: Type.Optional(fields.customTypeId),
  }),
  response: { 200: Envelope(CollectionSchema), ...errors(400, 401, 403, 404, 409, 422) },
};

export const deleteSchema = {
  tags,
  description:
    'Deletes an empty album. One that holds items is refused (409 CONFLICT) and left as it is, unless `cascade=true`: then every image, ' +
    'video and audio item in it is deleted too, for real (bytes, quota, webhooks, sync), and then the album.',
  params: IdParams,
  querystring: Type.Object({ cascade: Type.Optional(Type.Boolean()) }),
  response: { 200: Envelope(Type.Object({ id: Type.String() })), ...errors(400, 401, 403, 404, 409, 422) },
};

export const batchMoveSchema = {
  tags: ['images'],
  description:
    "Files the caller's items among `ids` (images; video and audio ids work too) into the album `kbId`, or out of any album with `kbId: null`. " +
    "An album that is not the caller's is a 404. Other accounts' ids, unknown ids and types the album does not allow are left alone; " +
    '`moved` counts the items that changed album.',
  body: Type.Object({
    ids: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 50 }),
    // one multi-type schema (as openapi writes it), not a union: with the server's type coercion a union's null branch
    // would turn "", 0 or false into null and file items out of their album
    kbId: Type.Unsafe<string | null>({ type: ['string', 'null'], minLength: 1, maxLength: 64 }),
  }),
  response: { 200: Envelope(Type.Object({ moved: Type.Integer() })), ...errors(400, 401, 403, 404, 422) },
};
