import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { VIDEO_SNIFF_BYTES, sniffVideo } from '../../src/media/video/sniff-video.js';
import type { VideoContainer } from '../../src/media/video/video-types.js';
import { isCI } from '../support/services.js';
import { ffmpegAvailable, generateClip, type ClipKind } from '../support/video-clips.js';

const fixture = (name: string): Promise<Buffer> => readFile(new URL(`../fixtures/${name}`, import.meta.url));

/** An ftyp box with these brands, then some padding. */
const ftyp = (major: string, ...compatible: string[]): Buffer => {
  const box = Buffer.alloc(16 + 4 * compatible.length);
  box.writeUInt32BE(box.length, 0);
  box.write(`ftyp${major}`, 4, 'latin1');
  compatible.forEach((brand, i) => box.write(brand, 16 + 4 * i, 'latin1'));
  return Buffer.concat([box, Buffer.alloc(64)]);
};
const atom = (type: string, size = 8): Buffer => {
  const b = Buffer.alloc(64);
  b.writeUInt32BE(size, 0);
  b.write(type, 4, 'latin1');
  return b;
};
/** An EBML header holding EBMLVersion 1 and this DocType. */
const ebml = (docType: string): Buffer => {
  const version = Buffer.from([0x42, 0x86, 0x81, 0x01]);
  const doc = Buffer.concat([Buffer.from([0x42, 0x82, 0x80 | docType.length]), Buffer.from(docType, 'latin1')]);
  const body = Buffer.concat([version, doc]);
  return Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x80 | body.length]), body, Buffer.alloc(32)]);
};

const ffmpegSkip = (await ffmpegAvailable()) ? false : isCI ? false : 'ffmpeg is not installed';

describe('sniffVideo: generated clips', { skip: ffmpegSkip }, () => {
  const expected: [ClipKind, VideoContainer | undefined, string | undefined][] = [
    ['landscape', 'mp4', 'video/mp4'],
    ['portrait', 'mov', 'video/quicktime'],
    ['rotated', 'mp4', 'video/mp4'],
    ['noAudio', 'mkv', 'video/x-matroska'],
    ['webm', 'webm', 'video/webm'],
    ['avi', 'avi', 'video/x-msvideo'],
    ['small240', 'mp4', 'video/mp4'],
    ['corrupt', 'mp4', 'video/mp4'], // the head is a real MP4's: probing refuses it
    ['audioOnlyMp4', 'mp4', 'video/mp4'], // ftyp isom: probing finds no video stream
    ['liarExt', undefined, undefined], // a PNG named .mp4
    ['nonVideo', undefined, undefined], // an MP3 (with cover art)
  ];
  for (const [kind, container, mime] of expected) {
    it(`${kind} → ${container ?? 'refused'}`, async () => {
      const bytes = await readFile(await generateClip(kind));
      const sniffed = await sniffVideo(bytes.subarray(0, VIDEO_SNIFF_BYTES));
      assert.equal(sniffed?.container, container);
      assert.equal(sniffed?.mimeType, mime);
      if (sniffed) assert.equal(sniffed.ext, container);
      assert.deepEqual(await sniffVideo(bytes), sniffed, 'the whole file sniffs like its head');
    });
  }
});

describe('sniffVideo: images and other files are not videos', () => {
  for (const name of ['image.heic', 'image-irot.heic', 'image.avif', 'alpha.png', 'photo.jpg', 'animated.gif', 'animated.webp', 'not-image.txt', 'clean.svg', 'jpeg-in-zip.zip', 'polyglot-pdf-jpeg.pdf']) {
    it(`${name} → refused`, async () => {
      assert.equal(await sniffVideo(await fixture(name)), undefined);
    });
  }
  it('refuses empty and tiny input, and text that mentions ftyp', async () => {
    assert.equal(await sniffVideo(new Uint8Array()), undefined);
    assert.equal(await sniffVideo(Buffer.from('ftyp')), undefined);
    assert.equal(await sniffVideo(Buffer.from('hello ftypisom world, this is text')), undefined);
    assert.equal(await sniffVideo(Buffer.from('RIFF\0\0\0\0WAVEfmt ')), undefined, 'WAV is RIFF but not AVI');
    assert.equal(await sniffVideo(Buffer.from('ID3\x03\0\0\0\0\0\0\xff\xfb', 'latin1')), undefined, 'MP3');
  });
});

describe('sniffVideo: ISO-BMFF brands', () => {
  const cases: [string, Buffer, VideoContainer | undefined][] = [
    ['isom', ftyp('isom', 'isom', 'iso2', 'avc1', 'mp41'), 'mp4'],
    ['mp42', ftyp('mp42', 'mp42', 'isom'), 'mp4'],
    ['mp41', ftyp('mp41'), 'mp4'],
    ['avc1', ftyp('avc1'), 'mp4'],
    ['iso5 (DASH/CMAF)', ftyp('iso5', 'iso6', 'mp41'), 'mp4'],
    ['M4V (iTunes, lists M4A among its brands)', ftyp('M4V ', 'M4V ', 'M4A ', 'mp42', 'isom'), 'mp4'],
    ['3gp (older phones)', ftyp('3gp4', '3gp4', 'isom'), 'mp4'],
    ['qt (QuickTime)', ftyp('qt  ', 'qt  '), 'mov'],
    ['HEIC', ftyp('heic', 'mif1', 'heic'), undefined],
    ['HEIF mif1', ftyp('mif1', 'mif1', 'heic'), undefined],
    ['AVIF', ftyp('avif', 'avif', 'mif1', 'miaf', 'MA1B'), undefined],
    ['AVIF sequence', ftyp('avis', 'avis', 'msf1', 'iso8', 'mif1', 'miaf'), undefined],
    ['an MP4 brand with AVIF among the compatible ones', ftyp('isom', 'avif', 'mif1'), undefined],
    ['M4A audio', ftyp('M4A ', 'M4A ', 'mp42', 'isom'), undefined],
    ['JPEG 2000', ftyp('jp2 ', 'jp2 '), undefined],
    ['Canon raw', ftyp('crx ', 'crx '), undefined],
    ['an unknown brand', ftyp('zzzz', 'zzzz'), undefined],
  ];
  for (const [name, bytes, container] of cases) {
    it(`${name} → ${container ?? 'refused'}`, async () => {
      assert.equal((await sniffVideo(bytes))?.container, container);
    });
  }

  it('takes a QuickTime file without ftyp by its leading atom', async () => {
    for (const type of ['moov', 'mdat', 'wide', 'free']) assert.equal((await sniffVideo(atom(type)))?.container, 'mov', type);
    assert.equal(await sniffVideo(atom('moov', 5)), undefined, 'an impossible atom size');
    assert.equal(await sniffVideo(atom('abcd')), undefined);
  });
});

describe('sniffVideo: EBML', () => {
  it('tells Matroska from WebM by the DocType', async () => {
    assert.deepEqual(await sniffVideo(ebml('matroska')), { container: 'mkv', mimeType: 'video/x-matroska', ext: 'mkv' });
    assert.deepEqual(await sniffVideo(ebml('webm')), { container: 'webm', mimeType: 'video/webm', ext: 'webm' });
  });
  it('refuses another DocType or a broken header', async () => {
    assert.equal(await sniffVideo(ebml('mka')), undefined);
    assert.equal(await sniffVideo(Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x00]), Buffer.alloc(16)])), undefined);
    const cut = ebml('matroska').subarray(0, 14);
    assert.equal(await sniffVideo(cut), undefined, 'the DocType runs past the bytes given');
  });
});
