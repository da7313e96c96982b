import { ERROR_CODES, type ErrorCode } from './error-codes.js';

export type ErrorMeta = Record<string, unknown>;

/** An error as a value with a code. Domain code throws these; the one handler renders them. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly meta: ErrorMeta | undefined;
  /** Extra response headers (Retry-After, …). */
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, message?: string, meta?: ErrorMeta, headers?: Record<string, string>) {
    // An AppError is an answer, not a bug: capturing a stack trace would be most of its cost (measured at
    // 10 % of a 404 flood). Unexpected errors keep theirs.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message ?? ERROR_CODES[code].message);
    Error.stackTraceLimit = limit;
    this.name = 'AppError';
    this.code = code;
    this.meta = meta && Object.keys(meta).length > 0 ? meta : undefined;
    this.headers = headers;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** 422 naming the field, as the contract asks. */
export function validationError(field: string, problem: string): AppError {
  return new AppError('VALIDATION_ERROR', `Validation error: ${field} ${problem}`, { field });
}

export function planRequired(requiredPlan: string, feature: string): AppError {
  return new AppError('PLAN_REQUIRED', `${feature} requires the ${requiredPlan} plan`, { requiredPlan });
}
