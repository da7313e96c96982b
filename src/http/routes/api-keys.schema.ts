import { Type } from '@sinclair/typebox';
import { Envelope, SuccessNull, Timestamp, errors } from './common.schema.js';

export const ApiKeySchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    keyPrefix: Type.String(),
    lastFour: Type.String(),
    scope: Type.Union([Type.Literal('read'), Type.Literal('read_write'), Type.Literal('read_write_delete')]),
    scopesV2: Type.Array(Type.String()),
    scopeVersion: Type.Literal(2),
    lastUsedAt: Type.Union([Timestamp, Type.Null()]),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'ApiKey' },
);
const ApiKeyRef = Type.Ref(ApiKeySchema) as unknown as typeof ApiKeySchema;

const Scopes = Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { minItems: 1, maxItems: 20 });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const createKeySchema = {
  tags: ['api-keys'],
  body: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 50 }),
    description: Type.Optional(Type.String({ maxLength: 200 })),
    scopes: Type.Optional(Scopes),
  }),
  response: {
    201: Envelope(
      Type.Object({
        id: Type.String(),
        name: Type.String(),
        key: Type.String({ description: 'The plaintext key, shown only this once' }),
        keyPrefix: Type.String(),
        lastFour: Type.String(),
        scopesV2: Type.Array(Type.String()),
        createdAt: Timestamp,
      }),
    ),
    ...errors(400, 401, 403, 422),
  },
};

export const listKeysSchema = { tags: ['api-keys'], response: { 200: Envelope(Type.Array(ApiKeyRef)), ...errors(401, 403) } };

export const patchKeySchema = {
  tags: ['api-keys'],
  params: IdParams,
  body: Type.Object({
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    description: Type.Optional(Type.String({ maxLength: 200 })),
    scopes: Type.Optional(Scopes),
  }),
  response: { 200: Envelope(ApiKeyRef), ...errors(400, 401, 403, 404, 422) },
};

export const deleteKeySchema = { tags: ['api-keys'], params: IdParams, response: { 200: SuccessNull, ...errors(401, 403, 404) } };
