// Hostile JSON bodies for every JSON endpoint: unparsable text, nesting deep enough to overflow a recursive
// parser, huge strings, wrong types, prototype-pollution keys; then body-level oddities (encodings, sizes,
// numbers, content types) on a few endpoints. Bodies that happen to be valid only touch throwaway state
// (a spare API key, a patchable image, nonexistent e-mails and ids).
import assert from 'node:assert/strict';
import { bearer, type Group, type HostileCase, type Io } from './case.js';
import { requestHead } from './wire.js';

/** `refusals`: the codes a body this endpoint cannot use may get (refresh has no body schema: a bad body is no token). */
type Endpoint = { method: string; path: (io: Io) => string; auth: 'none' | 'session' | 'key'; good: Record<string, unknown>; refusals?: string[] };

const ENDPOINTS: Record<string, Endpoint> = {
  'POST /v1/auth/login': { method: 'POST', path: () => '/v1/auth/login', auth: 'none', good: { email: 'nobody-hostile@example.com', password: 'abcdefg1' } },
  'POST /v1/auth/send-code': { method: 'POST', path: () => '/v1/auth/send-code', auth: 'none', good: { email: 'nobody-hostile@example.com', type: 'reset_password' } },
  'POST /v1/auth/register': { method: 'POST', path: () => '/v1/auth/register', auth: 'none', good: { email: 'nobody-hostile@example.com', password: 'abcdefg1', code: '000000' } },
  'POST /v1/auth/refresh': { method: 'POST', path: () => '/v1/auth/refresh', auth: 'none', good: { refreshToken: 'not-a-token' }, refusals: ['BAD_REQUEST', 'VALIDATION_ERROR', 'UNAUTHORIZED'] },
  'PATCH /v1/user/me': { method: 'PATCH', path: () => '/v1/user/me', auth: 'session', good: { nickname: 'hostile' } },
  'POST /v1/user/me/change-password': { method: 'POST', path: () => '/v1/user/me/change-password', auth: 'session', good: { oldPassword: 'wrong-password-9', newPassword: 'abcdefg12' } },
  'POST /v1/api-keys': { method: 'POST', path: () => '/v1/api-keys', auth: 'session', good: { name: 'k' } },
  'PATCH /v1/api-keys/:id': { method: 'PATCH', path: (io) => `/v1/api-keys/${io.target.spareKeyId}`, auth: 'session', good: { name: 'spare' } },
  'PATCH /v1/images/:id': { method: 'PATCH', path: (io) => `/v1/images/${io.target.images.patchable.id}`, auth: 'key', good: { title: 't' } },
  'POST /v1/images/exists': { method: 'POST', path: () => '/v1/images/exists', auth: 'key', good: { hashes: ['0'.repeat(64)] } },
  'DELETE /v1/images': { method: 'DELETE', path: () => '/v1/images', auth: 'key', good: { ids: ['doesNotExist'] } },
  'POST /v1/images/:id/sign': { method: 'POST', path: (io) => `/v1/images/${io.target.images.patchable.id}/sign`, auth: 'key', good: { expSeconds: 60 } },
  'POST /v1/webhooks': { method: 'POST', path: () => '/v1/webhooks', auth: 'session', good: { url: 'https://hooks.example.test/in', events: ['image.uploaded'] } },
  'POST /v1/collections': { method: 'POST', path: () => '/v1/collections', auth: 'session', good: { name: 'hostile album', collectionType: 'photo_album' } },
  'POST /v1/images/batch-move': { method: 'POST', path: () => '/v1/images/batch-move', auth: 'key', good: { ids: ['doesNotExist'], kbId: null } },
  'POST /v1/images/download': { method: 'POST', path: () => '/v1/images/download', auth: 'key', good: { ids: ['doesNotExist'] } },
  'DELETE /v1/media': { method: 'DELETE', path: () => '/v1/media', auth: 'key', good: { items: [{ id: 'doesNotExist', type: 'image' }] } },
  'POST /v1/trash/images/restore': { method: 'POST', path: () => '/v1/trash/images/restore', auth: 'key', good: { ids: ['doesNotExist'] } },
  // a body must name ids: none of these may empty the corpus account's trash (only a request without a body does)
  'DELETE /v1/trash/images': { method: 'DELETE', path: () => '/v1/trash/images', auth: 'key', good: { ids: ['doesNotExist'] } },
  'PATCH /v1/images': { method: 'PATCH', path: () => '/v1/images', auth: 'key', good: { ids: ['doesNotExist'], isPublic: true, addTags: ['t'] } },
  'POST /v1/bulk-delete': { method: 'POST', path: () => '/v1/bulk-delete?dryRun=true', auth: 'key', good: { resourceType: 'image', filters: { isPublic: false } } },
  'POST /v1/watermark-templates': { method: 'POST', path: () => '/v1/watermark-templates', auth: 'session', good: { name: 'w', type: 'text', text: 'x' } },
};

function authHeaders(io: Io, auth: Endpoint['auth']): Record<string, string> {
  if (auth === 'session') return bearer(io.target.user.token);
  if (auth === 'key') return bearer(io.target.user.key);
  return {};
}

/** After a pollution attempt the corpus account must still be an ordinary user. */
async function notPolluted(io: Io, name: string): Promise<void> {
  const me = await io.send('GET /v1/user/me after', { path: '/v1/user/me', headers: bearer(io.target.user.token) });
  assert.equal(me.status, 200, `${name}: /v1/user/me after the attempt`);
  assert.equal((me.json() as { data: { role: string } }).data.role, 'user', `${name}: the account became ${(me.json() as { data: { role: string } }).data.role}`);
  const admin = await io.send('GET /v1/admin/users after', { path: '/v1/admin/users', headers: bearer(io.target.user.token) });
  assert.equal(admin.error?.code, 'FORBIDDEN', `${name}: a pollution attempt opened the admin API (${admin.status})`);
}

const deepArrays = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const deepObjects = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

export function jsonGroup(): Group {
  const cases: HostileCase[] = [];
  const add = (name: string, endpoint: string, payload: string | Buffer, opts: { contentType?: string | null; after?: (io: Io, name: string) => Promise<void>; codes?: string[] } = {}) => {
    const ep = ENDPOINTS[endpoint]!;
    const full = `json › ${endpoint} › ${name}`;
    cases.push({
      name: full,
      async run(io) {
        const headers: Record<string, string> = authHeaders(io, ep.auth);
        if (opts.contentType !== null) headers['content-type'] = opts.contentType ?? 'application/json';
        const a = await io.send(`${endpoint}`, { method: ep.method, path: ep.path(io), headers, body: payload });
        if (opts.codes) assert.ok(a.error && opts.codes.includes(a.error.code), `${full}: expected ${opts.codes.join(' | ')}, got ${a.status} ${a.body.toString('utf8').slice(0, 200)}`);
        await opts.after?.(io, full);
      },
    });
  };
  const malformed = ['BAD_REQUEST'];

  for (const [endpoint, ep] of Object.entries(ENDPOINTS)) {
    const [firstField] = Object.keys(ep.good);
    const refused = ep.refusals ?? ['BAD_REQUEST', 'VALIDATION_ERROR'];
    add('unparsable ({"a": …)', endpoint, '{"a":', { codes: malformed });
    add('200,000 nested arrays', endpoint, deepArrays(200_000), { codes: refused });
    add('100,000 nested objects', endpoint, deepObjects(100_000));
    add('__proto__ / constructor.prototype keys with valid fields', endpoint, JSON.stringify({ ...ep.good }).replace(/^\{/, '{"__proto__":{"role":"admin","isAdmin":true,"plan":"pro_plus"},"constructor":{"prototype":{"role":"admin"}},'), { after: notPolluted });
    add(`900 KB string in "${firstField}"`, endpoint, JSON.stringify({ ...ep.good, [firstField!]: 'x'.repeat(900 * 1024) }), { codes: refused });
    add('a top-level array instead of an object', endpoint, '[{"a":1},2,"x"]', { codes: refused });
    add('wrong types in every field (objects, arrays, numbers)', endpoint, JSON.stringify(Object.fromEntries(Object.keys(ep.good).map((k, i) => [k, [{ $gt: '' }, [1, [2]], 1e308, true][i % 4]]))), { codes: refused });
  }

  // body-level oddities, on the anonymous login and on an authenticated PATCH
  const refused = ['BAD_REQUEST', 'VALIDATION_ERROR'];
  for (const endpoint of ['POST /v1/auth/login', 'PATCH /v1/images/:id']) {
    const good = ENDPOINTS[endpoint]!.good;
    const text = JSON.stringify(good);
    add('body over the 1 MB limit (1.5 MB)', endpoint, JSON.stringify({ ...good, pad: 'p'.repeat(1536 * 1024) }), { codes: malformed });
    add('empty body with a JSON Content-Type', endpoint, '', { codes: malformed });
    add('whitespace only', endpoint, ' \r\n\t ', { codes: malformed });
    add('JSON with comments, trailing commas and single quotes', endpoint, "{/* c */ 'a': 1, }", { codes: malformed });
    add('NaN and Infinity literals', endpoint, '{"n": NaN, "i": -Infinity}', { codes: malformed });
    add('a UTF-8 BOM before the JSON', endpoint, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    add('UTF-16LE JSON declared as charset=utf-16', endpoint, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), { contentType: 'application/json; charset=utf-16', codes: refused });
    add('invalid UTF-8 bytes inside a string', endpoint, Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xc3, 0x28, 0xed, 0xa0, 0x80, 0xff]), Buffer.from('","email":"a@b.co","password":"abcdefg1"}')]));
    add('lone surrogate escapes', endpoint, '{"title":"\\ud800\\udc00\\udfff\\ud800","email":"\\ud800@b.co","password":"\\udc00abcdefg1"}');
    add('NUL characters in strings', endpoint, '{"title":"a\\u0000b","email":"a\\u0000@b.co","password":"abc\\u0000defg1"}');
    add('duplicate keys', endpoint, `{"title":"a","title":{"x":1},"email":"a@b.co","email":["x"],"password":"abcdefg1"}`);
    add('numbers 1e999, -0 and 2^53+1', endpoint, '{"title":1e999,"email":-0,"password":9007199254740993,"isPublic":1e-999}');
    add('50,000 distinct keys', endpoint, `{${Array.from({ length: 50_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`);
    add('charset=latin1', endpoint, text, { contentType: 'application/json; charset=latin1' });
    add('application/vnd.api+json', endpoint, text, { contentType: 'application/vnd.api+json', codes: malformed });
    add('Content-Type in upper case', endpoint, text, { contentType: 'APPLICATION/JSON' });
    add('Content-Type "application/json, text/plain"', endpoint, text, { contentType: 'application/json, text/plain' });
    add('no Content-Type with a JSON body', endpoint, text, { contentType: null, codes: refused });
    add('text/plain Content-Type with a JSON body', endpoint, text, { contentType: 'text/plain', codes: refused });
    add('nested __proto__ inside arrays and objects', endpoint, '{"tags":[{"__proto__":{"x":1}}],"allowedReferers":{"__proto__":["*"]},"email":{"constructor":{"prototype":{"x":1}}},"password":"abcdefg1"}', { codes: refused, after: notPolluted });
  }
  add('100,000 ids in a batch delete', 'DELETE /v1/images', JSON.stringify({ ids: Array.from({ length: 100_000 }, (_, i) => `id${i}`) }), { codes: ['VALIDATION_ERROR'] });
  add('100,000 ids in a restore', 'POST /v1/trash/images/restore', JSON.stringify({ ids: Array.from({ length: 100_000 }, (_, i) => `id${i}`) }), { codes: ['VALIDATION_ERROR'] });
  add('JSON null instead of {ids} (never empties the trash)', 'DELETE /v1/trash/images', 'null', { codes: ['VALIDATION_ERROR'] });
  add('an object without ids (never empties the trash)', 'DELETE /v1/trash/images', '{"idz":["x"],"all":true}', { codes: ['VALIDATION_ERROR'] });
  add('10,000 tags to add to a selection', 'PATCH /v1/images', JSON.stringify({ ids: ['doesNotExist'], addTags: Array.from({ length: 10_000 }, (_, i) => `t${i}`) }), { codes: ['VALIDATION_ERROR'] });
  add('expSeconds 2^53+1 and negative zero', 'POST /v1/images/:id/sign', '{"expSeconds":9007199254740993,"transform":"w=-0"}', { codes: ['VALIDATION_ERROR'] });
  add('transform with 300 characters of junk', 'POST /v1/images/:id/sign', JSON.stringify({ transform: '&'.repeat(150) + '=%zz'.repeat(37) }));
  add('allowedReferers with 10,000 patterns', 'PATCH /v1/images/:id', JSON.stringify({ allowedReferers: Array.from({ length: 10_000 }, (_, i) => `h${i}.example.com`) }), { codes: ['VALIDATION_ERROR'] });
  add('allowedReferers with regex-hostile patterns', 'PATCH /v1/images/:id', JSON.stringify({ allowedReferers: ['*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*a', `${'a.'.repeat(120)}!`, '*.'] }), { codes: ['VALIDATION_ERROR'] });
  add('scopes with 1,000 unknown entries', 'PATCH /v1/api-keys/:id', JSON.stringify({ scopes: Array.from({ length: 1000 }, (_, i) => `scope${i}`) }), { codes: ['VALIDATION_ERROR'] });
  add('scopes escalating to admin', 'PATCH /v1/api-keys/:id', JSON.stringify({ scopes: ['admin', 'admin:*', '*', 'media.*', 'account.write'] }), { codes: ['VALIDATION_ERROR'], after: notPolluted });
  cases.push({
    name: 'json › 10 MB body declared and sent (raw)',
    async run(io) {
      const head = requestHead('POST', '/v1/auth/login', [['Host', `127.0.0.1:${io.target.port}`], ['Content-Type', 'application/json'], ['Content-Length', String(10 * 1024 * 1024)]]);
      const a = await io.raw('POST /v1/auth/login 10 MB declared', { bytes: [head, Buffer.from('{"email":"'), Buffer.alloc(10 * 1024 * 1024 - 10, 0x61)] });
      assert.equal(a.error?.code, 'BAD_REQUEST', `10 MB JSON: ${a.status} ${a.body.toString('utf8').slice(0, 200)}`);
    },
  });
  return { name: 'json bodies', cases };
}
