// The justified grid: each tile grows by its aspect ratio so rows fill the width and every box has its
// final size before a byte of the image arrives (no layout jumps). Infinite scroll by a sentinel.
import { useEffect, useRef } from 'react';
import type { Image } from '../../api/types';
import { aspectOf, MediaImage } from '../../components/media-image';
import { Link } from '../../lib/router';

const ROW_HEIGHT = 200;

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
                <MediaImage image={img} ratio={ratio} alt="" displayWidth={ratio * ROW_HEIGHT * 1.4} className="tile-media" />
                <span className="tile-info">
                  <span className="tile-name">{name}</span>
                  {!img.isPublic && <span className="badge">Private</span>}
                </span>
              </Link>
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
    </>
  );
}
