// Access JWTs (HS256, jose): short-lived, carry the user and session family.
import { SignJWT, jwtVerify, errors } from 'jose';

export type AccessClaims = { userId: string; sessionId: string };

export type TokenVerdict = { ok: true; claims: AccessClaims } | { ok: false; reason: 'expired' | 'invalid' };

export function createTokenSigner(secret: string, ttlSeconds: number, now: () => number) {
  const key = new TextEncoder().encode(secret);
  return {
    ttlSeconds,
    sign: (c: AccessClaims): Promise<string> => {
      const iat = Math.floor(now() / 1000);
      return new SignJWT({ sid: c.sessionId, typ: 'access' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(c.userId)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .setIssuer('picora')
        .sign(key);
    },
    verify: async (token: string): Promise<TokenVerdict> => {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: 'picora',
          currentDate: new Date(now()),
        });
        if (payload['typ'] !== 'access' || typeof payload.sub !== 'string' || typeof payload['sid'] !== 'string') {
          return { ok: false, reason: 'invalid' };
        }
        return { ok: true, claims: { userId: payload.sub, sessionId: payload['sid'] } };
      } catch (err) {
        return { ok: false, reason: err instanceof errors.JWTExpired ? 'expired' : 'invalid' };
      }
    },
  };
}

export type TokenSigner = ReturnType<typeof createTokenSigner>;

export const API_KEY_PATTERN = /^sk_live_[A-Za-z0-9_-]{32}$/;
export const looksLikeJwt = (t: string): boolean => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(t) && t.length < 4096;
