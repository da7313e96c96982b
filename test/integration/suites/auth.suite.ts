// Accounts and sessions through the public API, run against each backend by the *.test.ts files.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { bearer, lastCode, refreshCookieOf, registerUser, startTestApp, type Backend, type TestApp } from '../../support/app.js';
import type { S3TestConfig } from '../../support/s3.js';

const json = (res: { json(): unknown }) => res.json() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function authSuite(name: string, backend: Backend, s3?: () => S3TestConfig | undefined, skip?: string): void {
  describe(`accounts and sessions (${name})`, { skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(backend, { s3: s3?.() });
    });
    after(async () => t?.close());

    it('registers with an emailed code: 201, AuthResult, refresh cookie, first account is admin', async () => {
      const email = 'First@Example.com';
      const sent = await t.app.inject({ method: 'POST', url: '/v1/auth/send-code', payload: { email, type: 'register' } });
      assert.equal(sent.statusCode, 200);
      assert.deepEqual(sent.json(), { success: true, data: { message: 'Verification code sent' } });
      const code = await lastCode(t, 'first@example.com');
      const res = await t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email, password: 'secret-pass-1', code } });
      assert.equal(res.statusCode, 201);
      const body = json(res);
      assert.equal(body.success, true);
      assert.match(body.data.accessToken, /^ey/);
      assert.equal(body.data.user.email, 'first@example.com');
      assert.equal(body.data.user.role, 'admin');
      assert.equal(body.data.user.plan, 'trial');
      assert.match(body.data.user.id, /^[A-Za-z0-9_-]{21}$/);
      const cookie = res.cookies.find((c) => c.name === 'refresh_token')!;
      assert.ok(cookie.httpOnly);
      assert.equal(cookie.sameSite, 'Lax');
      const second = await registerUser(t);
      const me = await t.app.inject({ url: '/v1/user/me', headers: bearer(second.accessToken) });
      assert.equal(json(me).data.role, 'user');
    });

    it('refuses a taken email with 409 CONFLICT, a wrong code and a weak password with 422', async () => {
      const s = await registerUser(t);
      await t.app.inject({ method: 'POST', url: '/v1/auth/send-code', payload: { email: s.email.toUpperCase(), type: 'register' } });
      t.clock.advance(61_000);
      const taken = await t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email: s.email, password: 'another-pass-2', code: '123456' } });
      assert.equal(taken.statusCode, 409);
      assert.deepEqual(taken.json(), { success: false, error: 'Email already registered', code: 'CONFLICT' });

      const email = `fresh-${Date.now()}@example.com`;
      await t.app.inject({ method: 'POST', url: '/v1/auth/send-code', payload: { email, type: 'register' } });
      const real = await lastCode(t, email);
      const wrong = real === '000000' ? '111111' : '000000';
      const bad = await t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email, password: 'good-pass-1', code: wrong } });
      assert.equal(bad.statusCode, 422);
      assert.deepEqual(bad.json(), { success: false, error: 'Validation error: code is invalid or expired', code: 'VALIDATION_ERROR', meta: { field: 'code' } });
      const weak = await t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email, password: 'onlyletters', code: real } });
      assert.equal(weak.statusCode, 422);
      assert.equal(json(weak).meta.field, 'password');
      const ok = await t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email, password: 'good-pass-1', code: real } });
      assert.equal(ok.statusCode, 201);
    });

    it('expires codes after 5 minutes and uses each once', async () => {
      const email = `expiry-${Date.now()}@example.com`;
      await t.app.inject({ method: 'POST', url: '/v1/auth/send-code', payload: { email, type: 'register' } });
      const code = await lastCode(t, email);
      t.clock.advance(5 * 60_000 + 1);
      const late = await t.app.inject({ method: 'POST', url: '/v1/auth/login/code', payload: { email, code } });
      assert.equal(late.statusCode, 401);
      await t.app.inject({ method: 'POST', url: '/v1/auth/send-code', payload: { email, type: 'register' } });
      const fresh = await lastCode(t, email);
      const first = await t.app.inject({ method: 'POST', url: '/v1/auth/login/code', payload: { email, code: fresh } });
      assert.equal(first.statusCode, 200, first.body);
      assert.equal(json(first).data.user.email, email);
      const again = await t.app.inject({ method: 'POST', url: '/v1/auth/login/code', payload: { email, code: fresh } });
      assert.equal(again.statusCode, 401);
      assert.deepEqual(again.json(), { success: false, error: 'Invalid or expired verification code', code: 'UNAUTHORIZED' });
    });

    it('throttles send-code per address with 429 RATE_LIMITED and Retry-After', async () => {
      const email = `throttle-${Date.now()}@example.com`;
      assert.equal((await t.app.inject({ method: 'POST', url: '/v1/auth/send-code', payload: { email, type: 'register' } })).statusCode, 200);
      const res = await t.app.inject({ method: 'POST', url: '/v1/auth/send-code', payload: { email, type: 'register' } });
      assert.equal(res.statusCode, 429);
      const body = json(res);
      assert.equal(body.code, 'RATE_LIMITED');
      assert.ok(body.meta.retryAfterSec >= 1 && body.meta.retryAfterSec <= 60);
      assert.equal(res.headers['retry-after'], String(body.meta.retryAfterSec));
    });

    it('logs in, locks after 5 failures for 15 minutes (the right password is told until when), then lets the owner back', async () => {
      const s = await registerUser(t);
      const login = (password: string) => t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: s.email, password } });
      assert.equal((await login(s.password)).statusCode, 200);
      for (let i = 0; i < 5; i++) {
        const r = await login('wrong-password-9');
        assert.equal(r.statusCode, 401);
        assert.deepEqual(r.json(), { success: false, error: 'Invalid email or password', code: 'UNAUTHORIZED' });
      }
      const locked = await login(s.password);
      assert.equal(locked.statusCode, 401);
      assert.equal(json(locked).code, 'UNAUTHORIZED');
      assert.equal(typeof json(locked).meta.lockedUntil, 'string', 'issue 12: the right password learns the lock and its end');
      t.clock.advance(15 * 60_000 + 1000);
      assert.equal((await login(s.password)).statusCode, 200);
      const unknown = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'nobody@example.com', password: 'whatever-1' } });
      assert.deepEqual(unknown.json(), { success: false, error: 'Invalid email or password', code: 'UNAUTHORIZED' });
    });

    it('rotates refresh tokens; replaying a used one revokes the whole chain', async () => {
      const s = await registerUser(t);
      const r1 = await t.app.inject({ method: 'POST', url: '/v1/auth/refresh', cookies: { refresh_token: s.refreshCookie } });
      assert.equal(r1.statusCode, 200);
      assert.equal(json(r1).data.userId, s.userId);
      assert.equal(json(r1).data.plan, 'trial');
      assert.equal(json(r1).data.refreshToken, undefined, 'cookie clients do not get the token in the body');
      const second = refreshCookieOf(r1);
      assert.notEqual(second, s.refreshCookie);
      const replay = await t.app.inject({ method: 'POST', url: '/v1/auth/refresh', cookies: { refresh_token: s.refreshCookie } });
      assert.equal(replay.statusCode, 401);
      assert.equal(json(replay).code, 'UNAUTHORIZED');
      const afterReplay = await t.app.inject({ method: 'POST', url: '/v1/auth/refresh', cookies: { refresh_token: second } });
      assert.equal(afterReplay.statusCode, 401, 'the chain is revoked');
      const access = await t.app.inject({ url: '/v1/user/me', headers: bearer(json(r1).data.accessToken) });
      assert.equal(access.statusCode, 401, 'access tokens of the revoked session stop too');
    });

    it('accepts the refresh token in a JSON body for non-browser clients', async () => {
      const s = await registerUser(t);
      const r = await t.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: s.refreshCookie } });
      assert.equal(r.statusCode, 200);
      const next = json(r).data.refreshToken as string;
      assert.equal(typeof next, 'string');
      assert.equal((await t.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: next } })).statusCode, 200);
      const none = await t.app.inject({ method: 'POST', url: '/v1/auth/refresh' });
      assert.deepEqual(none.json(), { success: false, error: 'Unauthorized', code: 'UNAUTHORIZED' });
    });

    it('logout ends the session: refresh and access token both refused', async () => {
      const s = await registerUser(t);
      const out = await t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(s.accessToken), cookies: { refresh_token: s.refreshCookie } });
      assert.equal(out.statusCode, 200);
      assert.deepEqual(out.json(), { success: true, data: null });
      assert.equal((await t.app.inject({ method: 'POST', url: '/v1/auth/refresh', cookies: { refresh_token: s.refreshCookie } })).statusCode, 401);
      assert.equal((await t.app.inject({ url: '/v1/auth/verify', headers: bearer(s.accessToken) })).statusCode, 401);
    });

    it('verify answers {valid,userId,plan,authType}; an expired token is TOKEN_EXPIRED; forged ones UNAUTHORIZED', async () => {
      const s = await registerUser(t);
      const v = await t.app.inject({ url: '/v1/auth/verify', headers: bearer(s.accessToken) });
      assert.deepEqual(v.json(), { success: true, data: { valid: true, userId: s.userId, plan: 'trial', authType: 'jwt' } });

      const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: s.userId, sid: 'x', typ: 'access', iss: 'picora', exp: 9e9 })).toString('base64url')}.`;
      const forged = await new SignJWT({ sid: 'x', typ: 'access' }).setProtectedHeader({ alg: 'HS256' }).setSubject(s.userId).setIssuer('picora').setExpirationTime('1h').sign(new TextEncoder().encode('not-the-secret-not-the-secret-not-the-secret'));
      const tampered = s.accessToken.slice(0, -3) + (s.accessToken.endsWith('AAA') ? 'BBB' : 'AAA');
      for (const token of [none, forged, tampered, 'garbage', 'a.b.c']) {
        const r = await t.app.inject({ url: '/v1/auth/verify', headers: bearer(token) });
        assert.equal(r.statusCode, 401, token);
        assert.equal(json(r).code, 'UNAUTHORIZED');
      }
      t.clock.advance(901_000);
      const expired = await t.app.inject({ url: '/v1/auth/verify', headers: bearer(s.accessToken) });
      assert.equal(expired.statusCode, 401);
      assert.deepEqual(expired.json(), { success: false, error: 'Access token expired, refresh it via POST /v1/auth/refresh', code: 'TOKEN_EXPIRED' });
      const refreshed = await t.app.inject({ method: 'POST', url: '/v1/auth/refresh', cookies: { refresh_token: s.refreshCookie } });
      assert.equal(refreshed.statusCode, 200);
    });

    it('resets a forgotten password with the mailed code; the same answer for unknown addresses', async () => {
      const s = await registerUser(t);
      const unknown = await t.app.inject({ method: 'POST', url: '/v1/auth/forgot-password', payload: { email: 'ghost@example.com' } });
      const known = await t.app.inject({ method: 'POST', url: '/v1/auth/forgot-password', payload: { email: s.email } });
      assert.deepEqual(unknown.json(), known.json());
      const code = await lastCode(t, s.email);
      const wrong = await t.app.inject({ method: 'POST', url: '/v1/auth/reset-password', payload: { email: s.email, code: code === '999999' ? '999998' : '999999', newPassword: 'brand-new-pass-2' } });
      assert.deepEqual(wrong.json(), { success: false, error: 'Invalid or expired code', code: 'UNAUTHORIZED' });
      const ok = await t.app.inject({ method: 'POST', url: '/v1/auth/reset-password', payload: { email: s.email, code, newPassword: 'brand-new-pass-2' } });
      assert.deepEqual(ok.json(), { success: true, data: { message: 'Password reset successfully' } });
      assert.equal((await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: s.email, password: 'brand-new-pass-2' } })).statusCode, 200);
      assert.equal((await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: s.email, password: s.password } })).statusCode, 401);
    });

    it('change-password signs out every other session but keeps this one and the API keys', async () => {
      const s = await registerUser(t);
      const other = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: s.email, password: s.password } });
      const otherToken = json(other).data.accessToken as string;
      const key = json(await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(s.accessToken), payload: { name: 'cli' } })).data.key as string;
      const wrongOld = await t.app.inject({ method: 'POST', url: '/v1/user/me/change-password', headers: bearer(s.accessToken), payload: { oldPassword: 'nope-nope-1', newPassword: 'next-pass-3' } });
      assert.deepEqual(wrongOld.json(), { success: false, error: 'Current password is incorrect', code: 'VALIDATION_ERROR', meta: { field: 'oldPassword' } });
      const ok = await t.app.inject({ method: 'POST', url: '/v1/user/me/change-password', headers: bearer(s.accessToken), payload: { oldPassword: s.password, newPassword: 'next-pass-3' } });
      assert.deepEqual(ok.json(), { success: true, data: null });
      assert.equal((await t.app.inject({ url: '/v1/user/me', headers: bearer(s.accessToken) })).statusCode, 200);
      assert.equal((await t.app.inject({ url: '/v1/user/me', headers: bearer(otherToken) })).statusCode, 401);
      assert.equal((await t.app.inject({ method: 'POST', url: '/v1/auth/refresh', cookies: { refresh_token: refreshCookieOf(other) } })).statusCode, 401);
      assert.equal((await t.app.inject({ url: '/v1/auth/verify', headers: bearer(key) })).statusCode, 200);
    });

    it('reads, updates and deletes the profile; a deleted account\'s token is refused', async () => {
      const s = await registerUser(t);
      const patched = await t.app.inject({ method: 'PATCH', url: '/v1/user/me', headers: bearer(s.accessToken), payload: { nickname: '  Zoë 🐱 ', locale: 'zh-CN' } });
      assert.equal(patched.statusCode, 200);
      assert.equal(json(patched).data.nickname, 'Zoë 🐱');
      assert.equal(json(patched).data.locale, 'zh-CN');
      const badLocale = await t.app.inject({ method: 'PATCH', url: '/v1/user/me', headers: bearer(s.accessToken), payload: { locale: 'fr' } });
      assert.equal(badLocale.statusCode, 422);
      assert.equal(json(badLocale).meta.field, 'locale');
      const del = await t.app.inject({ method: 'DELETE', url: '/v1/user/me', headers: bearer(s.accessToken) });
      assert.deepEqual(del.json(), { success: true, data: null });
      const gone = await t.app.inject({ url: '/v1/user/me', headers: bearer(s.accessToken) });
      assert.equal(gone.statusCode, 401);
      assert.equal(json(gone).code, 'UNAUTHORIZED');
      assert.equal((await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: s.email, password: s.password } })).statusCode, 401);
    });
  });
}
