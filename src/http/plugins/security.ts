// Security headers and CORS. CORS exposes the headers clients read (request id, rate limits, Retry-After).
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

export const EXPOSED_HEADERS = [
  'x-request-id',
  'retry-after',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'x-picora-duplicate',
  'etag',
  'content-range',
  // resumable uploads (tus): a browser client reads these from PATCH, HEAD and POST answers
  'location',
  'tus-resumable',
  'tus-version',
  'tus-extension',
  'tus-max-size',
  'upload-offset',
  'upload-length',
  'upload-expires',
  'upload-metadata',
  'x-picora-resource-type',
  'x-picora-resource-id',
];

export async function registerSecurity(app: FastifyInstance, opts: { https: boolean }): Promise<void> {
  await app.register(helmet, {
    // JSON APIs need no CSP; the docs page sets its own, media responses set theirs.
    contentSecurityPolicy: false,
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    hsts: opts.https ? { maxAge: 15_552_000, includeSubDomains: false } : false,
  });
  await app.register(cors, {
    origin: '*',
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'],
    allowedHeaders: [
      'authorization', 'content-type', 'x-request-id', 'if-none-match', 'if-unmodified-since', 'range', 'x-picora-client', 'accept-language',
      // resumable uploads (tus)
      'tus-resumable', 'upload-length', 'upload-metadata', 'upload-offset', 'upload-defer-length', 'upload-concat', 'x-http-method-override', 'x-requested-with',
    ],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
    // an OPTIONS without Origin (OPTIONS *, a probe) is answered like a preflight, not with a text/plain 400
    strictPreflight: false,
  });
}
