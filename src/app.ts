// buildApp(deps): the Fastify instance with plugins and routes. It never listens; main.ts and tests do.
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import type {} from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Deps } from './deps.js';
import { AppError } from './errors/app-error.js';
import { registerErrorHandling, renderError, toAppError } from './errors/error-handler.js';
import { statusOf } from './errors/error-codes.js';
import { registerAuth } from './http/plugins/auth.js';
import { registerDocs } from './http/plugins/docs.js';
import { registerMetrics } from './http/plugins/metrics.js';
import { registerRateLimit } from './http/plugins/rate-limit.js';
import { adminRoutes } from './http/routes/admin.routes.js';
import { usageRoutes } from './http/routes/usage.routes.js';
import { genRequestId, registerRequestId } from './http/plugins/request-id.js';
import { registerSecurity } from './http/plugins/security.js';
import { apiKeyRoutes } from './http/routes/api-keys.routes.js';
import { authRoutes } from './http/routes/auth.routes.js';
import { ErrorBody, UserSchema } from './http/routes/common.schema.js';
import { ApiKeySchema } from './http/routes/api-keys.schema.js';
import { deliveryRoutes } from './http/routes/delivery.routes.js';
import { healthRoutes } from './http/routes/health.routes.js';
import { ImageSchema } from './http/routes/images.schema.js';
import { imageRoutes } from './http/routes/images.routes.js';
import { userRoutes } from './http/routes/users.routes.js';
import { watermarkRoutes } from './http/routes/watermarks.routes.js';
import { videoDeliveryRoutes } from './http/routes/video-delivery.routes.js';
import { videoRoutes } from './http/routes/videos.routes.js';
import { audioRoutes } from './http/routes/audio.routes.js';
import { audioDeliveryRoutes } from './http/routes/audio-delivery.routes.js';
import { AudioSchema } from './http/routes/audio.schema.js';
import { mediaRoutes } from './http/routes/media.routes.js';
import { bulkDeleteRoutes } from './http/routes/bulk-delete.routes.js';
import { syncRoutes } from './http/routes/sync.routes.js';
import { uploadRoutes } from './http/routes/uploads.routes.js';
import { avatarRoutes } from './http/routes/avatar.routes.js';
import { domainRoutes } from './http/routes/domains.routes.js';
import { webhookRoutes } from './http/routes/webhooks.routes.js';
import { collectionRoutes } from './http/routes/collections.routes.js';
import { trashRoutes } from './http/routes/trash.routes.js';
import { WebhookSchema } from './http/routes/webhooks.schema.js';
import { DomainSchema } from './http/routes/domains.schema.js';
import { registerCustomDomains } from './http/plugins/custom-domains.js';
import { VideoSchema } from './http/routes/videos.schema.js';
import { webAppRoutes } from './http/plugins/web-app.js';

export async function buildApp(deps: Deps, logger: Logger): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    genReqId: genRequestId,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    routerOptions: { maxParamLength: 200 },
    ajv: { customOptions: { allErrors: false, removeAdditional: true, coerceTypes: 'array' } },
    clientErrorHandler: answerClientError(logger),
    // Errors the router raises before any hook runs (an undecodable path, a parameter past maxParamLength):
    // our envelope and request id too. An id that long cannot name anything: NOT_FOUND.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      void renderError(reply, error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? new AppError('NOT_FOUND') : toAppError(error));
    },
    // Nothing here reads the Host header (URLs come from the configuration): a request without one is answered
    // like any other instead of by Node's bare 400.
    http: { requireHostHeader: false },
  }) as unknown as FastifyInstance;

  const secureCookies = config.publicUrl.startsWith('https://');
  registerErrorHandling(app);
  registerRequestId(app);
  // A request answered before its body arrived whole (a refusal in the middle of an upload): the unread rest
  // would leave a keep-alive connection stuck, and closing at once resets the connection under a client that
  // is still sending (it may never read the answer). So the rest is read and dropped, up to a bound.
  app.addHook('onResponse', (request, _reply, done) => {
    if (!request.raw.complete && !request.raw.readableEnded) drainBody(request.raw);
    done();
  });
  // Fastify answers a body it refuses (too large, unparsable) with `connection: close`: with the client still
  // sending, that close resets the connection and the client may lose the answer. A declared rest within the
  // drain bound is read and dropped instead, and the connection lives on.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.getHeader('connection') === 'close' && !request.raw.complete && Number(request.headers['content-length']) <= DRAIN_BYTES) {
      reply.removeHeader('connection');
    }
    done(null, payload);
  });
  await registerSecurity(app, { https: secureCookies });
  await app.register(cookie);
  // Sizes are enforced per plan while the file streams (domain/images/upload-spool.ts); these bound the rest.
  await app.register(multipart, {
    throwFileSizeLimit: true,
    limits: { fileSize: Number.MAX_SAFE_INTEGER, files: 1, fields: 10, fieldSize: 16 * 1024, parts: 12, headerPairs: 100 },
  });
  await registerDocs(app, { version: config.version, publicUrl: config.publicUrl });
  app.addSchema(ErrorBody);
  app.addSchema(UserSchema);
  app.addSchema(ApiKeySchema);
  app.addSchema(ImageSchema);
  app.addSchema(VideoSchema);
  app.addSchema(AudioSchema);
  app.addSchema(DomainSchema);
  app.addSchema(WebhookSchema);
  const mediaPrefix = new URL(config.mediaBaseUrl).pathname.replace(/\/+$/, '');
  // before auth and rate limits: a custom domain's request that it does not serve is a 404 and nothing more
  registerCustomDomains(app, deps.domains, { mediaRoutes: [`${mediaPrefix}/:file`, `${mediaPrefix}/v/:id/*`, `${mediaPrefix}/audio/:file`, `${mediaPrefix}/audio-cover/:file`], cacheMs: config.deliveryCacheMs });
  registerMetrics(app, deps.metrics, config.metricsToken);
  const onRateLimited = (tier: string) => deps.metrics.rateLimited.inc({ tier });
  registerAuth(app, deps.authenticator, deps.rateLimits, onRateLimited);
  registerRateLimit(app, deps.rateLimits, onRateLimited);

  await app.register(healthRoutes({ version: config.version, checks: deps.readiness, now: deps.clock.now }));
  await app.register(authRoutes({ accounts: deps.accounts, sessions: deps.sessions, secureCookies }));
  await app.register(userRoutes({ accounts: deps.accounts, secureCookies }));
  await app.register(apiKeyRoutes({ apiKeys: deps.apiKeys }));
  await app.register(usageRoutes({ usage: deps.usage, history: deps.usageHistory, rateLimits: deps.rateLimits }));
  await app.register(adminRoutes({ admin: deps.admin, cursors: deps.urlSigner }));
  await app.register(imageRoutes({ images: deps.images, uploads: deps.uploads, downloads: deps.imageDownloads, trash: deps.trash, mediaBaseUrl: config.mediaBaseUrl }));
  await app.register(trashRoutes({ trash: deps.trash, mediaBaseUrl: config.mediaBaseUrl }));
  await app.register(watermarkRoutes({ watermarks: deps.watermarks, mediaBaseUrl: config.mediaBaseUrl }));
  await app.register(videoRoutes({ videos: deps.videos, videoUploads: deps.videoUploads, imageUploads: deps.uploads }));
  await app.register(audioRoutes({ audio: deps.audio, audioUploads: deps.audioUploads }));
  await app.register(domainRoutes({ domains: deps.domains }));
  await app.register(webhookRoutes({ webhooks: deps.webhooks }));
  await app.register(collectionRoutes({ collections: deps.collections }));
  await app.register(mediaRoutes({ media: deps.media }));
  await app.register(bulkDeleteRoutes({ bulkDelete: deps.bulkDelete }));
  await app.register(syncRoutes({ sync: deps.sync }));
  await app.register(uploadRoutes({ uploads: deps.resumableUploads }));
  await app.register(avatarRoutes({ avatars: deps.avatars }));
  await app.register(deliveryRoutes({ delivery: deps.delivery, pathPrefix: mediaPrefix }));
  await app.register(videoDeliveryRoutes({ delivery: deps.videoDelivery, pathPrefix: mediaPrefix }));
  await app.register(audioDeliveryRoutes({ delivery: deps.audioDelivery, pathPrefix: mediaPrefix }));
  await app.register(webAppRoutes({ mediaBaseUrl: config.mediaBaseUrl }));
  // CONNECT never reaches a route (Node hands it to a 'connect' listener or drops the socket): refuse it in our envelope
  app.server.on('connect', (_req: unknown, socket: Socket) => {
    if (!socket.destroyed && socket.writable) writeRawError(socket, 'CONNECT is not supported: this is not a proxy', logger, 'CONNECT');
    else socket.destroy();
  });
  return app;
}

const DRAIN_BYTES = 64 * 1024 * 1024;
const DRAIN_MS = 10_000;

/** Reads and drops what is left of a request body; past DRAIN_BYTES or DRAIN_MS the connection is closed. */
function drainBody(raw: IncomingMessage): void {
  let seen = 0;
  const stop = () => raw.destroy(); // and its connection with it
  const timer = setTimeout(stop, DRAIN_MS).unref();
  raw.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DRAIN_BYTES) stop();
  });
  raw.once('end', () => clearTimeout(timer));
  raw.once('close', () => clearTimeout(timer));
  raw.unpipe(); // a parser that stopped reading (busboy after a refusal) would hold the flow back
  raw.resume();
}

const CLIENT_ERRORS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: 'Request headers are too large',
  ERR_HTTP_REQUEST_TIMEOUT: 'The request was not received in time',
};
const LINGER_MS = 2_000;

/**
 * Node's HTTP parser refused the bytes before Fastify saw a request (a header past the size limit, a garbage
 * request line, broken framing): answer the error envelope with a request id on the raw socket, then close.
 * The close lingers: what the client still sends is read and dropped for a moment, so a reset does not
 * destroy the answer before the client reads it.
 */
function answerClientError(log: Logger) {
  const answered = new WeakSet<Socket>();
  return (err: Error & { code?: string }, socket: Socket): void => {
    if (answered.has(socket)) return; // the parser reports again for every chunk that still arrives
    // Once a response has started on this connection, a second one would corrupt it: just close.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    answered.add(socket);
    writeRawError(socket, CLIENT_ERRORS[err.code ?? ''] ?? 'Malformed HTTP request', log, err.code);
  };
}

/** A BAD_REQUEST envelope with a request id written straight to the socket, which then closes (lingering). */
function writeRawError(socket: Socket, message: string, log: Logger, code?: string): void {
  const reqId = genRequestId({ headers: {} });
  const status = statusOf('BAD_REQUEST');
  const body = JSON.stringify({ success: false, error: message, code: 'BAD_REQUEST' });
  log.info({ reqId, code }, 'malformed HTTP request refused');
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${reqId}\r\nx-content-type-options: nosniff\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${body}`,
  );
  const timer = setTimeout(() => socket.destroy(), LINGER_MS).unref();
  socket.once('close', () => clearTimeout(timer));
}
