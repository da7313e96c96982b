// One album: its images in the justified grid (select some to take them out), its videos and audio as tiles,
// rename, and delete (keeping what is in it in the library, or deleting it too).
import { useState } from 'react';
import { api } from '../../api/client';
import { deleteAlbum, moveToAlbum } from '../../api/albums';
import type { Album, MediaItem } from '../../api/types';
import { ConfirmDialog } from '../../components/dialog';
import { EmptyState, ErrorState, Spinner } from '../../components/ui';
import { errorText } from '../../lib/error-text';
import { formatBytes, plural } from '../../lib/format';
import { Link, navigate } from '../../lib/router';
import { useToast } from '../../lib/toast';
import { useAsync } from '../../lib/use-async';
import { useCursorList } from '../../lib/use-cursor-list';
import { ImageGrid } from '../library/image-grid';
import { useImages } from '../library/use-images';
import { MediaTile } from '../media/media-tile';

function OtherMedia({ albumId }: { albumId: string }) {
  const videos = useCursorList<MediaItem>('/v1/media', { collection_id: albumId, type: 'video', limit: 50 });
  const audio = useCursorList<MediaItem>('/v1/media', { collection_id: albumId, type: 'audio', limit: 50 });
  const items = [...videos.items, ...audio.items];
  if (!items.length) return null;
  return (
    <section aria-labelledby="album-other-h">
      <h2 id="album-other-h">Videos and audio</h2>
      <ul className="media-grid">{items.map((i) => <MediaTile key={`${i.type}:${i.id}`} item={i} />)}</ul>
    </section>
  );
}

function Rename({ album, onDone }: { album: Album; onDone(a: Album): void }) {
  const [name, setName] = useState(album.name);
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  return (
    <form
      className="row gap-s"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        try {
          onDone(await api<Album>(`/v1/collections/${encodeURIComponent(album.id)}`, { method: 'PATCH', body: { name: name.trim() } }));
          toast.show('Album renamed');
        } catch (err) {
          toast.show(errorText(err), 'error');
        } finally {
          setBusy(false);
        }
      }}
    >
      <label htmlFor="album-name" className="sr-only">Album name</label>
      <input id="album-name" value={name} maxLength={120} required onChange={(e) => setName(e.target.value)} />
      <button type="submit" className="btn" disabled={busy || !name.trim() || name.trim() === album.name}>Rename</button>
    </form>
  );
}

export function AlbumPage({ id }: { id: string }) {
  const path = `/v1/collections/${encodeURIComponent(id)}`;
  const { data: album, error, loading, reload, setData } = useAsync(() => api<Album>(path), [path]);
  const lib = useImages({ collectionId: id });
  const toast = useToast();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [deleting, setDeleting] = useState(false);
  const [withItems, setWithItems] = useState(false);
  const [busy, setBusy] = useState(false);

  if (loading && !album) return <div className="page"><Spinner /></div>;
  if (error !== undefined || !album)
    return (
      <div className="page">
        <Link to="/albums" className="back">← Albums</Link>
        <ErrorState what="this album" error={error} onRetry={reload} />
      </div>
    );

  const toggle = (imageId: string) =>
    setSelected((old) => {
      const next = new Set(old);
      if (next.has(imageId)) next.delete(imageId);
      else next.add(imageId);
      return next;
    });

  const takeOut = async () => {
    const ids = [...selected];
    setBusy(true);
    try {
      const moved = await moveToAlbum(ids, null);
      lib.remove(ids);
      setSelected(new Set());
      setData({ ...album, docCount: Math.max(0, album.docCount - moved), imageCount: Math.max(0, album.imageCount - moved) });
      toast.show(`Removed ${plural(moved, 'image')} from the album`);
    } catch (err) {
      toast.show(errorText(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setBusy(true);
    try {
      await deleteAlbum(album, withItems);
      toast.show(withItems ? 'Album and its items deleted' : 'Album deleted; its items stay in your library');
      navigate('/albums');
    } catch (err) {
      toast.show(errorText(err), 'error');
      setBusy(false);
      setDeleting(false);
    }
  };

  return (
    <div className="page">
      <Link to="/albums" className="back">← Albums</Link>
      <header className="page-head">
        <div className="min0">
          <h1 className="truncate">{album.name}</h1>
          <p className="muted" data-testid="album-summary">{plural(album.docCount, 'item')} · {formatBytes(album.sizeBytes)}</p>
        </div>
        <div className="row gap-s">
          <Rename album={album} onDone={setData} />
          <button type="button" className="btn btn-danger-ghost" onClick={() => (setWithItems(false), setDeleting(true))}>Delete album</button>
        </div>
      </header>

      {lib.error !== undefined && !lib.items.length ? (
        <ErrorState what="the album's images" error={lib.error} onRetry={lib.reload} />
      ) : lib.loading && !lib.items.length ? (
        <Spinner />
      ) : !lib.items.length && !album.videoCount && !album.audioCount ? (
        <EmptyState title="This album is empty" icon="album">
          <p className="muted">In the <Link to="/">library</Link>, select images and choose “Add to album”, or add one from its page.</p>
        </EmptyState>
      ) : (
        <ImageGrid items={lib.items} selected={selected} selecting={selected.size > 0} onToggle={toggle} onEnd={lib.loadMore} canLoadMore={lib.hasMore && !lib.error} />
      )}
      {album.videoCount + album.audioCount > 0 && <OtherMedia albumId={album.id} />}

      {selected.size > 0 && (
        <div className="batch-bar" role="region" aria-label="Selection">
          <span>{plural(selected.size, 'image')} selected</span>
          <button type="button" className="btn btn-ghost" onClick={() => setSelected(new Set())}>Clear</button>
          <button type="button" className="btn" disabled={busy} onClick={takeOut}>Remove from album</button>
        </div>
      )}
      <ConfirmDialog open={deleting} title={`Delete the album “${album.name}”?`} confirmLabel={withItems ? `Delete album and ${plural(album.docCount, 'item')}` : 'Delete album'} danger busy={busy} onConfirm={remove} onClose={() => setDeleting(false)}>
        <fieldset className="stack">
          <legend className="sr-only">What happens to what is in it</legend>
          <label className="row gap-s"><input type="radio" name="album-delete" checked={!withItems} onChange={() => setWithItems(false)} /> Keep its {plural(album.docCount, 'item')} in the library</label>
          <label className="row gap-s"><input type="radio" name="album-delete" checked={withItems} onChange={() => setWithItems(true)} disabled={!album.docCount} /> Delete {album.docCount ? `its ${plural(album.docCount, 'item')}` : 'its items'} too — links stop working; this cannot be undone</label>
        </fieldset>
      </ConfirmDialog>
    </div>
  );
}
