// One image: a large preview, its metadata, sharing, editing, hotlink rules, signed links and transforms.
import { useState } from 'react';
import { api } from '../../api/client';
import type { Image } from '../../api/types';
import { ConfirmDialog } from '../../components/dialog';
import { aspectOf, MediaImage } from '../../components/media-image';
import { ErrorState, Spinner } from '../../components/ui';
import { errorText } from '../../lib/error-text';
import { formatBytes, formatDateTime } from '../../lib/format';
import { Link, navigate } from '../../lib/router';
import { useToast } from '../../lib/toast';
import { useAsync } from '../../lib/use-async';
import { HotlinkEditor } from './hotlink-editor';
import { ImageAlbum } from './image-album';
import { ImageEdit } from './image-edit';
import { ImageShare } from './image-share';
import { PhotoInformation } from './photo-info';
import { SignedUrl } from './signed-url';
import { TransformBuilder } from './transform-builder';

function Metadata({ image }: { image: Image }) {
  const rows: Array<[string, string]> = [
    ['File name', image.filename],
    ['Type', image.mimeType],
    ['Dimensions', image.width && image.height ? `${image.width} × ${image.height}` : '—'],
    ['Size', formatBytes(image.sizeBytes)],
    ['Uploaded', formatDateTime(image.createdAt)],
    ['Updated', formatDateTime(image.updatedAt)],
    ['ID', image.id],
    ['SHA-256', image.sha256],
  ];
  return (
    <dl className="meta">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd className={k === 'SHA-256' || k === 'ID' ? 'mono break' : undefined}>{v}</dd>
        </div>
      ))}
      {image.dominantColor && (
        <div>
          <dt>Dominant colour</dt>
          <dd>
            <span className="swatch" style={{ background: image.dominantColor }} /> <span className="mono">{image.dominantColor}</span>
          </dd>
        </div>
      )}
    </dl>
  );
}

export function ImagePage({ id }: { id: string }) {
  const { data: image, error, loading, reload, setData } = useAsync(() => api<Image>(`/v1/images/${encodeURIComponent(id)}`), [id]);
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  if (loading && !image) return <div className="page"><Spinner /></div>;
  if (error || !image)
    return (
      <div className="page">
        <Link to="/" className="back">← Library</Link>
        <ErrorState what="this image" error={error} onRetry={reload} />
      </div>
    );

  const save = async (patch: Partial<Pick<Image, 'title' | 'tags' | 'isPublic' | 'allowedReferers'>>, done: string) => {
    try {
      setData(await api<Image>(`/v1/images/${image.id}`, { method: 'PATCH', body: patch }));
      toast.show(done);
      return true;
    } catch (err) {
      toast.show(errorText(err), 'error');
      return false;
    }
  };

  const remove = async () => {
    setBusy(true);
    try {
      await api(`/v1/images/${image.id}`, { method: 'DELETE' });
      toast.show('Image deleted');
      navigate('/');
    } catch (err) {
      toast.show(errorText(err), 'error');
      setBusy(false);
      setConfirming(false);
    }
  };

  const name = image.title || image.filename;
  return (
    <div className="page">
      <Link to="/" className="back">← Library</Link>
      <header className="page-head">
        <div className="min0">
          <h1 className="truncate">{name}</h1>
          <p className="muted">
            {image.isPublic ? 'Public' : 'Private'} · {image.width && image.height ? `${image.width} × ${image.height} · ` : ''}
            {formatBytes(image.sizeBytes)}
          </p>
        </div>
        <button type="button" className="btn btn-danger-ghost" onClick={() => setConfirming(true)}>Delete</button>
      </header>
      <div className="detail">
        <div className="detail-preview preview-frame">
          <div className="preview-box" style={{ maxWidth: `calc(72vh * ${aspectOf(image).toFixed(4)})` }}>
            <MediaImage image={image} alt={name} fit="contain" displayWidth={900} eager key={`${image.id}-${image.isPublic}-${image.allowedReferers === null}`} />
          </div>
        </div>
        <div className="detail-side">
          <ImageShare image={image} />
          <ImageEdit image={image} save={save} />
          <ImageAlbum image={image} onChange={(kbId) => setData({ ...image, kbId })} />
          <PhotoInformation imageId={image.id} />
          <HotlinkEditor image={image} save={save} />
          <SignedUrl image={image} />
          <TransformBuilder image={image} />
        </div>
        <section className="card detail-meta" aria-labelledby="meta-h">
          <h2 id="meta-h">Details</h2>
          <Metadata image={image} />
        </section>
      </div>
      <ConfirmDialog open={confirming} title="Delete this image?" confirmLabel="Delete" danger busy={busy} onConfirm={remove} onClose={() => setConfirming(false)}>
        <p>Every link to it stops working at once. This cannot be undone.</p>
      </ConfirmDialog>
    </div>
  );
}

export type SaveImage = (patch: Partial<Pick<Image, 'title' | 'tags' | 'isPublic' | 'allowedReferers'>>, done: string) => Promise<boolean>;
