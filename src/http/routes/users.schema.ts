import { Type } from '@sinclair/typebox';
import { Envelope, Password, SuccessNull, UserRef, errors } from './common.schema.js';

const Me = Envelope(UserRef);

export const getMeSchema = { tags: ['user'], response: { 200: Me, ...errors(401, 403) } };

export const patchMeSchema = {
  tags: ['user'],
  body: Type.Object(
    {
      nickname: Type.Optional(Type.Union([Type.String({ maxLength: 50 }), Type.Null()])),
      avatarUrl: Type.Optional(Type.Union([Type.String({ format: 'uri', maxLength: 2048, pattern: '^https?://' }), Type.Null()])),
      locale: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('zh-CN')])),
    },
    { additionalProperties: false },
  ),
  response: { 200: Me, ...errors(400, 401, 403, 422) },
};

export const deleteMeSchema = { tags: ['user'], response: { 200: SuccessNull, ...errors(401, 403) } };

export const changePasswordSchema = {
  tags: ['user'],
  body: Type.Object({ oldPassword: Password, newPassword: Password }),
  response: { 200: SuccessNull, ...errors(400, 401, 403, 422) },
};

export const setPasswordSchema = {
  tags: ['user'],
  body: Type.Object({ newPassword: Password }),
  response: { 200: SuccessNull, ...errors(400, 401, 403, 422) },
};
