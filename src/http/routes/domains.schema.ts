import { Type } from '@sinclair/typebox';
import { Envelope, SuccessNull, Timestamp, errors } from './common.schema.js';

export const DomainSchema = Type.Object(
  {
    id: Type.String(),
    host: Type.String(),
    verified: Type.Boolean(),
    verifiedAt: Type.Union([Timestamp, Type.Null()]),
    cnameTarget: Type.String(),
    instructions: Type.String(),
    createdAt: Timestamp,
  },
  { $id: 'CustomDomain' },
);
const DomainRef = Type.Ref(DomainSchema) as unknown as typeof DomainSchema;
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const createSchema = {
  tags: ['domains'],
  description: 'Pro+ only. Add a host name (lower-case, no scheme), then point a CNAME at `cnameTarget` and verify it.',
  body: Type.Object({ host: Type.String({ minLength: 1, maxLength: 253 }) }),
  response: { 201: Envelope(DomainRef), ...errors(400, 401, 403, 409, 422) },
};
export const listSchema = { tags: ['domains'], response: { 200: Envelope(Type.Array(DomainRef)), ...errors(401, 403) } };
export const verifySchema = {
  tags: ['domains'],
  params: IdParams,
  response: { 200: Envelope(Type.Object({ verified: Type.Boolean(), message: Type.String() })), ...errors(401, 403, 404) },
};
export const deleteSchema = { tags: ['domains'], params: IdParams, response: { 200: SuccessNull, ...errors(401, 403, 404) } };
