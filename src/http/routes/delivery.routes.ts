// The public media host: GET|HEAD {mediaBaseUrl}/{id}.{ext}. Private, signed and hotlink rules come from
// the delivery service; here: validators (ETag → 304 before any byte is read), ranges, cache headers.
// A wrong extension for an id still serves the image with its stored type (no redirect).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import type { DeliveredImage as ImageRow, DeliveryService } from '../../domain/images/delivery.service.js';

const PASSTHROUGH_PARAMS = new Set(['exp', 'sig']);
const SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

type Range = { start: number; end: number } | 'unsatisfiable' | undefined;

/** Parses a single `bytes=` range; multiple ranges are answered with the whole body (allowed by RFC 9110). */
export function parseRange(header: string | undefined, size: number): Range {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return header.includes(',') ? undefined : 'unsatisfiable';
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

function etagOf(row: ImageRow): string {
  return `"${row.sha256.slice(0, 40)}"`;
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '');
    return v === '*' || v === etag;
  });
}

export function deliveryRoutes(deps: { delivery: DeliveryService; pathPrefix: string }) {
  const { delivery } = deps;

  async function serve(request: FastifyRequest<{ Params: { file: string }; Querystring: Record<string, string | string[]> }>, reply: FastifyReply) {
    for (const [k, v] of Object.entries(request.query)) {
      if (!PASSTHROUGH_PARAMS.has(k) || Array.isArray(v)) throw new AppError('INVALID_IMAGE_PARAMS', `Unsupported image parameter "${k.slice(0, 40)}"`, { param: k.slice(0, 40) });
    }
    const q = request.query as Record<string, string | undefined>;
    const { row } = await delivery.authorize({
      file: request.params.file,
      principal: request.principal,
      exp: q['exp'],
      sig: q['sig'],
      referer: request.headers.referer,
    });
    const etag = etagOf(row);
    reply.header('etag', etag);
    reply.header('cache-control', row.isPublic === 1 ? (row.allowedReferers === null ? 'public, max-age=31536000, immutable' : 'private, max-age=31536000, immutable') : 'private, no-store');
    reply.header('accept-ranges', 'bytes');
    reply.header('last-modified', new Date(row.createdAt).toUTCString());
    if (row.allowedReferers !== null) reply.header('vary', 'Referer');
    if (row.ext === 'svg') reply.header('content-security-policy', SVG_CSP);
    if (matchesEtag(request.headers['if-none-match'], etag)) return reply.status(304).send();

    reply.type(row.mimeType);
    const range = parseRange(request.headers.range, row.sizeBytes);
    if (range === 'unsatisfiable') {
      return reply.status(416).header('content-range', `bytes */${row.sizeBytes}`).send();
    }
    const length = range ? range.end - range.start + 1 : row.sizeBytes;
    reply.header('content-length', length);
    if (range) reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${row.sizeBytes}`);
    if (request.method === 'HEAD') return reply.send();
    const body = await delivery.open(row, range);
    delivery.recordServed(row, length);
    return reply.send(body);
  }

  return async function (app: FastifyInstance): Promise<void> {
    const route = `${deps.pathPrefix}/:file`;
    const config = { auth: 'optional' as const };
    app.get(route, { config, schema: { hide: true }, exposeHeadRoute: false }, serve);
    app.head(route, { config, schema: { hide: true } }, serve);
  };
}
