// Large files go through tus 1.0 at /v1/uploads with tus-js-client (loaded only when a large file is sent):
// they can be paused and resumed, survive a dropped connection, and — because tus-js-client keeps each
// upload's URL in localStorage under the file's fingerprint — resume after a page reload once the same file
// is chosen again. Fingerprints carry the account id, so one browser shared by two accounts keeps them apart.
import type { DetailedError, PreviousUpload, Upload } from 'tus-js-client';
import { ApiError, api, getAccessToken, refreshSession } from './client';
import type { Audio, Image, MediaType, UploadedVideo, Video } from './types';
import type { UploadOptions } from './upload';

/** Files from this size on are sent resumably; smaller ones go in one request (less overhead). */
export const RESUMABLE_FROM = 16 * 1024 * 1024;
/** Bytes per PATCH: few requests for the rate limiter (mutation tier), little lost when one is cut off. */
const CHUNK = 32 * 1024 * 1024;
const ENDPOINT = '/v1/uploads';
const RETRY_DELAYS = [0, 1000, 3000, 5000, 10_000, 20_000];

export type Finished =
  | { type: 'image'; image: Image; duplicate: boolean }
  | { type: 'video'; video: UploadedVideo }
  | { type: 'audio'; audio: Audio; duplicate: boolean };

export type ResumableHandle = { done: Promise<Finished>; pause(): void; resume(): void; abort(): void };

/** An upload begun in an earlier visit whose file has not been chosen again yet. */
export type Unfinished = { key: string; filename: string; size: number; type: MediaType; createdAt: string; uploadUrl: string; previous: PreviousUpload };

const tus = () => import('tus-js-client');
const prefix = (userId: string) => `picora-${userId}-`;
const fingerprintOf = (userId: string, file: File) => `${prefix(userId)}${[file.name, file.type, file.size, file.lastModified].join('-')}`;

function statusOf(err: Error): number {
  return (err as DetailedError).originalResponse?.getStatus() ?? 0;
}

/** The API's error envelope inside a tus failure, as the ApiError the rest of the dashboard shows. */
function toApiError(err: Error): ApiError {
  const res = (err as DetailedError).originalResponse;
  if (!res) return new ApiError('The connection failed during the upload: it resumes where it stopped when you retry', 0, 'NETWORK');
  let body: { error?: string; code?: string; meta?: Record<string, unknown> } = {};
  try {
    body = JSON.parse(res.getBody()) as typeof body;
  } catch {
    /* a bare protocol answer */
  }
  const status = res.getStatus();
  const code = body.code ?? (status === 413 ? 'FILE_TOO_LARGE' : 'INTERNAL');
  return new ApiError(body.error ?? `Upload failed (HTTP ${status})`, status, code, body.meta ?? {});
}

async function read(type: string | null, id: string | null, duplicate: boolean): Promise<Finished> {
  if (!id) throw new ApiError('The server finished the upload without naming what it became', 0, 'INTERNAL');
  const at = encodeURIComponent(id);
  if (type === 'video') {
    const v = await api<Video>(`/v1/videos/${at}`);
    return { type: 'video', video: { id: v.id, videoId: v.videoId, title: v.title, filename: v.filename, sizeBytes: v.sizeBytes, createdAt: v.createdAt, status: 'processing' } };
  }
  if (type === 'audio') return { type: 'audio', audio: await api<Audio>(`/v1/audio/${at}`), duplicate };
  return { type: 'image', image: await api<Image>(`/v1/images/${at}`), duplicate };
}

type Start = { userId: string; type: MediaType; opts: UploadOptions; onProgress(fraction: number): void; resumeFrom?: Unfinished };

export function uploadResumable(file: File, s: Start): ResumableHandle {
  let upload: Upload | null = null;
  let paused = false;
  let settle: { resolve(f: Finished): void; reject(e: unknown): void } | null = null;
  const done = new Promise<Finished>((resolve, reject) => void (settle = { resolve, reject }));

  const metadata: Record<string, string> = {
    resourceType: s.type,
    filename: file.name,
    contentType: file.type || 'application/octet-stream',
    isPublic: String(s.opts.isPublic),
  };
  if (s.opts.tags.length) metadata['tags'] = JSON.stringify(s.opts.tags);
  if (s.opts.title) metadata['title'] = s.opts.title;

  void (async () => {
    const { Upload } = await tus();
    const u = new Upload(file, {
      endpoint: ENDPOINT,
      chunkSize: CHUNK,
      retryDelays: RETRY_DELAYS,
      metadata,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      fingerprint: async (f) => fingerprintOf(s.userId, f as File),
      async onBeforeRequest(req) {
        const token = getAccessToken();
        if (token) req.setHeader('Authorization', `Bearer ${token}`);
      },
      // a lapsed session is renewed and the request sent again; rate limits and server trouble are waited out;
      // a refusal (type, size, quota, plan) is final
      onShouldRetry(err) {
        const status = statusOf(err);
        if (status === 401) {
          void refreshSession();
          return true;
        }
        return status === 0 || status === 409 || status === 423 || status === 429 || status >= 500;
      },
      onProgress: (sent, total) => s.onProgress(total ? sent / total : 0),
      onSuccess(payload) {
        const res = payload.lastResponse;
        read(res.getHeader('X-Picora-Resource-Type') ?? null, res.getHeader('X-Picora-Resource-Id') ?? null, res.getHeader('X-Picora-Duplicate') === 'true').then(
          (f) => settle?.resolve(f),
          (e: unknown) => settle?.reject(e),
        );
      },
      onError: (err) => settle?.reject(toApiError(err)),
    });
    upload = u;
    if (s.resumeFrom) u.resumeFromPreviousUpload(s.resumeFrom.previous);
    else {
      const previous = await u.findPreviousUploads();
      const latest = previous.sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
      if (latest) u.resumeFromPreviousUpload(latest);
    }
    if (!paused) u.start();
  })().catch((e: unknown) => settle?.reject(e));

  return {
    done,
    pause() {
      paused = true;
      void upload?.abort(false);
    },
    resume() {
      paused = false;
      upload?.start();
    },
    abort() {
      paused = true;
      // ends the session on the server (its reservation is released) and forgets it here
      void upload?.abort(true).catch(() => {});
      settle?.reject(new ApiError('Upload cancelled', 0, 'ABORTED'));
    },
  };
}

/** The account's uploads left unfinished in this browser (a reload, a closed tab), newest first. */
export async function listUnfinished(userId: string): Promise<Unfinished[]> {
  // tus-js-client is loaded only when there is something of this account's to list
  let any = false;
  try {
    any = Object.keys(localStorage).some((k) => k.startsWith(`tus::${prefix(userId)}`));
  } catch {
    /* storage disabled: nothing was kept */
  }
  if (!any) return [];
  const { defaultOptions } = await tus();
  const all = await defaultOptions.urlStorage.findAllUploads().catch(() => [] as PreviousUpload[]);
  const mine = all.filter((u) => (u.urlStorageKey ?? '').startsWith(`tus::${prefix(userId)}`) && u.uploadUrl);
  return mine
    .map((u) => {
      const m = (u.metadata ?? {}) as Record<string, string>;
      const type: MediaType = m['resourceType'] === 'video' || m['resourceType'] === 'audio' ? m['resourceType'] : 'image';
      return { key: u.urlStorageKey, filename: m['filename'] ?? 'file', size: Number(u.size) || 0, type, createdAt: u.creationTime, uploadUrl: u.uploadUrl!, previous: u };
    })
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Ends an unfinished upload on the server (its reservation is released) and forgets it here. */
export async function discardUnfinished(u: Unfinished): Promise<void> {
  const { defaultOptions } = await tus();
  const token = getAccessToken();
  await fetch(u.uploadUrl, { method: 'DELETE', headers: { 'Tus-Resumable': '1.0.0', ...(token ? { authorization: `Bearer ${token}` } : {}) } }).catch(() => undefined);
  await defaultOptions.urlStorage.removeUpload(u.key);
}
