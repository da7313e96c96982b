// Every response carries x-request-id: a sane inbound X-Request-Id is echoed, otherwise one is generated.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { nanoid } from 'nanoid';

const SANE = /^[A-Za-z0-9._:@=+/-]{8,128}$/;

export function genRequestId(req: { headers: FastifyRequest['headers'] }): string {
  const inbound = req.headers['x-request-id'];
  return typeof inbound === 'string' && SANE.test(inbound) ? inbound : `req_${nanoid(16)}`;
}

export function registerRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
}
