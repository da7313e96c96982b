// An image from the media host inside a box of its own aspect ratio: dominant colour, then the blurhash,
// then the picture fading in. Public images load through transform URLs with srcset; private ones are
// fetched with the session (an <img> cannot send it) at one width.
import { useEffect, useRef, useState, type RefObject } from 'react';
import { fetchMediaBlob } from '../api/client';
import type { Image } from '../api/types';
import { errorText } from '../lib/error-text';
import { BlurhashCanvas } from './blurhash';

export const WIDTHS = [320, 640, 960, 1280, 1920];

export function transformUrl(url: string, params: Record<string, string | number | undefined>): string {
  const q = Object.entries(params).filter(([, v]) => v !== undefined && v !== '');
  return q.length ? `${url}?${q.map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&')}` : url;
}

export const aspectOf = (img: Pick<Image, 'width' | 'height'>): number =>
  img.width && img.height ? img.width / img.height : 1;

export type FetchedMedia = { src: string | null; failed: string | null; size?: number; type?: string };

/** The object URL of a media variant fetched with the session (private images, the transform preview);
 * revoked when no longer shown. */
export function useFetchedSrc(url: string | null): FetchedMedia {
  const [state, setState] = useState<FetchedMedia>({ src: null, failed: null });
  const shown = useRef<string | null>(null);
  useEffect(() => {
    if (!url) return;
    const ctl = new AbortController();
    fetchMediaBlob(url, ctl.signal).then(
      (r) => {
        // The previous picture stays until the next one is ready, then its object URL is released.
        if (shown.current) URL.revokeObjectURL(shown.current);
        shown.current = r.url;
        setState({ src: r.url, failed: null, size: r.size, type: r.type });
      },
      (err: unknown) => !ctl.signal.aborted && setState((s) => ({ ...s, failed: errorText(err) })),
    );
    return () => ctl.abort();
  }, [url]);
  useEffect(() => () => void (shown.current && URL.revokeObjectURL(shown.current)), []);
  return state;
}

type Props = {
  image: Image;
  /** Largest CSS width the box is shown at, for `sizes` and the private variant's width. */
  displayWidth: number;
  alt: string;
  fit?: 'cover' | 'contain' | 'scale-down';
  /** The box's ratio when it differs from the image's (grid tiles clamp extremes); the image covers it. */
  ratio?: number;
  eager?: boolean;
  className?: string;
};

/** Whether the element is near the viewport yet (once true, stays true): lazy loading for fetched images. */
function useNearViewport(ref: RefObject<HTMLElement | null>, enabled: boolean): boolean {
  const [near, setNear] = useState(!enabled);
  useEffect(() => {
    const el = ref.current;
    if (!enabled || near || !el) return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setNear(true), { rootMargin: '600px 0px' });
    io.observe(el);
    return () => io.disconnect();
  }, [ref, enabled, near]);
  return near;
}

export function MediaImage({ image, displayWidth, alt, fit = 'cover', ratio, eager = false, className }: Props) {
  const [loaded, setLoaded] = useState(false);
  const [broken, setBroken] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const near = useNearViewport(box, !eager);
  const isVector = image.mimeType === 'image/svg+xml';
  const needed = Math.min(1920, displayWidth * Math.min(2, window.devicePixelRatio || 1));
  const privateWidth = WIDTHS.find((w) => w >= needed) ?? 1920;
  // Private images, and public ones behind a hotlink allow-list (the dashboard sends no Referer), need the session.
  const direct = image.isPublic && image.allowedReferers === null;
  const priv = useFetchedSrc(direct || !near ? null : transformUrl(image.url, isVector ? {} : { w: privateWidth }));

  const widths = WIDTHS.filter((w, i) => i === 0 || !image.width || WIDTHS[i - 1]! < image.width);
  const srcSet = direct && !isVector ? widths.map((w) => `${transformUrl(image.url, { w })} ${w}w`).join(', ') : undefined;
  const src = direct ? (isVector ? image.url : transformUrl(image.url, { w: widths[Math.min(1, widths.length - 1)] })) : priv.src;
  const failed = broken || !!priv.failed;

  return (
    <div
      ref={box}
      className={`media ${loaded ? 'is-loaded' : ''} ${className ?? ''}`}
      style={{ aspectRatio: String(ratio ?? aspectOf(image)), backgroundColor: image.dominantColor ?? undefined }}
    >
      {image.blurhash && !loaded && <BlurhashCanvas hash={image.blurhash} className="media-placeholder" />}
      {src && !failed && (
        <img
          src={src}
          srcSet={srcSet}
          sizes={srcSet ? `${Math.round(displayWidth)}px` : undefined}
          alt={alt}
          width={image.width ?? undefined}
          height={image.height ?? undefined}
          loading={eager ? 'eager' : 'lazy'}
          decoding="async"
          className={loaded ? 'is-loaded' : ''}
          style={{ objectFit: fit }}
          onLoad={() => setLoaded(true)}
          onError={() => setBroken(true)}
        />
      )}
      {failed && <span className="media-failed">Preview unavailable</span>}
    </div>
  );
}
