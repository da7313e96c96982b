// Real photographs for the media benchmarks: the camera photos among Debian's plasma-workspace-wallpapers
// (the drawn and rendered ones are left out), each taken at its largest size and downscaled once to
// 2040 px on the long side (the size of the DIV2K images that image-server benchmarks use), JPEG q90.
// Cached in <tmp>/picora-bench-photos-v1 and reused while the manifest matches.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

const WALLPAPERS = '/usr/share/wallpapers';
/** Wallpapers of the package that are photographs (checked by eye); the others are drawings or renders. */
const PHOTOS = [
  'BytheWater', 'ColdRipple', 'ColorfulCups', 'DarkestHour', 'EveningGlow', 'FallenLeaf',
  'Grey', 'Kite', 'OneStandsOut', 'Path', 'summer_1am', 'Volna',
];
const LONG_SIDE = 2040;
const QUALITY = 90;
const VERSION = 1;

export type Photo = { name: string; file: string; bytes: number; width: number; height: number; source: string };
export type PhotoSet = { dir: string; photos: Photo[]; meanBytes: number };
type Manifest = { version: number; photos: Array<Omit<Photo, 'file'> & { sha256: string }> };

/** The largest JPEG of one wallpaper folder. */
function largestJpeg(name: string): string | undefined {
  const dir = path.join(WALLPAPERS, name, 'contents', 'images');
  if (!existsSync(dir)) return undefined;
  const jpegs = readdirSync(dir).filter((f) => /\.jpe?g$/i.test(f)).map((f) => path.join(dir, f));
  return jpegs.sort((a, b) => statSync(b).size - statSync(a).size)[0];
}

export async function ensurePhotos(): Promise<PhotoSet> {
  const dir = path.join(process.env.BENCH_TMPDIR ?? tmpdir(), `picora-bench-photos-v${VERSION}`);
  const manifestFile = path.join(dir, 'manifest.json');
  let manifest: Manifest | undefined;
  try {
    manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Manifest;
    if (manifest.version !== VERSION || manifest.photos.some((p) => !existsSync(path.join(dir, `${p.name}.jpg`)))) manifest = undefined;
  } catch {
    manifest = undefined;
  }
  if (!manifest) {
    await mkdir(dir, { recursive: true });
    const photos: Manifest['photos'] = [];
    for (const name of PHOTOS) {
      const source = largestJpeg(name);
      if (!source) continue;
      const { data, info } = await sharp(source)
        .resize(LONG_SIDE, LONG_SIDE, { fit: 'inside', kernel: 'lanczos3', withoutEnlargement: true })
        .jpeg({ quality: QUALITY })
        .toBuffer({ resolveWithObject: true });
      await writeFile(path.join(dir, `${name}.jpg`), data);
      photos.push({ name, bytes: data.length, width: info.width, height: info.height, source, sha256: createHash('sha256').update(data).digest('hex') });
    }
    if (photos.length === 0) throw new Error(`no wallpapers found under ${WALLPAPERS}: install Debian's plasma-workspace-wallpapers`);
    manifest = { version: VERSION, photos };
    await writeFile(manifestFile, JSON.stringify(manifest, null, 1));
    console.log(`  downscaled ${photos.length} wallpaper photos to ${LONG_SIDE} px (q${QUALITY}) into ${dir}`);
  }
  const photos = manifest.photos.map((p) => ({ name: p.name, file: path.join(dir, `${p.name}.jpg`), bytes: p.bytes, width: p.width, height: p.height, source: p.source }));
  return { dir, photos, meanBytes: photos.reduce((n, p) => n + p.bytes, 0) / photos.length };
}
