// What to tell a person for each error code: what happened and what to do next.
import { ApiError } from '../api/client';
import { formatBytes, formatDuration } from './format';

const QUOTA: Record<string, string> = {
  img_storage: 'Your image storage is full. Delete images you no longer need, or ask for a bigger plan.',
  uploads_per_day: 'You reached today’s upload limit for your plan. Try again tomorrow, or ask for a bigger plan.',
  img_bandwidth: 'This month’s bandwidth is used up, so images are not served until it resets.',
  api_key_count: 'Your plan allows no more API keys. Revoke one you no longer use first.',
};

export function errorText(err: unknown): string {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : 'Something went wrong. Please try again.';
  const meta = err.meta;
  switch (err.code) {
    case 'INVALID_FILE_TYPE':
      return 'This file type is not supported. Use JPEG, PNG, GIF, WebP, AVIF, SVG or HEIC.';
    case 'FILE_TOO_LARGE': {
      const max = typeof meta['maxBytes'] === 'number' ? ` (at most ${formatBytes(meta['maxBytes'])})` : '';
      return `This file is larger than your plan allows${max}. Resize or compress it, then upload again.`;
    }
    case 'QUOTA_EXCEEDED':
      return QUOTA[String(meta['type'])] ?? 'You reached a limit of your plan.';
    case 'RATE_LIMITED': {
      const s = err.retryAfterSec;
      return `Too many requests right now. ${s ? `Try again in ${formatDuration(s)}.` : 'Wait a moment and try again.'}`;
    }
    case 'NETWORK':
      return err.message;
    case 'UNAUTHORIZED':
    case 'TOKEN_EXPIRED':
      return err.status === 401 && err.message ? err.message : 'Please sign in again.';
    case 'INTERNAL':
    case 'STORAGE_ERROR':
      return `The server had a problem (${err.message}). Try again in a moment.`;
    default:
      return err.message;
  }
}
