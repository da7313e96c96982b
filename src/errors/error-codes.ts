// The error catalogue: every code Picora answers, its fixed HTTP status and default text.
// Source: ../shared/picora/SEED-errors.txt and CONTRACT.md §2. No other codes exist.
export const ERROR_CODES = {
  BAD_REQUEST: { status: 400, message: 'Bad request' },
  INVALID_IMAGE_PARAMS: { status: 400, message: 'Invalid image transformation parameters' },
  UNAUTHORIZED: { status: 401, message: 'Unauthorized' },
  API_KEY_REVOKED: { status: 401, message: 'The API key has been revoked' },
  TOKEN_EXPIRED: { status: 401, message: 'Access token expired, refresh it via POST /v1/auth/refresh' },
  FORBIDDEN: { status: 403, message: 'Forbidden' },
  QUOTA_EXCEEDED: { status: 403, message: 'Quota exceeded' },
  PLAN_REQUIRED: { status: 403, message: 'This feature requires a higher plan' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  CONFLICT: { status: 409, message: 'Conflict' },
  VALIDATION_ERROR: { status: 422, message: 'Validation error' },
  INVALID_FILE_TYPE: { status: 422, message: 'Unsupported file type: use JPEG, PNG, GIF, WebP, AVIF, SVG or HEIC' },
  FILE_TOO_LARGE: { status: 422, message: 'File exceeds the maximum allowed size for your plan' },
  RATE_LIMITED: { status: 429, message: 'Rate limit exceeded' },
  VIDEO_SUSPENDED: { status: 451, message: 'Video service suspended due to bandwidth limit' },
  INTERNAL: { status: 500, message: 'Internal server error' },
  STORAGE_ERROR: { status: 500, message: 'Failed to write to object storage' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function statusOf(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}
