// The audio sniffer (media/audio/sniff-audio.ts): real files made by ffmpeg and hand-made headers; a file is
// judged by its bytes only, and a refusal names what the bytes look like.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { AUDIO_SNIFF_BYTES, describeRefused, sniffAudio } from '../../src/media/audio/sniff-audio.js';
import { generateAudio, type AudioClip } from '../support/audio-clips.js';
import { isCI } from '../support/services.js';
import { ffmpegAvailable } from '../support/video-clips.js';

const fixture = (name: string): Promise<Buffer> => readFile(new URL(`../fixtures/${name}`, import.meta.url));
const head = async (kind: AudioClip): Promise<Buffer> => (await readFile(await generateAudio(kind))).subarray(0, AUDIO_SNIFF_BYTES);

/** An ftyp box with these brands, then some padding. */
const ftyp = (major: string, ...compatible: string[]): Buffer => {
  const box = Buffer.alloc(16 + 4 * compatible.length);
  box.writeUInt32BE(box.length, 0);
  box.write(`ftyp${major}`, 4, 'latin1');
  compatible.forEach((brand, i) => box.write(brand, 16 + 4 * i, 'latin1'));
  return Buffer.concat([box, Buffer.alloc(64)]);
};

/** MPEG-1 Layer III, 128 kbps, 44.1 kHz frames (417 bytes each), `n` of them. */
const mp3Frames = (n: number): Buffer => {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64]);
  return Buffer.concat(Array.from({ length: n }, () => frame));
};

const ffmpeg = await ffmpegAvailable();
if (!ffmpeg && isCI) throw new Error('ffmpeg is missing (CI=true)');

describe('sniffAudio: real files', { skip: ffmpeg ? undefined : 'ffmpeg missing' }, () => {
  const cases: Array<[AudioClip, string | undefined]> = [
    ['mp3Cover', 'mp3'], ['mp3Plain', 'mp3'], ['flacCover', 'flac'], ['m4aCover', 'm4a'], ['wav', 'wav'], ['ogg', 'ogg'], ['adts', undefined],
  ];
  for (const [kind, format] of cases) {
    it(`${kind} → ${format ?? 'refused'}`, async () => {
      assert.equal(sniffAudio(await head(kind))?.format, format);
    });
  }

  it('a refused ADTS stream is named audio/aac', async () => {
    assert.equal(await describeRefused(await head('adts')), 'audio/aac');
  });

  it('types carry the MIME type and extension the media host serves', async () => {
    assert.deepEqual(sniffAudio(await head('mp3Cover')), { format: 'mp3', mimeType: 'audio/mpeg', ext: 'mp3' });
    assert.deepEqual(sniffAudio(await head('m4aCover')), { format: 'm4a', mimeType: 'audio/mp4', ext: 'm4a' });
    assert.deepEqual(sniffAudio(await head('flacCover')), { format: 'flac', mimeType: 'audio/flac', ext: 'flac' });
  });
});

describe('sniffAudio: headers', () => {
  it('magic numbers of the accepted containers', () => {
    assert.equal(sniffAudio(Buffer.from('fLaC\0\0\0\x22 rest of a flac file'))?.format, 'flac');
    assert.equal(sniffAudio(Buffer.from('OggS\0\x02 rest of an ogg page'))?.format, 'ogg');
    assert.equal(sniffAudio(Buffer.from('RIFF\x24\0\0\0WAVEfmt '))?.format, 'wav');
    assert.equal(sniffAudio(Buffer.from('ID3\x03\0\0\0\0\x02\x63TIT2'))?.format, 'mp3');
    assert.equal(sniffAudio(mp3Frames(3))?.format, 'mp3');
    assert.equal(sniffAudio(ftyp('M4A ', 'M4A ', 'isom'))?.format, 'm4a');
    assert.equal(sniffAudio(ftyp('isom', 'iso2', 'mp41'))?.format, 'm4a');
  });

  it('look-alikes are refused', () => {
    assert.equal(sniffAudio(Buffer.from('RIFF\x24\0\0\0AVI LIST')), undefined, 'AVI is RIFF but not WAVE');
    assert.equal(sniffAudio(Buffer.from('RIFF\x24\0\0\0WEBPVP8 ')), undefined, 'WebP is RIFF too');
    assert.equal(sniffAudio(ftyp('heic', 'mif1', 'heic')), undefined, 'HEIC');
    assert.equal(sniffAudio(ftyp('avif', 'avif', 'mif1')), undefined, 'AVIF');
    assert.equal(sniffAudio(ftyp('isom', 'mif1')), undefined, 'an image brand anywhere');
    assert.equal(sniffAudio(ftyp('qt  ', 'qt  ')), undefined, 'QuickTime');
    assert.equal(sniffAudio(Buffer.from('ID3\x09\0\0\0\0\0\0')), undefined, 'ID3 with an impossible version');
    assert.equal(sniffAudio(Buffer.from('ID3\x03\0\0\x80\0\0\0')), undefined, 'ID3 with a size byte over 0x7f');
    assert.equal(sniffAudio(Buffer.from([0xff, 0xf1, 0x50, 0x80, 0, 0, 0, 0])), undefined, 'ADTS AAC (layer bits 00)');
    assert.equal(sniffAudio(Buffer.from([0xff, 0xfb, 0xf0, 0x64, 0, 0, 0, 0])), undefined, 'bad bitrate index');
    assert.equal(sniffAudio(Buffer.from([0xff, 0xfb, 0x9c, 0x64, 0, 0, 0, 0])), undefined, 'reserved sample rate');
    const oneGoodFrame = Buffer.concat([mp3Frames(1), Buffer.alloc(100, 0x41)]);
    assert.equal(sniffAudio(oneGoodFrame), undefined, 'a frame header followed by something that is not the next frame');
    assert.equal(sniffAudio(Buffer.from('not audio at all, just some text renamed .mp3')), undefined);
    assert.equal(sniffAudio(Buffer.alloc(0)), undefined);
    assert.equal(sniffAudio(Buffer.from('fLa')), undefined, 'too short');
  });

  it('images and documents are refused, and named', async () => {
    for (const name of ['photo.jpg', 'alpha.png', 'animated.gif', 'image.heic', 'polyglot-pdf-jpeg.pdf', 'jpeg-in-zip.zip', 'clean.svg', 'not-image.txt']) {
      assert.equal(sniffAudio(await fixture(name)), undefined, name);
    }
    assert.equal(await describeRefused(await fixture('photo.jpg')), 'image/jpeg');
    assert.equal(await describeRefused(Buffer.from('plain words\n')), 'text/plain');
    assert.equal(await describeRefused(Buffer.from([0, 1, 2, 3, 0xfe, 0x10])), 'application/octet-stream');
  });
});
