import { Type } from '@sinclair/typebox';
import { Envelope, SuccessNull, Timestamp, errors } from './common.schema.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Status = Type.Union([Type.Literal('processing'), Type.Literal('ready'), Type.Literal('failed')]);
const BandwidthState = Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('suspended')]);

export const VideoSchema = Type.Object(
  {
    id: Type.String(),
    videoId: Type.String(),
    title: Type.String(),
    filename: Type.String(),
    mimeType: Type.String(),
    sizeBytes: Type.Integer(),
    status: Status,
    progress: Nullable(Type.Integer()),
    error: Nullable(Type.String()),
    durationSeconds: Nullable(Type.Integer()),
    width: Nullable(Type.Integer()),
    height: Nullable(Type.Integer()),
    playbackUrl: Nullable(Type.String()),
    thumbnailUrl: Nullable(Type.String()),
    renditions: Type.Array(Type.String()),
    bandwidthState: BandwidthState,
    tags: Type.Array(Type.String()),
    isPublic: Type.Boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Video' },
);
const VideoRef = Type.Ref(VideoSchema) as unknown as typeof VideoSchema;
const VideoIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const uploadSchema = {
  tags: ['videos'],
  description:
    'multipart/form-data with `file` (MP4, MOV, MKV, WebM or AVI; judged by its bytes), optional `title` (default: the file name ' +
    'without extension), `tags` (JSON array string) and `isPublic` ("true"/"false"). Pro and Pro+ only. 202: the transcode runs ' +
    'in the background; poll `GET /v1/videos/{id}/status`.',
  consumes: ['multipart/form-data'],
  response: {
    202: Envelope(Type.Object({
      videoId: Type.String(), id: Type.String(), status: Type.Literal('processing'), title: Type.String(), filename: Type.String(),
      sizeBytes: Type.Integer(), createdAt: Timestamp,
    })),
    ...errors(400, 401, 403, 422, 429, 500),
  },
};

export const listSchema = {
  tags: ['videos'],
  querystring: Type.Object({
    cursor: Type.Optional(Type.String({ maxLength: 300 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  }),
  response: {
    200: Envelope(Type.Object({ videos: Type.Array(VideoRef), items: Type.Array(VideoRef), nextCursor: Nullable(Type.String()), hasMore: Type.Boolean() })),
    ...errors(400, 401, 403, 422),
  },
};

export const getSchema = { tags: ['videos'], params: VideoIdParams, response: { 200: Envelope(VideoRef), ...errors(401, 403, 404) } };

export const patchSchema = {
  tags: ['videos'],
  params: VideoIdParams,
  body: Type.Object({
    title: Type.Optional(Type.String({ maxLength: 400 })),
    tags: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 })),
    isPublic: Type.Optional(Type.Boolean()),
    is_public: Type.Optional(Type.Boolean()),
  }),
  response: { 200: SuccessNull, ...errors(400, 401, 403, 404, 422) },
};

export const deleteSchema = { tags: ['videos'], params: VideoIdParams, response: { 200: SuccessNull, ...errors(401, 403, 404) } };

export const statusSchema = {
  tags: ['videos'],
  params: VideoIdParams,
  response: {
    200: Envelope(Type.Object({
      id: Type.String(), status: Status, progress: Nullable(Type.Integer()), playbackUrl: Nullable(Type.String()), thumbnailUrl: Nullable(Type.String()),
      durationSeconds: Nullable(Type.Integer()), bandwidthState: BandwidthState, error: Nullable(Type.String()),
    })),
    ...errors(401, 403, 404, 451),
  },
};

export const thumbnailSchema = {
  tags: ['videos'],
  params: VideoIdParams,
  description: 'multipart/form-data with `file`: an image (JPEG, PNG, GIF, WebP, AVIF, SVG or HEIC), re-encoded as the poster.',
  consumes: ['multipart/form-data'],
  response: { 200: Envelope(VideoRef), ...errors(400, 401, 403, 404, 422, 500) },
};

export const signSchema = {
  tags: ['videos'],
  params: VideoIdParams,
  body: Type.Optional(Type.Object({ expSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400, default: 3600 })) })),
  response: { 200: Envelope(Type.Object({ signedUrl: Type.String(), expiresAt: Timestamp, exp: Type.Integer() })), ...errors(400, 401, 403, 404, 409, 422) },
};
