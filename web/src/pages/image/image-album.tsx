// The album an image is filed in: choose another, or none.
import { useEffect, useId, useState } from 'react';
import { listAlbums, moveToAlbum } from '../../api/albums';
import type { Album, Image } from '../../api/types';
import { errorText } from '../../lib/error-text';
import { Link } from '../../lib/router';
import { useToast } from '../../lib/toast';

export function ImageAlbum({ image, onChange }: { image: Image; onChange(kbId: string | null): void }) {
  const [albums, setAlbums] = useState<Album[] | null>(null);
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  const selectId = useId();
  useEffect(() => void listAlbums().then(setAlbums, () => setAlbums([])), []);

  const move = async (kbId: string | null) => {
    setBusy(true);
    try {
      await moveToAlbum([image.id], kbId);
      onChange(kbId);
      toast.show(kbId ? `Added to “${albums?.find((a) => a.id === kbId)?.name ?? 'the album'}”` : 'Taken out of the album');
    } catch (err) {
      toast.show(errorText(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  const current = albums?.find((a) => a.id === image.kbId);
  return (
    <section className="card" aria-labelledby="image-album-h">
      <h2 id="image-album-h">Album</h2>
      <div className="field">
        <label htmlFor={selectId}>Filed in</label>
        <select id={selectId} value={image.kbId ?? ''} disabled={busy || albums === null} onChange={(e) => void move(e.target.value || null)}>
          <option value="">Not in an album</option>
          {albums?.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
        </select>
      </div>
      {current && <p className="small"><Link to={`/albums/${current.id}`}>Open “{current.name}”</Link></p>}
      {albums?.length === 0 && <p className="muted small">No albums yet: <Link to="/albums">create one</Link>.</p>}
    </section>
  );
}
