// The library's All tab: images, videos and audio together, newest first (GET /v1/media), with a search.
import { useEffect, useMemo, useState } from 'react';
import type { MediaItem } from '../../api/types';
import { EmptyState, ErrorState, Spinner } from '../../components/ui';
import { plural } from '../../lib/format';
import { setQuery, useLocation } from '../../lib/router';
import { useCursorList } from '../../lib/use-cursor-list';
import { MediaTabs } from '../library/media-tabs';
import { useUploads } from '../upload/upload-context';
import { MediaTile } from './media-tile';

export function MediaPage() {
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const [search, setSearch] = useState(q);
  const params = useMemo(() => ({ limit: 30, q: q || undefined }), [q]);
  const list = useCursorList<MediaItem>('/v1/media', params);
  const uploads = useUploads();
  const { reload } = list;

  useEffect(() => {
    const t = setTimeout(() => search !== q && setQuery({ q: search.trim() || undefined }), 300);
    return () => clearTimeout(t);
  }, [search, q]);

  // whatever arrives (an image, a video, audio) takes its place at the top
  useEffect(() => {
    const offs = [uploads.onUploaded((_i, dup) => !dup && reload()), uploads.onVideoUploaded(reload), uploads.onAudioUploaded(reload)];
    return () => offs.forEach((off) => off());
  }, [uploads, reload]);

  const count = `${plural(list.items.length, 'item')}${list.hasMore ? ' and more' : ''}`;
  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Library</h1>
          <p className="muted">{list.loading && !list.items.length ? 'Loading…' : count}</p>
        </div>
      </header>
      <MediaTabs />
      <div className="toolbar" role="search">
        <input type="search" className="grow" placeholder="Search titles and file names" aria-label="Search everything" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>

      {list.error !== undefined && !list.items.length ? (
        <ErrorState what="your library" error={list.error} onRetry={list.reload} />
      ) : list.loading && !list.items.length ? (
        <div className="grid-skeleton" aria-hidden="true">{Array.from({ length: 12 }, (_, i) => <span key={i} />)}</div>
      ) : !list.items.length ? (
        <EmptyState title={q ? 'Nothing matches this search' : 'Your library is empty'} icon={q ? 'search' : 'image'}>
          <p className="muted">{q ? 'Try another word.' : 'Images, videos and audio you upload appear here together.'}</p>
        </EmptyState>
      ) : (
        <>
          <ul className="media-grid" aria-label="All media">
            {list.items.map((item) => <MediaTile key={`${item.type}:${item.id}`} item={item} />)}
          </ul>
          {list.loading && <Spinner label="Loading more…" />}
          {list.error !== undefined && <ErrorState what="more of your library" error={list.error} onRetry={list.loadMore} />}
          {list.hasMore && !list.loading && !list.error && (
            <div className="center"><button type="button" className="btn" onClick={list.loadMore}>Load more</button></div>
          )}
        </>
      )}
    </div>
  );
}
