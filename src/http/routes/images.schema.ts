import type { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { Envelope, SuccessNull, Timestamp, errors } from './common.schema.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const ImageSchema = Type.Object(
  {
    id: Type.String(),
    userId: Type.String(),
    url: Type.String(),
    filename: Type.String(),
    title: Nullable(Type.String()),
    mimeType: Type.String(),
    sizeBytes: Type.Integer(),
    width: Nullable(Type.Integer()),
    height: Nullable(Type.Integer()),
    tags: Type.Array(Type.String()),
    isPublic: Type.Boolean(),
    allowedReferers: Nullable(Type.Array(Type.String())),
    sha256: Type.String(),
    blurhash: Nullable(Type.String()),
    dominantColor: Nullable(Type.String()),
    kbId: Nullable(Type.String({ description: 'The album (collection) the image is filed in, or null (CONTRACT §9)' })),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Image' },
);
const ImageRef = Type.Ref(ImageSchema) as unknown as typeof ImageSchema;
const ImageIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const uploadSchema = {
  tags: ['images'],
  description:
    'multipart/form-data with `file` (JPEG, PNG, GIF, WebP, AVIF, SVG or HEIC), optional `isPublic` ("true"/"false"), ' +
    '`tags` (JSON array string) and `title`. 201 with the Image; 200 with the existing Image and `X-Picora-Duplicate: true` when the bytes are already in the library. ' +
    'Or a JSON body `{url, isPublic?, tags?, title?}`: the server fetches the image from a public http(s) address (redirects ≤ 3, the plan\'s file limit, a time cap); a refused or failed fetch is 422 naming `url`.',
  consumes: ['multipart/form-data'],
  response: { 200: Envelope(ImageRef), 201: Envelope(ImageRef), ...errors(400, 401, 403, 422, 500) },
};

/** The library's filters, shared by the list and the id list. */
const ListFilters = {
  tag: Type.Optional(Type.String({ maxLength: 64 })),
  start_date: Type.Optional(Type.String({ maxLength: 10 })),
  end_date: Type.Optional(Type.String({ maxLength: 10 })),
  q: Type.Optional(Type.String({ maxLength: 200 })),
  collection_id: Type.Optional(Type.String({ maxLength: 64, description: "Only the images in this album (another account's or an unknown album: none)" })),
  is_public: Type.Optional(Type.Boolean({ description: 'Only public (true) or private (false) images' })),
  isPublic: Type.Optional(Type.Boolean()),
};

export const listSchema = {
  tags: ['images'],
  querystring: Type.Object({
    cursor: Type.Optional(Type.String({ maxLength: 300 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    ...ListFilters,
  }),
  response: {
    200: Envelope(Type.Object({ items: Type.Array(ImageRef), nextCursor: Nullable(Type.String()), hasMore: Type.Boolean(), total: Type.Integer() })),
    ...errors(400, 401, 403, 422),
  },
};

export const listIdsSchema = {
  tags: ['images'],
  description:
    'The ids of every image the filters of `GET /v1/images` match, newest first, in one answer: at most 10 000 (`truncated` when more match), ' +
    'so a client can select all matching a filter without paging through whole objects. Images in the trash are not listed.',
  querystring: Type.Object(ListFilters),
  response: { 200: Envelope(Type.Object({ ids: Type.Array(Type.String()), truncated: Type.Boolean() })), ...errors(400, 401, 403, 422) },
};

export const bulkPatchSchema = {
  tags: ['images'],
  description:
    "One edit for a selection of the caller's images: `isPublic` (or `is_public`), `addTags` and `removeTags` (each checked as a PATCH's " +
    '`tags`: at most 10, 1–32 characters; removed first, then added). An image the additions would take past 10 tags is left alone. ' +
    '`updated` counts the images now as asked; `failed` the rest — ids unknown, in the trash or of other accounts, which are never touched.',
  body: Type.Object({
    ids: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 100 }),
    isPublic: Type.Optional(Type.Boolean()),
    is_public: Type.Optional(Type.Boolean()),
    addTags: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 })),
    removeTags: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 })),
  }),
  response: { 200: Envelope(Type.Object({ updated: Type.Integer(), failed: Type.Integer() })), ...errors(400, 401, 403, 422) },
};

export const tagsSchema = {
  tags: ['images'],
  description: "The account's tags with how many images carry each, most used first (ties by tag). `q`: a case-insensitive prefix.",
  querystring: Type.Object({
    q: Type.Optional(Type.String({ maxLength: 64 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
  }),
  response: {
    200: Envelope(Type.Object({ items: Type.Array(Type.Object({ tag: Type.String(), count: Type.Integer() })) })),
    ...errors(401, 403, 422),
  },
};

export const downloadSchema = {
  tags: ['images'],
  description:
    'The caller\'s images among `ids` as one zip (`application/zip`, streamed, entries stored uncompressed): each original ' +
    'under its file name (made safe; repeats get " (2)"). Ids that are unknown or of another account are skipped and ' +
    'listed in a `missing.txt` entry; 404 when none of them is the caller\'s. Counts against the image bandwidth.',
  body: Type.Object({ ids: Type.Array(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }), { minItems: 1, maxItems: 500 }) }),
  response: {
    // a stream: Fastify sends it as it is, no serialiser runs
    200: Type.Unsafe<Readable>({ type: 'string', format: 'binary', description: 'application/zip' }),
    ...errors(400, 401, 403, 404, 422),
  },
};

export const getSchema = { tags: ['images'], params: ImageIdParams, response: { 200: Envelope(ImageRef), ...errors(401, 403, 404) } };

const MaybeNumber = Nullable(Type.Number());
export const photoInfoSchema = {
  tags: ['images'],
  description:
    "The owner's photo information, read from the original's EXIF at upload (renditions stay stripped): camera, lens, exposure, " +
    'date taken (the camera\'s wall clock, ISO 8601 without a zone unless the file recorded its offset) and location. Each field null when unknown.',
  params: ImageIdParams,
  response: {
    200: Envelope(
      Type.Object({
        camera: Nullable(Type.String()),
        lens: Nullable(Type.String()),
        exposure: Type.Object({ focalLengthMm: MaybeNumber, fNumber: MaybeNumber, exposureTime: Nullable(Type.String()), iso: Nullable(Type.Integer()) }),
        takenAt: Nullable(Type.String()),
        location: Nullable(Type.Object({ latitude: Type.Number(), longitude: Type.Number() })),
      }),
    ),
    ...errors(401, 403, 404),
  },
};

export const patchSchema = {
  tags: ['images'],
  params: ImageIdParams,
  body: Type.Object({
    title: Type.Optional(Nullable(Type.String({ maxLength: 400 }))),
    tags: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 })),
    isPublic: Type.Optional(Type.Boolean()),
    is_public: Type.Optional(Type.Boolean()),
    // null first: with coerceTypes the array branch would otherwise turn null into [""] before null is tried.
    allowedReferers: Type.Optional(Type.Union([Type.Null(), Type.Array(Type.String({ maxLength: 260 }), { maxItems: 50 })])),
  }),
  response: { 200: Envelope(ImageRef), ...errors(400, 401, 403, 404, 422) },
};

const TrashFlag = Type.Optional(
  Type.Boolean({ description: 'true: move to the trash (kept PICORA_TRASH_DAYS, 30 by default; see /v1/trash/images) instead of deleting for real' }),
);

export const deleteSchema = {
  tags: ['images'],
  description:
    'Deletes the image for real: the stored file, its variants, the row; its storage quota is released. With `?trash=true` it moves to the ' +
    'trash instead (restorable from /v1/trash/images; its quota stays used until the trash lets it go). Without it, one of the caller\'s images ' +
    'already in the trash is deleted for real too; with it, an image in the trash is a 404.',
  params: ImageIdParams,
  querystring: Type.Object({ trash: TrashFlag }),
  response: { 200: SuccessNull, ...errors(401, 403, 404, 422) },
};

export const batchDeleteSchema = {
  tags: ['images'],
  description:
    "Deletes the caller's images among `ids` for real (others' and unknown ids count as failed). With `?trash=true` (or `\"trash\": true` in " +
    'the body) they move to the trash instead, and `deleted` counts the images moved there.',
  querystring: Type.Object({ trash: TrashFlag }),
  body: Type.Object({ ids: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 50 }), trash: TrashFlag }),
  response: { 200: Envelope(Type.Object({ deleted: Type.Integer(), failed: Type.Integer() })), ...errors(400, 401, 403, 422) },
};

export const existsSchema = {
  tags: ['images'],
  body: Type.Object({ hashes: Type.Array(Type.String({ pattern: '^[a-f0-9]{64}$' }), { minItems: 1, maxItems: 200 }) }),
  response: {
    200: Envelope(Type.Object({ existing: Type.Record(Type.String(), Type.Object({ id: Type.String(), url: Type.String() })), missing: Type.Array(Type.String()) })),
    ...errors(400, 401, 403, 422),
  },
};

export const signSchema = {
  tags: ['images'],
  params: ImageIdParams,
  body: Type.Optional(
    Type.Object({
      expSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400, default: 3600 })),
      transform: Type.Optional(Type.String({ maxLength: 300, description: 'transform parameters the signature covers, e.g. "w=800&fmt=webp"' })),
    }),
  ),
  response: { 200: Envelope(Type.Object({ signedUrl: Type.String(), expiresAt: Timestamp, exp: Type.Integer() })), ...errors(400, 401, 403, 404, 422) },
};
