// Turns a spooled upload into the bytes we store: checks the pixel and frame budget, converts HEIC to
// JPEG, sanitises SVG, and reads dimensions and the placeholder. Media failures become API errors here.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { AppError } from '../../errors/app-error.js';
import { heicToJpeg } from '../../media/heic.js';
import { computePlaceholder, probeImage, type ImageProbe } from '../../media/image-probe.js';
import { isMediaError } from '../../media/media-error.js';
import { sanitizeSvg } from '../../media/svg-sanitize.js';
import type { SpooledUpload } from './upload-spool.js';
import { formatBytes } from './upload-spool.js';

export type PreparedImage = {
  /** File holding the bytes to store (the spool itself, or a converted sibling). */
  path: string;
  size: number;
  mimeType: string;
  ext: string;
  width: number;
  height: number;
  frames: number;
  hasMetadata: boolean;
  blurhash: string | null;
  dominantColor: string | null;
};

export type PrepareLimits = { maxPixels: number; maxFrames: number; maxSvgBytes: number; maxSide: number };

function toAppError(err: unknown): unknown {
  if (!isMediaError(err)) return err;
  switch (err.kind) {
    case 'unsupported':
      return new AppError('INVALID_FILE_TYPE');
    case 'too_large':
      return new AppError('FILE_TOO_LARGE', `File is too large: ${err.message}`);
    case 'too_many_pixels':
      return new AppError('VALIDATION_ERROR', `Validation error: file has too many pixels (${err.message})`, { field: 'file' });
    default:
      return new AppError('VALIDATION_ERROR', 'Validation error: file is not a readable image (truncated or corrupt)', { field: 'file' });
  }
}

export async function prepareImage(spool: SpooledUpload, limits: PrepareLimits): Promise<PreparedImage> {
  try {
    let path = spool.path;
    let mimeType: string = spool.type.mime;
    let ext: string = spool.type.ext;
    if (ext === 'svg') {
      if (spool.size > limits.maxSvgBytes) throw new AppError('FILE_TOO_LARGE', `SVG files may be at most ${formatBytes(limits.maxSvgBytes)}`, { maxBytes: limits.maxSvgBytes });
      path = `${spool.path}.svg`;
      await writeFile(path, sanitizeSvg(await readFile(spool.path), limits.maxSvgBytes));
    } else if (ext === 'heic' || ext === 'heif') {
      path = `${spool.path}.jpg`;
      await writeFile(path, await heicToJpeg(await readFile(spool.path), { maxPixels: limits.maxPixels }));
      mimeType = 'image/jpeg';
      ext = 'jpg';
    }
    const probe: ImageProbe = await probeImage(path, { maxPixels: limits.maxPixels, maxFrames: limits.maxFrames, maxSide: limits.maxSide });
    const placeholder = probe.placeholder ?? (await computePlaceholder(path, { maxPixels: limits.maxPixels }).catch(() => null));
    const size = path === spool.path ? spool.size : (await stat(path)).size;
    return {
      path, size, mimeType, ext,
      width: probe.width, height: probe.height, frames: probe.pages, hasMetadata: probe.hasMetadata,
      blurhash: placeholder?.blurhash ?? null, dominantColor: placeholder?.dominantColor ?? null,
    };
  } catch (err) {
    throw toAppError(err);
  }
}
