// The transform allow-list (src/media/transform-params.ts): parsing, canonical keys, signed text, negotiation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalParams, hasTransform, negotiateFormat, ParamError, parseTransform, signedParams, type TransformParams,
} from '../../src/media/transform-params.js';

type Query = Record<string, string | string[] | undefined>;

function refused(query: Query, param: string): void {
  assert.throws(() => parseTransform(query), (err: unknown) => {
    assert.ok(err instanceof ParamError, `${JSON.stringify(query)}: a ParamError`);
    assert.equal(err.param, param, `${JSON.stringify(query)}: names ${param}`);
    return true;
  });
}

const key = (q: Query, format?: Parameters<typeof canonicalParams>[1]) => {
  const p = parseTransform(q);
  return canonicalParams(p, format ?? negotiateFormat(p.fmt, undefined));
};

describe('parseTransform', () => {
  it('gives the defaults: fit inside, fmt auto, q 85, no preview', () => {
    assert.deepEqual(parseTransform({}), { fit: 'inside', fmt: 'auto', q: 85, preview: false });
  });

  it('w and h: whole numbers 1–4096 only', () => {
    for (const p of ['w', 'h']) {
      assert.equal(parseTransform({ [p]: '1' })[p as 'w'], 1);
      assert.equal(parseTransform({ [p]: '4096' })[p as 'w'], 4096);
      assert.equal(parseTransform({ [p]: '0800' })[p as 'w'], 800, 'leading zeros are the same number');
      for (const bad of ['0', '4097', '12a', '-1', '1e3', '', '1.0', '+5', '0x10', '123456', 'NaN', 'Infinity', '٣']) refused({ [p]: bad }, p);
      refused({ [p]: undefined }, p);
    }
  });

  it('fit, fmt, q, preview and wm accept exactly their values', () => {
    for (const fit of ['cover', 'contain', 'fill', 'inside', 'outside'] as const) assert.equal(parseTransform({ fit }).fit, fit);
    assert.equal(parseTransform({ fit: 'COVER' }).fit, 'cover');
    refused({ fit: 'crop' }, 'fit');
    for (const fmt of ['webp', 'jpeg', 'png', 'avif', 'auto'] as const) assert.equal(parseTransform({ fmt }).fmt, fmt);
    assert.equal(parseTransform({ fmt: 'jpg' }).fmt, 'jpeg');
    assert.equal(parseTransform({ fmt: 'WebP' }).fmt, 'webp');
    for (const bad of ['gif', 'svg', 'tiff', '']) refused({ fmt: bad }, 'fmt');
    assert.equal(parseTransform({ q: '1' }).q, 1);
    assert.equal(parseTransform({ q: '100' }).q, 100);
    for (const bad of ['0', '101', '50.5', 'max']) refused({ q: bad }, 'q');
    assert.equal(parseTransform({ preview: '1' }).preview, true);
    refused({ preview: '0' }, 'preview');
    assert.equal(parseTransform({ wm: 'A'.repeat(21) }).wm, 'A'.repeat(21));
    for (const bad of ['A'.repeat(20), 'A'.repeat(22), `${'A'.repeat(20)}/`]) refused({ wm: bad }, 'wm');
  });

  it('aliases width, height, format and quality map onto the short names', () => {
    assert.deepEqual(parseTransform({ width: '10', height: '20', format: 'png', quality: '50' }), { w: 10, h: 20, fmt: 'png', q: 50, fit: 'inside', preview: false });
  });

  it('refuses unknown parameters, naming them (truncated to 40 characters)', () => {
    for (const p of ['rotate', 'filter', 'text', 'blur', 'W', 'Fit', 'dpr', '__proto__', 'constructor']) refused({ [p]: '1' }, p);
    refused({ ['x'.repeat(100)]: '1' }, 'x'.repeat(40));
  });

  it('refuses a parameter given twice, also through its alias', () => {
    refused({ w: ['100', '100'] }, 'w');
    refused({ w: '100', width: '100' }, 'w');
    refused({ quality: '80', q: '80' }, 'q');
    refused({ fmt: ['webp'] }, 'fmt');
  });

  it('leaves exp, sig and original to the caller', () => {
    assert.deepEqual(parseTransform({ exp: '1', sig: 'x', original: '1' }), parseTransform({}));
    assert.equal(hasTransform({ exp: '1', sig: 'x', original: '1' }), false);
    assert.equal(hasTransform({}), false);
    assert.equal(hasTransform({ w: '1' }), true);
    assert.equal(hasTransform({ nonsense: '1' }), true, 'unknown keys count, so they are refused rather than ignored');
  });
});

describe('canonicalParams and signedParams', () => {
  it('order, aliases, case and explicit defaults give one key', () => {
    const base = key({ w: '100', h: '50', fmt: 'jpeg' });
    for (const q of [
      { h: '50', w: '100', fmt: 'jpeg' }, { w: '100', h: '50', fmt: 'jpg' }, { w: '100', h: '50', fmt: 'JPEG', q: '85', fit: 'inside' },
      { width: '100', height: '050', format: 'jpg', quality: '85' },
    ] as Query[]) assert.equal(key(q), base, JSON.stringify(q));
    assert.equal(base, 'fit=inside&fmt=jpeg&h=50&q=85&w=100');
  });

  it('different output means a different key', () => {
    const base = key({ w: '100' }, 'webp');
    assert.notEqual(key({ w: '101' }, 'webp'), base);
    assert.notEqual(key({ w: '100', q: '84' }, 'webp'), base);
    assert.notEqual(key({ w: '100', fit: 'cover' }, 'webp'), base);
    assert.notEqual(key({ w: '100' }, 'avif'), base);
    assert.notEqual(key({ w: '100' }, 'original'), base);
    assert.notEqual(key({ w: '100', wm: 'B'.repeat(21) }, 'webp'), base);
    assert.notEqual(key({ h: '100' }, 'webp'), base, 'w and h are not confused');
  });

  it('the key space per size is bounded by the format, not by Accept', () => {
    const keys = new Set<string>();
    for (const accept of ['image/avif', 'image/webp', '*/*', 'image/avif,image/webp', 'text/html', '', 'image/png', 'image/webp;q=0.5,x/y']) {
      const p = parseTransform({ w: '10' });
      keys.add(canonicalParams(p, negotiateFormat(p.fmt, accept)));
    }
    assert.equal(keys.size, 3);
  });

  it('the signed text keeps fmt as written (auto) and covers preview', () => {
    const p = parseTransform({ w: '800', fmt: 'webp' });
    assert.equal(signedParams(p), 'fit=inside&fmt=webp&q=85&w=800');
    assert.equal(signedParams(parseTransform({ fmt: 'webp', width: '800', q: '85' })), signedParams(p));
    assert.equal(signedParams(parseTransform({ w: '800' })), 'fit=inside&fmt=auto&q=85&w=800');
    assert.notEqual(signedParams(parseTransform({ w: '800', fmt: 'webp', preview: '1' })), signedParams(p));
    assert.notEqual(signedParams(parseTransform({ w: '801', fmt: 'webp' })), signedParams(p));
  });
});

describe('negotiateFormat', () => {
  const auto: TransformParams['fmt'] = 'auto';
  it('an explicit format wins over Accept', () => {
    assert.equal(negotiateFormat('png', 'image/avif,image/webp'), 'png');
    assert.equal(negotiateFormat('jpeg', undefined), 'jpeg');
  });

  it('avif, then webp, then the original', () => {
    const cases: Array<[string | undefined, string]> = [
      ['image/avif,image/webp,image/apng,image/*,*/*;q=0.8', 'avif'], // Chrome
      ['image/webp,*/*', 'webp'], // older Firefox
      ['image/webp,image/avif', 'avif'], // order does not matter
      ['IMAGE/AVIF', 'avif'],
      ['image/avif;q=0,image/webp', 'webp'],
      ['image/avif; q=0.0, image/webp;q=0.5', 'webp'],
      ['image/avif;q=0.1', 'avif'],
      ['image/webp;q=0', 'original'],
      ['*/*', 'original'],
      ['image/*', 'original'],
      ['image/png,image/jpeg', 'original'],
      ['', 'original'],
      [undefined, 'original'],
      ['image/avifx,image/webpx', 'original'],
    ];
    for (const [accept, want] of cases) assert.equal(negotiateFormat(auto, accept), want, `Accept: ${accept}`);
  });
});
