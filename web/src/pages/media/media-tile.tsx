// One item of the All tab: a square picture (an image's thumbnail, a video's poster, an audio file's cover)
// with its kind and duration. A private image's thumbnail needs the session: it is fetched with it.
import type { MediaItem } from '../../api/types';
import { Icon } from '../../components/icons';
import { transformUrl, useFetchedSrc } from '../../components/media-image';
import { formatClock } from '../../lib/format';
import { Link } from '../../lib/router';

const PAGE_OF = { image: 'images', video: 'videos', audio: 'audio' } as const;
const KIND = { image: 'Image', video: 'Video', audio: 'Audio' } as const;
const SIDE = 320;

function PrivateImageThumb({ url }: { url: string }) {
  const { src } = useFetchedSrc(transformUrl(url, { w: SIDE, h: SIDE, fit: 'cover' }));
  return src ? <img src={src} alt="" decoding="async" /> : null;
}

/** An item's square picture: thumbnail, poster or cover; a private image's fetched with the session. */
export function ItemPicture({ item }: { item: MediaItem }) {
  if (item.thumbnailUrl) return <img src={item.thumbnailUrl} alt="" loading="lazy" decoding="async" />;
  if (item.type === 'image' && item.url) return <PrivateImageThumb url={item.url} />;
  return <span className="video-thumb-empty"><Icon name={item.type === 'audio' ? 'music' : item.type === 'video' ? 'video' : 'image'} size={32} /></span>;
}

export function MediaTile({ item }: { item: MediaItem }) {
  const name = item.title || item.filename;
  const picture = <ItemPicture item={item} />;
  return (
    <li className="media-tile" data-testid="media-tile" data-type={item.type}>
      <Link to={`/${PAGE_OF[item.type]}/${item.id}`} className="media-tile-link" aria-label={`${KIND[item.type]}: ${name}${item.isPublic ? '' : ' (private)'}`}>
        <span className="media-tile-pic">
          {picture}
          <span className="media-kind">
            <Icon name={item.type === 'audio' ? 'music' : item.type === 'video' ? 'video' : 'image'} size={14} /> {KIND[item.type]}
          </span>
          {item.durationSeconds != null && <span className="video-duration">{formatClock(item.durationSeconds)}</span>}
        </span>
        <span className="media-tile-name truncate">{name}</span>
      </Link>
    </li>
  );
}
