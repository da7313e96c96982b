// The owner's photo information panel (GET /v1/images/{id}/info): camera, lens, exposure, date taken, location.
// Only this presenter reads the photo columns; the Image object (image-presenter.ts) never carries them.
import type { ImagePhotoInfoRow } from '../../db/schema.js';
import { cameraName } from '../../media/exif-info.js';

export type PhotoInfoResponse = {
  camera: string | null;
  lens: string | null;
  exposure: { focalLengthMm: number | null; fNumber: number | null; exposureTime: string | null; iso: number | null };
  /** The camera's wall clock, ISO 8601 without a zone unless the file recorded its offset. */
  takenAt: string | null;
  location: { latitude: number; longitude: number } | null;
};

export function presentPhotoInfo(row: ImagePhotoInfoRow): PhotoInfoResponse {
  return {
    camera: cameraName(row.cameraMake, row.cameraModel),
    lens: row.lensModel,
    exposure: { focalLengthMm: row.focalLengthMm, fNumber: row.fNumber, exposureTime: row.exposureTime, iso: row.iso },
    takenAt: row.takenAt,
    location: row.gpsLatitude !== null && row.gpsLongitude !== null ? { latitude: row.gpsLatitude, longitude: row.gpsLongitude } : null,
  };
}
