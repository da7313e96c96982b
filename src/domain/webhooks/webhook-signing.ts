// Webhook signatures (documented in docs/webhooks.md): every delivery carries
//   Picora-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
// The endpoint's secret is derived from the server's key and a per-endpoint salt, so the database alone holds
// nothing that can sign; rotating the salt rotates the secret.
import { hmacSha256, safeEqual } from '../../lib/hashing.js';

export const SIGNATURE_HEADER = 'picora-signature';

export function webhookSecret(serverSecret: string, webhookId: string, salt: string): string {
  return `whsec_${hmacSha256(serverSecret, `webhook:${webhookId}:${salt}`).toString('base64url')}`;
}

export function signPayload(secret: string, timestampSeconds: number, body: string): string {
  return `t=${timestampSeconds},v1=${hmacSha256(secret, `${timestampSeconds}.${body}`).toString('hex')}`;
}

/**
 * The receiver's check (what docs/webhooks.md shows): the header parses, its timestamp is within `toleranceSeconds`
 * of now (a replayed old delivery fails), and some v1 signature matches in constant time.
 */
export function verifySignature(header: string, secret: string, body: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const parts = header.split(',').map((p) => p.trim().split('=') as [string, string | undefined]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = hmacSha256(secret, `${t}.${body}`).toString('hex');
  return parts.some(([k, v]) => k === 'v1' && v !== undefined && safeEqual(v, expected));
}
