// Turns a spooled upload into the bytes we store, in a media worker process under a time budget (SVG
// sanitising, HEIC → JPEG, pixel and frame budget, dimensions, placeholder). Media failures become API errors here.
import { AppError } from '../../errors/app-error.js';
import { isMediaError } from '../../media/media-error.js';
import type { PrepareLimits, PreparedFile } from '../../media/prepare-upload.js';
import type { MediaWorkers } from '../../media/worker/media-workers.js';
import type { SpooledUpload } from './upload-spool.js';
import { formatBytes } from './upload-spool.js';

export type PreparedImage = PreparedFile;
export type { PrepareLimits };

function toAppError(err: unknown): unknown {
  if (!isMediaError(err)) return err;
  switch (err.kind) {
    case 'unsupported':
      return new AppError('INVALID_FILE_TYPE');
    case 'too_large':
      return new AppError('FILE_TOO_LARGE', `File is too large: ${err.message}`);
    case 'too_many_pixels':
      return new AppError('VALIDATION_ERROR', `Validation error: file has too many pixels (${err.message})`, { field: 'file' });
    case 'too_slow':
      return new AppError('VALIDATION_ERROR', `Validation error: file is too complex to process (${err.message})`, { field: 'file' });
    default:
      return new AppError('VALIDATION_ERROR', 'Validation error: file is not a readable image (truncated or corrupt)', { field: 'file' });
  }
}

export async function prepareImage(spool: SpooledUpload, limits: PrepareLimits, workers: Pick<MediaWorkers, 'prepare'>): Promise<PreparedImage> {
  if (spool.type.ext === 'svg' && spool.size > limits.maxSvgBytes) {
    throw new AppError('FILE_TOO_LARGE', `SVG files may be at most ${formatBytes(limits.maxSvgBytes)}`, { maxBytes: limits.maxSvgBytes });
  }
  try {
    return await workers.prepare({ path: spool.path, size: spool.size, mimeType: spool.type.mime, ext: spool.type.ext }, limits);
  } catch (err) {
    throw toAppError(err);
  }
}
