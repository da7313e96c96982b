import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ACCEPTED_IMAGE_TYPES, SNIFF_BYTES, findSvgRoot, sniffImageType } from '../../src/media/sniff.js';
import type { ImageMime } from '../../src/media/sniff.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));

const expected: Record<string, ImageMime | undefined> = {
  'photo.jpg': 'image/jpeg',
  'photo-exif-orient6-gps.jpg': 'image/jpeg',
  'wrong-extension.png': 'image/jpeg', // named .png, really a JPEG: the bytes win
  'cmyk.jpg': 'image/jpeg',
  'truncated.jpg': 'image/jpeg', // sniffing only sees the head; probeImage refuses it
  'alpha.png': 'image/png',
  'animated.gif': 'image/gif',
  'animated.webp': 'image/webp',
  'image.avif': 'image/avif',
  'image.heic': 'image/heic',
  'image-irot.heic': 'image/heic',
  'bomb-50000x50000.png': 'image/png', // a real PNG header; probeImage refuses its size
  'bomb-65535x65535.gif': 'image/gif',
  'clean.svg': 'image/svg+xml',
  'clean-prolog.svg': 'image/svg+xml',
  'hostile-script.svg': 'image/svg+xml', // an SVG all the same; sanitizeSvg cleans it
  'hostile-onload.svg': 'image/svg+xml',
  'hostile-javascript-link.svg': 'image/svg+xml',
  'hostile-foreignobject.svg': 'image/svg+xml',
  'hostile-external.svg': 'image/svg+xml',
  'hostile-entities.svg': 'image/svg+xml',
  'html-with-svg.svg': undefined,
  'polyglot-pdf-jpeg.pdf': undefined,
  'jpeg-in-zip.zip': undefined,
  'not-image.txt': undefined,
};

const svg = (text: string): Buffer => Buffer.from(text, 'utf8');
const ftyp = (major: string, ...compatible: string[]): Buffer => {
  const box = Buffer.alloc(16 + 4 * compatible.length);
  box.writeUInt32BE(box.length, 0);
  box.write(`ftyp${major}`, 4, 'latin1');
  compatible.forEach((brand, i) => box.write(brand, 16 + 4 * i, 'latin1'));
  return Buffer.concat([box, Buffer.alloc(64)]);
};

describe('sniffImageType', () => {
  for (const [name, mime] of Object.entries(expected)) {
    it(`${name} → ${mime ?? 'rejected'}`, async () => {
      const bytes = fixture(name);
      const head = await sniffImageType(bytes.subarray(0, SNIFF_BYTES));
      assert.equal(head?.mime, mime);
      assert.deepEqual(await sniffImageType(bytes), head, 'the whole file sniffs like its head');
      if (head) assert.ok(ACCEPTED_IMAGE_TYPES.includes(head), 'results come from the accepted list');
    });
  }

  it('gives the canonical extension with the type', async () => {
    assert.deepEqual(await sniffImageType(fixture('wrong-extension.png')), { mime: 'image/jpeg', ext: 'jpg' });
    assert.deepEqual(await sniffImageType(fixture('image.heic')), { mime: 'image/heic', ext: 'heic' });
    assert.deepEqual(await sniffImageType(fixture('clean.svg')), { mime: 'image/svg+xml', ext: 'svg' });
  });

  it('rejects empty input and files that only contain an image later on', async () => {
    const jpeg = fixture('photo.jpg');
    assert.equal(await sniffImageType(Buffer.alloc(0)), undefined);
    assert.equal(await sniffImageType(Buffer.concat([Buffer.from('%PDF-1.7\n'), jpeg])), undefined);
    assert.equal(await sniffImageType(Buffer.concat([Buffer.from('GARBAGE!'), jpeg])), undefined);
    assert.equal(await sniffImageType(Buffer.concat([Buffer.from('hello '), fixture('clean.svg')])), undefined);
  });

  it('tells AVIF, HEIC and plain HEIF apart by their ftyp brands', async () => {
    assert.equal((await sniffImageType(ftyp('avif', 'mif1', 'miaf')))?.mime, 'image/avif');
    assert.equal((await sniffImageType(ftyp('avis', 'msf1')))?.mime, 'image/avif');
    assert.equal((await sniffImageType(ftyp('mif1', 'mif1', 'avif')))?.mime, 'image/avif');
    assert.equal((await sniffImageType(ftyp('heix', 'mif1')))?.mime, 'image/heic');
    assert.equal((await sniffImageType(ftyp('mif1', 'mif1', 'heic')))?.mime, 'image/heic');
    assert.equal((await sniffImageType(ftyp('msf1', 'hevc')))?.mime, 'image/heic');
    assert.equal((await sniffImageType(ftyp('mif1', 'miaf')))?.mime, 'image/heif');
    assert.equal(await sniffImageType(ftyp('isom', 'iso2', 'mp41')), undefined, 'an MP4 video');
    assert.equal(await sniffImageType(ftyp('qt  ')), undefined, 'a QuickTime movie');
  });

  it('accepts SVG behind a BOM, XML declaration, comments and an svg doctype', async () => {
    const accepted = [
      '<svg xmlns="http://www.w3.org/2000/svg"/>',
      '\ufeff<svg xmlns="http://www.w3.org/2000/svg"></svg>',
      '  \n<?xml version="1.0"?>\n<!-- a > b -->\n<svg\n xmlns="http://www.w3.org/2000/svg"/>',
      '<?xml version="1.0"?><?xml-stylesheet href="#s"?><svg xmlns="http://www.w3.org/2000/svg"/>',
      '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg/>',
      '<!doctype svg [ <!ENTITY ns "http://x/"> ]>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
    ];
    for (const text of accepted) assert.equal((await sniffImageType(svg(text)))?.mime, 'image/svg+xml', text);
  });

  it('rejects HTML and text that merely mentions <svg>', async () => {
    const rejected = [
      '<!DOCTYPE html><svg xmlns="http://www.w3.org/2000/svg"/>',
      '<html><body><svg></svg></body></html>',
      '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><svg/></html>',
      '<svgfoo/>',
      'svg',
      '<!-- never closed <svg>',
      `<!--${'x'.repeat(SNIFF_BYTES)}--><svg/>`, // the root is past the sniffed head
      '<?xml version="1.0"?>',
    ];
    for (const text of rejected) assert.equal(await sniffImageType(svg(text)), undefined, text.slice(0, 60));
    const utf16 = Buffer.from('\ufeff<svg xmlns="http://www.w3.org/2000/svg"/>', 'utf16le');
    assert.equal(await sniffImageType(utf16), undefined, 'UTF-16 SVG is not accepted');
  });

  it('findSvgRoot points at the root start tag', () => {
    const text = '<?xml version="1.0"?>\n<!-- c -->\n<svg width="1"/>';
    assert.equal(findSvgRoot(text), text.indexOf('<svg'));
    assert.equal(findSvgRoot('<g><svg/></g>'), undefined);
  });
});
