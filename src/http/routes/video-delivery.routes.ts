// Video playback on the media host: GET|HEAD {mediaBaseUrl}/v/{id}/master.m3u8, /v/{id}/{rung}/index.m3u8,
// /v/{id}/{rung}/{init.mp4|seg_NNN.m4s}, /v/{id}/poster.jpg, each with ?token= for a private video's signed
// link. The video delivery service authorises and decides what to send; here: validators, ranges, headers.
import type {} from '@fastify/helmet';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VideoDeliveryService } from '../../domain/videos/video-delivery.service.js';
import { matchesEtag, parseRange } from './delivery.routes.js';

type Request = FastifyRequest<{ Params: { id: string; '*': string }; Querystring: Record<string, string | string[]> }>;

export function videoDeliveryRoutes(deps: { delivery: VideoDeliveryService; pathPrefix: string }) {
  const { delivery } = deps;

  async function serve(request: Request, reply: FastifyReply) {
    const token = request.query['token'];
    const plan = await delivery.plan({
      videoId: request.params.id,
      path: request.params['*'],
      principal: request.principal,
      token: typeof token === 'string' ? token : undefined,
      onlyOwner: request.mediaOwner,
    });
    reply.header('x-content-type-options', 'nosniff');
    reply.header('cross-origin-resource-policy', 'cross-origin');
    reply.header('etag', plan.etag);
    reply.header('cache-control', plan.cacheControl);
    reply.type(plan.contentType);
    if (matchesEtag(request.headers['if-none-match'], plan.etag)) return reply.status(304).send();
    const size = plan.kind === 'text' ? plan.body.length : plan.size;
    if (plan.kind === 'object') {
      reply.header('accept-ranges', 'bytes');
      reply.header('last-modified', new Date(plan.lastModified).toUTCString());
    }
    const range = plan.kind === 'object' ? parseRange(request.headers.range, size) : undefined;
    const length = range ? range.end - range.start + 1 : size;
    reply.header('content-length', length);
    if (range) reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`);
    if (request.method === 'HEAD') return reply.send();
    delivery.recordServed(plan.row, length);
    if (plan.kind === 'text') return reply.send(plan.body);
    return reply.send(await delivery.open(plan, range));
  }

  return async function (app: FastifyInstance): Promise<void> {
    const route = `${deps.pathPrefix}/v/:id/*`;
    const config = { auth: 'optional' as const };
    const helmet = false as const;
    app.get(route, { config, schema: { hide: true }, exposeHeadRoute: false, helmet }, serve);
    app.head(route, { config, schema: { hide: true }, helmet }, serve);
  };
}
