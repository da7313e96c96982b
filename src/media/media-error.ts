// The one error type of src/media. The domain layer maps `kind` to an API code
// (unsupported → INVALID_FILE_TYPE, the others → VALIDATION_ERROR or similar); media never picks a status.

export type MediaErrorKind =
  | 'unsupported' // not an image type we accept, or a codec we cannot decode
  | 'corrupt' // truncated, malformed or undecodable bytes
  | 'too_many_pixels' // declared dimensions (or frames × dimensions) over the budget
  | 'too_large' // byte size over the limit
  | 'too_slow'; // the work did not finish within its time budget (its worker process was killed)

export class MediaError extends Error {
  override readonly name = 'MediaError';
  readonly kind: MediaErrorKind;

  constructor(kind: MediaErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

export function isMediaError(err: unknown, kind?: MediaErrorKind): err is MediaError {
  return err instanceof MediaError && (kind === undefined || err.kind === kind);
}

/**
 * Turns whatever sharp/libvips (or another decoder) threw into a MediaError, judging by its message.
 * A MediaError passes through unchanged.
 */
export function toMediaError(err: unknown, fallback: MediaErrorKind = 'corrupt'): MediaError {
  if (err instanceof MediaError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/exceeds pixel limit|image (?:is )?too large|too many pixels/i.test(message)) {
    return new MediaError('too_many_pixels', message, { cause: err });
  }
  if (/unsupported image format|support for this compression format has not been built in|not a known file format/i.test(message)) {
    return new MediaError('unsupported', message, { cause: err });
  }
  return new MediaError(fallback, message, { cause: err });
}
