import { Type } from '@sinclair/typebox';
import { Email, Envelope, MessageData, Password, SuccessNull, UserRef, errors } from './common.schema.js';

const Code = Type.String({ pattern: '^[0-9]{6}$', description: '6-digit code from the email' });

const AuthResult = Envelope(Type.Object({ accessToken: Type.String(), user: UserRef }));

export const sendCodeSchema = {
  tags: ['auth'],
  body: Type.Object({
    email: Email,
    type: Type.Union([Type.Literal('register'), Type.Literal('reset_password'), Type.Literal('bind_email')], { default: 'register' }),
  }),
  response: { 200: MessageData, ...errors(400, 422, 429) },
};

export const registerSchema = {
  tags: ['auth'],
  body: Type.Object({ email: Email, password: Password, code: Code }),
  response: { 201: AuthResult, ...errors(400, 409, 422) },
};

export const loginSchema = {
  tags: ['auth'],
  body: Type.Object({ email: Email, password: Password }),
  response: { 200: AuthResult, ...errors(400, 401, 422) },
};

export const loginCodeSchema = {
  tags: ['auth'],
  body: Type.Object({ email: Email, code: Code }),
  response: { 200: AuthResult, ...errors(400, 401, 422) },
};

export const refreshSchema = {
  tags: ['auth'],
  description: 'Rotates the refresh token from the `refresh_token` cookie or a JSON body `{ "refreshToken" }`.',
  response: {
    200: Envelope(Type.Object({ accessToken: Type.String(), userId: Type.String(), plan: Type.String(), refreshToken: Type.Optional(Type.String()) })),
    ...errors(400, 401),
  },
};

export const logoutSchema = { tags: ['auth'], response: { 200: SuccessNull } };

export const verifySchema = {
  tags: ['auth'],
  security: [{ BearerAuth: [] }],
  response: {
    200: Envelope(
      Type.Object({
        valid: Type.Literal(true),
        userId: Type.String(),
        plan: Type.String(),
        authType: Type.Union([Type.Literal('jwt'), Type.Literal('apiKey')]),
        apiKeyId: Type.Optional(Type.String()),
      }),
    ),
    ...errors(401, 429),
  },
};

export const forgotPasswordSchema = {
  tags: ['auth'],
  body: Type.Object({ email: Email }),
  response: { 200: MessageData, ...errors(400, 422, 429) },
};

export const resetPasswordSchema = {
  tags: ['auth'],
  body: Type.Object({ email: Email, code: Code, newPassword: Password }),
  response: { 200: MessageData, ...errors(400, 401, 422) },
};
