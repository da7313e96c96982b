// Signed links for private audio (the file and its cover): `?token=<exp>.<sig>`, HMAC-SHA256 over the audio id and
// the expiry with a key derived from the server secret (its own purpose: a video token never opens audio), compared
// in constant time. The same token shape as video playback.
import { hmacSha256, safeEqual } from '../../lib/hashing.js';

const TOKEN = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export function createAudioSigner(serverSecret: string) {
  const key = hmacSha256(serverSecret, 'picora:audio-playback:v1');
  const sigOf = (audioId: string, exp: number) => hmacSha256(key, `${audioId}\n${exp}`).toString('base64url');
  return {
    /** A token for `audioId` that expires at `exp` (epoch seconds). */
    sign: (audioId: string, exp: number): { token: string; exp: number } => ({ token: `${exp}.${sigOf(audioId, exp)}`, exp }),

    /** 'ok', or why not: 'invalid' (malformed or tampered) or 'expired'. */
    verify(audioId: string, token: string, nowSeconds: number): 'ok' | 'invalid' | 'expired' {
      const m = TOKEN.exec(token);
      if (!m) return 'invalid';
      const exp = Number(m[1]);
      if (!safeEqual(sigOf(audioId, exp), m[2]!)) return 'invalid';
      return exp < nowSeconds ? 'expired' : 'ok';
    },
  };
}

export type AudioSigner = ReturnType<typeof createAudioSigner>;
