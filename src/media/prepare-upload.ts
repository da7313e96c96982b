// Turns a spooled upload file into the file we store: sanitises SVG, converts HEIC to JPEG, checks the pixel
// and frame budget and reads dimensions and the placeholder. Converted bytes go to a sibling of the spool
// (`<spool>.svg`, `<spool>.jpg`), which the caller removes with the spool. CPU-heavy on hostile input: run it
// in a worker process with a time budget (media/worker).
import { readFile, stat, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { readPhotoInfo, type PhotoInfo } from './exif-info.js';
import { heicToJpeg } from './heic.js';
import { computePlaceholder, probeImage } from './image-probe.js';

export type PrepareInput = { path: string; size: number; mimeType: string; ext: string };
export type PrepareLimits = { maxPixels: number; maxFrames: number; maxSvgBytes: number; maxSide: number };

export type PreparedFile = {
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
  /** Camera, exposure, date taken and GPS read from the uploaded file's EXIF (null when it has none). */
  photoInfo: PhotoInfo | null;
};

/** Throws MediaError ('unsupported', 'corrupt', 'too_large', 'too_many_pixels'). */
export async function prepareUpload(input: PrepareInput, limits: PrepareLimits): Promise<PreparedFile> {
  let { path, mimeType, ext } = input;
  let heicInfo: PhotoInfo | null = null;
  if (ext === 'svg') {
    // loaded on the first SVG: the sanitiser brings jsdom (~55 MB per worker process)
    const { checkEmbeddedRasters, sanitizeSvg } = await import('./svg-sanitize.js');
    path = `${input.path}.svg`;
    const clean = sanitizeSvg(await readFile(input.path), limits.maxSvgBytes);
    await checkEmbeddedRasters(clean, (bytes) => sharp(bytes, { limitInputPixels: false }).metadata());
    await writeFile(path, clean);
  } else if (ext === 'heic' || ext === 'heif') {
    path = `${input.path}.jpg`;
    const heic = await readFile(input.path);
    await writeFile(path, await heicToJpeg(heic, { maxPixels: limits.maxPixels }));
    // the JPEG carries no EXIF: the photo information comes from the HEIF header (a header read, no decode)
    heicInfo = await sharp(heic, { limitInputPixels: false }).metadata().then((m) => readPhotoInfo(m.exif), () => null);
    mimeType = 'image/jpeg';
    ext = 'jpg';
  }
  const probe = await probeImage(path, { maxPixels: limits.maxPixels, maxFrames: limits.maxFrames, maxSide: limits.maxSide }, { photoInfo: ext !== 'svg' });
  const placeholder = probe.placeholder ?? (await computePlaceholder(path, { maxPixels: limits.maxPixels }).catch(() => null));
  const size = path === input.path ? input.size : (await stat(path)).size;
  return {
    path, size, mimeType, ext,
    width: probe.width, height: probe.height, frames: probe.pages, hasMetadata: probe.hasMetadata,
    blurhash: placeholder?.blurhash ?? null, dominantColor: placeholder?.dominantColor ?? null,
    photoInfo: heicInfo ?? probe.photoInfo ?? null,
  };
}
