// The soak benchmark's bad input: every kind must be refused with its own 4xx (never a 5xx, never a 2xx):
// invalid transform parameters, bad signatures, unknown ids, bad credentials, a key without the scope,
// anonymous requests for private images, corrupt files, invalid bodies.
import { randomBytes } from 'node:crypto';
import { multipartBody, type HttpRequest } from './soak-http.js';
import { bearer, holdOne, owner, pick, randomImageId, send, type Op } from './soak-requests.js';

export const BAD_OPS: Op[] = [
  {
    kind: 'bad-params', weight: 3, bad: true, can: (ctx) => ctx.pool.pinned().length > 0,
    run: (ctx) => {
      const img = pick(ctx.pool.pinned());
      const query = pick(['w=0', 'w=99999', 'fmt=gif', 'q=101', 'foo=1', 'w=abc', 'fit=stretch', 'w=100&w=200', 'original=1&w=10', 'preview=2']);
      return send(ctx, { method: 'GET', path: `${img.path}?${query}`, headers: img.isPublic ? {} : owner(ctx) }, [400]);
    },
  },
  {
    kind: 'bad-signature', weight: 1, bad: true, can: (ctx) => ctx.pool.pinned().length > 0,
    run: (ctx) => {
      const img = pick(ctx.pool.pinned());
      const query = pick([`exp=${Math.floor(Date.now() / 1000) + 3600}&sig=${randomBytes(32).toString('base64url')}`, 'exp=1&sig=abc', 'sig=abc']);
      return send(ctx, { method: 'GET', path: `${img.path}?${query}` }, [403]);
    },
  },
  {
    kind: 'unknown-id', weight: 3, bad: true,
    run: (ctx) => {
      const id = randomImageId();
      const req = pick<HttpRequest>([
        { method: 'GET', path: `/${id}.jpg` },
        { method: 'GET', path: `/${id}.webp?w=100` },
        { method: 'GET', path: `/v1/images/${id}`, headers: owner(ctx) },
        { method: 'DELETE', path: `/v1/images/${id}`, headers: owner(ctx) },
      ]);
      return send(ctx, req, [404]);
    },
  },
  {
    kind: 'bad-auth', weight: 3, bad: true,
    run: (ctx) => {
      const forged = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"x","exp":9999999999}').toString('base64url')}.${randomBytes(32).toString('base64url')}`;
      const headers = pick<Record<string, string>>([
        {},
        bearer('not-a-token'),
        bearer(forged),
        bearer(`sk_live_${randomBytes(24).toString('base64url')}`),
        { authorization: 'Basic YWRtaW46YWRtaW4=' },
      ]);
      const req = pick<HttpRequest>([
        { method: 'GET', path: '/v1/images', headers },
        { method: 'GET', path: '/v1/user/me/usage', headers },
        { method: 'POST', path: '/v1/images/exists', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ hashes: ['0'.repeat(64)] }) },
      ]);
      return send(ctx, req, [401]);
    },
  },
  {
    kind: 'wrong-scope', weight: 1, bad: true, can: (ctx) => ctx.pool.pinned().length > 0,
    run: (ctx) => {
      const img = pick(ctx.pool.pinned());
      const headers = bearer(ctx.creds.readOnlyKey);
      const req = pick<HttpRequest>([
        { method: 'DELETE', path: `/v1/images/${img.id}`, headers },
        { method: 'DELETE', path: '/v1/images', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ ids: [img.id] }) },
      ]);
      return send(ctx, req, [403]);
    },
  },
  {
    kind: 'private-anonymous', weight: 1, bad: true, can: (ctx) => ctx.pool.pick((i) => !i.isPublic) !== undefined,
    run: (ctx) => {
      const img = ctx.pool.pick((i) => !i.isPublic)!;
      return holdOne(ctx, img, () => send(ctx, { method: 'GET', path: Math.random() < 0.5 ? img.path : `${img.path}?w=100` }, [401]));
    },
  },
  {
    kind: 'corrupt-upload', weight: 2, bad: true,
    run: (ctx) => {
      const file = ctx.images.corrupt();
      const { contentType, body } = multipartBody({}, file);
      return send(ctx, { method: 'POST', path: '/v1/images', headers: { ...owner(ctx), 'content-type': contentType }, body }, [422]);
    },
  },
  {
    kind: 'invalid-body', weight: 2, bad: true,
    run: (ctx) => {
      const json = { ...owner(ctx), 'content-type': 'application/json' };
      const [req, status] = pick<[HttpRequest, number]>([
        [{ method: 'GET', path: '/v1/images?limit=1000', headers: owner(ctx) }, 422],
        [{ method: 'GET', path: '/v1/images?start_date=2025-13-45', headers: owner(ctx) }, 422],
        [{ method: 'GET', path: '/v1/images?cursor=not-a-cursor', headers: owner(ctx) }, 400],
        [{ method: 'POST', path: '/v1/images/exists', headers: json, body: JSON.stringify({ hashes: ['xyz'] }) }, 422],
        [{ method: 'POST', path: '/v1/images/exists', headers: json, body: '{"hashes": [' }, 400],
        [{ method: 'DELETE', path: '/v1/images', headers: json, body: JSON.stringify({ ids: [] }) }, 422],
        [{ method: 'POST', path: '/v1/images', headers: json, body: '{}' }, 400],
      ]);
      return send(ctx, req, [status]);
    },
  },
];
