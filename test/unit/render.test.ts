// The rendering pipeline (src/media/render.ts) on its own: pixel and frame budgets checked from the header
// (bombs refused before decoding), output-side limit, formats, geometry, metadata, animation, broken input.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { isMediaError, type MediaErrorKind } from '../../src/media/media-error.js';
import { renderImage, svgDensity, type RenderLimits, type RenderSpec } from '../../src/media/render.js';
import { makeGifBomb, makePngBomb } from '../fixtures/bombs.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
const fixture = (name: string) => readFile(path.join(FIXTURES, name));
const LIMITS: RenderLimits = { maxPixels: 200_000_000, maxFrames: 4, maxOutputSide: 4096 };
const spec = (s: Partial<RenderSpec> = {}): RenderSpec => ({ fit: 'inside', format: 'original', q: 85, ...s });

async function refused(input: Buffer, s: RenderSpec, limits: RenderLimits, kind: MediaErrorKind | MediaErrorKind[], label: string, withinMs = 1000): Promise<void> {
  const started = performance.now();
  const kinds = Array.isArray(kind) ? kind : [kind];
  await assert.rejects(renderImage(input, s, limits), (err: unknown) => {
    assert.ok(isMediaError(err) && kinds.includes(err.kind), `${label}: MediaError ${kinds.join('|')}, got ${String(err)}`);
    return true;
  });
  const ms = performance.now() - started;
  assert.ok(ms < withinMs, `${label}: refused in ${ms.toFixed(0)} ms`);
}

describe('renderImage limits', () => {
  it('pixel bombs are refused from the header, fast: the committed fixtures', async () => {
    for (const name of ['bomb-50000x50000.png', 'bomb-65535x65535.gif']) {
      const input = await fixture(name);
      for (const format of ['original', 'webp', 'jpeg'] as const) {
        await refused(input, spec({ format }), LIMITS, 'too_many_pixels', `${name} → ${format}`);
        await refused(input, spec({ format, w: 10 }), LIMITS, 'too_many_pixels', `${name} w=10 → ${format}`);
      }
    }
  });

  it('pixel bombs are refused from the header, fast: complete ones built now', async () => {
    await refused(makePngBomb(20_000, 20_000), spec({ w: 100, format: 'png' }), LIMITS, 'too_many_pixels', 'complete 20000×20000 PNG');
    await refused(makeGifBomb(20_000, 20_000), spec({ w: 100, format: 'webp' }), LIMITS, 'too_many_pixels', '20000×20000 GIF');
    await refused(makeGifBomb(), spec({ format: 'webp' }), LIMITS, 'too_many_pixels', '65535×65535 GIF');
    const tight = { ...LIMITS, maxPixels: 1_000_000 };
    await refused(makePngBomb(1001, 1000), spec({ format: 'png' }), tight, 'too_many_pixels', 'one pixel row over a tight budget');
    const ok = await renderImage(makePngBomb(1000, 1000), spec({ w: 10, format: 'png' }), tight);
    assert.deepEqual([ok.width, ok.height], [10, 10], 'exactly at the budget renders');
  });

  it('the frame budget counts every frame of an animation', async () => {
    const gif = await fixture('animated.gif'); // 4 frames of 64×48 = 3072 px
    const onePage = 64 * 48;
    await refused(gif, spec({ format: 'webp' }), { ...LIMITS, maxPixels: onePage, maxFrames: 3 }, 'too_many_pixels', '4 frames over a 3-frame budget');
    await refused(gif, spec({ format: 'webp' }), { ...LIMITS, maxPixels: onePage - 1, maxFrames: 100 }, 'too_many_pixels', 'one frame over the pixel budget');
    const out = await renderImage(gif, spec({ format: 'webp' }), { ...LIMITS, maxPixels: onePage, maxFrames: 4 });
    assert.equal((await sharp(out.data).metadata()).pages, 4, 'exactly at the budget keeps all frames');
  });

  it('output sides are limited: w or h past maxOutputSide is refused before decoding', async () => {
    const photo = await fixture('photo.jpg');
    await refused(photo, spec({ w: 4097, h: 10, fit: 'fill' }), LIMITS, 'too_many_pixels', 'w=4097');
    await refused(photo, spec({ h: 4097 }), LIMITS, 'too_many_pixels', 'h=4097');
    await refused(photo, spec({ w: 101 }), { ...LIMITS, maxOutputSide: 100 }, 'too_many_pixels', 'w over a configured 100');
    const max = await renderImage(photo, spec({ w: 4096, h: 4096, fit: 'fill', format: 'jpeg' }), LIMITS);
    assert.deepEqual([max.width, max.height], [4096, 4096], 'forced fill up to the limit');
  });

  it('broken or foreign input is a MediaError, never a raw sharp error', async () => {
    await refused(await fixture('truncated.jpg'), spec({ w: 100, format: 'png' }), LIMITS, 'corrupt', 'truncated JPEG');
    await refused(await fixture('not-image.txt'), spec(), LIMITS, ['unsupported', 'corrupt'], 'text (libvips tries it as SVG)');
    await refused(Buffer.from('RIFF\0\0\0\0WAVEfmt '), spec(), LIMITS, ['unsupported', 'corrupt'], 'a WAV header');
    await refused(Buffer.alloc(0), spec(), LIMITS, 'corrupt', 'empty');
  });
});

describe('renderImage output', () => {
  it('formats: content type, extension and the bytes agree', async () => {
    const photo = await fixture('photo.jpg');
    const cases: Array<[RenderSpec['format'], string, string, string]> = [
      ['webp', 'image/webp', 'webp', 'webp'], ['jpeg', 'image/jpeg', 'jpg', 'jpeg'], ['png', 'image/png', 'png', 'png'],
      ['avif', 'image/avif', 'avif', 'heif'], ['original', 'image/jpeg', 'jpg', 'jpeg'],
    ];
    for (const [format, mime, ext, sharpFormat] of cases) {
      const out = await renderImage(photo, spec({ w: 64, format }), LIMITS);
      const m = await sharp(out.data).metadata();
      assert.deepEqual([out.mimeType, out.ext, m.format], [mime, ext, sharpFormat], format);
      assert.deepEqual([out.width, out.height], [m.width, m.height], `${format}: reported size is the real one`);
    }
    const svg = await renderImage(await fixture('clean.svg'), spec({ w: 60 }), LIMITS);
    assert.deepEqual([svg.mimeType, svg.ext, (await sharp(svg.data).metadata()).format], ['image/png', 'png', 'png'], 'SVG rasterises to PNG');
    const gif = await renderImage(await fixture('animated.gif'), spec(), LIMITS);
    assert.deepEqual([gif.mimeType, gif.ext], ['image/gif', 'gif']);
  });

  it('fit geometry on a 640×400 photo', async () => {
    const photo = await fixture('photo.jpg');
    const cases: Array<[Partial<RenderSpec>, [number, number]]> = [
      [{ w: 200, h: 200, fit: 'cover' }, [200, 200]], [{ w: 200, h: 200, fit: 'contain' }, [200, 200]],
      [{ w: 200, h: 200, fit: 'inside' }, [200, 125]], [{ w: 200, h: 200, fit: 'outside' }, [320, 200]],
      [{ w: 200, h: 200, fit: 'fill' }, [200, 200]], [{ w: 1000, h: 1000, fit: 'fill' }, [1000, 1000]],
      [{ w: 1000 }, [640, 400]], [{ h: 1000, fit: 'outside' }, [640, 400]], [{ w: 1000, h: 1000, fit: 'inside' }, [640, 400]],
      [{}, [640, 400]],
    ];
    for (const [s, want] of cases) {
      const out = await renderImage(photo, spec({ ...s, format: 'png' }), LIMITS);
      assert.deepEqual([out.width, out.height], want, JSON.stringify(s));
    }
  });

  // Regression (was a bug in src/media/render.ts:93-94): with a single side, fit=fill is passed to sharp as fill and stretches:
  // w=200 on 640×400 gives 200×400 instead of keeping the aspect ratio (200×125).
  it('fit=fill with one side does not distort', async () => {
    const out = await renderImage(await fixture('photo.jpg'), spec({ w: 200, fit: 'fill', format: 'png' }), LIMITS);
    assert.deepEqual([out.width, out.height], [200, 125]);
  });

  it('strips EXIF, GPS and XMP, applies the orientation, and tags sRGB', async () => {
    const input = await fixture('photo-exif-orient6-gps.jpg'); // stored 200×320, orientation 6
    for (const format of ['original', 'jpeg', 'webp', 'png', 'avif'] as const) {
      const out = await renderImage(input, spec({ format }), LIMITS);
      const m = await sharp(out.data).metadata();
      assert.equal(m.exif, undefined, `${format}: no EXIF`);
      assert.equal(m.xmp, undefined, `${format}: no XMP`);
      assert.ok(m.orientation === undefined || m.orientation === 1, `${format}: no orientation left`);
      assert.deepEqual([m.width, m.height], [320, 200], `${format}: upright`);
      if (m.icc) assert.match(m.icc.toString('latin1').replace(/\0/g, ''), /sRGB/, `${format}: sRGB profile`);
    }
  });

  it('animations: webp and gif keep every frame, resized per frame; other formats give the first frame', async () => {
    for (const name of ['animated.gif', 'animated.webp']) {
      const input = await fixture(name);
      for (const format of ['webp', 'original'] as const) {
        const out = await renderImage(input, spec({ w: 32, format }), LIMITS);
        const m = await sharp(out.data).metadata();
        assert.equal(m.pages, 4, `${name} → ${format}`);
        assert.deepEqual([out.width, out.height, m.pageHeight ?? m.height], [32, 24, 24], `${name} → ${format}: frame size`);
      }
      for (const format of ['jpeg', 'png', 'avif'] as const) {
        const out = await renderImage(input, spec({ w: 32, format }), LIMITS);
        const m = await sharp(out.data).metadata();
        assert.ok((m.pages ?? 1) === 1, `${name} → ${format}: a still`);
        assert.deepEqual([m.width, m.height], [32, 24]);
      }
    }
  });

  it('quality changes the size of lossy formats', async () => {
    const photo = await fixture('photo.jpg');
    for (const format of ['jpeg', 'webp', 'avif'] as const) {
      const low = await renderImage(photo, spec({ format, q: 5 }), LIMITS);
      const high = await renderImage(photo, spec({ format, q: 95 }), LIMITS);
      assert.ok(low.data.length < high.data.length / 2, `${format}: q5 ${low.data.length} B, q95 ${high.data.length} B`);
    }
  });

  it('is deterministic: the same input and spec give the same bytes', async () => {
    const photo = await fixture('photo.jpg');
    for (const format of ['jpeg', 'webp', 'png', 'avif'] as const) {
      const a = await renderImage(photo, spec({ w: 100, format }), LIMITS);
      const b = await renderImage(photo, spec({ w: 100, format }), LIMITS);
      assert.ok(a.data.equals(b.data), format);
    }
  });
});

describe('svgDensity bounds the raster of an SVG before it is drawn', () => {
  it('follows the requested box, never past the drawing at 72 dpi nor past the side limit', () => {
    assert.equal(svgDensity({}, 500, 500, 4096), 72);
    assert.ok(Math.abs(svgDensity({ w: 100 }, 7000, 7000, 4096) - (72 * 102) / 7000) < 1e-9);
    assert.ok(Math.abs(svgDensity({}, 7000, 3500, 4096) - (72 * 4096) / 7000) < 1e-9, 'no box: the longest side is capped');
    assert.equal(svgDensity({ w: 4000 }, 100, 100, 4096), 72, 'never enlarged past its own size');
    assert.ok(Math.abs(svgDensity({ w: 100, h: 100 }, 1000, 200, 4096) - (72 * 102) / 200) < 1e-9, 'the raster covers both sides of the box');
    assert.equal(svgDensity({ w: 1 }, 1_000_000, 10, 4096), 1, 'at least 1 dpi');
  });

  it('a 6000 px SVG asked at 64 px renders a 64 px image, quickly', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="6000" height="6000"><rect width="6000" height="6000" fill="#c33"/></svg>');
    const out = await renderImage(svg, spec({ w: 64, format: 'png' }), LIMITS);
    assert.equal(out.width, 64);
  });
});
