import { Type } from '@sinclair/typebox';
import { Envelope, SuccessNull, Timestamp, errors } from './common.schema.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const AudioSchema = Type.Object(
  {
    id: Type.String(),
    type: Type.Literal('audio'),
    url: Type.String(),
    filename: Type.String(),
    sizeBytes: Type.Integer(),
    mimeType: Type.String(),
    title: Type.String(),
    thumbnailUrl: Type.String(),
    durationSeconds: Nullable(Type.Integer()),
    bitrate: Nullable(Type.Integer()),
    sampleRate: Nullable(Type.Integer()),
    channels: Nullable(Type.Integer()),
    artist: Nullable(Type.String()),
    album: Nullable(Type.String()),
    status: Type.Literal('ready'),
    isPublic: Type.Boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Audio' },
);
const AudioRef = Type.Ref(AudioSchema) as unknown as typeof AudioSchema;
const AudioIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const uploadSchema = {
  tags: ['audio'],
  description:
    'multipart/form-data with `file` (MP3, M4A, WAV, FLAC or OGG; judged by its bytes), optional `title` (≤ 255 characters; default: ' +
    'the title tag, else the file name without extension) and `isPublic` ("true"/"false", default true). Pro and Pro+ only; size ' +
    'and duration per plan; counts against media_storage. 201: ready to play at once.',
  consumes: ['multipart/form-data'],
  response: { 201: Envelope(AudioRef), ...errors(400, 401, 403, 422, 429, 500) },
};

export const getSchema = { tags: ['audio'], params: AudioIdParams, response: { 200: Envelope(AudioRef), ...errors(401, 403, 404) } };

export const patchSchema = {
  tags: ['audio'],
  params: AudioIdParams,
  body: Type.Object({
    title: Type.Optional(Type.String({ maxLength: 1000 })),
    isPublic: Type.Optional(Type.Boolean()),
    is_public: Type.Optional(Type.Boolean()),
  }),
  response: { 200: SuccessNull, ...errors(400, 401, 403, 404, 422) },
};

export const deleteSchema = { tags: ['audio'], params: AudioIdParams, response: { 204: Type.Null(), ...errors(401, 403, 404) } };

export const signSchema = {
  tags: ['audio'],
  params: AudioIdParams,
  body: Type.Optional(Type.Object({ expSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400, default: 3600 })) })),
  response: { 200: Envelope(Type.Object({ signedUrl: Type.String(), expiresAt: Timestamp, exp: Type.Integer() })), ...errors(400, 401, 403, 404, 422) },
};
