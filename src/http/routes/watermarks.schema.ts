// /v1/watermark-templates (SPEC §15): the WatermarkTemplate and WatermarkTemplateCreate of the OpenAPI contract,
// inside the usual envelope. PATCH takes the same fields, all optional.
import { Type } from '@sinclair/typebox';
import { FONT_SIZE_MAX, FONT_SIZE_MIN, WATERMARK_POSITIONS, WATERMARK_TEXT_MAX } from '../../media/watermark.js';
import { Envelope, SuccessNull, Timestamp, errors } from './common.schema.js';

const Kind = Type.Union([Type.Literal('text'), Type.Literal('image')]);
const Position = Type.Union(WATERMARK_POSITIONS.map((p) => Type.Literal(p)));

export const WatermarkTemplateSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Kind,
  position: Position,
  opacity: Type.Number({ minimum: 0, maximum: 1 }),
  text: Type.Optional(Type.String()),
  fontSize: Type.Optional(Type.Integer()),
  imageUrl: Type.Optional(Type.String({ description: 'The media URL of the image used as the mark' })),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const fields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  type: Kind,
  position: Type.Optional(Position),
  opacity: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  text: Type.Optional(Type.String({ minLength: 1, maxLength: WATERMARK_TEXT_MAX, description: 'Required for type=text' })),
  fontSize: Type.Optional(Type.Integer({ minimum: FONT_SIZE_MIN, maximum: FONT_SIZE_MAX })),
  imageUrl: Type.Optional(
    Type.String({ minLength: 1, maxLength: 2048, description: 'Required for type=image: the URL (or id) of an image in your library' }),
  ),
};

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const tags = ['watermark'];

/** 412 has no code in the catalogue (CONTRACT §2): the OpenAPI's ErrorResponse, success + error only. */
export const PreconditionFailedBody = Type.Object({ success: Type.Literal(false), error: Type.String() });

export const listTemplatesSchema = { tags, response: { 200: Envelope(Type.Array(WatermarkTemplateSchema)), ...errors(401, 403) } };

export const createTemplateSchema = {
  tags,
  body: Type.Object(fields),
  response: { 201: Envelope(WatermarkTemplateSchema), ...errors(400, 401, 403, 422) },
};

export const getTemplateSchema = { tags, params: IdParams, response: { 200: Envelope(WatermarkTemplateSchema), ...errors(401, 403, 404) } };

export const patchTemplateSchema = {
  tags,
  description: 'Changes the given fields. With `If-Unmodified-Since` (ISO 8601 or HTTP-date), a template changed after that time is left alone: 412.',
  params: IdParams,
  headers: Type.Object({ 'if-unmodified-since': Type.Optional(Type.String({ description: 'ISO 8601 or HTTP-date; an unparsable value is ignored' })) }),
  body: Type.Object({ ...fields, name: Type.Optional(fields.name), type: Type.Optional(fields.type) }),
  response: { 200: Envelope(WatermarkTemplateSchema), 412: PreconditionFailedBody, ...errors(400, 401, 403, 404, 409, 422) },
};

export const deleteTemplateSchema = { tags, params: IdParams, response: { 200: SuccessNull, ...errors(401, 403, 404) } };
