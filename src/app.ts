// buildApp(deps): the Fastify instance with plugins and routes. It never listens; main.ts and tests do.
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import type {} from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Deps } from './deps.js';
import { registerErrorHandling } from './errors/error-handler.js';
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
  }) as unknown as FastifyInstance;

  const secureCookies = config.publicUrl.startsWith('https://');
  registerErrorHandling(app);
  registerRequestId(app);
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
  registerMetrics(app, deps.metrics, config.metricsToken);
  registerAuth(app, deps.authenticator);
  registerRateLimit(app, deps.rateLimits, (tier) => deps.metrics.rateLimited.inc({ tier }));

  await app.register(healthRoutes({ version: config.version, checks: deps.readiness, now: deps.clock.now }));
  await app.register(authRoutes({ accounts: deps.accounts, sessions: deps.sessions, secureCookies }));
  await app.register(userRoutes({ accounts: deps.accounts, secureCookies }));
  await app.register(apiKeyRoutes({ apiKeys: deps.apiKeys }));
  await app.register(usageRoutes({ usage: deps.usage, rateLimits: deps.rateLimits }));
  await app.register(adminRoutes({ admin: deps.admin, cursors: deps.urlSigner }));
  await app.register(imageRoutes({ images: deps.images, uploads: deps.uploads, mediaBaseUrl: config.mediaBaseUrl }));
  await app.register(watermarkRoutes({ watermarks: deps.watermarks, mediaBaseUrl: config.mediaBaseUrl }));
  await app.register(deliveryRoutes({ delivery: deps.delivery, pathPrefix: new URL(config.mediaBaseUrl).pathname.replace(/\/+$/, '') }));
  await app.register(webAppRoutes({ mediaBaseUrl: config.mediaBaseUrl }));
  return app;
}
