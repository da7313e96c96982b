import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { JSDOM } from 'jsdom';
import sharp from 'sharp';
import { MediaError } from '../../src/media/media-error.js';
import { SVG_CONTENT_LIMITS, SVG_FILTER_LIMITS, SVG_LIMITS, checkEmbeddedRasters, sanitizeSvg } from '../../src/media/svg-sanitize.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
const clean = (name: string): string => sanitizeSvg(fixture(name)).toString('utf8');
const { window } = new JSDOM('');

/** Walks the sanitised output as XML (as a browser would read it) and fails on any active or external content. */
function assertInert(svgText: string): Document {
  const doc = new window.DOMParser().parseFromString(svgText, 'image/svg+xml');
  assert.equal(doc.documentElement.localName, 'svg');
  assert.equal(doc.documentElement.namespaceURI, 'http://www.w3.org/2000/svg');
  for (const el of Array.from(doc.getElementsByTagName('*'))) {
    assert.ok(!/^(script|foreignobject|iframe|embed|object|animate|set)$/i.test(el.localName), `<${el.localName}> left in`);
    assert.equal(el.namespaceURI, 'http://www.w3.org/2000/svg', `foreign element <${el.nodeName}>`);
    for (const attr of Array.from(el.attributes)) {
      assert.ok(!/^on/i.test(attr.localName), `${attr.name} handler left on <${el.localName}>`);
      if (attr.localName === 'href') {
        assert.ok(/^#|^data:image\/(png|jpeg|gif|webp|avif);base64,/i.test(attr.value.trim()), `href=${attr.value}`);
      }
      for (const m of attr.value.matchAll(/url\(\s*['"]?([^'")]*)/gi)) assert.ok(m[1]!.startsWith('#'), `${attr.name}=${attr.value}`);
      assert.ok(!/javascript:|@import|\\/i.test(attr.value), `${attr.name}=${attr.value}`);
    }
  }
  for (const style of Array.from(doc.getElementsByTagName('style'))) {
    const css = style.textContent ?? '';
    assert.ok(!/@import/i.test(css), css);
    for (const m of css.matchAll(/url\(\s*['"]?([^'")]*)/gi)) assert.ok(m[1]!.startsWith('#'), css);
  }
  return doc;
}

async function rasterise(svgText: string): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(Buffer.from(svgText), { failOn: 'error' }).png().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

async function meanPixelDifference(a: Buffer, b: Buffer): Promise<number> {
  const [x, y] = await Promise.all([a, b].map((img) => sharp(img).ensureAlpha().raw().toBuffer()));
  assert.equal(x!.length, y!.length);
  let sum = 0;
  for (let i = 0; i < x!.length; i++) sum += Math.abs(x![i]! - y![i]!);
  return sum / x!.length;
}

describe('sanitizeSvg', () => {
  it('keeps a clean drawing intact: shapes, gradients, filters, styles, local <use> and links', async () => {
    const out = clean('clean.svg');
    const doc = assertInert(out);
    for (const tag of ['rect', 'circle', 'path', 'linearGradient', 'radialGradient', 'feGaussianBlur', 'symbol', 'title', 'a']) {
      assert.ok(doc.getElementsByTagName(tag).length > 0, `<${tag}> lost`);
    }
    assert.equal(doc.getElementsByTagName('use').length, 2);
    assert.match(out, /viewBox="0 0 120 80"/);
    assert.match(out, /fill="url\(#sky\)"/);
    assert.match(out, /\.sun \{ fill: url\(#sun\); \}/);
    assert.match(out, /<a href="#bg">/);
    const before = await rasterise(fixture('clean.svg').toString());
    const after = await rasterise(out);
    assert.deepEqual([after.width, after.height], [120, 80]);
    assert.ok((await meanPixelDifference(before.data, after.data)) < 0.5, 'renders the same as the original');
  });

  it('drops the BOM, XML declaration, comment and doctype', async () => {
    const out = clean('clean-prolog.svg');
    assert.ok(out.startsWith('<svg'), out.slice(0, 40));
    assert.doesNotMatch(out, /<\?xml|<!DOCTYPE|<!--|\ufeff/);
    assertInert(out);
    assert.deepEqual((await rasterise(out)).width, 64);
  });

  it('removes <script> in every form', async () => {
    const out = clean('hostile-script.svg');
    assert.doesNotMatch(out, /script|alert|fetch|cookie/i);
    assert.match(out, /id="keep"/);
    assertInert(out);
    await rasterise(out);
  });

  it('removes on* handlers and animations that would set them', async () => {
    const out = clean('hostile-onload.svg');
    assert.doesNotMatch(out, /\son\w+\s*=|alert|<set|<animate/i);
    assert.match(out, /id="keep"/);
    assert.match(out, /<circle/);
    assertInert(out);
    await rasterise(out);
  });

  it('removes javascript: and data: links but keeps inline raster images', async () => {
    const out = clean('hostile-javascript-link.svg');
    assert.doesNotMatch(out, /javascript:|data:text|data:image\/svg/i);
    assert.match(out, /id="inline-png"[^>]*href="data:image\/png;base64,/);
    assert.equal((out.match(/<circle/g) ?? []).length, 2, 'the shapes inside the links stay');
    assertInert(out);
    await rasterise(out);
  });

  it('removes <foreignObject> with its HTML content', async () => {
    const out = clean('hostile-foreignobject.svg');
    assert.doesNotMatch(out, /foreignObject|iframe|<body|<img|onerror|evil/i);
    assert.match(out, /id="keep"/);
    assertInert(out);
    await rasterise(out);
  });

  it('removes external href, <use>, feImage sources, @import and external url()', async () => {
    const out = clean('hostile-external.svg');
    assert.doesNotMatch(out, /evil\.example|@import|file:|\/\/evil/i);
    assert.doesNotMatch(out, /<use/, 'a <use> that pointed outside is removed');
    assert.match(out, /circle \{ fill: url\(#local\); \}/, 'local CSS references stay');
    assert.match(out, /id="keep"/);
    assertInert(out);
    const { width } = await rasterise(out);
    assert.equal(width, 50);
  });

  it('refuses entity declarations (XXE, billion laughs) as corrupt', () => {
    assert.throws(() => sanitizeSvg(fixture('hostile-entities.svg')), (err: unknown) => {
      assert.ok(err instanceof MediaError);
      assert.equal(err.kind, 'corrupt');
      assert.doesNotMatch(err.message, /root:/);
      return true;
    });
  });

  it('refuses HTML, text and malformed XML as corrupt', () => {
    const inputs = [
      fixture('html-with-svg.svg'),
      fixture('not-image.txt'),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>'),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/><svg xmlns="http://www.w3.org/2000/svg"/>'),
      Buffer.from('<svg xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></svg>'),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" xlink:href="#x"/>'), // unbound prefix
      Buffer.from([0xff, 0xfe, 0x3c, 0x00, 0x73, 0x00]),
      Buffer.alloc(0),
    ];
    for (const input of inputs) {
      assert.throws(() => sanitizeSvg(input), { name: 'MediaError', kind: 'corrupt' }, input.toString().slice(0, 50));
    }
  });

  it('refuses input over maxBytes as too_large', () => {
    const big = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg"><desc>${'x'.repeat(2 * 1024 * 1024)}</desc></svg>`);
    assert.throws(() => sanitizeSvg(big), { name: 'MediaError', kind: 'too_large' });
    assert.throws(() => sanitizeSvg(fixture('clean.svg'), 100), { name: 'MediaError', kind: 'too_large' });
  });

  it('refuses markup too deep or too busy to parse cheaply as too_large, quickly', () => {
    const ns = 'xmlns="http://www.w3.org/2000/svg"';
    const inputs = {
      deep: `<svg ${ns}>${'<g>'.repeat(20_000)}${'</g>'.repeat(20_000)}</svg>`,
      'depth hidden behind quoted "/>"': `<svg ${ns}>${'<g a="/>">'.repeat(SVG_LIMITS.maxDepth + 1)}${'</g>'.repeat(SVG_LIMITS.maxDepth + 1)}</svg>`,
      'many elements': `<svg ${ns}>${'<g/>'.repeat(SVG_LIMITS.maxElements + 1)}</svg>`,
      'many attributes': `<svg ${ns}><g ${Array.from({ length: 50_000 }, (_, i) => `a${i}="1"`).join(' ')}/></svg>`,
    };
    for (const [name, text] of Object.entries(inputs)) {
      const started = performance.now();
      assert.throws(() => sanitizeSvg(Buffer.from(text)), { name: 'MediaError', kind: 'too_large' }, name);
      assert.ok(performance.now() - started < 500, `${name}: ${performance.now() - started} ms`);
    }
    const nested = `<svg ${ns}>${'<g>'.repeat(SVG_LIMITS.maxDepth - 1)}<rect width="1" height="1"/>${'</g>'.repeat(SVG_LIMITS.maxDepth - 1)}</svg>`;
    assert.match(sanitizeSvg(Buffer.from(nested)).toString(), /<rect/);
  });

  it('handles encoded and obfuscated tricks', async () => {
    const tricky = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20">
      <a href="&#x6a;avascript:alert(1)"><rect width="5" height="5"/></a>
      <use href="#r" xlink:href="https://evil.example/x#a"/>
      <rect id="r" fill="\\75rl(https://evil.example/x)" width="4" height="4"/>
      <g xml:base="https://evil.example/"><rect width="1" height="1" style="fill: u\\72l(https://evil.example/)"/></g>
      <style><![CDATA[ @import url(https://evil.example/x.css); g { fill: u\\72l(https://evil.example/) } ]]></style>
      <!--<script>alert(1)</script>--><?xml-stylesheet href="https://evil.example/x.css"?>
      <svg:script xmlns:svg="http://www.w3.org/2000/svg">alert(1)</svg:script>
      <animateTransform attributeName="transform" type="rotate" dur="1s"/>
      <animate attributeName="href" to="javascript:alert(1)"/>
    </svg>`;
    const out = sanitizeSvg(Buffer.from(tricky)).toString();
    assert.doesNotMatch(out, /evil|javascript|alert|xml:base|xml-stylesheet/i);
    assert.match(out, /<use href="#r"\/>/);
    assertInert(out);
    await rasterise(out);
  });

  it('gives a bare <svg> its namespace so it stays an SVG', async () => {
    const out = sanitizeSvg(Buffer.from('<svg width="10" height="10"><rect width="10" height="10" fill="red"/></svg>')).toString();
    assert.match(out, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assertInert(out);
    assert.equal((await rasterise(out)).width, 10);
  });

  it('is idempotent', () => {
    for (const name of ['clean.svg', 'hostile-external.svg', 'hostile-javascript-link.svg']) {
      const once = sanitizeSvg(fixture(name));
      assert.equal(sanitizeSvg(once).toString(), once.toString(), name);
    }
  });
});

describe('sanitizeSvg bounds filters before anything rasterises', () => {
  const wrap = (inner: string) => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">${inner}</svg>`);
  it('clamps turbulence octaves and morphology radii, drops oversized convolution kernels', () => {
    const out = sanitizeSvg(
      wrap(
        '<filter id="f"><feTurbulence baseFrequency="0.1" numOctaves="40"/><feMorphology radius="500 3"/>' +
          '<feConvolveMatrix order="30" kernelMatrix="1"/><feConvolveMatrix order="3" kernelMatrix="0 0 0 0 1 0 0 0 0"/></filter><rect width="9" height="9" filter="url(#f)"/>',
      ),
    ).toString();
    assert.match(out, new RegExp(`numOctaves="${SVG_FILTER_LIMITS.maxTurbulenceOctaves}"`));
    assert.match(out, new RegExp(`radius="${SVG_FILTER_LIMITS.maxMorphologyRadius} 3"`));
    assert.equal((out.match(/<feConvolveMatrix/g) ?? []).length, 1, out);
    assert.match(out, /order="3"/);
  });

  it('leaves modest filters as they are', () => {
    const input = '<filter id="s"><feGaussianBlur stdDeviation="2"/><feTurbulence numOctaves="2" baseFrequency="0.2"/></filter>';
    const out = sanitizeSvg(wrap(input)).toString();
    assert.match(out, /numOctaves="2"/);
    assert.match(out, /stdDeviation="2"/);
  });

  it(`refuses more than ${SVG_FILTER_LIMITS.maxPrimitives} filter primitives as too large`, () => {
    const many = `<filter id="f">${'<feOffset dx="1"/>'.repeat(SVG_FILTER_LIMITS.maxPrimitives + 1)}</filter>`;
    assert.throws(() => sanitizeSvg(wrap(many)), { name: 'MediaError', kind: 'too_large' });
    const enough = `<filter id="f">${'<feOffset dx="1"/>'.repeat(SVG_FILTER_LIMITS.maxPrimitives)}</filter>`;
    assert.match(sanitizeSvg(wrap(enough)).toString(), /feOffset/);
  });
});

describe('sanitizeSvg bounds text and embedded rasters', () => {
  const wrap = (inner: string) => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">${inner}</svg>`);
  it(`refuses more than ${SVG_CONTENT_LIMITS.maxTextChars} characters of text`, () => {
    assert.throws(() => sanitizeSvg(wrap(`<text>${'x'.repeat(SVG_CONTENT_LIMITS.maxTextChars + 1)}</text>`)), { name: 'MediaError', kind: 'too_large' });
    assert.match(sanitizeSvg(wrap(`<text>${'x'.repeat(1000)}</text>`)).toString(), /<text>x/);
  });

  it('refuses embedded rasters past the pixel budget from their headers alone', async () => {
    const { default: sharp } = await import('sharp');
    const { makePngBomb } = await import('../fixtures/bombs.js');
    const size = (b: Buffer) => sharp(b, { limitInputPixels: false }).metadata();
    const small = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#000' } }).png().toBuffer();
    const ok = sanitizeSvg(wrap(`<image width="10" height="10" href="data:image/png;base64,${small.toString('base64')}"/>`));
    await checkEmbeddedRasters(ok, size);
    const bomb = sanitizeSvg(wrap(`<image width="10" height="10" href="data:image/png;base64,${makePngBomb(20_000, 20_000).toString('base64')}"/>`));
    await assert.rejects(checkEmbeddedRasters(bomb, size), { name: 'MediaError', kind: 'too_many_pixels' });
  });
});
