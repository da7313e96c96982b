// POST /v1/user/me/avatar and the public GET /v1/user/avatar/{userId} (SPEC §12).
import { Type } from '@sinclair/typebox';
import { Envelope, errors } from './common.schema.js';

export const uploadSchema = {
  tags: ['user'],
  description: 'multipart/form-data with `file`: JPEG, PNG, WebP or GIF (judged by its bytes), at most 2 MB; re-encoded to a square WebP of at most 256 px (centre crop, first frame). Not counted in any quota.',
  consumes: ['multipart/form-data'],
  response: { 200: Envelope(Type.Object({ avatarUrl: Type.String() })), ...errors(400, 401, 403, 422, 500) },
};

export const readSchema = {
  tags: ['user'],
  description: 'The avatar bytes (image/webp), public, cached for an hour; ETag / If-None-Match → 304; 404 when the user has none.',
  params: Type.Object({ userId: Type.String({ minLength: 1, maxLength: 64 }) }),
};
