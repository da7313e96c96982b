// The viewer: one image at a time over the whole screen. ← / → move through the list it was opened from
// (loading more at its end), Z (or a click) toggles between fitting the screen and 100 % (the original's
// pixels, scrollable), D downloads the original, I opens the image's page, Esc closes, ? lists the keys.
import { useEffect, useRef, useState } from 'react';
import { fetchMediaBlob } from '../../api/client';
import type { Image } from '../../api/types';
import { transformUrl, useFetchedSrc } from '../../components/media-image';
import { errorText } from '../../lib/error-text';
import { navigate } from '../../lib/router';
import { useToast } from '../../lib/toast';

const KEYS: Array<[string, string]> = [
  ['← →', 'Previous / next image'],
  ['Z or click', 'Fit the screen / 100 %'],
  ['D', 'Download the original'],
  ['I', 'Open the image’s page'],
  ['Esc', 'Close the viewer'],
  ['?', 'Show or hide these keys'],
];

type Props = { items: Image[]; index: number; onIndex(i: number): void; onClose(): void; onNeedMore?(): void };

/** What the screen needs: a rendition at its width (public, straight from the media host), or for 100 % and
 * private images the bytes fetched with the session. */
function useViewSrc(image: Image, actualSize: boolean): { src: string | null; failed: string | null } {
  const direct = image.isPublic && image.allowedReferers === null;
  const isVector = image.mimeType === 'image/svg+xml';
  const width = Math.min(3840, Math.round(window.innerWidth * Math.min(2, window.devicePixelRatio || 1)));
  const url = actualSize || isVector ? image.url : transformUrl(image.url, { w: Math.min(width, image.width ?? width) });
  const fetched = useFetchedSrc(direct ? null : url);
  return direct ? { src: url, failed: null } : fetched;
}

export function Lightbox({ items, index, onIndex, onClose, onNeedMore }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const [actualSize, setActualSize] = useState(false);
  const [help, setHelp] = useState(false);
  const toast = useToast();
  const image = items[index];
  const view = useViewSrc(image ?? items[0]!, actualSize);

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  useEffect(() => setActualSize(false), [index]);
  useEffect(() => {
    if (index >= items.length - 3) onNeedMore?.();
  }, [index, items.length, onNeedMore]);

  const download = async () => {
    if (!image) return;
    try {
      const blob = await fetchMediaBlob(`${image.url}?original=1`);
      const a = document.createElement('a');
      a.href = blob.url;
      a.download = image.filename;
      a.click();
      setTimeout(() => URL.revokeObjectURL(blob.url), 10_000);
    } catch (err) {
      toast.show(errorText(err), 'error');
    }
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === 'ArrowRight' && index < items.length - 1) onIndex(index + 1);
      else if (e.key === 'ArrowLeft' && index > 0) onIndex(index - 1);
      else if (e.key === 'z' || e.key === 'Z') setActualSize((a) => !a);
      else if (e.key === 'd' || e.key === 'D') void download();
      else if ((e.key === 'i' || e.key === 'I') && image) navigate(`/images/${image.id}`);
      else if (e.key === '?') setHelp((h) => !h);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  if (!image) return null;
  const name = image.title || image.filename;
  return (
    <dialog ref={ref} className="lightbox" aria-label={`Viewer: ${name}`} onClose={onClose} data-testid="lightbox">
      <div className="lightbox-bar">
        <span className="truncate" aria-live="polite">
          {name} <span className="muted">· {index + 1} of {items.length}{actualSize ? ' · 100 %' : ''}</span>
        </span>
        <span className="row gap-s">
          <button type="button" className="btn btn-small btn-ghost" onClick={() => setActualSize((a) => !a)} aria-pressed={actualSize}>100 %</button>
          <button type="button" className="btn btn-small btn-ghost" onClick={() => void download()}>Download</button>
          <button type="button" className="btn btn-small btn-ghost" onClick={() => setHelp((h) => !h)} aria-expanded={help}>Keys</button>
          <button type="button" className="btn btn-small btn-ghost" onClick={() => ref.current?.close()} aria-label="Close the viewer">✕</button>
        </span>
      </div>
      <div className={`lightbox-stage ${actualSize ? 'is-actual' : ''}`} onClick={(e) => e.target instanceof HTMLImageElement && setActualSize((a) => !a)}>
        {view.src ? <img src={view.src} alt={name} data-testid="lightbox-image" /> : <span className="muted">{view.failed ?? 'Loading…'}</span>}
      </div>
      {index > 0 && <button type="button" className="lightbox-nav lightbox-prev" onClick={() => onIndex(index - 1)} aria-label="Previous image">‹</button>}
      {index < items.length - 1 && <button type="button" className="lightbox-nav lightbox-next" onClick={() => onIndex(index + 1)} aria-label="Next image">›</button>}
      {help && (
        <section className="lightbox-help" aria-label="Keyboard shortcuts">
          <dl>
            {KEYS.map(([k, v]) => (
              <div key={k}><dt><kbd>{k}</kbd></dt><dd>{v}</dd></div>
            ))}
          </dl>
        </section>
      )}
    </dialog>
  );
}
