// "Add to album": a dialog listing the account's albums (with their counts) and a field for a new one; the
// choice is handed back as the album (created first when new).
import { useEffect, useId, useRef, useState } from 'react';
import { createAlbum, listAlbums } from '../../api/albums';
import type { Album } from '../../api/types';
import { Spinner } from '../../components/ui';
import { errorText } from '../../lib/error-text';

type Props = { open: boolean; count: number; onPick(album: Album): Promise<void> | void; onClose(): void };

export function AlbumPicker({ open, count, onPick, onClose }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const [albums, setAlbums] = useState<Album[] | null>(null);
  const [choice, setChoice] = useState('');
  const [newName, setNewName] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const titleId = useId();
  const nameId = useId();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      setError('');
      setNewName('');
      setAlbums(null);
      d.showModal();
      listAlbums().then(
        (list) => {
          setAlbums(list);
          setChoice(list[0]?.id ?? 'new');
        },
        (err: unknown) => setError(errorText(err)),
      );
    } else if (!open && d.open) d.close();
  }, [open]);

  const submit = async () => {
    setBusy(true);
    setError('');
    try {
      const album = choice === 'new' ? await createAlbum(newName.trim()) : albums?.find((a) => a.id === choice);
      if (album) await onPick(album);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const ready = choice !== '' && (choice !== 'new' || newName.trim() !== '');
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} onClose={onClose} onClick={(e) => e.target === ref.current && onClose()}>
      <form className="dialog-body" onSubmit={(e) => (e.preventDefault(), ready && !busy && void submit())}>
        <h2 id={titleId}>Add {count === 1 ? 'it' : `${count} items`} to an album</h2>
        {albums === null && !error ? (
          <Spinner label="Loading albums…" />
        ) : (
          <fieldset className="album-choices">
            <legend className="sr-only">Album</legend>
            {albums?.map((a) => (
              <label key={a.id} className="album-choice">
                <input type="radio" name="album" value={a.id} checked={choice === a.id} onChange={() => setChoice(a.id)} />
                <span className="truncate">{a.name}</span>
                <span className="muted small">{a.docCount}</span>
              </label>
            ))}
            <label className="album-choice">
              <input type="radio" name="album" value="new" checked={choice === 'new'} onChange={() => setChoice('new')} />
              <span>New album</span>
            </label>
            {choice === 'new' && (
              <div className="field">
                <label htmlFor={nameId}>Name of the new album</label>
                <input id={nameId} value={newName} maxLength={100} autoFocus onChange={(e) => setNewName(e.target.value)} />
              </div>
            )}
          </fieldset>
        )}
        {error && <p className="error-text small" role="alert">{error}</p>}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={!ready || busy}>{busy ? 'Adding…' : 'Add to album'}</button>
        </div>
      </form>
    </dialog>
  );
}
