// /v1/user/me: profile, password, account deletion (SPEC §12).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AccountsService } from '../../domain/accounts/accounts.service.js';
import { presentUser } from '../../domain/accounts/user-presenter.js';
import { principalOf } from '../plugins/auth.js';
import { clearRefreshCookie } from './auth.routes.js';
import * as s from './users.schema.js';

export function userRoutes(deps: { accounts: AccountsService; secureCookies: boolean }) {
  const { accounts } = deps;
  return async function (fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/v1/user/me', { schema: s.getMeSchema, config: { auth: 'apiKeyOrSession', scope: 'account.read' } }, async (request) => ({
      success: true as const,
      data: presentUser(await accounts.getMe(principalOf(request))),
    }));

    app.patch('/v1/user/me', { schema: s.patchMeSchema, config: { auth: 'session' } }, async (request) => ({
      success: true as const,
      data: presentUser(await accounts.updateMe(principalOf(request), request.body)),
    }));

    app.delete('/v1/user/me', { schema: s.deleteMeSchema, config: { auth: 'session' } }, async (request, reply) => {
      await accounts.deleteMe(principalOf(request));
      clearRefreshCookie(reply, deps.secureCookies);
      return { success: true as const, data: null };
    });

    app.post('/v1/user/me/change-password', { schema: s.changePasswordSchema, config: { auth: 'session' } }, async (request) => {
      await accounts.changePassword(principalOf(request), request.body);
      return { success: true as const, data: null };
    });

    app.post('/v1/user/me/set-password', { schema: s.setPasswordSchema, config: { auth: 'session' } }, async (request) => {
      await accounts.setPassword(principalOf(request), request.body.newPassword);
      return { success: true as const, data: null };
    });
  };
}
