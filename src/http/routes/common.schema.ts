// Schemas shared by every route file: the envelopes of CONTRACT §1 and the error body.
import { Type, type TSchema } from '@sinclair/typebox';
import { ERROR_CODES } from '../../errors/error-codes.js';

export const Envelope = <T extends TSchema>(data: T) => Type.Object({ success: Type.Literal(true), data }, { additionalProperties: false });

export const SuccessNull = Type.Object({ success: Type.Literal(true), data: Type.Null() });

export const MessageData = Envelope(Type.Object({ message: Type.String() }));

export const ErrorBody = Type.Object(
  {
    success: Type.Literal(false),
    error: Type.String(),
    code: Type.Union(Object.keys(ERROR_CODES).map((c) => Type.Literal(c))),
    meta: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { $id: 'ErrorBody' },
);

/** Response schemas for the error statuses a route can answer, all with the one error body. */
export function errors(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, Type.Ref(ErrorBody) as unknown as typeof ErrorBody]));
}

export const Timestamp = Type.String({ format: 'date-time' });
export const Id21 = Type.String({ pattern: '^[A-Za-z0-9_-]{21}$' });
export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
export const Password = Type.String({ minLength: 1, maxLength: 256 });

export const UserSchema = Type.Object(
  {
    id: Type.String(),
    email: Type.Union([Type.String(), Type.Null()]),
    nickname: Type.Union([Type.String(), Type.Null()]),
    avatarUrl: Type.Union([Type.String(), Type.Null()]),
    plan: Type.Union([Type.Literal('none'), Type.Literal('trial'), Type.Literal('pro'), Type.Literal('pro_plus')]),
    role: Type.Union([Type.Literal('user'), Type.Literal('admin')]),
    emailVerified: Type.Boolean(),
    locale: Type.String(),
    isActive: Type.Boolean(),
    createdAt: Timestamp,
  },
  { $id: 'User' },
);

export const UserRef = Type.Ref(UserSchema) as unknown as typeof UserSchema;
