// The one place that turns any thrown value into the error envelope {success:false,error,code,meta?}.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from './app-error.js';
import type { ErrorCode } from './error-codes.js';

export type ErrorBody = { success: false; error: string; code: ErrorCode; meta?: Record<string, unknown> };

export function renderError(reply: FastifyReply, err: AppError): FastifyReply {
  if (err.headers) reply.headers(err.headers);
  const body: ErrorBody = { success: false, error: err.message, code: err.code };
  if (err.meta) body.meta = err.meta;
  return reply.status(err.status).type('application/json; charset=utf-8').send(body);
}

/** Maps framework and parser errors onto the catalogue; anything unknown becomes INTERNAL. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const e = error as Partial<FastifyError> & { validation?: Array<{ instancePath?: string; params?: Record<string, unknown>; message?: string }> };
  if (e && Array.isArray(e.validation) && e.validation.length > 0) return fromValidation(e.validation, e.validationContext);
  switch (e?.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('BAD_REQUEST', 'Malformed JSON body');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('BAD_REQUEST', 'Request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('BAD_REQUEST', 'Unsupported or malformed request body');
    case 'FST_REQ_FILE_TOO_LARGE':
      return new AppError('FILE_TOO_LARGE');
    case 'FST_FILES_LIMIT':
      return new AppError('VALIDATION_ERROR', 'Validation error: file only one file may be uploaded at a time', { field: 'file' });
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new AppError('BAD_REQUEST', 'Too many multipart fields');
    case 'FST_PROTO_VIOLATION':
      return new AppError('BAD_REQUEST', 'Malformed multipart body');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
    case 'FST_MULTIPART_INVALID_CONTENT_TYPE':
      return new AppError('BAD_REQUEST', 'Expected a multipart/form-data body');
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return new AppError('BAD_REQUEST', 'Malformed request URL');
  }
  if (error instanceof SyntaxError && (e as { statusCode?: number }).statusCode === 400) {
    return new AppError('BAD_REQUEST', 'Malformed JSON body');
  }
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status === 404) return new AppError('NOT_FOUND');
  if (status >= 400 && status < 500) return new AppError('BAD_REQUEST');
  return new AppError('INTERNAL');
}

function fromValidation(
  errors: Array<{ instancePath?: string; params?: Record<string, unknown>; message?: string }>,
  context: string | undefined,
): AppError {
  const first = errors[0]!;
  const missing = typeof first.params?.['missingProperty'] === 'string' ? (first.params['missingProperty'] as string) : undefined;
  const extra = typeof first.params?.['additionalProperty'] === 'string' ? (first.params['additionalProperty'] as string) : undefined;
  const fromPath = (first.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const field = [fromPath, missing ?? extra].filter(Boolean).join('.') || context || 'body';
  const problem = missing ? 'is required' : extra ? 'is not an allowed field' : (first.message ?? 'is invalid');
  return new AppError('VALIDATION_ERROR', `Validation error: ${field} ${problem}`, { field });
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(error);
    if (appError.status >= 500) {
      request.log.error({ err: error, reqId: request.id }, 'request failed');
    } else {
      request.log.info({ code: appError.code, reqId: request.id }, appError.message);
    }
    return renderError(reply, appError);
  });
  app.setNotFoundHandler((request, reply) => {
    return renderError(reply, new AppError('NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)} not found`));
  });
}
