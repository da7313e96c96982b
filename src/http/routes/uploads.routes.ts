// /v1/uploads: resumable uploads (tus 1.0, SPEC §7.10) through the tus project's own server (@tus/server). It
// is mounted inside the app, so every request passes our auth, scopes, rate limits and request ids; each tus
// answer is sent through Fastify (hooks, CORS and security headers apply) and every refusal is our JSON
// envelope. The protocol's own statuses stay (409 offset mismatch, 412 version, 413 too large, 415 content
// type); the envelope's code is the catalogue's nearest one. OPTIONS answers the capabilities without auth.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Server } from '@tus/server';
import type { Principal } from '../../auth/principal.js';
import type { FinishResult, ResumableUploadsService } from '../../domain/uploads/resumable-uploads.service.js';
import { AppError, isAppError } from '../../errors/app-error.js';
import type { ErrorCode } from '../../errors/error-codes.js';
import type { ErrorBody } from '../../errors/error-handler.js';
import { newId } from '../../lib/ids.js';
import { principalOf } from '../plugins/auth.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** @fastify/cors per-route options: the tus OPTIONS routes answer preflights themselves. */
    cors?: { preflightContinue?: boolean };
  }
}

const PATH = '/v1/uploads';
const TUS_VERSION = '1.0.0';
const EXTENSIONS = 'creation,creation-with-upload,termination,expiration';
const OFFSET_TYPE = 'application/offset+octet-stream';
const ID = /^[A-Za-z0-9_-]{21}$/;
/** Headers of a tus answer that we pass on (CORS is ours, lengths and framing are Fastify's). */
const PASS = new Set(['tus-resumable', 'tus-version', 'upload-offset', 'upload-length', 'upload-metadata', 'upload-expires', 'location', 'cache-control']);

/** What one request carries into the tus hooks, and what they leave for the answer. */
type Ctx = { principal: Principal; createdId?: string; expiresAt?: number; finishing?: string; finished?: FinishResult; error?: unknown };

type Failure = { status: number; body: ErrorBody };

const envelope = (status: number, code: ErrorCode, error: string, meta?: Record<string, unknown>): Failure => ({
  status, body: { success: false, error, code, ...(meta ? { meta } : {}) },
});

/** A tus protocol refusal (status and its plain-text body) in our envelope. */
function protocolFailure(status: number, text: string): Failure {
  const message = text.trim() || 'Request refused';
  if (status === 404 || status === 410) return envelope(404, 'NOT_FOUND', 'Upload not found: it does not exist, has expired, or has ended');
  if (status === 409) return envelope(409, 'CONFLICT', `Upload-Offset conflict: ${message}`);
  if (status === 413) return envelope(413, 'FILE_TOO_LARGE', `Upload too large: ${message}`);
  if (status >= 500) return envelope(500, 'INTERNAL', 'Internal server error');
  return envelope(status >= 400 && status < 500 ? status : 400, 'BAD_REQUEST', message);
}

function appFailure(err: AppError, creating: boolean): Failure {
  // tus answers a length above the limit at creation with 413; the same refusal later is the usual 422
  const status = creating && err.code === 'FILE_TOO_LARGE' ? 413 : err.status;
  return envelope(status, err.code, err.message, err.meta);
}

function send(reply: FastifyReply, f: Failure): FastifyReply {
  return reply.status(f.status).header('tus-resumable', TUS_VERSION).header('cache-control', 'no-store').type('application/json; charset=utf-8').send(f.body);
}

export function uploadRoutes(deps: { uploads: ResumableUploadsService }) {
  const { uploads } = deps;
  const { store, storeId, uploadId } = uploads.datastore;
  const contexts = new WeakMap<Request, Ctx>();
  const ctxOf = (req: Request): Ctx => {
    const ctx = contexts.get(req);
    if (!ctx) throw new AppError('UNAUTHORIZED');
    return ctx;
  };

  const tus = new Server({
    path: PATH,
    datastore: store,
    // within every plan's largest file; each plan's own limit is applied at creation (onUploadCreate)
    maxSize: () => uploads.maxSize(),
    namingFunction: () => storeId(newId()),
    generateUrl: (_req, { path, id }) => `${path}/${uploadId(id) ?? ''}`,
    getFileIdFromRequest: (_req, last) => (last && ID.test(last) ? storeId(last) : undefined),
    async onUploadCreate(req, upload) {
      const ctx = ctxOf(req);
      const id = uploadId(upload.id);
      if (!id) throw new AppError('INTERNAL');
      const row = await uploads.create(ctx.principal, { id, size: upload.size, metadata: upload.metadata });
      ctx.createdId = id;
      ctx.expiresAt = row.expiresAt;
      return {};
    },
    async onUploadFinish(req, upload) {
      const ctx = ctxOf(req);
      const id = uploadId(upload.id);
      if (!id) throw new AppError('INTERNAL');
      ctx.finishing = id;
      ctx.finished = await uploads.finish(ctx.principal, id);
      return {};
    },
    onResponseError(req, err) {
      const creating = req.method === 'POST';
      if (isAppError(err)) {
        const f = appFailure(err, creating);
        return { status_code: f.status, body: JSON.stringify(f.body) };
      }
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { status_code: 404, body: '' };
      if ('status_code' in err) return undefined; // a protocol refusal: enveloped by viaTus
      const ctx = contexts.get(req);
      if (ctx) ctx.error = err; // logged by viaTus with the request id
      return { status_code: 500, body: JSON.stringify(envelope(500, 'INTERNAL', 'Internal server error').body) };
    },
  });

  /** Runs one request through the tus server and answers it through Fastify. */
  async function viaTus(request: FastifyRequest, reply: FastifyReply, ctx: Ctx, opts: { method?: string; expiresAt?: number } = {}): Promise<FastifyReply> {
    const web = toWebRequest(request, reply, opts.method);
    contexts.set(web, ctx);
    let res: Response;
    try {
      res = await tus.handleWeb(web);
    } finally {
      // the file went through the pipeline (or was refused): its bytes are no longer needed
      if (ctx.finishing) await uploads.dropBytes(ctx.finishing);
    }
    const text = await res.text();
    if (res.status >= 400) {
      // a session created before the store or the body failed: nothing of it may remain
      if (ctx.createdId && !ctx.finishing) await uploads.abandon(ctx.createdId);
      let failure: Failure;
      try {
        const parsed = JSON.parse(text) as ErrorBody;
        failure = parsed.success === false ? { status: res.status, body: parsed } : protocolFailure(res.status, text);
      } catch {
        failure = protocolFailure(res.status, text);
      }
      if (failure.status >= 500) request.log.error({ err: ctx.error, status: res.status, text: text.slice(0, 500) }, 'resumable upload failed');
      return send(reply, failure);
    }
    reply.status(res.status);
    for (const [name, value] of res.headers) if (PASS.has(name)) reply.header(name, value);
    const expiresAt = opts.expiresAt ?? ctx.expiresAt;
    if (expiresAt !== undefined && !ctx.finished) reply.header('upload-expires', new Date(expiresAt).toUTCString());
    else reply.removeHeader('upload-expires');
    if (ctx.finished) {
      reply.header('x-picora-resource-type', ctx.finished.resourceType).header('x-picora-resource-id', ctx.finished.id);
      if (ctx.finished.duplicate) reply.header('x-picora-duplicate', 'true');
    }
    reply.header('cache-control', 'no-store');
    return reply.send(res.status === 204 || request.method === 'HEAD' ? undefined : text || undefined);
  }

  /** The checks every tus request (but OPTIONS) passes before the tus server sees it. */
  function protocolRefusal(request: FastifyRequest): Failure | undefined {
    const version = request.headers['tus-resumable'];
    if (version === undefined) return envelope(412, 'BAD_REQUEST', 'The Tus-Resumable: 1.0.0 header is required');
    if (version !== TUS_VERSION) return envelope(412, 'BAD_REQUEST', `Unsupported Tus-Resumable version "${String(version).slice(0, 20)}": this server speaks ${TUS_VERSION}`);
    if (request.method === 'PATCH') {
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== OFFSET_TYPE) return envelope(415, 'BAD_REQUEST', `Content-Type must be ${OFFSET_TYPE}`);
      const offset = request.headers['upload-offset'];
      if (typeof offset !== 'string' || !/^\d{1,16}$/.test(offset)) return envelope(400, 'BAD_REQUEST', 'Upload-Offset must be a whole number of bytes');
    }
    return undefined;
  }

  const idOf = (request: FastifyRequest): string => {
    const id = (request.params as { id?: string }).id ?? '';
    if (!ID.test(id)) throw new AppError('NOT_FOUND', 'Upload not found: it does not exist, has expired, or has ended');
    return id;
  };

  /** An AppError from our own checks, in the tus answer's shape (its status, the protocol header). */
  async function guarded(reply: FastifyReply, run: () => Promise<FastifyReply>): Promise<FastifyReply> {
    try {
      return await run();
    } catch (err) {
      if (isAppError(err)) return send(reply, appFailure(err, false));
      throw err;
    }
  }

  return async function (fastify: FastifyInstance): Promise<void> {
    // Bodies are the tus server's to read, as they arrive: no parser touches them here.
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', (_request, _payload, done) => done(null));

    const read = { auth: 'apiKeyOrSession' as const, scope: 'media.read' as const, rateTier: 'read' as const };
    const write = { auth: 'apiKeyOrSession' as const, scope: 'media.write' as const, rateTier: 'mutation' as const };
    const del = { auth: 'apiKeyOrSession' as const, scope: 'media.delete' as const, rateTier: 'mutation' as const };

    const capabilities = async (_request: FastifyRequest, reply: FastifyReply) =>
      reply
        .status(204)
        .header('tus-resumable', TUS_VERSION)
        .header('tus-version', TUS_VERSION)
        .header('tus-extension', EXTENSIONS)
        .header('tus-max-size', String(await uploads.maxSize()))
        .header('cache-control', 'no-store')
        .send();
    const open = { auth: 'public' as const, rateTier: 'none' as const, cors: { preflightContinue: true } };
    fastify.options(PATH, { config: open, schema: { hide: true } }, capabilities);
    fastify.options(`${PATH}/:id`, { config: open, schema: { hide: true } }, capabilities);

    fastify.post(PATH, { config: write, schema: { hide: true } }, async (request, reply) => {
      const refused = protocolRefusal(request);
      if (refused) return send(reply, refused);
      return viaTus(request, reply, { principal: principalOf(request) });
    });

    fastify.patch(`${PATH}/:id`, { config: write, schema: { hide: true } }, async (request, reply) =>
      guarded(reply, async () => {
        const p = principalOf(request);
        const row = await uploads.access(p, idOf(request), 'write');
        const refused = protocolRefusal(request);
        if (refused) return send(reply, refused);
        return viaTus(request, reply, { principal: p }, { expiresAt: row.expiresAt });
      }),
    );

    // GET answers what HEAD does (SPEC: no body, the progress is in the headers)
    const status = async (request: FastifyRequest, reply: FastifyReply) =>
      guarded(reply, async () => {
        const p = principalOf(request);
        const row = await uploads.access(p, idOf(request), 'read');
        const refused = protocolRefusal(request);
        if (refused) return send(reply, refused);
        return viaTus(request, reply, { principal: p }, { method: 'HEAD', expiresAt: row.state === 'open' ? row.expiresAt : undefined });
      });
    fastify.head(`${PATH}/:id`, { config: read, schema: { hide: true } }, status);
    fastify.get(`${PATH}/:id`, { config: read, schema: { hide: true }, exposeHeadRoute: false }, status);

    fastify.delete(`${PATH}/:id`, { config: del, schema: { hide: true } }, async (request, reply) =>
      guarded(reply, async () => {
        const refused = protocolRefusal(request);
        if (refused) return send(reply, refused);
        await uploads.cancel(principalOf(request), idOf(request));
        return reply.status(204).header('tus-resumable', TUS_VERSION).send();
      }),
    );
  };
}

/** The Node request as the web Request the tus server takes; the body stays a stream. */
function toWebRequest(request: FastifyRequest, reply: FastifyReply, method?: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.raw.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const verb = method ?? request.method;
  const init: RequestInit & { duplex?: 'half' } = { method: verb, headers };
  if (verb === 'PATCH' || verb === 'POST') {
    init.body = Readable.toWeb(request.raw) as ReadableStream<Uint8Array>;
    init.duplex = 'half';
  }
  const web = new Request(`http://localhost${request.raw.url ?? '/'}`, init);
  // as srvx does: the tus server aborts the request's work when the client goes away
  Object.assign(web, { runtime: { name: 'node', node: { req: request.raw, res: reply.raw } } });
  return web;
}
