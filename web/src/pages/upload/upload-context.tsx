// The upload queue: files from drag-and-drop anywhere, the Upload dialog or a library tab, two at a time,
// each with its own progress and outcome. Each file's type decides where it goes (images, videos, audio);
// an image can also be pasted (Ctrl/Cmd+V) or fetched by the server from a link;
// large files go resumably (tus): they can be paused, and an upload cut off by a reload is offered again
// ("unfinished") until the same file is chosen once more or the upload is discarded.
// Listeners (the library tabs) hear about every image, video or audio item that arrives.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { discardUnfinished, listUnfinished, RESUMABLE_FROM, uploadResumable, type Finished, type Unfinished } from '../../api/resumable';
import { uploadImage, uploadImageFromUrl, uploadVideo, type UploadOptions } from '../../api/upload';
import type { Audio, Image, MediaType, UploadedVideo } from '../../api/types';
import { useAuth } from '../../lib/auth';
import { errorText, isRetryable } from '../../lib/error-text';
import { usePageDrop } from './use-page-drop';
import { usePaste } from './use-paste';

export type UploadItem = {
  id: number;
  file: File;
  progress: number;
  kind: MediaType;
  /** Sent through tus: can be paused, survives a reload. */
  resumable: boolean;
  status: 'queued' | 'uploading' | 'paused' | 'done' | 'duplicate' | 'error';
  error?: string;
  /** After an error: whether sending it again can help (a network failure can; a refused file cannot). */
  retryable?: boolean;
  image?: Image;
  video?: UploadedVideo;
  audio?: Audio;
  /** An upload from an earlier visit that this file continues. */
  resumeFrom?: Unfinished;
  /** An image the server fetches from this address (`file` is then an empty stand-in named after it). */
  sourceUrl?: string;
};

type Uploads = {
  items: UploadItem[];
  options: UploadOptions;
  setOptions(o: UploadOptions): void;
  /** Queues files; `kind` forces where they go (a tab's own picker), else each file's type decides. */
  add(files: File[], kind?: MediaType): void;
  /** Queues an image the server fetches from a public address. */
  addUrl(url: string): void;
  retry(id: number): void;
  cancel(id: number): void;
  /** Cancels everything not finished yet. */
  cancelAll(): void;
  pause(id: number): void;
  resume(id: number): void;
  clearFinished(): void;
  /** Uploads left unfinished by an earlier visit (this browser, this account). */
  unfinished: Unfinished[];
  /** Continues one with its file, chosen again; false when the file is not the same (name and size). */
  continueUnfinished(u: Unfinished, file: File): boolean;
  discard(u: Unfinished): Promise<void>;
  onUploaded(fn: (img: Image, duplicate: boolean) => void): () => void;
  onVideoUploaded(fn: (video: UploadedVideo) => void): () => void;
  onAudioUploaded(fn: (audio: Audio) => void): () => void;
  dialogOpen: boolean;
  setDialogOpen(open: boolean): void;
};

type Handle = { done: Promise<unknown>; abort(): void; pause?(): void; resume?(): void };

const UploadContext = createContext<Uploads | null>(null);
const CONCURRENCY = 2;
let nextId = 1;

/** By its type, or its extension where the system names none (MKV often has no MIME type). */
export const isVideoFile = (f: File): boolean => f.type.startsWith('video/') || /\.(mp4|m4v|mov|mkv|webm|avi)$/i.test(f.name);
export const isAudioFile = (f: File): boolean => f.type.startsWith('audio/') || /\.(mp3|m4a|wav|flac|ogg|oga|opus)$/i.test(f.name);
const kindOf = (f: File): MediaType => (isVideoFile(f) ? 'video' : isAudioFile(f) ? 'audio' : 'image');

function useListeners<T extends unknown[]>() {
  const set = useRef(new Set<(...args: T) => void>());
  const on = useCallback((fn: (...args: T) => void) => {
    set.current.add(fn);
    return () => void set.current.delete(fn);
  }, []);
  const emit = useCallback((...args: T) => {
    for (const l of set.current) l(...args);
  }, []);
  return { on, emit };
}

export function UploadProvider({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const userId = user?.id ?? '';
  const [items, setItems] = useState<UploadItem[]>([]);
  const [options, setOptions] = useState<UploadOptions>({ isPublic: true, tags: [] });
  const [dialogOpen, setDialogOpen] = useState(false);
  const [unfinished, setUnfinished] = useState<Unfinished[]>([]);
  const images = useListeners<[Image, boolean]>();
  const videos = useListeners<[UploadedVideo]>();
  const audio = useListeners<[Audio]>();
  const handles = useRef(new Map<number, Handle>());
  const optionsRef = useRef(options);
  optionsRef.current = options;

  const patch = useCallback((id: number, p: Partial<UploadItem>) => setItems((all) => all.map((it) => (it.id === id ? { ...it, ...p } : it))), []);

  // What an earlier visit left unfinished, once per account.
  useEffect(() => {
    if (!userId) return;
    let live = true;
    listUnfinished(userId).then((list) => live && setUnfinished(list), () => {});
    return () => void (live = false);
  }, [userId]);

  const arrived = useCallback(
    (item: UploadItem, f: Finished) => {
      if (f.type === 'image') {
        patch(item.id, { status: f.duplicate ? 'duplicate' : 'done', progress: 1, image: f.image });
        images.emit(f.image, f.duplicate);
      } else if (f.type === 'video') {
        patch(item.id, { status: 'done', progress: 1, video: f.video });
        videos.emit(f.video);
      } else {
        patch(item.id, { status: f.duplicate ? 'duplicate' : 'done', progress: 1, audio: f.audio });
        if (!f.duplicate) audio.emit(f.audio);
      }
    },
    [patch, images, videos, audio],
  );

  // Starts queued items while fewer than CONCURRENCY are running.
  useEffect(() => {
    const running = items.filter((i) => i.status === 'uploading').length;
    const next = items.filter((i) => i.status === 'queued').slice(0, Math.max(0, CONCURRENCY - running));
    for (const item of next) {
      if (handles.current.has(item.id)) continue;
      patch(item.id, { status: 'uploading', progress: 0 });
      const onProgress = (f: number) => patch(item.id, { progress: f });
      let h: Handle;
      let settled: Promise<void>;
      if (item.sourceUrl) {
        const u = uploadImageFromUrl(item.sourceUrl, optionsRef.current);
        h = u;
        settled = u.done.then(({ image, duplicate }) => arrived(item, { type: 'image', image, duplicate }));
      } else if (item.resumable) {
        const r = uploadResumable(item.file, { userId, type: item.kind, opts: optionsRef.current, onProgress, resumeFrom: item.resumeFrom });
        h = r;
        settled = r.done.then((f) => arrived(item, f));
      } else if (item.kind === 'video') {
        const v = uploadVideo(item.file, optionsRef.current, onProgress);
        h = v;
        settled = v.done.then((video) => arrived(item, { type: 'video', video }));
      } else {
        const i = uploadImage(item.file, optionsRef.current, onProgress);
        h = i;
        settled = i.done.then(({ image, duplicate }) => arrived(item, { type: 'image', image, duplicate }));
      }
      handles.current.set(item.id, h);
      void settled
        .catch((err: unknown) => {
          if ((err as { code?: string }).code !== 'ABORTED') patch(item.id, { status: 'error', error: errorText(err, item.kind), retryable: isRetryable(err) });
        })
        .finally(() => handles.current.delete(item.id));
    }
  }, [items, patch, arrived, userId]);

  const add = useCallback((files: File[], kind?: MediaType) => {
    if (!files.length) return;
    // audio has no direct upload in the dashboard: it always goes through tus (its size limits are the plan's)
    const queued = files.map((file) => {
      const k = kind ?? kindOf(file);
      return { id: nextId++, file, kind: k, resumable: k === 'audio' || file.size >= RESUMABLE_FROM, progress: 0, status: 'queued' as const };
    });
    setItems((all) => [...all, ...queued]);
  }, []);

  const addUrl = useCallback((url: string) => {
    const name = decodeURIComponent(new URL(url).pathname.split('/').pop() || url).slice(0, 120) || url;
    setItems((all) => [...all, { id: nextId++, file: new File([], name), kind: 'image', resumable: false, sourceUrl: url, progress: 0, status: 'queued' }]);
  }, []);

  const dragging = usePageDrop(add);
  usePaste(add, addUrl);

  const value = useMemo<Uploads>(
    () => ({
      items,
      options,
      setOptions,
      add,
      addUrl,
      retry: (id) => patch(id, { status: 'queued', progress: 0, error: undefined, retryable: undefined }),
      cancel: (id) => {
        handles.current.get(id)?.abort();
        setItems((all) => all.filter((i) => i.id !== id));
      },
      cancelAll: () => {
        for (const item of items) if (item.status === 'queued' || item.status === 'uploading' || item.status === 'paused') handles.current.get(item.id)?.abort();
        setItems((all) => all.filter((i) => i.status !== 'queued' && i.status !== 'uploading' && i.status !== 'paused'));
      },
      pause: (id) => {
        handles.current.get(id)?.pause?.();
        patch(id, { status: 'paused' });
      },
      resume: (id) => {
        handles.current.get(id)?.resume?.();
        patch(id, { status: 'uploading' });
      },
      clearFinished: () => setItems((all) => all.filter((i) => i.status === 'queued' || i.status === 'uploading' || i.status === 'paused')),
      unfinished,
      continueUnfinished: (u, file) => {
        if (file.name !== u.filename || file.size !== u.size) return false;
        setUnfinished((all) => all.filter((x) => x.key !== u.key));
        setItems((all) => [...all, { id: nextId++, file, kind: u.type, resumable: true, resumeFrom: u, progress: 0, status: 'queued' }]);
        return true;
      },
      discard: async (u) => {
        await discardUnfinished(u);
        setUnfinished((all) => all.filter((x) => x.key !== u.key));
      },
      onUploaded: images.on,
      onVideoUploaded: videos.on,
      onAudioUploaded: audio.on,
      dialogOpen,
      setDialogOpen,
    }),
    [items, options, add, addUrl, patch, unfinished, images.on, videos.on, audio.on, dialogOpen],
  );

  return (
    <UploadContext.Provider value={value}>
      {children}
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          <div className="drop-card">
            <strong>Drop to upload</strong>
            <span>
              As {options.isPublic ? 'public' : 'private'}
              {options.tags.length ? ` · tagged ${options.tags.join(', ')}` : ''}
            </span>
          </div>
        </div>
      )}
    </UploadContext.Provider>
  );
}

export function useUploads(): Uploads {
  const u = useContext(UploadContext);
  if (!u) throw new Error('useUploads outside UploadProvider');
  return u;
}
