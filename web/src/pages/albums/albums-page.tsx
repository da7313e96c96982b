// Albums: every album of the account with its cover (its newest item) and count, and a new one.
import { useEffect, useId, useRef, useState } from 'react';
import { api } from '../../api/client';
import { createAlbum } from '../../api/albums';
import type { Album, MediaPage } from '../../api/types';
import { Icon } from '../../components/icons';
import { EmptyState, ErrorState, Spinner } from '../../components/ui';
import { errorText } from '../../lib/error-text';
import { plural } from '../../lib/format';
import { Link, navigate } from '../../lib/router';
import { useAsync } from '../../lib/use-async';
import { useCursorList } from '../../lib/use-cursor-list';
import { ItemPicture } from '../media/media-tile';

const QUERY = { sort: 'updated_at', limit: 50 };

function AlbumCover({ album }: { album: Album }) {
  const { data } = useAsync(
    () => (album.docCount ? api<MediaPage>('/v1/media', { query: { collection_id: album.id, limit: 1 } }) : Promise.resolve(null)),
    [album.id, album.docCount],
  );
  const first = data?.items[0];
  return <span className="media-tile-pic">{first ? <ItemPicture item={first} /> : <span className="video-thumb-empty"><Icon name="album" size={32} /></span>}</span>;
}

function NewAlbum() {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  useEffect(() => void (open && input.current?.focus()), [open]);

  if (!open) return <button type="button" className="btn btn-primary" onClick={() => setOpen(true)}>New album</button>;
  return (
    <form
      className="row gap-s"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        try {
          const album = await createAlbum(name.trim());
          navigate(`/albums/${album.id}`);
        } catch (err) {
          setError(errorText(err));
          setBusy(false);
        }
      }}
    >
      <label htmlFor={id} className="sr-only">Album name</label>
      <input id={id} ref={input} placeholder="Album name" value={name} maxLength={120} required onChange={(e) => setName(e.target.value)} />
      <button type="submit" className="btn btn-primary" disabled={busy || !name.trim()}>Create</button>
      <button type="button" className="btn btn-ghost" onClick={() => setOpen(false)}>Cancel</button>
      {error && <p className="error-text small" role="alert">{error}</p>}
    </form>
  );
}

export function AlbumsPage() {
  const list = useCursorList<Album>('/v1/collections', QUERY);
  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Albums</h1>
          <p className="muted">{list.loading && !list.items.length ? 'Loading…' : plural(list.items.length, 'album')}</p>
        </div>
        <NewAlbum />
      </header>
      {list.error !== undefined && !list.items.length ? (
        <ErrorState what="your albums" error={list.error} onRetry={list.reload} />
      ) : list.loading && !list.items.length ? (
        <Spinner />
      ) : !list.items.length ? (
        <EmptyState title="No albums yet" icon="album">
          <p className="muted">Create one here, or select images in the library and choose “Add to album”.</p>
        </EmptyState>
      ) : (
        <ul className="media-grid" aria-label="Albums">
          {list.items.map((a) => (
            <li key={a.id} className="media-tile" data-testid="album-card">
              <Link to={`/albums/${a.id}`} className="media-tile-link" aria-label={`${a.name}, ${plural(a.docCount, 'item')}`}>
                <AlbumCover album={a} />
                <span className="media-tile-name truncate">{a.name}</span>
                <span className="muted small">{plural(a.docCount, 'item')}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      {list.hasMore && !list.loading && <div className="center"><button type="button" className="btn" onClick={list.loadMore}>Load more</button></div>}
    </div>
  );
}

