// /v1/trash/images: the image trash (issue 12) — list, restore, delete for real, empty.
import { Type } from '@sinclair/typebox';
import { Envelope, Timestamp, errors } from './common.schema.js';
import { ImageSchema } from './images.schema.js';

const Ids = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 100 });

const TrashedImage = Type.Object({
  ...ImageSchema.properties,
  trashedAt: Timestamp,
  purgeAt: Type.String({ format: 'date-time', description: 'When the periodic sweep deletes it for real (trashedAt + PICORA_TRASH_DAYS, 30 by default)' }),
});

export const listTrashSchema = {
  tags: ['images'],
  description:
    "The caller's images in the trash, newest trashed first, cursor-paginated: each the Image object plus `trashedAt` and `purgeAt`. " +
    'An image gets here from `DELETE /v1/images/{id}?trash=true` or `DELETE /v1/images?trash=true`; while here it is absent from every ' +
    'list, count, album, /exists and the sync feed (a `delete` change), `GET /v1/images/{id}` is 404, and the media host serves it to its owner only. ' +
    'Its bytes still count against `img_storage` until it is deleted for real.',
  querystring: Type.Object({
    cursor: Type.Optional(Type.String({ maxLength: 300 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  }),
  response: {
    200: Envelope(Type.Object({ items: Type.Array(TrashedImage), nextCursor: Type.Union([Type.String(), Type.Null()]), hasMore: Type.Boolean() })),
    ...errors(400, 401, 403, 422),
  },
};

export const restoreSchema = {
  tags: ['images'],
  description:
    "Brings the caller's trashed images among `ids` back to the library, with their URLs, tags and album (unfiled when the album was " +
    'deleted meanwhile). Ids unknown, live or of another account are not restored; `restored` counts those that were. ' +
    'Uploading bytes already in the trash restores that image too (answered as the duplicate).',
  body: Type.Object({ ids: Ids }),
  response: { 200: Envelope(Type.Object({ restored: Type.Integer() })), ...errors(400, 401, 403, 422) },
};

export const deleteTrashSchema = {
  tags: ['images'],
  description:
    'Deletes trashed images for real (bytes, variants, quota released, `image.deleted` webhooks, sync tombstones). Without a body: every ' +
    "image in the caller's trash (emptying it, in pages). With `{ids}` (1–100): those of the caller's trashed images; live images and " +
    'others\' ids are never touched. `deleted` counts the images deleted.',
  // null stands for "no body" (see the route): anything sent must be {ids}
  body: Type.Union([Type.Null(), Type.Object({ ids: Ids })]),
  response: { 200: Envelope(Type.Object({ deleted: Type.Integer() })), ...errors(400, 401, 403, 422) },
};
