// The dashboard (web/, built by `npm run build:web` into web/dist) at /app/: hashed assets cached for a
// year (brotli or gzip copies made at build time where the client takes them), index.html never cached, and every other /app/* path answered with index.html (the SPA routes).
// Without a build, /app/ says how to make one; the API and its tests do not need it.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** web/dist from both src/http/plugins (tsx) and dist/http/plugins (the build): three levels up. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/dist', import.meta.url));

const BASE = '/app/';
const HOUR = 3600;

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Picora dashboard not built</title>
<style>body{font:16px/1.6 system-ui,sans-serif;max-width:36rem;margin:12vh auto;padding:0 1rem;color:#222}
code{background:#f1f1f4;padding:.1em .35em;border-radius:4px}@media(prefers-color-scheme:dark){body{background:#111;color:#eee}code{background:#222}}</style>
</head><body><h1>The dashboard has not been built yet</h1>
<p>Picora's API is running; only the web dashboard is missing. Build it with <code>npm run build:web</code>
(<code>npm start</code> does this for you), then reload this page.</p>
<p>The API reference is at <a href="/docs">/docs</a>.</p></body></html>`;

function contentSecurityPolicy(mediaBaseUrl: string): string {
  const media = new URL(mediaBaseUrl).origin;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob: ${media}`,
    `media-src 'self' blob: ${media}`,
    `connect-src 'self' ${media}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

export function webAppRoutes(deps: { mediaBaseUrl: string; root?: string }) {
  const root = path.resolve(deps.root ?? DEFAULT_WEB_ROOT);
  const csp = contentSecurityPolicy(deps.mediaBaseUrl);

  return async function (app: FastifyInstance): Promise<void> {
    // serve: false — only reply.sendFile (streams, ETag, ranges, no traversal); the routes are ours.
    // preCompressed: the .br / .gz copies written at build time (scripts/compress-web.mjs) go to clients that
    // accept them, with Vary: Accept-Encoding; a file without copies goes as it is.
    await app.register(fastifyStatic, { root, serve: false, preCompressed: true });
    const hidden = { schema: { hide: true }, config: { auth: 'public' as const, rateTier: 'none' as const } };

    const sendIndex = async (reply: FastifyReply) => {
      if (!(await isFile(path.join(root, 'index.html')))) {
        return reply.status(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT);
      }
      reply.header('content-security-policy', csp);
      return reply.header('cache-control', 'no-cache').header('vary', 'accept-encoding').type('text/html; charset=utf-8').sendFile('index.html', root, { cacheControl: false });
    };

    app.get('/', hidden, (_request, reply) => reply.redirect(BASE, 302));
    app.get('/app', hidden, (_request, reply) => reply.redirect(BASE, 301));

    app.get<{ Params: { '*': string } }>(`${BASE}*`, hidden, async (request, reply) => {
      const rel = request.params['*'] ?? '';
      if (rel === '' || rel === 'index.html') return sendIndex(reply);
      const file = path.resolve(root, rel);
      const inside = file.startsWith(root + path.sep) && !rel.includes('\0');
      if (inside && (await isFile(file))) {
        const hashed = rel.startsWith('assets/');
        reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : `public, max-age=${HOUR}`).header('vary', 'accept-encoding');
        return reply.sendFile(path.relative(root, file), root, { cacheControl: false, dotfiles: 'deny' });
      }
      // A missing file (an old hashed asset, a typo) is a 404; anything else is a route of the app.
      if (rel.startsWith('assets/') || /\.[a-z0-9]{1,8}$/i.test(rel)) return reply.callNotFound();
      return sendIndex(reply);
    });
  };
}
