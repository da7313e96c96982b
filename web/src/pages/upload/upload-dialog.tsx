// The Upload dialog: visibility and tags for the next uploads, a file picker and a drop zone. Images, videos
// and audio all go through it (each file's type decides where it lands).
import { useEffect, useId, useRef, useState } from 'react';
import { TagInput } from '../../components/ui';
import { canDragDrop } from '../../lib/pointer';
import { isWebAddress } from './use-paste';
import { useUploads } from './upload-context';

const ACCEPT = 'image/jpeg,image/png,image/gif,image/webp,image/avif,image/svg+xml,image/heic,image/heif,.heic,.heif,video/*,.mkv,.avi,audio/*,.flac,.opus';

export function UploadDialog() {
  const { dialogOpen, setDialogOpen, options, setOptions, add, addUrl } = useUploads();
  const [link, setLink] = useState('');
  const linkId = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const titleId = useId();
  const tagsId = useId();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (dialogOpen && !d.open) d.showModal();
    else if (!dialogOpen && d.open) d.close();
  }, [dialogOpen]);

  const pick = (files: FileList | null) => {
    if (!files?.length) return;
    add(Array.from(files));
    setDialogOpen(false);
  };

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onClose={() => setDialogOpen(false)}
      onClick={(e) => e.target === ref.current && setDialogOpen(false)}
    >
      <div className="dialog-body">
        <h2 id={titleId}>Upload</h2>
        <fieldset className="segmented">
          <legend>Who can see them</legend>
          <label>
            <input type="radio" name="visibility" checked={options.isPublic} onChange={() => setOptions({ ...options, isPublic: true })} />
            <span>Public link</span>
          </label>
          <label>
            <input type="radio" name="visibility" checked={!options.isPublic} onChange={() => setOptions({ ...options, isPublic: false })} />
            <span>Private</span>
          </label>
        </fieldset>
        <p className="muted small">
          {options.isPublic ? 'Anyone with the link can view them.' : 'Only you can view them; share with signed links.'}
        </p>
        <div className="field">
          <label htmlFor={tagsId}>Tags</label>
          <TagInput id={tagsId} tags={options.tags} onChange={(tags) => setOptions({ ...options, tags })} placeholder="e.g. travel, 2026 (Enter to add)" />
        </div>
        <div
          className="dropzone"
          onDragOver={(e) => e.preventDefault()}
          onDrop={(e) => {
            e.preventDefault();
            e.stopPropagation();
            pick(e.dataTransfer.files);
          }}
        >
          <p>{canDragDrop() ? 'Drop files here, or anywhere on the page' : 'Choose photos, videos or audio from this device'}</p>
          <button type="button" className="btn btn-primary" onClick={() => fileRef.current?.click()}>
            Choose files…
          </button>
          <input ref={fileRef} type="file" multiple accept={ACCEPT} hidden onChange={(e) => pick(e.target.files)} data-testid="file-input" />
          <small className="muted">Images (JPEG, PNG, GIF, WebP, AVIF, SVG, HEIC); on Pro, videos and audio too. Large files can be paused and resumed.</small>
        </div>
        <form
          className="field"
          onSubmit={(e) => {
            e.preventDefault();
            if (!isWebAddress(link)) return;
            addUrl(link.trim());
            setLink('');
            setDialogOpen(false);
          }}
        >
          <label htmlFor={linkId}>Or from a link</label>
          <div className="row gap-s">
            <input id={linkId} type="url" inputMode="url" placeholder="https://example.com/photo.jpg" value={link} onChange={(e) => setLink(e.target.value)} />
            <button type="submit" className="btn" disabled={!isWebAddress(link)}>Fetch</button>
          </div>
          <small className="muted">Picora fetches the image from that address. You can also paste an image or a link anywhere (Ctrl/⌘+V).</small>
        </form>
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={() => setDialogOpen(false)}>
            Close
          </button>
        </div>
      </div>
    </dialog>
  );
}
