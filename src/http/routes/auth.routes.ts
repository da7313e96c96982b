// /v1/auth/*: registration, login, refresh, logout, verify, password reset (SPEC §3.3, CONTRACT §3).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AccountsService, SessionResult } from '../../domain/accounts/accounts.service.js';
import type { SessionsService } from '../../domain/accounts/sessions.service.js';
import { presentUser } from '../../domain/accounts/user-presenter.js';
import { principalOf } from '../plugins/auth.js';
import * as s from './auth.schema.js';

export const REFRESH_COOKIE = 'refresh_token';
const COOKIE_PATH = '/v1/auth';

type Deps = { accounts: AccountsService; sessions: SessionsService; secureCookies: boolean };

export function setRefreshCookie(reply: FastifyReply, token: string, expiresAt: number, secure: boolean): void {
  reply.setCookie(REFRESH_COOKIE, token, { httpOnly: true, secure, sameSite: 'lax', path: COOKIE_PATH, expires: new Date(expiresAt) });
}

export function clearRefreshCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(REFRESH_COOKIE, { httpOnly: true, secure, sameSite: 'lax', path: COOKIE_PATH });
}

function bodyRefreshToken(request: FastifyRequest): string | undefined {
  const body = request.body as { refreshToken?: unknown } | undefined;
  return body && typeof body === 'object' && typeof body.refreshToken === 'string' ? body.refreshToken : undefined;
}

export function authRoutes(deps: Deps) {
  const { accounts, sessions, secureCookies } = deps;
  const sessionReply = (reply: FastifyReply, r: SessionResult, status: number) => {
    setRefreshCookie(reply, r.refreshToken, r.refreshExpiresAt, secureCookies);
    return reply.status(status).send({ success: true as const, data: { accessToken: r.accessToken, user: presentUser(r.user) } });
  };

  return async function (fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

    app.post('/v1/auth/send-code', { schema: s.sendCodeSchema }, async (request, reply) => {
      await accounts.sendCode(request.body.email, request.body.type);
      return reply.send({ success: true as const, data: { message: 'Verification code sent' } });
    });

    app.post('/v1/auth/register', { schema: s.registerSchema }, async (request, reply) =>
      sessionReply(reply, await accounts.register(request.body, request.headers['user-agent']), 201),
    );

    app.post('/v1/auth/login', { schema: s.loginSchema }, async (request, reply) =>
      sessionReply(reply, await accounts.login(request.body, request.headers['user-agent']), 200),
    );

    app.post('/v1/auth/login/code', { schema: s.loginCodeSchema }, async (request, reply) =>
      sessionReply(reply, await accounts.loginWithCode(request.body, request.headers['user-agent']), 200),
    );

    app.post('/v1/auth/refresh', { schema: s.refreshSchema }, async (request, reply) => {
      const fromBody = bodyRefreshToken(request);
      const token = fromBody ?? request.cookies[REFRESH_COOKIE];
      try {
        const r = await sessions.refresh(token ?? '');
        setRefreshCookie(reply, r.refreshToken, r.refreshExpiresAt, secureCookies);
        return reply.send({
          success: true as const,
          data: { accessToken: r.accessToken, userId: r.user.id, plan: r.user.plan, ...(fromBody ? { refreshToken: r.refreshToken } : {}) },
        });
      } catch (err) {
        clearRefreshCookie(reply, secureCookies);
        throw err;
      }
    });

    app.post('/v1/auth/logout', { schema: s.logoutSchema, config: { auth: 'optional' } }, async (request, reply) => {
      await sessions.end({ refreshToken: bodyRefreshToken(request) ?? request.cookies[REFRESH_COOKIE], sessionId: request.principal?.sessionId });
      clearRefreshCookie(reply, secureCookies);
      return reply.send({ success: true as const, data: null });
    });

    // CONTRACT §8: uploader tools call this to test a key, so it is a read of the key's account, not the per-IP auth tier.
    app.get('/v1/auth/verify', { schema: s.verifySchema, config: { auth: 'apiKeyOrSession', rateTier: 'read' } }, async (request, reply) => {
      const p = principalOf(request);
      return reply.send({
        success: true as const,
        data: { valid: true as const, userId: p.userId, plan: p.plan, authType: p.authType, ...(p.apiKeyId ? { apiKeyId: p.apiKeyId } : {}) },
      });
    });

    app.post('/v1/auth/forgot-password', { schema: s.forgotPasswordSchema }, async (request, reply) => {
      await accounts.sendCode(request.body.email, 'reset_password');
      return reply.send({ success: true as const, data: { message: 'If this email exists, a reset code has been sent' } });
    });

    app.post('/v1/auth/reset-password', { schema: s.resetPasswordSchema }, async (request, reply) => {
      await accounts.resetPassword(request.body);
      return reply.send({ success: true as const, data: { message: 'Password reset successfully' } });
    });
  };
}
