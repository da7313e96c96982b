// A custom poster: any image the API accepts, re-encoded by the server and shown before playback starts.
import { useEffect, useRef, useState } from 'react';
import { uploadPoster, type UploadHandle } from '../../api/upload';
import type { Video } from '../../api/types';
import { errorText } from '../../lib/error-text';
import { useToast } from '../../lib/toast';

const ACCEPT = 'image/jpeg,image/png,image/gif,image/webp,image/avif,image/heic,image/heif,.heic,.heif';

export function VideoPoster({ video, onChange }: { video: Video; onChange(v: Video): void }) {
  const toast = useToast();
  const fileRef = useRef<HTMLInputElement>(null);
  const handle = useRef<UploadHandle<Video> | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState('');

  useEffect(() => () => handle.current?.abort(), []);

  const send = async (file: File | undefined) => {
    if (fileRef.current) fileRef.current.value = '';
    if (!file) return;
    setError('');
    setProgress(0);
    const h = uploadPoster(video.id, file, setProgress);
    handle.current = h;
    try {
      onChange(await h.done);
      toast.show('Poster updated');
    } catch (err) {
      if (handle.current === h) setError(errorText(err));
    } finally {
      if (handle.current === h) {
        handle.current = null;
        setProgress(null);
      }
    }
  };

  return (
    <section className="card" aria-labelledby="video-poster-h">
      <h2 id="video-poster-h">Poster</h2>
      <div className="row gap-s poster-row">
        {video.thumbnailUrl ? (
          <img src={video.thumbnailUrl} alt="Current poster" className="poster-preview" />
        ) : (
          <span className="poster-preview muted small">No poster yet</span>
        )}
        <p className="muted small">
          The picture shown before the video plays and in your library. {video.status === 'ready' ? 'By default a frame from the video.' : 'A frame is taken when processing ends, unless you choose one.'}
        </p>
      </div>
      {progress !== null && (
        <div className="bar bar-thin bar-ok" role="progressbar" aria-label="Poster upload" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(progress * 100)}>
          <span style={{ width: `${Math.round(progress * 100)}%` }} />
        </div>
      )}
      {error && <p className="error-text small" role="alert">{error}</p>}
      <div>
        <button type="button" className="btn" disabled={progress !== null} onClick={() => fileRef.current?.click()}>
          {progress !== null ? 'Uploading…' : 'Upload a poster image…'}
        </button>
        <input ref={fileRef} type="file" accept={ACCEPT} hidden onChange={(e) => void send(e.target.files?.[0])} data-testid="poster-input" />
      </div>
    </section>
  );
}
