// One audio file: its cover and a player (seeking works: the media host answers ranges), sharing, title and
// visibility, what was read from the file, and delete.
import { useState } from 'react';
import { api } from '../../api/client';
import type { Audio } from '../../api/types';
import { ConfirmDialog } from '../../components/dialog';
import { ErrorState, Spinner } from '../../components/ui';
import { errorText } from '../../lib/error-text';
import { formatBytes, formatClock, formatDateTime } from '../../lib/format';
import { Link, navigate } from '../../lib/router';
import { useToast } from '../../lib/toast';
import { useAsync } from '../../lib/use-async';
import { AudioEdit, AudioShare, type SaveAudio } from './audio-side';

function Details({ audio }: { audio: Audio }) {
  const rows: Array<[string, string]> = [
    ['Artist', audio.artist ?? '—'],
    ['Album', audio.album ?? '—'],
    ['Duration', formatClock(audio.durationSeconds)],
    ['File name', audio.filename],
    ['Type', audio.mimeType],
    ['Size', formatBytes(audio.sizeBytes)],
    ['Bitrate', audio.bitrate ? `${audio.bitrate} kbit/s` : '—'], // the API says kbps
    ['Sample rate', audio.sampleRate ? `${(audio.sampleRate / 1000).toFixed(1)} kHz` : '—'],
    ['Channels', audio.channels ? String(audio.channels) : '—'],
    ['Uploaded', formatDateTime(audio.createdAt)],
    ['ID', audio.id],
  ];
  return (
    <dl className="meta">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd className={k === 'ID' ? 'mono break' : undefined}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function AudioPage({ id }: { id: string }) {
  const path = `/v1/audio/${encodeURIComponent(id)}`;
  const { data: audio, error, loading, reload, setData } = useAsync(() => api<Audio>(path), [path]);
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  if (loading && !audio) return <div className="page"><Spinner /></div>;
  if (error !== undefined || !audio)
    return (
      <div className="page">
        <Link to="/audio" className="back">← Audio</Link>
        <ErrorState what="this audio file" error={error} onRetry={reload} />
      </div>
    );

  const save: SaveAudio = async (patch, done) => {
    try {
      await api(path, { method: 'PATCH', body: patch });
      setData(await api<Audio>(path)); // visibility changes the URLs (a private file's carry a token)
      toast.show(done);
      return true;
    } catch (err) {
      toast.show(errorText(err, 'audio'), 'error');
      return false;
    }
  };

  const remove = async () => {
    setBusy(true);
    try {
      await api(path, { method: 'DELETE' });
      toast.show('Audio deleted');
      navigate('/audio');
    } catch (err) {
      toast.show(errorText(err, 'audio'), 'error');
      setBusy(false);
      setConfirming(false);
    }
  };

  const name = audio.title || audio.filename;
  return (
    <div className="page">
      <Link to="/audio" className="back">← Audio</Link>
      <header className="page-head">
        <div className="min0">
          <h1 className="truncate">{name}</h1>
          <p className="muted" data-testid="audio-summary">
            {[audio.artist, audio.isPublic ? 'Public' : 'Private', formatClock(audio.durationSeconds), formatBytes(audio.sizeBytes)].filter(Boolean).join(' · ')}
          </p>
        </div>
        <button type="button" className="btn btn-danger-ghost" onClick={() => setConfirming(true)}>Delete</button>
      </header>
      <div className="detail">
        <div className="detail-preview stack audio-stage">
          <img className="audio-art" src={audio.thumbnailUrl} alt={`Cover of ${name}`} width={480} height={480} />
          <audio controls preload="metadata" src={audio.url} aria-label={`Play ${name}`} data-testid="audio-player" />
        </div>
        <div className="detail-side">
          <AudioShare audio={audio} />
          <AudioEdit audio={audio} save={save} />
        </div>
        <section className="card detail-meta" aria-labelledby="audio-meta-h">
          <h2 id="audio-meta-h">Details</h2>
          <Details audio={audio} />
        </section>
      </div>
      <ConfirmDialog open={confirming} title="Delete this audio file?" confirmLabel="Delete" danger busy={busy} onConfirm={remove} onClose={() => setConfirming(false)}>
        <p>Its URL and signed links stop working at once. This cannot be undone.</p>
      </ConfirmDialog>
    </div>
  );
}
