import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decode } from 'blurhash';
import sharp from 'sharp';
import { embedIccProfile, heicToJpeg } from '../../src/media/heic.js';
import { animationPixelBudget, computePlaceholder, probeImage } from '../../src/media/image-probe.js';
import type { ImageProbe } from '../../src/media/image-probe.js';
import { MediaError } from '../../src/media/media-error.js';
import type { MediaErrorKind } from '../../src/media/media-error.js';
import { makeGifBomb, makePngBomb } from '../fixtures/bombs.js';

const fixturePath = (name: string): string => new URL(`../fixtures/${name}`, import.meta.url).pathname;
const fixture = (name: string): Buffer => readFileSync(fixturePath(name));
const limits = { maxPixels: 40_000_000, maxFrames: 20 };

function isMediaErrorOf(kind: MediaErrorKind) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof MediaError, `expected a MediaError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    return true;
  };
}

/** Mean absolute difference per channel between two images scaled to the same small size. */
async function difference(a: Buffer, b: Buffer): Promise<number> {
  const small = (img: Buffer): Promise<Buffer> =>
    sharp(img).autoOrient().toColourspace('srgb').resize(32, 20, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  const [x, y] = await Promise.all([small(a), small(b)]);
  let sum = 0;
  for (let i = 0; i < x!.length; i++) sum += Math.abs(x![i]! - y![i]!);
  return sum / x!.length;
}

describe('probeImage', () => {
  const cases: Record<string, Partial<ImageProbe>> = {
    'photo.jpg': { width: 640, height: 400, format: 'jpeg', pages: 1, hasAlpha: false },
    'wrong-extension.png': { width: 160, height: 100, format: 'jpeg', pages: 1 },
    'cmyk.jpg': { width: 160, height: 100, format: 'jpeg', hasAlpha: false },
    'alpha.png': { width: 128, height: 96, format: 'png', hasAlpha: true },
    'animated.gif': { width: 64, height: 48, format: 'gif', pages: 4 },
    'animated.webp': { width: 64, height: 48, format: 'webp', pages: 4 },
    'image.avif': { width: 160, height: 100, format: 'avif', pages: 1 },
    'image.heic': { width: 320, height: 200, format: 'heic', pages: 1 },
    'image-irot.heic': { width: 320, height: 200, format: 'heic' }, // libheif applies irot in the header size
    'clean.svg': { width: 120, height: 80, format: 'svg' },
  };
  for (const [name, want] of Object.entries(cases)) {
    it(`${name}: ${JSON.stringify(want)}`, async () => {
      const probe = await probeImage(fixture(name), limits);
      for (const [key, value] of Object.entries(want)) assert.equal(probe[key as keyof ImageProbe], value, key);
    });
  }

  it('reports display size after EXIF orientation 6 (stored 200×320, shown 320×200)', async () => {
    const stored = await sharp(fixture('photo-exif-orient6-gps.jpg')).metadata();
    assert.deepEqual([stored.width, stored.height, stored.orientation], [200, 320, 6]);
    const probe = await probeImage(fixturePath('photo-exif-orient6-gps.jpg'), limits); // a path works too
    const { placeholder, ...rest } = probe;
    assert.deepEqual(rest, { width: 320, height: 200, format: 'jpeg', pages: 1, hasAlpha: false, hasMetadata: true, orientation: 6 });
    assert.match(placeholder?.dominantColor ?? '', /^#[0-9a-f]{6}$/, 'stills get their placeholder from the verifying decode');
  });

  it('the GPS fixture really carries GPS and the CMYK one really is CMYK', async () => {
    const exif = (await sharp(fixture('photo-exif-orient6-gps.jpg')).metadata()).exif;
    assert.ok(exif && exif.includes(Buffer.from([0x25, 0x88])), 'GPS IFD pointer (tag 0x8825) present');
    assert.equal((await sharp(fixture('cmyk.jpg')).metadata()).space, 'cmyk');
  });

  it('refuses pixel bombs from the header, fast, without decoding', async () => {
    const bombs = {
      'bomb-50000x50000.png': fixture('bomb-50000x50000.png'),
      'bomb-65535x65535.gif': fixture('bomb-65535x65535.gif'),
      'complete 1-bit PNG 20000×20000': makePngBomb(20_000, 20_000), // valid to the last row, ~50 kB
      'GIF 20000×20000': makeGifBomb(20_000, 20_000),
      'SVG 100000×100000': Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"/>'),
    };
    for (const [name, bytes] of Object.entries(bombs)) {
      const started = performance.now();
      await assert.rejects(probeImage(bytes, limits), isMediaErrorOf('too_many_pixels'), name);
      await assert.rejects(computePlaceholder(bytes, limits), isMediaErrorOf('too_many_pixels'), name);
      assert.ok(performance.now() - started < 1000, `${name} took ${performance.now() - started} ms`);
    }
  });

  it('refuses a side longer than maxSide even within the pixel budget (decoding memory grows with width)', async () => {
    const wide = await sharp({ create: { width: 20_000, height: 2, channels: 3, background: '#888' } }).png().toBuffer();
    await assert.rejects(probeImage(wide, { maxPixels: 50_000_000, maxFrames: 4, maxSide: 16_384 }), (e: unknown) => e instanceof MediaError && e.kind === 'too_many_pixels' && /side longer/.test(e.message));
    const ok = await probeImage(wide, { maxPixels: 50_000_000, maxFrames: 4, maxSide: 20_000 });
    assert.equal(ok.width, 20_000);
  });

  it('counts every frame against the budget: frames × pixels ≤ maxPixels × maxFrames', async () => {
    const gif = fixture('animated.gif'); // 4 frames of 64×48 = 12,288 pixels
    assert.equal(animationPixelBudget({ maxPixels: 4000, maxFrames: 3 }), 12_000);
    await assert.rejects(probeImage(gif, { maxPixels: 4000, maxFrames: 3 }), isMediaErrorOf('too_many_pixels'));
    await assert.rejects(probeImage(gif, { maxPixels: 3000, maxFrames: 100 }), isMediaErrorOf('too_many_pixels'));
    assert.equal((await probeImage(gif, { maxPixels: 4000, maxFrames: 4 })).pages, 4);
  });

  it('refuses truncated and malformed images as corrupt, never crashing', async () => {
    await assert.rejects(probeImage(fixture('truncated.jpg'), limits), isMediaErrorOf('corrupt'));
    const png = fixture('alpha.png');
    await assert.rejects(probeImage(png.subarray(0, png.length - 200), limits), isMediaErrorOf('corrupt'));
    const photo = fixture('photo.jpg');
    for (let cut = 2; cut < photo.length; cut += Math.floor(photo.length / 23)) {
      await assert.rejects(probeImage(photo.subarray(0, cut), limits), MediaError, `cut at ${cut}`);
    }
  });

  it('refuses what is not an image it serves as unsupported', async () => {
    await assert.rejects(probeImage(fixture('polyglot-pdf-jpeg.pdf'), limits), isMediaErrorOf('unsupported'));
    await assert.rejects(probeImage(fixture('jpeg-in-zip.zip'), limits), isMediaErrorOf('unsupported'));
    const tiff = await sharp(fixture('photo.jpg')).tiff().toBuffer();
    await assert.rejects(probeImage(tiff, limits), isMediaErrorOf('unsupported'));
  });
});

describe('computePlaceholder', () => {
  it('gives a 4×3 blurhash and a #rrggbb colour', async () => {
    for (const name of ['photo.jpg', 'cmyk.jpg', 'image.avif', 'animated.gif', 'animated.webp', 'clean.svg']) {
      const { blurhash, dominantColor } = await computePlaceholder(fixture(name), limits);
      assert.equal(blurhash.length, 28, name); // 1 + 1 + 4 + 2 × (4 × 3 − 1)
      assert.match(dominantColor, /^#[0-9a-f]{6}$/, name);
    }
  });

  it('works on the upright image (orientation applied)', async () => {
    const upright = await computePlaceholder(fixture('photo.jpg'), limits);
    const oriented = await computePlaceholder(fixture('photo-exif-orient6-gps.jpg'), limits);
    const pixels = (hash: string): Uint8ClampedArray => decode(hash, 8, 5);
    const [a, b] = [pixels(upright.blurhash), pixels(oriented.blurhash)];
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
    assert.ok(sum / a.length < 8, `blurhashes differ by ${sum / a.length}`);
  });

  it('ignores transparent pixels for the dominant colour', async () => {
    const { dominantColor } = await computePlaceholder(fixture('alpha.png'), limits);
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(dominantColor.slice(i, i + 2), 16));
    assert.ok(r! > 180 && g! < 120 && b! < 120, `the red circle, not the transparent background: ${dominantColor}`);
  });

  it('refuses corrupt input', async () => {
    await assert.rejects(computePlaceholder(fixture('truncated.jpg'), limits), isMediaErrorOf('corrupt'));
  });
});

describe('heicToJpeg', () => {
  it('converts HEIC to a JPEG that sharp reads, keeping its ICC profile', async () => {
    const heic = fixture('image.heic');
    const jpeg = await heicToJpeg(heic, { maxPixels: limits.maxPixels });
    const meta = await sharp(jpeg).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.orientation], ['jpeg', 320, 200, undefined]);
    assert.deepEqual(meta.icc, (await sharp(heic).metadata()).icc, 'the Display P3 profile travels along');
    assert.ok((await difference(jpeg, fixture('photo.jpg'))) < 6, 'looks like the photo it was made from');
  });

  it('applies the HEIF rotation (irot): the sideways-coded photo comes out upright', async () => {
    const jpeg = await heicToJpeg(fixture('image-irot.heic'), { maxPixels: limits.maxPixels });
    const meta = await sharp(jpeg).metadata();
    assert.deepEqual([meta.width, meta.height, meta.orientation], [320, 200, undefined]);
    const photo = fixture('photo.jpg');
    assert.ok((await difference(jpeg, photo)) < 6, 'upright');
    const upsideDown = await sharp(photo).rotate(180).toBuffer();
    assert.ok((await difference(jpeg, upsideDown)) > 20, 'not turned the wrong way');
  });

  it('refuses oversize images before decoding them', async () => {
    await assert.rejects(heicToJpeg(fixture('image.heic'), { maxPixels: 320 * 200 - 1 }), isMediaErrorOf('too_many_pixels'));
  });

  it('refuses non-HEIC input as unsupported and broken HEIC as corrupt', async (t) => {
    t.mock.method(console, 'log', () => undefined); // libheif-js reports decode failures on the console
    await assert.rejects(heicToJpeg(fixture('photo.jpg'), limits), isMediaErrorOf('unsupported'));
    const heic = fixture('image.heic');
    await assert.rejects(heicToJpeg(heic.subarray(0, heic.length / 2), limits), isMediaErrorOf('corrupt'));
    await assert.rejects(heicToJpeg(heic.subarray(0, 200), limits), isMediaErrorOf('corrupt'));
  });

  it('embedIccProfile writes a profile sharp reads back', async () => {
    const icc = (await sharp(fixture('image.heic')).metadata()).icc!;
    const plain = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#888' } }).jpeg().toBuffer();
    assert.deepEqual((await sharp(embedIccProfile(plain, icc)).metadata()).icc, icc);
  });
});
