// The upload queue: files from drag-and-drop anywhere, the Upload dialog or the Videos page, two at a time,
// each with its own progress and outcome. Video files go to /v1/videos, everything else to /v1/images.
// Listeners (the library, the videos page) hear about every image or video that arrives.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { uploadImage, uploadVideo, type UploadHandle, type UploadOptions } from '../../api/upload';
import type { Image, UploadedVideo } from '../../api/types';
import { errorText } from '../../lib/error-text';

export type UploadItem = {
  id: number;
  file: File;
  progress: number;
  kind: 'image' | 'video';
  status: 'queued' | 'uploading' | 'done' | 'duplicate' | 'error';
  error?: string;
  image?: Image;
  video?: UploadedVideo;
};

type Uploads = {
  items: UploadItem[];
  options: UploadOptions;
  setOptions(o: UploadOptions): void;
  /** Queues files; `kind` forces where they go (the Videos page), else each file's type decides. */
  add(files: File[], kind?: UploadItem['kind']): void;
  retry(id: number): void;
  cancel(id: number): void;
  clearFinished(): void;
  onUploaded(fn: (img: Image, duplicate: boolean) => void): () => void;
  onVideoUploaded(fn: (video: UploadedVideo) => void): () => void;
  dialogOpen: boolean;
  setDialogOpen(open: boolean): void;
};

const UploadContext = createContext<Uploads | null>(null);
const CONCURRENCY = 2;
let nextId = 1;

/** By its type, or its extension where the system names none (MKV often has no MIME type). */
export const isVideoFile = (f: File): boolean => f.type.startsWith('video/') || /\.(mp4|m4v|mov|mkv|webm|avi)$/i.test(f.name);

export function UploadProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<UploadItem[]>([]);
  const [options, setOptions] = useState<UploadOptions>({ isPublic: true, tags: [] });
  const [dialogOpen, setDialogOpen] = useState(false);
  const [dragging, setDragging] = useState(false);
  const listeners = useRef(new Set<(img: Image, dup: boolean) => void>());
  const videoListeners = useRef(new Set<(video: UploadedVideo) => void>());
  const handles = useRef(new Map<number, UploadHandle<unknown>>());
  const optionsRef = useRef(options);
  optionsRef.current = options;

  const patch = useCallback((id: number, p: Partial<UploadItem>) => setItems((all) => all.map((it) => (it.id === id ? { ...it, ...p } : it))), []);

  // Starts queued items while fewer than CONCURRENCY are running.
  useEffect(() => {
    const running = items.filter((i) => i.status === 'uploading').length;
    const next = items.filter((i) => i.status === 'queued').slice(0, Math.max(0, CONCURRENCY - running));
    for (const item of next) {
      if (handles.current.has(item.id)) continue;
      patch(item.id, { status: 'uploading', progress: 0 });
      const onProgress = (f: number) => patch(item.id, { progress: f });
      const failed = (err: unknown) => patch(item.id, { status: 'error', error: errorText(err, item.kind) });
      let settled: Promise<void>;
      if (item.kind === 'video') {
        const h = uploadVideo(item.file, optionsRef.current, onProgress);
        handles.current.set(item.id, h);
        settled = h.done.then((video) => {
          patch(item.id, { status: 'done', progress: 1, video });
          for (const l of videoListeners.current) l(video);
        }, failed);
      } else {
        const h = uploadImage(item.file, optionsRef.current, onProgress);
        handles.current.set(item.id, h);
        settled = h.done.then(({ image, duplicate }) => {
          patch(item.id, { status: duplicate ? 'duplicate' : 'done', progress: 1, image });
          for (const l of listeners.current) l(image, duplicate);
        }, failed);
      }
      void settled.finally(() => handles.current.delete(item.id));
    }
  }, [items, patch]);

  const add = useCallback((files: File[], kind?: UploadItem['kind']) => {
    if (!files.length) return;
    const kindOf = (f: File) => kind ?? (isVideoFile(f) ? 'video' : 'image');
    setItems((all) => [...all, ...files.map((file) => ({ id: nextId++, file, kind: kindOf(file), progress: 0, status: 'queued' as const }))]);
  }, []);

  // Drag-and-drop anywhere on the page.
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      setDragging(true);
    };
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      e.preventDefault();
      depth = 0;
      setDragging(false);
      const files = Array.from(e.dataTransfer?.files ?? []);
      add(files);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [add]);

  const value = useMemo<Uploads>(
    () => ({
      items,
      options,
      setOptions,
      add,
      retry: (id) => patch(id, { status: 'queued', progress: 0, error: undefined }),
      cancel: (id) => {
        handles.current.get(id)?.abort();
        setItems((all) => all.filter((i) => i.id !== id));
      },
      clearFinished: () => setItems((all) => all.filter((i) => i.status === 'queued' || i.status === 'uploading')),
      onUploaded: (fn) => {
        listeners.current.add(fn);
        return () => void listeners.current.delete(fn);
      },
      onVideoUploaded: (fn) => {
        videoListeners.current.add(fn);
        return () => void videoListeners.current.delete(fn);
      },
      dialogOpen,
      setDialogOpen,
    }),
    [items, options, add, patch, dialogOpen],
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
