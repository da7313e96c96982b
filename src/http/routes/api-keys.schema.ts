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

const Str = Type.String();
const Bearer = Type.Object({ Authorization: Str });
/** The SPEC's picgo/moraya/typora, plus sharex, flameshot and curl (see domain/api-keys/tool-configs.ts). */
const ToolConfigsSchema = Type.Object({
  picgo: Type.Object({
    picBed: Type.Object({
      uploader: Str,
      current: Str,
      'web-uploader': Type.Object({
        url: Str,
        paramName: Str,
        jsonPath: Str,
        customHeader: Type.String({ description: 'A JSON string, as PicGo stores it' }),
        customBody: Type.String({ description: 'A JSON string of extra form fields' }),
      }),
    }),
    picgoPlugins: Type.Object({ 'picgo-plugin-web-uploader': Type.Boolean() }),
  }, { description: "PicGo's config.json (plugin picgo-plugin-web-uploader)" }),
  moraya: Type.Object({
    name: Str, url: Str, method: Str, headers: Bearer, bodyType: Str, fileField: Str, responseUrlPath: Str,
  }, { description: 'Moraya custom image host' }),
  typora: Type.Object({
    command: Type.String({ description: "For Typora's Custom Command field (it appends the image paths)" }),
    script: Type.String({ description: 'The same as a sh script file' }),
  }),
  sharex: Type.Object({
    Version: Str, Name: Str, DestinationType: Str, RequestMethod: Str, RequestURL: Str, Headers: Bearer,
    Body: Str, FileFormName: Str, URL: Str, ErrorMessage: Str,
  }, { description: 'A ShareX custom uploader (.sxcu)' }),
  flameshot: Type.String({ description: 'A sh script: flameshot gui → upload → URL on the clipboard' }),
  curl: Type.String({ description: 'One upload of ./image.png with curl' }),
}, { description: `Each carries the placeholder sk_live_YOUR_KEY: replace it with the full key (only its hash is stored)` });

export const toolConfigsSchema = {
  tags: ['api-keys'],
  summary: 'Get tool configuration templates',
  description: "Ready-to-import uploader configs for one of your keys; data is null when the key is not yours (its existence is not disclosed).",
  params: IdParams,
  response: { 200: Envelope(Type.Union([ToolConfigsSchema, Type.Null()])), ...errors(401, 403) },
};
