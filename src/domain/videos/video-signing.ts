// Signed playback for private videos: one token per video and expiry, carried by the master playlist URL and
// copied by the served playlists into every URI they list (media playlists, init segments, segments), so one
// signed link plays the whole ladder and nothing else. HMAC-SHA256 with a key derived from the server secret,
// compared in constant time.
import { hmacSha256, safeEqual } from '../../lib/hashing.js';

export type PlaybackToken = { token: string; exp: number };

const TOKEN = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export function createPlaybackSigner(serverSecret: string) {
  const key = hmacSha256(serverSecret, 'picora:video-playback:v1');
  const sigOf = (videoId: string, exp: number) => hmacSha256(key, `${videoId}\n${exp}`).toString('base64url');
  return {
    /** A token for `videoId` that expires at `exp` (epoch seconds). */
    sign: (videoId: string, exp: number): PlaybackToken => ({ token: `${exp}.${sigOf(videoId, exp)}`, exp }),

    /** 'ok', or why not: 'invalid' (malformed or tampered) or 'expired'. */
    verify(videoId: string, token: string, nowSeconds: number): 'ok' | 'invalid' | 'expired' {
      const m = TOKEN.exec(token);
      if (!m) return 'invalid';
      const exp = Number(m[1]);
      if (!safeEqual(sigOf(videoId, exp), m[2]!)) return 'invalid';
      return exp < nowSeconds ? 'expired' : 'ok';
    },
  };
}

export type PlaybackSigner = ReturnType<typeof createPlaybackSigner>;
