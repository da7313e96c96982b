// Uploads one file with XMLHttpRequest, for its upload progress events (fetch has none for request bodies).
import { ApiError, getAccessToken, isAuthFailure, refreshSession } from './client';
import type { Image } from './types';

export type UploadOptions = { isPublic: boolean; tags: string[]; title?: string };
export type UploadResult = { image: Image; duplicate: boolean };
export type UploadHandle = { done: Promise<UploadResult>; abort(): void };

type Attempt = { status: number; body: string; duplicate: boolean; retryAfter: number };

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

export function uploadImage(file: File, opts: UploadOptions, onProgress: (fraction: number) => void): UploadHandle {
  let xhr: XMLHttpRequest | null = null;
  let aborted = false;

  const attempt = () =>
    new Promise<Attempt>((resolve, reject) => {
      const form = new FormData();
      form.append('isPublic', String(opts.isPublic));
      if (opts.tags.length) form.append('tags', JSON.stringify(opts.tags));
      if (opts.title) form.append('title', opts.title);
      form.append('file', file, file.name);
      const req = new XMLHttpRequest();
      xhr = req;
      req.open('POST', '/v1/images');
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
    if (a.status === 200 || a.status === 201) {
      const body = JSON.parse(a.body) as { data: Image };
      onProgress(1);
      return { image: body.data, duplicate: a.duplicate || a.status === 200 };
    }
    throw parseError(a);
  })();

  return {
    done,
    abort() {
      aborted = true;
      xhr?.abort();
    },
  };
}
