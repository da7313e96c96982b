// The library's Images tab: search, tag filter, the grid with infinite scroll, multi-select and batch delete.
import { useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../../api/client';
import { ConfirmDialog } from '../../components/dialog';
import { EmptyState, ErrorState, Spinner } from '../../components/ui';
import { errorText } from '../../lib/error-text';
import { plural } from '../../lib/format';
import { canDragDrop } from '../../lib/pointer';
import { setQuery, useLocation } from '../../lib/router';
import { useToast } from '../../lib/toast';
import { useUploads } from '../upload/upload-context';
import { moveToAlbum } from '../../api/albums';
import { AlbumPicker } from '../albums/album-picker';
import { ImageGrid } from './image-grid';
import { MediaTabs } from './media-tabs';
import { useImages } from './use-images';
import { useAccountTags } from './use-tags';

export function LibraryPage() {
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const tag = query.get('tag') ?? '';
  const [search, setSearch] = useState(q);
  const lib = useImages({ q, tag });
  const uploads = useUploads();
  const toast = useToast();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [selecting, setSelecting] = useState(false);
  const [lastPicked, setLastPicked] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [picking, setPicking] = useState(false);

  // Debounced search into the URL, so a filtered view can be bookmarked.
  const pushed = useRef(q);
  useEffect(() => {
    const t = setTimeout(() => search !== q && setQuery({ q: (pushed.current = search.trim()) || undefined }), 300);
    return () => clearTimeout(t);
  }, [search, q]);
  // the address changed under the page (back/forward, a link to the library): the search box follows it
  useEffect(() => {
    if (q !== pushed.current) setSearch((pushed.current = q));
  }, [q]);

  const accountTags = useAccountTags();
  const reloadTags = accountTags.reload;
  useEffect(
    () =>
      uploads.onUploaded((img, duplicate) => {
        if (duplicate) return;
        if (!q && (!tag || img.tags.includes(tag))) lib.prepend(img);
        if (img.tags.length) reloadTags();
      }),
    [uploads, q, tag, lib, reloadTags],
  );
  useEffect(() => setSelected(new Set()), [q, tag]);

  const knownTags = accountTags.tags.map((t) => t.tag);
  // the most used, and the one filtered by (which stays visible, pressed, to undo the filter)
  const chips = useMemo(() => {
    const top = accountTags.tags.slice(0, 12);
    const active = accountTags.tags.find((t) => t.tag === tag);
    return active && !top.includes(active) ? [active, ...top.slice(0, 11)] : top;
  }, [accountTags.tags, tag]);

  const toggle = (id: string, range: boolean) => {
    setSelecting(true);
    setSelected((old) => {
      const next = new Set(old);
      if (range && lastPicked) {
        const ids = lib.items.map((i) => i.id);
        const [i, j] = [ids.indexOf(lastPicked), ids.indexOf(id)];
        for (const x of ids.slice(Math.min(i, j), Math.max(i, j) + 1)) next.add(x);
      } else if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
    setLastPicked(id);
  };

  const deleteSelected = async () => {
    setDeleting(true);
    const ids = [...selected];
    try {
      let deleted = 0;
      let failed = 0;
      for (let i = 0; i < ids.length; i += 50) {
        const r = await api<{ deleted: number; failed: number }>('/v1/images', { method: 'DELETE', body: { ids: ids.slice(i, i + 50) } });
        deleted += r.deleted;
        failed += r.failed;
      }
      lib.remove(ids);
      reloadTags();
      setSelected(new Set());
      setSelecting(false);
      toast.show(failed ? `Deleted ${deleted}; ${failed} could not be deleted` : `Deleted ${plural(deleted, 'image')}`, failed ? 'error' : 'ok');
      if (failed) lib.reload();
    } catch (err) {
      toast.show(errorText(err), 'error');
    } finally {
      setDeleting(false);
      setConfirming(false);
    }
  };

  const filtered = !!(q || tag);
  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Library</h1>
          <p className="muted">{lib.loading && !lib.items.length ? 'Loading…' : plural(lib.total, 'image')}{filtered ? ' match' : ''}</p>
        </div>
        <div className="row gap-s">
          {lib.items.length > 0 && (
            <button type="button" className="btn" aria-pressed={selecting} onClick={() => (setSelecting(!selecting), setSelected(new Set()))}>
              {selecting ? 'Done' : 'Select'}
            </button>
          )}
        </div>
      </header>
      <MediaTabs />

      <div className="toolbar" role="search">
        <input type="search" className="grow" placeholder="Search titles and file names" aria-label="Search images" value={search} onChange={(e) => setSearch(e.target.value)} />
        <input
          list="known-tags"
          placeholder="Filter by tag"
          aria-label="Filter by tag"
          defaultValue={tag}
          key={tag}
          onKeyDown={(e) => e.key === 'Enter' && setQuery({ tag: e.currentTarget.value.trim() || undefined })}
          onBlur={(e) => e.currentTarget.value.trim() !== tag && setQuery({ tag: e.currentTarget.value.trim() || undefined })}
        />
        <datalist id="known-tags">{knownTags.map((t) => <option key={t} value={t} />)}</datalist>
        {filtered && (
          <button type="button" className="btn btn-ghost" onClick={() => (setSearch(''), setQuery({ q: undefined, tag: undefined }))}>
            Clear filters
          </button>
        )}
      </div>
      {chips.length > 0 && (
        <div className="chips" aria-label="Tags">
          {chips.map((t) => (
            <button
              key={t.tag}
              type="button"
              className="chip chip-btn"
              aria-pressed={t.tag === tag}
              title={`${plural(t.count, 'image')}`}
              onClick={() => setQuery({ tag: t.tag === tag ? undefined : t.tag })}
            >
              #{t.tag} <span className="chip-count">{t.count}</span>
            </button>
          ))}
        </div>
      )}

      {lib.error !== undefined && !lib.items.length ? (
        <ErrorState what="your images" error={lib.error} onRetry={lib.reload} />
      ) : lib.loading && !lib.items.length ? (
        <div className="grid-skeleton" aria-hidden="true">{Array.from({ length: 12 }, (_, i) => <span key={i} />)}</div>
      ) : !lib.items.length ? (
        filtered ? (
          <EmptyState title="No images match these filters" icon="search">
            <p className="muted">Try another word or tag, or clear the filters to see everything.</p>
          </EmptyState>
        ) : (
          <EmptyState title="Your library is empty">
            <p className="muted">{canDragDrop() ? 'Drag images anywhere onto this page, or press Upload.' : 'Press Upload to add photos from this device.'} JPEG, PNG, GIF, WebP, AVIF, SVG and HEIC work.</p>
            <button type="button" className="btn btn-primary" onClick={() => uploads.setDialogOpen(true)}>Upload images</button>
          </EmptyState>
        )
      ) : (
        <>
          <ImageGrid items={lib.items} selected={selected} selecting={selecting} onToggle={toggle} onEnd={lib.loadMore} canLoadMore={lib.hasMore && !lib.error} />
          {lib.loading && <Spinner label="Loading more…" />}
          {lib.error !== undefined && <ErrorState what="more images" error={lib.error} onRetry={lib.loadMore} />}
          {lib.hasMore && !lib.loading && !lib.error && (
            <div className="center"><button type="button" className="btn" onClick={lib.loadMore}>Load more</button></div>
          )}
        </>
      )}

      {selected.size > 0 && (
        <div className="batch-bar" role="region" aria-label="Selection">
          <span>{plural(selected.size, 'image')} selected</span>
          <button type="button" className="btn btn-ghost" onClick={() => setSelected(new Set(lib.items.map((i) => i.id)))}>Select all loaded</button>
          <button type="button" className="btn btn-ghost" onClick={() => setSelected(new Set())}>Clear</button>
          <button type="button" className="btn" onClick={() => setPicking(true)}>Add to album</button>
          <button type="button" className="btn btn-danger" onClick={() => setConfirming(true)}>Delete</button>
        </div>
      )}
      <AlbumPicker
        open={picking}
        count={selected.size}
        onClose={() => setPicking(false)}
        onPick={async (album) => {
          const moved = await moveToAlbum([...selected], album.id);
          setPicking(false);
          setSelected(new Set());
          setSelecting(false);
          toast.show(`Added ${plural(moved, 'image')} to “${album.name}”`);
        }}
      />
      <ConfirmDialog
        open={confirming}
        title={`Delete ${plural(selected.size, 'image')}?`}
        confirmLabel="Delete"
        danger
        busy={deleting}
        onConfirm={deleteSelected}
        onClose={() => setConfirming(false)}
      >
        <p>Their links stop working at once. This cannot be undone.</p>
      </ConfirmDialog>
    </div>
  );
}
