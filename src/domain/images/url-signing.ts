// Signed media URLs (?exp=&sig=) and opaque list cursors: HMAC-SHA256 with keys derived from the server secret,
// compared in constant time.
import { AppError } from '../../errors/app-error.js';
import { hmacSha256, safeEqual } from '../../lib/hashing.js';

export function createUrlSigner(serverSecret: string) {
  const mediaKey = hmacSha256(serverSecret, 'picora:media-url-signing:v1');
  const cursorKey = hmacSha256(serverSecret, 'picora:list-cursor:v1');
  const sigOf = (id: string, exp: number, params: string) => hmacSha256(mediaKey, `${id}\n${exp}\n${params}`).toString('base64url');

  return {
    /** `params` is the canonical transform parameter string ('' for the original). */
    sign: (id: string, exp: number, params = ''): string => sigOf(id, exp, params),

    verify(id: string, exp: number, sig: string, params = ''): boolean {
      return safeEqual(sigOf(id, exp, params), sig);
    },

    encodeCursor(position: { createdAt: number; id: string }): string {
      const body = Buffer.from(JSON.stringify({ c: position.createdAt, i: position.id })).toString('base64url');
      return `${body}.${hmacSha256(cursorKey, body).subarray(0, 12).toString('base64url')}`;
    },

    /** Throws BAD_REQUEST for anything this server did not mint. */
    decodeCursor(cursor: string): { createdAt: number; id: string } {
      const bad = () => new AppError('BAD_REQUEST', 'Invalid cursor: pass back nextCursor exactly as received');
      const [body, mac, extra] = cursor.split('.');
      if (!body || !mac || extra !== undefined || cursor.length > 200) throw bad();
      if (!safeEqual(hmacSha256(cursorKey, body).subarray(0, 12).toString('base64url'), mac)) throw bad();
      try {
        const v = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { c?: unknown; i?: unknown };
        if (typeof v.c !== 'number' || !Number.isSafeInteger(v.c) || typeof v.i !== 'string' || v.i.length > 32) throw bad();
        return { createdAt: v.c, id: v.i };
      } catch {
        throw bad();
      }
    },
  };
}

export type UrlSigner = ReturnType<typeof createUrlSigner>;
