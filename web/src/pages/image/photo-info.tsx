// The owner's photo information (GET /v1/images/{id}/info, read from the original's EXIF at upload): camera,
// lens, exposure, date taken, and the location only once the owner asks for it. The page itself never contacts
// a map service: the location is a link to OpenStreetMap the owner may follow.
import { useState } from 'react';
import { api } from '../../api/client';
import { ErrorState, Spinner } from '../../components/ui';
import { useAsync } from '../../lib/use-async';

export type PhotoInfo = {
  camera: string | null;
  lens: string | null;
  exposure: { focalLengthMm: number | null; fNumber: number | null; exposureTime: string | null; iso: number | null };
  /** The camera's wall clock, ISO 8601 without a zone unless the file recorded its offset. */
  takenAt: string | null;
  location: { latitude: number; longitude: number } | null;
};

const trim = (n: number): string => String(Number(n.toFixed(1)));

/** "ƒ/2.8 · 1/250 s · ISO 200 · 35 mm", from what was recorded. */
export function exposureLine(e: PhotoInfo['exposure']): string | null {
  const parts = [
    e.fNumber !== null && `ƒ/${trim(e.fNumber)}`,
    e.exposureTime !== null && `${e.exposureTime} s`,
    e.iso !== null && `ISO ${e.iso}`,
    e.focalLengthMm !== null && `${trim(e.focalLengthMm)} mm`,
  ].filter((p): p is string => Boolean(p));
  return parts.length ? parts.join(' · ') : null;
}

/** The camera's wall-clock time in the reader's date format, with the recorded offset when there is one. */
export function takenText(takenAt: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(takenAt);
  if (!m) return takenAt;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const wall = new Date(y, mo - 1, d, h, mi, s);
  if (Number.isNaN(wall.getTime())) return takenAt;
  const text = wall.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const zone = m[7];
  return zone ? `${text} (UTC${zone === 'Z' ? '' : zone})` : text;
}

export const osmLink = (lat: number, lon: number): string =>
  `https://www.openstreetmap.org/?mlat=${lat.toFixed(6)}&mlon=${lon.toFixed(6)}#map=15/${lat.toFixed(6)}/${lon.toFixed(6)}`;

function Location({ latitude, longitude }: { latitude: number; longitude: number }) {
  const [shown, setShown] = useState(false);
  if (!shown)
    return (
      <button type="button" className="btn btn-small" onClick={() => setShown(true)}>
        Show location
      </button>
    );
  return (
    <span className="photo-location">
      <span className="mono" data-testid="photo-coordinates">{latitude.toFixed(6)}, {longitude.toFixed(6)}</span>
      <a href={osmLink(latitude, longitude)} target="_blank" rel="noopener noreferrer">Open in OpenStreetMap</a>
      <button type="button" className="link-btn" onClick={() => setShown(false)}>Hide</button>
    </span>
  );
}

function InfoList({ info }: { info: PhotoInfo }) {
  const exposure = exposureLine(info.exposure);
  const rows: Array<[string, string | null]> = [
    ['Camera', info.camera],
    ['Lens', info.lens],
    ['Exposure', exposure],
    ['Taken', info.takenAt && takenText(info.takenAt)],
  ];
  const known = rows.filter((r): r is [string, string] => r[1] !== null);
  if (!known.length && !info.location) return <p className="muted">No camera information in this file.</p>;
  return (
    <dl className="photo-info-list">
      {known.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
      {info.location && (
        <div>
          <dt>Location</dt>
          <dd><Location {...info.location} /></dd>
        </div>
      )}
    </dl>
  );
}

export function PhotoInformation({ imageId }: { imageId: string }) {
  const state = useAsync(() => api<PhotoInfo>(`/v1/images/${encodeURIComponent(imageId)}/info`), [imageId]);
  return (
    <section className="card photo-info" aria-labelledby="photo-info-h" data-testid="photo-info">
      <h2 id="photo-info-h">Photo information</h2>
      {state.error !== undefined ? (
        <ErrorState what="the photo information" error={state.error} onRetry={state.reload} />
      ) : state.data ? (
        <InfoList info={state.data} key={imageId} />
      ) : (
        <Spinner />
      )}
    </section>
  );
}
