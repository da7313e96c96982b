// /v1/admin/*: accounts and plans for operators (role admin, session only).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AdminService } from '../../domain/accounts/admin.service.js';
import { presentUser } from '../../domain/accounts/user-presenter.js';
import type { UrlSigner } from '../../domain/images/url-signing.js';
import { toIso } from '../../lib/clock.js';
import { principalOf } from '../plugins/auth.js';
import * as s from './admin.schema.js';

export function adminRoutes(deps: { admin: AdminService; cursors: Pick<UrlSigner, 'encodeCursor' | 'decodeCursor'> }) {
  const { admin, cursors } = deps;
  return async function (fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const config = { auth: 'session' as const, adminOnly: true };

    app.get('/v1/admin/users', { schema: s.listUsersSchema, config }, async (request) => {
      const limit = request.query.limit ?? 50;
      const before = request.query.cursor ? cursors.decodeCursor(request.query.cursor) : undefined;
      const rows = await admin.listUsers({ limit: limit + 1, before, q: request.query.q?.trim() || undefined });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        success: true as const,
        data: {
          items: page.map((u) => ({
            id: u.id, email: u.email, nickname: u.nickname, plan: u.plan, role: u.role, isActive: u.isActive === 1, createdAt: toIso(u.createdAt),
            usage: { imgStorageBytes: u.imgStorageBytes ?? 0, imageCount: u.imgCount ?? 0, mediaStorageBytes: u.mediaStorageBytes ?? 0, videoCount: u.mediaCount ?? 0 },
          })),
          nextCursor: rows.length > limit && last ? cursors.encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
        },
      };
    });

    app.patch('/v1/admin/users/:id', { schema: s.patchUserSchema, config }, async (request) => ({
      success: true as const,
      data: presentUser(await admin.updateUser(principalOf(request).userId, request.params.id, request.body)),
    }));

    app.get('/v1/admin/plans', { schema: s.listPlansSchema, config }, async () => ({ success: true as const, data: await admin.listPlans() }));

    app.patch('/v1/admin/plans/:id', { schema: s.patchPlanSchema, config }, async (request) => ({
      success: true as const,
      data: await admin.updatePlan(request.params.id, request.body),
    }));
  };
}
