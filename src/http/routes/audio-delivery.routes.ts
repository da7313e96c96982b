// Audio on the media host: GET|HEAD {mediaBaseUrl}/audio/{id}.{ext} and /audio-cover/{id}.jpg, with ?token= for a
// private file's signed link. The audio delivery service authorises and decides what to send; here: validators,
// ranges (206, and 416 with `Content-Range: bytes */size` for a range past the end) and headers.
import type {} from '@fastify/helmet';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AudioDeliveryService } from '../../domain/audio/audio-delivery.service.js';
import { matchesEtag, parseRange } from './delivery.routes.js';

type ByteRange = { start: number; end: number };
type Request = FastifyRequest<{ Params: { file: string }; Querystring: Record<string, string | string[]> }>;

/** The range to send, 'unsatisfiable' for one that starts past the end, or undefined (none, or one we ignore: the whole file). */
export function audioRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const range = parseRange(header, size);
  if (range) return range;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined; // multiple ranges or another unit: RFC 9110 lets us answer with the whole file
  if (m[1] !== '' && Number(m[1]) >= size) return 'unsatisfiable';
  if (m[1] === '' && m[2] !== '' && Number(m[2]) === 0) return 'unsatisfiable';
  return undefined;
}

export function audioDeliveryRoutes(deps: { delivery: AudioDeliveryService; pathPrefix: string }) {
  const { delivery } = deps;

  const serve = (what: 'audio' | 'cover') =>
    async function (request: Request, reply: FastifyReply) {
      const token = request.query['token'];
      const plan = await delivery.plan({
        what, file: request.params.file, principal: request.principal, token: typeof token === 'string' ? token : undefined, onlyOwner: request.mediaOwner,
      });
      reply.header('x-content-type-options', 'nosniff');
      reply.header('cross-origin-resource-policy', 'cross-origin');
      reply.header('etag', plan.etag);
      reply.header('cache-control', plan.cacheControl);
      reply.header('accept-ranges', 'bytes');
      reply.header('last-modified', new Date(plan.lastModified).toUTCString());
      reply.type(plan.contentType);
      if (matchesEtag(request.headers['if-none-match'], plan.etag)) return reply.status(304).send();
      const size = plan.kind === 'buffer' ? plan.body.length : plan.size;
      const range = audioRange(request.headers.range, size);
      if (range === 'unsatisfiable') {
        reply.header('content-range', `bytes */${size}`);
        return reply.status(416).header('content-length', 0).send();
      }
      const length = range ? range.end - range.start + 1 : size;
      reply.header('content-length', length);
      if (range) reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`);
      if (request.method === 'HEAD') return reply.send();
      delivery.recordServed(plan.row, length);
      if (plan.kind === 'buffer') return reply.send(range ? plan.body.subarray(range.start, range.end + 1) : plan.body);
      return reply.send(await delivery.open(plan, range));
    };

  return async function (app: FastifyInstance): Promise<void> {
    const config = { auth: 'optional' as const };
    const helmet = false as const;
    for (const [segment, what] of [['audio', 'audio'], ['audio-cover', 'cover']] as const) {
      const route = `${deps.pathPrefix}/${segment}/:file`;
      app.get(route, { config, schema: { hide: true }, exposeHeadRoute: false, helmet }, serve(what));
      app.head(route, { config, schema: { hide: true }, helmet }, serve(what));
    }
  };
}
