// The pure watermark helpers: output sizes agree with what sharp renders, text is escaped, marks fit.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { renderImage } from '../../src/media/render.js';
import { FITS } from '../../src/media/transform-params.js';
import { buildWatermarkOverlay, escapeSvgText, isAnimatedOutput, outputSizeOf } from '../../src/media/watermark.js';

const limits = { maxPixels: 50_000_000, maxFrames: 4, maxOutputSide: 4096 };

describe('media/watermark', () => {
  it('outputSizeOf predicts the size renderImage produces (PNG sources, every fit, one or both sides)', async () => {
    for (const [W, H] of [[400, 300], [101, 37], [37, 101], [640, 1]]) {
      const png = await sharp({ create: { width: W!, height: H!, channels: 3, background: '#777' } }).png().toBuffer();
      for (const fit of FITS) {
        for (const [w, h] of [[50, undefined], [undefined, 60], [99, 60], [500, 333], [50, 333], [1000, undefined]]) {
          const out = await renderImage(png, { w, h, fit, format: 'png', q: 80 }, limits);
          assert.deepEqual(outputSizeOf({ width: W!, height: H! }, { w, h, fit }), { width: out.width, height: out.height }, `${W}x${H} ${fit} ${w}x${h}`);
        }
      }
    }
  });

  it('outputSizeOf predicts the frame size of animations (frame heights round half to even)', async () => {
    const gif = await readFile(path.resolve(import.meta.dirname, '../fixtures/animated.gif'));
    for (const w of [14, 22, 38, 40, 63]) {
      const out = await renderImage(gif, { w, fit: 'inside', format: 'webp', q: 80 }, limits);
      assert.deepEqual(outputSizeOf({ width: 64, height: 48 }, { w, fit: 'inside' }, true), { width: out.width, height: out.height }, `w=${w}`);
    }
  });

  it('escapes markup, drops characters XML cannot carry, and keeps 100 characters', () => {
    assert.equal(escapeSvgText(`<script>alert("x")</script> & 'y'`), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
    assert.equal(escapeSvgText('a\u0000b\u0007c\nd\ud800e'), 'abc de');
    assert.equal([...escapeSvgText('é'.repeat(150))].length, 100);
  });

  it('draws hostile text literally and always fits the mark inside the output', async () => {
    const spec = { kind: 'text' as const, text: '</text><image href="file:///etc/passwd"/>', fontSize: 200, opacity: 1, position: 'center' as const };
    for (const frame of [{ width: 400, height: 300 }, { width: 30, height: 20 }, { width: 2000, height: 12 }]) {
      const overlay = await buildWatermarkOverlay(spec, frame);
      if (!overlay) continue;
      const meta = await sharp(overlay.input).metadata();
      assert.ok(meta.width! < frame.width && meta.height! < frame.height, `${frame.width}x${frame.height}: ${meta.width}x${meta.height}`);
      assert.equal(overlay.gravity, 'centre');
    }
    assert.equal(await buildWatermarkOverlay(spec, { width: 6, height: 6 }), undefined, 'too small to carry a mark');
  });

  it('builds a full strip with the mark in every frame for animated outputs', async () => {
    const logo = await sharp({ create: { width: 10, height: 10, channels: 4, background: '#f00' } }).png().toBuffer();
    const overlay = await buildWatermarkOverlay({ kind: 'image', image: logo, opacity: 1, position: 'top-right' }, { width: 64, height: 48 }, { frames: 3 });
    const { data, info } = await sharp(overlay!.input).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [64, 144]);
    for (let f = 0; f < 3; f++) {
      const i = ((f * 48 + 6) * 64 + 64 - 8) * info.channels;
      assert.deepEqual([...data.subarray(i, i + 4)], [255, 0, 0, 255], `frame ${f}`);
    }
    assert.equal(isAnimatedOutput(3, 'webp', 'image/gif'), true);
    assert.equal(isAnimatedOutput(3, 'original', 'image/gif'), true);
    assert.equal(isAnimatedOutput(3, 'png', 'image/gif'), false);
    assert.equal(isAnimatedOutput(1, 'webp', 'image/webp'), false);
  });
});
