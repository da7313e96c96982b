// The justified grid: each tile grows by its aspect ratio so rows fill the width and every box has its
// final size before a byte of the image arrives (no layout jumps). Infinite scroll by a sentinel; each tile
// opens the full-screen viewer too.
import { useEffect, useRef, useState } from 'react';
import type { Image } from '../../api/types';
import { aspectOf, MediaImage } from '../../components/media-image';
import { Link } from '../../lib/router';
import { Lightbox } from '../viewer/lightbox';

const ROW_HEIGHT = 200;
/** Smaller than its tile: shown at its own size (centred), not blown up into a blur. */
const tiny = (img: Image, ratio: number): boolean => !!img.width && !!img.height && (img.height < ROW_HEIGHT / 2 || img.width < (ratio * ROW_HEIGHT) / 2);

type Props = {
  items: Image[];
  selected: Set<string>;
  selecting: boolean;
  onToggle(id: string, range: boolean): void;
  onEnd(): void;
  canLoadMore: boolean;
};

export function ImageGrid({ items, selected, selecting, onToggle, onEnd, canLoadMore }: Props) {
  const sentinel = useRef<HTMLDivElement>(null);
  const [viewing, setViewing] = useState<number | null>(null);
  const onEndRef = useRef(onEnd);
  onEndRef.current = onEnd;

  useEffect(() => {
    const el = sentinel.current;
    if (!el || !canLoadMore) return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && onEndRef.current(), { rootMargin: '800px 0px' });
    io.observe(el);
    return () => io.disconnect();
  }, [canLoadMore, items.length]);

  return (
    <>
      <ul className={`grid ${selecting ? 'is-selecting' : ''}`} aria-label="Images">
        {items.map((img) => {
          const ratio = Math.min(3, Math.max(0.4, aspectOf(img)));
          const isSel = selected.has(img.id);
          const name = img.title || img.filename;
          return (
            <li
              key={img.id}
              className={`tile ${isSel ? 'is-selected' : ''}`}
              style={{ flexGrow: ratio, flexBasis: `calc(${ratio.toFixed(4)} * var(--row-h))` }}
              data-testid="tile"
            >
              <Link
                to={`/images/${img.id}`}
                className="tile-link"
                aria-label={`${name}${img.isPublic ? '' : ' (private)'}`}
                onClick={(e) => {
                  if (selecting) {
                    e.preventDefault();
                    onToggle(img.id, e.shiftKey);
                  }
                }}
              >
                <MediaImage image={img} ratio={ratio} alt="" displayWidth={ratio * ROW_HEIGHT * 1.4} className="tile-media" fit={tiny(img, ratio) ? 'scale-down' : 'cover'} />
                {!img.isPublic && <span className="tile-private">Private</span>}
                <span className="tile-info">
                  <span className="tile-name">{name}</span>
                </span>
              </Link>
              <button type="button" className="tile-view" aria-label={`View ${name} full screen`} onClick={() => setViewing(items.indexOf(img))}>
                ⤢
              </button>
              <label className="tile-check" title="Select">
                <input
                  type="checkbox"
                  checked={isSel}
                  onChange={(e) => onToggle(img.id, (e.nativeEvent as MouseEvent).shiftKey === true)}
                  aria-label={`Select ${name}`}
                />
              </label>
            </li>
          );
        })}
        <li className="tile-filler" aria-hidden="true" />
      </ul>
      <div ref={sentinel} className="sentinel" aria-hidden="true" />
      {viewing !== null && items[viewing] && (
        <Lightbox items={items} index={viewing} onIndex={setViewing} onClose={() => setViewing(null)} onNeedMore={canLoadMore ? onEnd : undefined} />
      )}
    </>
  );
}
