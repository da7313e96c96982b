// /v1/watermark-templates: session JWTs only (as the OpenAPI declares), pro_plus only — SPEC §15.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { WatermarksService } from '../../domain/watermarks/watermarks.service.js';
import { presentWatermarkTemplate } from '../../domain/watermarks/watermark-presenter.js';
import { principalOf } from '../plugins/auth.js';
import * as s from './watermarks.schema.js';

export function watermarkRoutes(deps: { watermarks: WatermarksService; mediaBaseUrl: string }) {
  const { watermarks, mediaBaseUrl } = deps;
  type View = Awaited<ReturnType<WatermarksService['get']>>;
  /** One template, with Last-Modified so a client can echo it in If-Unmodified-Since. */
  const one = (reply: FastifyReply, t: View) => {
    reply.header('last-modified', new Date(t.updatedAt).toUTCString());
    return { success: true as const, data: presentWatermarkTemplate(t, mediaBaseUrl) };
  };

  return async function (fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const config = { auth: 'session' as const };

    app.get('/v1/watermark-templates', { schema: s.listTemplatesSchema, config }, async (request) => ({
      success: true as const,
      data: (await watermarks.list(principalOf(request))).map((t) => presentWatermarkTemplate(t, mediaBaseUrl)),
    }));

    app.post('/v1/watermark-templates', { schema: s.createTemplateSchema, config }, async (request, reply) => {
      const t = await watermarks.create(principalOf(request), request.body);
      return reply.status(201).send(one(reply, t));
    });

    app.get('/v1/watermark-templates/:id', { schema: s.getTemplateSchema, config }, async (request, reply) =>
      one(reply, await watermarks.get(principalOf(request), request.params.id)),
    );

    app.patch('/v1/watermark-templates/:id', { schema: s.patchTemplateSchema, config }, async (request, reply) => {
      const result = await watermarks.update(principalOf(request), request.params.id, request.body, request.headers['if-unmodified-since']);
      if (!result.ok) {
        reply.header('last-modified', new Date(result.current.updatedAt).toUTCString());
        return reply.status(412).send({ success: false as const, error: 'Precondition failed: the watermark template was modified after If-Unmodified-Since' });
      }
      return one(reply, result.template);
    });

    app.delete('/v1/watermark-templates/:id', { schema: s.deleteTemplateSchema, config }, async (request) => {
      await watermarks.remove(principalOf(request), request.params.id);
      return { success: true as const, data: null };
    });
  };
}
