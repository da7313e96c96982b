// Photo information from EXIF (media/exif-info.ts): the fields a camera writes, and hostile blocks — garbage,
// truncations, bit flips, NaN and out-of-range GPS, endless strings, an amplification bomb — never throw.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { cameraName, MAX_EXIF_BYTES, MAX_TEXT, readPhotoInfo, type PhotoInfo } from '../../src/media/exif-info.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/${name}`, import.meta.url).pathname);
const exifOf = async (image: Buffer): Promise<Buffer> => {
  const exif = (await sharp(image).metadata()).exif;
  assert.ok(exif, 'the image carries EXIF');
  return exif;
};

// ---- a little-endian TIFF/EXIF writer, for blocks no camera (and no sharp) would write ----
type Entry = { tag: number; type: number; count: number; data: Buffer };
const ascii = (tag: number, s: string | Buffer): Entry => {
  const data = Buffer.concat([Buffer.isBuffer(s) ? s : Buffer.from(s, 'latin1'), Buffer.from([0])]);
  return { tag, type: 2, count: data.length, data };
};
const rationals = (tag: number, values: Array<[number, number]>): Entry => {
  const data = Buffer.alloc(8 * values.length);
  values.forEach(([n, d], i) => {
    data.writeUInt32LE(n, 8 * i);
    data.writeUInt32LE(d, 8 * i + 4);
  });
  return { tag, type: 5, count: values.length, data };
};
const short = (tag: number, v: number): Entry => {
  const data = Buffer.alloc(2);
  data.writeUInt16LE(v);
  return { tag, type: 3, count: 1, data };
};

/** "Exif\0\0" + a TIFF with IFD0 and, when given, the Exif and GPS IFDs it points to. */
function exifBlock(ifd0: Entry[], exif?: Entry[], gps?: Entry[]): Buffer {
  const pointerPlaceholders: Entry[] = [];
  if (exif) pointerPlaceholders.push({ tag: 0x8769, type: 4, count: 1, data: Buffer.alloc(4) });
  if (gps) pointerPlaceholders.push({ tag: 0x8825, type: 4, count: 1, data: Buffer.alloc(4) });
  const ifds = [[...ifd0, ...pointerPlaceholders], ...(exif ? [exif] : []), ...(gps ? [gps] : [])];
  // offsets: header 8, then each IFD followed by its out-of-line data
  const sizes = ifds.map((entries) => 2 + 12 * entries.length + 4 + entries.reduce((n, e) => n + (e.data.length > 4 ? e.data.length + (e.data.length % 2) : 0), 0));
  const starts: number[] = [];
  let at = 8;
  for (const size of sizes) {
    starts.push(at);
    at += size;
  }
  if (exif) pointerPlaceholders[0]!.data.writeUInt32LE(starts[1]!);
  if (gps) pointerPlaceholders[exif ? 1 : 0]!.data.writeUInt32LE(starts[exif ? 2 : 1]!);
  const out = Buffer.alloc(at);
  out.write('II', 0, 'latin1');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(8, 4);
  ifds.forEach((entries, k) => {
    const start = starts[k]!;
    out.writeUInt16LE(entries.length, start);
    let data = start + 2 + 12 * entries.length + 4;
    entries.forEach((e, i) => {
      const o = start + 2 + 12 * i;
      out.writeUInt16LE(e.tag, o);
      out.writeUInt16LE(e.type, o + 2);
      out.writeUInt32LE(e.count, o + 4);
      if (e.data.length <= 4) e.data.copy(out, o + 8);
      else {
        out.writeUInt32LE(data, o + 8);
        e.data.copy(out, data);
        data += e.data.length + (e.data.length % 2);
      }
    });
  });
  return Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), out]);
}

const GPS = (lat: Array<[number, number]>, lon: Array<[number, number]>, latRef = 'N', lonRef = 'E'): Entry[] => [
  ascii(0x0001, latRef), rationals(0x0002, lat), ascii(0x0003, lonRef), rationals(0x0004, lon),
];
const PARIS: [Array<[number, number]>, Array<[number, number]>] = [[[48, 1], [51, 1], [2964, 100]], [[2, 1], [17, 1], [4023, 100]]];

describe('readPhotoInfo', () => {
  it('reads the GPS fixture: camera, date taken and location (48°51′29.64″N 2°17′40.23″E)', async () => {
    const info = readPhotoInfo(await exifOf(fixture('photo-exif-orient6-gps.jpg')));
    assert.deepEqual(info, {
      cameraMake: 'Picora', cameraModel: 'Fixture Camera', lensModel: null, focalLengthMm: null, fNumber: null, exposureTime: null, iso: null,
      takenAt: '2024-05-01T12:00:00', gpsLatitude: 48.858233, gpsLongitude: 2.294508,
    } satisfies PhotoInfo);
  });

  it('reads lens and exposure as a camera writes them, south and west as negative degrees, the offset of the time', async () => {
    const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#888' } })
      .jpeg()
      .withExif({
        IFD0: { Make: 'Canon', Model: 'Canon EOS R5' },
        IFD2: { FNumber: '28/10', ExposureTime: '1/250', ISOSpeedRatings: '200', FocalLength: '50/1', LensModel: 'RF50mm F1.8 STM', DateTimeOriginal: '2023:07:14 18:30:05', OffsetTimeOriginal: '+02:00' },
        IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '33/1 51/1 2154/100', GPSLongitudeRef: 'W', GPSLongitude: '70/1 40/1 0/1' },
      })
      .toBuffer();
    assert.deepEqual(readPhotoInfo(await exifOf(jpeg)), {
      cameraMake: 'Canon', cameraModel: 'Canon EOS R5', lensModel: 'RF50mm F1.8 STM', focalLengthMm: 50, fNumber: 2.8, exposureTime: '1/250', iso: 200,
      takenAt: '2023-07-14T18:30:05+02:00', gpsLatitude: -33.855983, gpsLongitude: -70.666667,
    } satisfies PhotoInfo);
  });

  it('writes long exposures as seconds, short ones as reciprocals', () => {
    const exposure = (n: number, d: number) => readPhotoInfo(exifBlock([ascii(0x010f, 'X')], [rationals(0x829a, [[n, d]])]))?.exposureTime;
    assert.equal(exposure(1, 4000), '1/4000');
    assert.equal(exposure(1, 4), '1/4');
    assert.equal(exposure(3, 10), '0.3');
    assert.equal(exposure(2, 1), '2');
    assert.equal(exposure(0, 1), null, 'zero');
    assert.equal(exposure(1, 0), null, 'infinite');
    assert.equal(exposure(0, 0), null, 'NaN');
    assert.equal(exposure(7200, 1), null, 'two hours');
  });

  it('has no information for no EXIF, an empty block, or one without any field it shows', () => {
    assert.equal(readPhotoInfo(undefined), null);
    assert.equal(readPhotoInfo(Buffer.alloc(0)), null);
    assert.equal(readPhotoInfo(exifBlock([short(0x0112, 6)])), null, 'orientation only');
  });

  it('never throws on garbage, truncations or flipped bits of a real block', async () => {
    const real = await exifOf(fixture('photo-exif-orient6-gps.jpg'));
    const garbage = [Buffer.from('Exif\0\0garbage'), Buffer.from('MM\0*\0\0\0\x08'), Buffer.from('II*\0\xff\xff\xff\xff', 'latin1'), Buffer.alloc(64, 0xff), Buffer.alloc(64)];
    for (const g of garbage) assert.equal(readPhotoInfo(g), null, JSON.stringify(g.toString('latin1')));
    for (let cut = 0; cut < real.length; cut++) readPhotoInfo(real.subarray(0, cut));
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 3000; i++) {
      const copy = Buffer.from(real);
      for (let k = 0; k < 1 + Math.floor(random() * 8); k++) copy[6 + Math.floor(random() * (copy.length - 6))] = Math.floor(random() * 256);
      const info = readPhotoInfo(copy);
      if (info?.gpsLatitude != null) assert.ok(Math.abs(info.gpsLatitude) <= 90 && Number.isFinite(info.gpsLatitude));
      if (info?.gpsLongitude != null) assert.ok(Math.abs(info.gpsLongitude) <= 180 && Number.isFinite(info.gpsLongitude));
    }
  });

  it('drops NaN, infinite and out-of-range GPS, GPS without its references, void fixes and 0,0', () => {
    const location = (gps: Entry[]) => {
      const info = readPhotoInfo(exifBlock([ascii(0x010f, 'Make')], undefined, gps));
      assert.ok(info, 'the camera make is still read');
      return [info.gpsLatitude, info.gpsLongitude];
    };
    assert.deepEqual(location(GPS(...PARIS)), [48.858233, 2.294508]);
    assert.deepEqual(location(GPS([[0, 0], [51, 1], [0, 1]], PARIS[1])), [null, null], 'NaN degrees');
    assert.deepEqual(location(GPS([[48, 0], [51, 1], [0, 1]], PARIS[1])), [null, null], 'infinite degrees');
    assert.deepEqual(location(GPS([[95, 1], [0, 1], [0, 1]], PARIS[1])), [null, null], 'latitude 95°');
    assert.deepEqual(location(GPS(PARIS[0], [[181, 1], [0, 1], [0, 1]])), [null, null], 'longitude 181°');
    assert.deepEqual(location(GPS([[48, 1], [75, 1], [0, 1]], PARIS[1])), [null, null], '75 minutes');
    assert.deepEqual(location(GPS([[48, 1], [51, 1]], PARIS[1])), [null, null], 'two components');
    assert.deepEqual(location(GPS(...PARIS, 'X', 'E')), [null, null], 'unknown reference');
    assert.deepEqual(location(GPS(...PARIS).filter((e) => e.tag !== 0x0001)), [null, null], 'no latitude reference');
    assert.deepEqual(location([...GPS(...PARIS), ascii(0x0009, 'V')]), [null, null], 'status: void');
    assert.deepEqual(location(GPS([[0, 1], [0, 1], [0, 1]], [[0, 1], [0, 1], [0, 1]])), [null, null], 'null island');
  });

  it(`cuts strings at ${MAX_TEXT} characters and removes control and bidi characters`, () => {
    const info = readPhotoInfo(exifBlock([ascii(0x010f, 'A'.repeat(5000)), ascii(0x0110, 'Evil\r\n\u0007Cam'), ascii(0x0131, 'x')], [ascii(0xa434, Buffer.from('Lens \u202eredro\u202c é', 'utf8'))]));
    assert.equal(info?.cameraMake, 'A'.repeat(MAX_TEXT));
    assert.equal(info?.cameraModel, 'Evil Cam');
    assert.equal(info?.lensModel, 'Lens redro é', 'UTF-8 bytes decoded, the override removed');
    assert.equal(readPhotoInfo(exifBlock([ascii(0x010f, '\u0001\u0002   ')])), null, 'nothing left of the string');
  });

  it('drops implausible exposure values and dates', () => {
    const info = readPhotoInfo(
      exifBlock([ascii(0x010f, 'M')], [rationals(0x829d, [[1, 10]]), rationals(0x920a, [[0, 0]]), short(0x8827, 0), ascii(0x9003, '0000:00:00 00:00:00')]),
    );
    assert.deepEqual([info?.fNumber, info?.focalLengthMm, info?.iso, info?.takenAt], [null, null, null, null]);
    const taken = (date: string, offset?: string) => readPhotoInfo(exifBlock([ascii(0x010f, 'M')], [ascii(0x9003, date), ...(offset ? [ascii(0x9011, offset)] : [])]))?.takenAt;
    assert.equal(taken('2021:12:31 23:59:59', '-05:00'), '2021-12-31T23:59:59-05:00');
    assert.equal(taken('2021:12:31 23:59:59', '+99:00'), '2021-12-31T23:59:59', 'an impossible offset is left out');
    assert.equal(taken('yesterday'), null);
  });

  it('refuses an amplification bomb (thousands of entries claiming one long array) fast, without parsing it', () => {
    const len = 60_000;
    const tiff = Buffer.alloc(len);
    tiff.write('II', 0, 'latin1');
    tiff.writeUInt16LE(42, 2);
    tiff.writeUInt32LE(8, 4);
    const n = Math.floor((len - 14) / 12);
    tiff.writeUInt16LE(n, 8);
    for (let i = 0; i < n; i++) {
      const e = 10 + 12 * i;
      tiff.writeUInt16LE(0x0100 + (i % 200), e);
      tiff.writeUInt16LE(i % 2 ? 1 : 2, e + 2); // bytes or ASCII
      tiff.writeUInt32LE(len, e + 4);
      tiff.writeUInt32LE(0, e + 8);
    }
    const started = performance.now();
    assert.equal(readPhotoInfo(Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff])), null);
    const ms = performance.now() - started;
    assert.ok(ms < 500, `took ${ms.toFixed(0)} ms`);
  });

  it(`reads nothing from a block over ${MAX_EXIF_BYTES} bytes`, () => {
    const big = exifBlock([ascii(0x010f, 'Big'), { tag: 0x927c, type: 7, count: MAX_EXIF_BYTES, data: Buffer.alloc(MAX_EXIF_BYTES) }]);
    assert.equal(readPhotoInfo(big), null);
    assert.equal(readPhotoInfo(exifBlock([ascii(0x010f, 'Small'), { tag: 0x927c, type: 7, count: 1000, data: Buffer.alloc(1000) }]))?.cameraMake, 'Small');
  });
});

describe('cameraName', () => {
  it('prefixes the make unless the model already starts with it', () => {
    assert.equal(cameraName('Canon', 'Canon EOS R5'), 'Canon EOS R5');
    assert.equal(cameraName('NIKON CORPORATION', 'NIKON D850'), 'NIKON D850');
    assert.equal(cameraName('Apple', 'iPhone 15 Pro'), 'Apple iPhone 15 Pro');
    assert.equal(cameraName(null, 'X100V'), 'X100V');
    assert.equal(cameraName('Leica', null), 'Leica');
    assert.equal(cameraName(null, null), null);
  });
});
