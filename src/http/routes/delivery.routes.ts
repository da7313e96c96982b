// The public media host: GET|HEAD {mediaBaseUrl}/{id}.{ext}[?w=&h=&fit=&fmt=&q=&exp=&sig=&original=1].
// The delivery service authorises and decides what to send; here: validators (ETag → 304 before any
// byte is read or rendered), ranges, cache headers. A wrong extension for an id still serves the image
// with its stored type (no redirect).
import type {} from '@fastify/helmet';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DeliveredImage as ImageRow, DeliveryService } from '../../domain/images/delivery.service.js';

const SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

type Range = { start: number; end: number } | undefined;

/**
 * Parses a single satisfiable `bytes=` range. Anything else (several ranges, another unit, bad syntax, a range
 * past the end) is ignored and answered with the whole body, as RFC 9110 §14.2 allows: an error status would
 * need a code, and the error catalogue (SEED/CONTRACT §2) has none for 416.
 */
export function parseRange(header: string | undefined, size: number): Range {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '') || size === 0) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    return suffix === 0 ? undefined : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start >= size || end < start ? undefined : { start, end };
}

export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '');
    return v === '*' || v === etag;
  });
}

function cacheControl(row: ImageRow, preview: boolean): string {
  if (preview || row.isPublic !== 1) return 'private, no-store';
  return row.allowedReferers === null ? 'public, max-age=31536000, immutable' : 'private, max-age=31536000, immutable';
}

export function deliveryRoutes(deps: { delivery: DeliveryService; pathPrefix: string }) {
  const { delivery } = deps;

  async function serve(request: FastifyRequest<{ Params: { file: string }; Querystring: Record<string, string | string[]> }>, reply: FastifyReply) {
    const plan = await delivery.plan({
      file: request.params.file,
      principal: request.principal,
      query: request.query,
      accept: request.headers.accept,
      referer: request.headers.referer,
      ip: request.ip,
      onlyOwner: request.mediaOwner,
    });
    const { row } = plan;
    reply.header('x-content-type-options', 'nosniff');
    reply.header('cross-origin-resource-policy', 'cross-origin');
    const preview = plan.kind === 'variant' && plan.preview;
    reply.header('etag', plan.etag);
    reply.header('cache-control', cacheControl(row, preview));
    reply.header('accept-ranges', 'bytes');
    reply.header('last-modified', new Date(row.createdAt).toUTCString());
    const vary = [plan.kind === 'variant' && plan.varyAccept ? 'Accept' : '', row.allowedReferers !== null ? 'Referer' : ''].filter(Boolean);
    if (vary.length) reply.header('vary', vary.join(', '));
    if (plan.kind === 'original' && row.ext === 'svg') reply.header('content-security-policy', SVG_CSP);
    if (!preview && matchesEtag(request.headers['if-none-match'], plan.etag)) return reply.status(304).send();

    let size: number;
    let variant: Buffer | undefined;
    if (plan.kind === 'variant') {
      const v = await delivery.render(plan);
      variant = v.data;
      size = v.size;
      reply.type(v.mimeType);
    } else {
      size = row.sizeBytes;
      reply.type(row.mimeType);
    }
    const range = parseRange(request.headers.range, size);
    const length = range ? range.end - range.start + 1 : size;
    reply.header('content-length', length);
    if (range) reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`);
    if (request.method === 'HEAD') return reply.send();
    delivery.recordServed(row, length);
    if (variant) return reply.send(range ? variant.subarray(range.start, range.end + 1) : variant);
    return reply.send(await delivery.open(row, range));
  }

  return async function (app: FastifyInstance): Promise<void> {
    const route = `${deps.pathPrefix}/:file`;
    const config = { auth: 'optional' as const };
    // Media answers skip helmet's page-oriented headers (frame, DNS-prefetch, …): the ones an image needs
    // are set in serve(); this keeps the hot path short.
    const helmet = false as const;
    app.get(route, { config, schema: { hide: true }, exposeHeadRoute: false, helmet }, serve);
    app.head(route, { config, schema: { hide: true }, helmet }, serve);
  };
}
