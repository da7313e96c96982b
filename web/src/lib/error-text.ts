// What to tell a person for each error code: what happened and what to do next.
import { ApiError } from '../api/client';
import { formatBytes, formatDuration } from './format';

const QUOTA: Record<string, string> = {
  img_storage: 'Your image storage is full. Delete images you no longer need, or ask for a bigger plan.',
  uploads_per_day: 'You reached today’s upload limit for your plan. Try again tomorrow, or ask for a bigger plan.',
  img_bandwidth: 'This month’s bandwidth is used up, so images are not served until it resets.',
  api_key_count: 'Your plan allows no more API keys. Revoke one you no longer use first.',
  media_storage: 'Your storage for videos and audio is full. Delete files you no longer need, or ask for a bigger plan.',
  media_bandwidth: 'This month’s video bandwidth is used up, so videos are not played until it resets.',
};

const PLAN_NAMES: Record<string, string> = { trial: 'Trial', pro: 'Pro', pro_plus: 'Pro+' };

/** `subject`: what the failed request was about, where the advice differs (the file types to use). */
export function errorText(err: unknown, subject: 'image' | 'video' | 'audio' = 'image'): string {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : 'Something went wrong. Please try again.';
  const meta = err.meta;
  switch (err.code) {
    case 'INVALID_FILE_TYPE':
      if (subject === 'video') return 'This file is not a video Picora can read. Use MP4, MOV, MKV, WebM or AVI.';
      if (subject === 'audio') return 'This file is not audio Picora can read. Use MP3, M4A, WAV, FLAC or OGG.';
      return 'This file type is not supported. Use JPEG, PNG, GIF, WebP, AVIF, SVG or HEIC.';
    case 'FILE_TOO_LARGE': {
      // images say their limit in meta; videos in the message ("… for your plan (2 GB)")
      const said = /\(([^()]*\d[^()]*)\)\s*$/.exec(err.message)?.[1];
      const max = typeof meta['maxBytes'] === 'number' ? ` (at most ${formatBytes(meta['maxBytes'])})` : said ? ` (at most ${said})` : '';
      return `This file is larger than your plan allows${max}. Resize or compress it, then upload again.`;
    }
    case 'PLAN_REQUIRED': {
      const plan = PLAN_NAMES[String(meta['requiredPlan'])] ?? 'a bigger';
      return `This needs the ${plan} plan, and your plan does not include it. Ask your administrator for an upgrade.`;
    }
    case 'VIDEO_SUSPENDED':
      return 'Video playback is paused: this month’s video bandwidth is far over your plan. It resumes when the month resets, or with a bigger plan.';
    case 'QUOTA_EXCEEDED':
      return QUOTA[String(meta['type'])] ?? 'You reached a limit of your plan.';
    case 'RATE_LIMITED': {
      const s = err.retryAfterSec;
      return `Too many requests right now. ${s ? `Try again in ${formatDuration(s)}.` : 'Wait a moment and try again.'}`;
    }
    case 'NETWORK':
      return err.message;
    case 'VALIDATION_ERROR': {
      // the server's text names the field ("Validation error: file is not a readable image …"): said plainly
      if (meta['field'] === 'file' && /truncated|corrupt|readable/i.test(err.message)) {
        return 'This file could not be read: it looks damaged or incomplete. Export or download it again, then upload the new copy.';
      }
      const plain = err.message.replace(/^Validation error:\s*/i, '');
      return plain ? plain.charAt(0).toUpperCase() + plain.slice(1) : 'Something in the request was not accepted.';
    }
    case 'UNAUTHORIZED':
    case 'TOKEN_EXPIRED': {
      // sign-in with the right password while the account is locked: the server says until when
      const until = typeof meta['lockedUntil'] === 'string' ? new Date(meta['lockedUntil']) : undefined;
      if (until && !Number.isNaN(until.getTime())) {
        return `This account is locked after too many attempts. Try again after ${until.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}.`;
      }
      return err.status === 401 && err.message ? err.message : 'Please sign in again.';
    }
    case 'INTERNAL':
    case 'STORAGE_ERROR':
      return `The server had a problem (${err.message}). Try again in a moment.`;
    default:
      return err.message;
  }
}

/** Whether trying the same request again can succeed (a dropped connection, a busy or failing server, a lapsed
 * session) — not for a file the server refused (its type, size, content, the plan or the quota). */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  return err.code === 'NETWORK' || err.code === 'RATE_LIMITED' || err.code === 'TOKEN_EXPIRED' || err.code === 'UNAUTHORIZED' || err.status === 0 || err.status >= 500;
}
