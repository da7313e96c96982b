// Title, tags and visibility.
import { useEffect, useId, useState } from 'react';
import type { Image } from '../../api/types';
import { TagInput } from '../../components/ui';
import type { SaveImage } from './image-page';

export function ImageEdit({ image, save }: { image: Image; save: SaveImage }) {
  const [title, setTitle] = useState(image.title ?? '');
  const [tags, setTags] = useState(image.tags);
  const [saving, setSaving] = useState(false);
  const [toggling, setToggling] = useState(false);
  const titleId = useId();
  const tagsId = useId();
  const switchId = useId();

  useEffect(() => {
    setTitle(image.title ?? '');
    setTags(image.tags);
  }, [image.id, image.title, image.tags]);

  const dirty = title !== (image.title ?? '') || tags.join('\u0000') !== image.tags.join('\u0000');

  return (
    <section className="card" aria-labelledby="edit-h">
      <h2 id="edit-h">Visibility and details</h2>
      <div className="switch-row">
        <div>
          <label htmlFor={switchId}><strong>{image.isPublic ? 'Public' : 'Private'}</strong></label>
          <p className="muted small">{image.isPublic ? 'Anyone with the link can view it.' : 'Only you, or holders of a signed link, can view it.'}</p>
        </div>
        <button
          id={switchId}
          type="button"
          role="switch"
          className="switch"
          aria-checked={image.isPublic}
          aria-label="Public"
          disabled={toggling}
          onClick={async () => {
            setToggling(true);
            await save({ isPublic: !image.isPublic }, image.isPublic ? 'The image is now private' : 'The image is now public');
            setToggling(false);
          }}
        >
          <span />
        </button>
      </div>
      <form
        className="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          setSaving(true);
          await save({ title: title.trim() || null, tags }, 'Saved');
          setSaving(false);
        }}
      >
        <div className="field">
          <label htmlFor={titleId}>Title</label>
          <input id={titleId} value={title} maxLength={400} placeholder={image.filename} onChange={(e) => setTitle(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={tagsId}>Tags</label>
          <TagInput id={tagsId} tags={tags} onChange={setTags} placeholder="Add a tag, then Enter" />
        </div>
        <div>
          <button type="submit" className="btn btn-primary" disabled={!dirty || saving}>
            {saving ? 'Saving…' : 'Save changes'}
          </button>
        </div>
      </form>
    </section>
  );
}
