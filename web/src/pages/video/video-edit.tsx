// A video's title, tags and visibility.
import { useEffect, useId, useState } from 'react';
import type { Video } from '../../api/types';
import { TagInput } from '../../components/ui';

export type SaveVideo = (patch: Partial<Pick<Video, 'title' | 'tags' | 'isPublic'>>, done: string) => Promise<boolean>;

export function VideoEdit({ video, save }: { video: Video; save: SaveVideo }) {
  const [title, setTitle] = useState(video.title);
  const [tags, setTags] = useState(video.tags);
  const [saving, setSaving] = useState(false);
  const [toggling, setToggling] = useState(false);
  const titleId = useId();
  const tagsId = useId();
  const switchId = useId();

  useEffect(() => {
    setTitle(video.title);
    setTags(video.tags);
  }, [video.id, video.title, video.tags]);

  const dirty = title.trim() !== video.title || tags.join('\u0000') !== video.tags.join('\u0000');

  return (
    <section className="card" aria-labelledby="video-edit-h">
      <h2 id="video-edit-h">Visibility and details</h2>
      <div className="switch-row">
        <div>
          <label htmlFor={switchId}><strong>{video.isPublic ? 'Public' : 'Private'}</strong></label>
          <p className="muted small">
            {video.isPublic ? 'Anyone with the playback URL can watch it.' : 'Only you, or holders of a signed link, can watch it.'}
          </p>
        </div>
        <button
          id={switchId}
          type="button"
          role="switch"
          className="switch"
          aria-checked={video.isPublic}
          aria-label="Public"
          disabled={toggling}
          onClick={async () => {
            setToggling(true);
            await save({ isPublic: !video.isPublic }, video.isPublic ? 'The video is now private' : 'The video is now public');
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
          await save({ title: title.trim(), tags }, 'Saved');
          setSaving(false);
        }}
      >
        <div className="field">
          <label htmlFor={titleId}>Title</label>
          <input id={titleId} value={title} maxLength={400} required onChange={(e) => setTitle(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={tagsId}>Tags</label>
          <TagInput id={tagsId} tags={tags} onChange={setTags} placeholder="Add a tag, then Enter" />
        </div>
        <div>
          <button type="submit" className="btn btn-primary" disabled={!dirty || !title.trim() || saving}>
            {saving ? 'Saving…' : 'Save changes'}
          </button>
        </div>
      </form>
    </section>
  );
}
