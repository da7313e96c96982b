// Uploads files with XMLHttpRequest, for its upload progress events (fetch has none for request bodies):
// images (POST /v1/images), videos (POST /v1/videos, 202 while they are processed) and video posters.
import { ApiError, api, getAccessToken, isAuthFailure, refreshSession } from './client';
import type { Image, UploadedVideo, Video } from './types';

export type UploadOptions = { isPublic: boolean; tags: string[]; title?: string };
export type UploadResult = { image: Image; duplicate: boolean };
export type UploadHandle<T = UploadResult> = { done: Promise<T>; abort(): void };

type Attempt = { status: number; body: string; duplicate: boolean; retryAfter: number };
type Fields = Array<[string, string | File]>;

function parseError(a: Attempt): ApiError {
  let body: { error?: string; code?: string; meta?: Record<string, unknown> } = {};
  try {
    body = JSON.parse(a.body);
  } catch {
    /* not JSON: a proxy or network error page */
  }
  const meta = { ...(body.meta ?? {}) };
  if (meta['retryAfterSec'] === undefined && a.retryAfter > 0) meta['retryAfterSec'] = a.retryAfter;
  if (a.status === 413) return new ApiError(body.error ?? 'The file is too large', 413, 'FILE_TOO_LARGE', meta);
  return new ApiError(body.error ?? `Upload failed (HTTP ${a.status})`, a.status, body.code ?? 'INTERNAL', meta);
}

/** POSTs one multipart form (the file last, as the API reads fields first); after a 401 it refreshes the
 * session once and sends again. `accept` turns a successful answer into the result, or undefined: an error. */
function postForm<T>(url: string, fields: Fields, onProgress: (fraction: number) => void, accept: (a: Attempt) => T | undefined): UploadHandle<T> {
  let xhr: XMLHttpRequest | null = null;
  let aborted = false;

  const attempt = () =>
    new Promise<Attempt>((resolve, reject) => {
      const form = new FormData();
      for (const [name, value] of fields) {
        if (typeof value === 'string') form.append(name, value);
        else form.append(name, value, value.name);
      }
      const req = new XMLHttpRequest();
      xhr = req;
      req.open('POST', url);
      const token = getAccessToken();
      if (token) req.setRequestHeader('authorization', `Bearer ${token}`);
      req.setRequestHeader('accept', 'application/json');
      req.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
      req.onload = () =>
        resolve({
          status: req.status,
          body: req.responseText,
          duplicate: req.getResponseHeader('x-picora-duplicate') === 'true',
          retryAfter: Number(req.getResponseHeader('retry-after')) || 0,
        });
      req.onerror = () => reject(new ApiError('The connection failed during the upload: check your network and retry', 0, 'NETWORK'));
      req.onabort = () => reject(new ApiError('Upload cancelled', 0, 'ABORTED'));
      req.send(form);
    });

  const done = (async () => {
    let a = await attempt();
    if (!aborted && isAuthFailure(a.status, undefined) && (await refreshSession())) {
      onProgress(0);
      a = await attempt();
    }
    const result = accept(a);
    if (result === undefined) throw parseError(a);
    onProgress(1);
    return result;
  })();

  return {
    done,
    abort() {
      aborted = true;
      xhr?.abort();
    },
  };
}

const dataOf = <T>(a: Attempt): T => (JSON.parse(a.body) as { data: T }).data;

function optionFields(opts: UploadOptions): Fields {
  const fields: Fields = [['isPublic', String(opts.isPublic)]];
  if (opts.tags.length) fields.push(['tags', JSON.stringify(opts.tags)]);
  if (opts.title) fields.push(['title', opts.title]);
  return fields;
}

export function uploadImage(file: File, opts: UploadOptions, onProgress: (fraction: number) => void): UploadHandle {
  return postForm('/v1/images', [...optionFields(opts), ['file', file]], onProgress, (a) =>
    a.status === 200 || a.status === 201 ? { image: dataOf<Image>(a), duplicate: a.duplicate || a.status === 200 } : undefined,
  );
}

/** A video: 202 once the bytes are stored; the transcode then runs on the server (poll its status). */
export function uploadVideo(file: File, opts: UploadOptions, onProgress: (fraction: number) => void): UploadHandle<UploadedVideo> {
  return postForm('/v1/videos', [...optionFields(opts), ['file', file]], onProgress, (a) =>
    a.status === 202 || a.status === 201 ? dataOf<UploadedVideo>(a) : undefined,
  );
}

/** A custom poster (any image the API accepts), re-encoded by the server; answers the updated video. */
export function uploadPoster(videoId: string, file: File, onProgress: (fraction: number) => void = () => {}): UploadHandle<Video> {
  return postForm(`/v1/videos/${encodeURIComponent(videoId)}/thumbnail`, [['file', file]], onProgress, (a) =>
    a.status === 200 ? dataOf<Video>(a) : undefined,
  );
}

/** The account's avatar (JPEG, PNG, WebP or GIF ≤ 2 MB), re-encoded square by the server; answers its URL. */
export function uploadAvatar(file: File): UploadHandle<{ avatarUrl: string }> {
  return postForm('/v1/user/me/avatar', [['file', file]], () => {}, (a) => (a.status === 200 ? dataOf<{ avatarUrl: string }>(a) : undefined));
}

/** An image the server fetches from a public address (POST /v1/images with `{url}`): no upload progress. */
export function uploadImageFromUrl(url: string, opts: UploadOptions): UploadHandle {
  const ctl = new AbortController();
  const body = { url, isPublic: opts.isPublic, ...(opts.tags.length ? { tags: opts.tags } : {}), ...(opts.title ? { title: opts.title } : {}) };
  return {
    done: api<Image>('/v1/images', { method: 'POST', body, signal: ctl.signal }).then((image) => ({ image, duplicate: false })),
    abort: () => ctl.abort(),
  };
}
