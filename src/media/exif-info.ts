// Photo information for the owner's panel (camera, lens, exposure, date taken, location), read from the EXIF block
// that sharp's metadata() already returned during the upload's verifying probe: no extra read or decode of the file.
// Decoding is exif-reader's; this file bounds what it may cost and trusts nothing it returns. Hostile EXIF never
// throws: it yields no information (null), or drops the one field that is out of range.
//   - a block over MAX_EXIF_BYTES, or one whose entries claim more values than the block could hold (a few hundred
//     bytes can otherwise make a reader build gigabytes of arrays), is not parsed at all;
//   - strings lose control characters, are trimmed and cut to MAX_TEXT characters;
//   - numbers must be finite and plausible (f/0.5–f/256, 1/100000 s – 1 h, ISO 1–10 000 000 …);
//   - GPS needs both references (N/S, E/W), degrees/minutes/seconds in range, not 0,0, and a status other than void.
// Renditions are stripped elsewhere (render.ts); this only reads.
import exifReader from 'exif-reader';

/** The fields stored with an image (columns of `images`, migration 0015); each null when absent or implausible. */
export type PhotoInfo = {
  cameraMake: string | null;
  cameraModel: string | null;
  lensModel: string | null;
  focalLengthMm: number | null;
  fNumber: number | null;
  /** As photographers write it: "1/250", "0.5", "2". */
  exposureTime: string | null;
  iso: number | null;
  /** The camera's wall-clock time, ISO 8601 without a zone ("2024-05-01T12:00:00"), with "±hh:mm" when the file records its offset. */
  takenAt: string | null;
  /** Decimal degrees, 6 places (~0.1 m). */
  gpsLatitude: number | null;
  gpsLongitude: number | null;
};

export const EMPTY_PHOTO_INFO: PhotoInfo = {
  cameraMake: null, cameraModel: null, lensModel: null, focalLengthMm: null, fNumber: null, exposureTime: null, iso: null,
  takenAt: null, gpsLatitude: null, gpsLongitude: null,
};

/** JPEG caps EXIF at one 64 KiB segment; PNG/WebP/HEIF may carry more (maker notes). Past this, nothing is read. */
export const MAX_EXIF_BYTES = 256 * 1024;
/** Longest string kept (characters). */
export const MAX_TEXT = 100;

/** The information in an EXIF block (as sharp's `metadata().exif` gives it), or null when there is none to show. */
export function readPhotoInfo(exif: Buffer | undefined | null): PhotoInfo | null {
  if (!exif || exif.length < 8 || exif.length > MAX_EXIF_BYTES) return null;
  let tags: ReturnType<typeof exifReader>;
  try {
    if (!withinBudget(exif)) return null;
    tags = exifReader(exif);
  } catch {
    return null;
  }
  try {
    const image = (tags.Image ?? {}) as Record<string, unknown>;
    const photo = (tags.Photo ?? {}) as Record<string, unknown>;
    const gps = (tags.GPSInfo ?? {}) as Record<string, unknown>;
    const location = readLocation(gps);
    const info: PhotoInfo = {
      cameraMake: text(image['Make']),
      cameraModel: text(image['Model']),
      lensModel: text(photo['LensModel']),
      focalLengthMm: inRange(photo['FocalLength'], 0.1, 10_000, 2),
      fNumber: inRange(photo['FNumber'], 0.5, 256, 1),
      exposureTime: exposure(photo['ExposureTime']),
      iso: iso(photo['ISOSpeedRatings'] ?? photo['PhotographicSensitivity']),
      takenAt: takenAt(photo['DateTimeOriginal'] ?? photo['DateTimeDigitized'], photo['OffsetTimeOriginal']),
      gpsLatitude: location?.latitude ?? null,
      gpsLongitude: location?.longitude ?? null,
    };
    return Object.values(info).some((v) => v !== null) ? info : null;
  } catch {
    return null;
  }
}

/** A display name for the camera: the model, prefixed with the make unless the model already names it. */
export function cameraName(make: string | null, model: string | null): string | null {
  if (!model) return make;
  if (!make || model.toLowerCase().startsWith(make.toLowerCase().split(/\s+/)[0]!)) return model;
  return `${make} ${model}`;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ufffd]/g;

function text(value: unknown): string | null {
  let s: string;
  if (typeof value === 'string') s = value;
  else if (Buffer.isBuffer(value)) s = value.subarray(0, MAX_TEXT * 4).toString('utf8'); // bytes past ASCII: most writers mean UTF-8
  else return null;
  s = s.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  if (s === '') return null;
  const chars = [...s];
  return chars.length > MAX_TEXT ? chars.slice(0, MAX_TEXT).join('').trim() : s;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const round = (v: number, places: number) => Math.round(v * 10 ** places) / 10 ** places;

function inRange(value: unknown, min: number, max: number, places: number): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  return finite(v) && v >= min && v <= max ? round(v, places) : null;
}

function exposure(value: unknown): string | null {
  const t = Array.isArray(value) ? value[0] : value;
  if (!finite(t) || t < 1e-5 || t > 3600) return null;
  // exiftool's rule: reciprocals up to a quarter second, decimals above
  if (t <= 0.25001) return `1/${Math.round(1 / t)}`;
  return String(round(t, 1));
}

function iso(value: unknown): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  return finite(v) && Number.isInteger(v) && v >= 1 && v <= 10_000_000 ? v : null;
}

function takenAt(date: unknown, offset: unknown): string | null {
  // exif-reader reads "YYYY:MM:DD HH:MM:SS" as if it were UTC, so the UTC fields are the camera's wall clock
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return null;
  // the placeholder "0000:00:00 00:00:00" of cameras without a clock comes out as 1899/1900 (Date.UTC maps years 0–99)
  const year = date.getUTCFullYear();
  if (year <= 1900 || year > 2999) return null;
  const local = date.toISOString().slice(0, 19);
  const m = typeof offset === 'string' ? /^([+-])(\d{2}):(\d{2})$/.exec(offset.trim()) : null;
  return m && Number(m[2]) <= 14 && Number(m[3]) < 60 ? `${local}${m[0]}` : local;
}

function degrees(value: unknown, max: number): number | null {
  if (!Array.isArray(value) || value.length !== 3 || !value.every(finite)) return null;
  const [d, m, s] = value as [number, number, number];
  if (d < 0 || d > max || m < 0 || m >= 60 || s < 0 || s >= 60) return null;
  const v = d + m / 60 + s / 3600;
  return v <= max ? v : null;
}

function readLocation(gps: Record<string, unknown>): { latitude: number; longitude: number } | null {
  if (gps['GPSStatus'] === 'V') return null; // the receiver said the measurement is void
  const latRef = typeof gps['GPSLatitudeRef'] === 'string' ? gps['GPSLatitudeRef'].trim().toUpperCase() : '';
  const lonRef = typeof gps['GPSLongitudeRef'] === 'string' ? gps['GPSLongitudeRef'].trim().toUpperCase() : '';
  if ((latRef !== 'N' && latRef !== 'S') || (lonRef !== 'E' && lonRef !== 'W')) return null;
  const lat = degrees(gps['GPSLatitude'], 90);
  const lon = degrees(gps['GPSLongitude'], 180);
  if (lat === null || lon === null) return null;
  if (lat === 0 && lon === 0) return null; // "null island": a device without a fix
  const latitude = round(latRef === 'S' ? -lat : lat, 6);
  const longitude = round(lonRef === 'W' ? -lon : lon, 6);
  return { latitude: latitude === 0 ? 0 : latitude, longitude: longitude === 0 ? 0 : longitude };
}

// ---- the budget: what exif-reader would build, walked the way it walks (IFD0, IFD1, Exif, GPS, Interop) ----

const SIZES = [1, 1, 2, 4, 8, 1, 1, 2, 4, 8];
const EXIF_POINTER = 0x8769;
const GPS_POINTER = 0x8825;
const INTEROP_POINTER = 0xa005;

/**
 * True when exif-reader's work on `buf` stays linear in its size: the values that its entries declare (arrays and
 * strings it copies; byte blobs are views and free) add up to at most twice the block. Well-formed EXIF stores each
 * value once, so real files pass with room to spare; a block whose thousands of entries all point at the same long
 * array does not.
 */
function withinBudget(buf: Buffer): boolean {
  let start = 0;
  if (buf.toString('latin1', 0, 4) === 'Exif') start = 6;
  if (buf.length < start + 8) return false;
  const be = buf[start] === 0x4d;
  const u16 = (o: number) => (o >= 0 && o + 2 <= buf.length ? (be ? buf.readUInt16BE(o) : buf.readUInt16LE(o)) : -1);
  const u32 = (o: number) => (o >= 0 && o + 4 <= buf.length ? (be ? buf.readUInt32BE(o) : buf.readUInt32LE(o)) : -1);
  const budget = 2 * buf.length + 4096;
  let cost = 0;

  /** Adds what reading the IFD at `offset` costs; returns the last value of each pointer tag seen there. */
  const ifd = (offset: number): Map<number, number> => {
    const pointers = new Map<number, number>();
    const n = u16(offset);
    if (n < 0) return pointers;
    for (let i = 0, e = offset + 2; i < n && e + 2 <= buf.length; i++, e += 12) {
      cost += 1;
      const type = u16(e + 2);
      const count = u32(e + 4);
      if (type < 1 || type > 10 || count < 0) continue;
      const size = SIZES[type - 1]!;
      const inline = size * count <= 4;
      const at = inline ? e + 8 : u32(e + 8) + start;
      if (type !== 7 && count > 1) cost += Math.min(count, Math.max(0, Math.ceil((buf.length - at) / size))) * size;
      const tag = u16(e);
      if ((tag === EXIF_POINTER || tag === GPS_POINTER || tag === INTEROP_POINTER) && count === 1 && type !== 2 && type !== 7) {
        pointers.set(tag, numberAt(at, type, u16, u32, buf, be));
      }
    }
    return pointers;
  };

  const first = u32(start + 4);
  if (first < 8) return true; // exif-reader refuses it itself
  const ifd0 = first + start;
  const top = ifd(ifd0);
  const n0 = u16(ifd0);
  if (n0 >= 0) {
    const next = u32(ifd0 + 2 + n0 * 12);
    if (next > 0) ifd(next + start);
  }
  const exifAt = top.get(EXIF_POINTER);
  if (isPositiveInteger(exifAt)) {
    const interop = ifd(exifAt + start).get(INTEROP_POINTER);
    if (isPositiveInteger(interop)) ifd(interop + start);
  }
  const gpsAt = top.get(GPS_POINTER);
  if (isPositiveInteger(gpsAt)) ifd(gpsAt + start);
  return cost <= budget;
}

const isPositiveInteger = (v: number | undefined): v is number => v !== undefined && Number.isInteger(v) && v > 0;

/** One numeric value as exif-reader reads it (NaN where it would read nothing). */
function numberAt(o: number, type: number, u16: (o: number) => number, u32: (o: number) => number, buf: Buffer, be: boolean): number {
  if (o < 0 || o >= buf.length) return NaN;
  switch (type) {
    case 1:
      return buf[o]!;
    case 3:
      return u16(o);
    case 4:
      return u32(o);
    case 5:
      return o + 8 <= buf.length ? u32(o) / u32(o + 4) : NaN;
    case 6:
      return buf.readInt8(o);
    case 8:
      return o + 2 <= buf.length ? (be ? buf.readInt16BE(o) : buf.readInt16LE(o)) : NaN;
    case 9:
      return o + 4 <= buf.length ? (be ? buf.readInt32BE(o) : buf.readInt32LE(o)) : NaN;
    case 10:
      return o + 8 <= buf.length ? (be ? buf.readInt32BE(o) / buf.readInt32BE(o + 4) : buf.readInt32LE(o) / buf.readInt32LE(o + 4)) : NaN;
    default:
      return NaN;
  }
}
