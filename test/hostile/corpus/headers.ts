// Hostile request headers over a raw socket: overlong and countless headers, header syntax the HTTP parser
// must refuse, every bad Authorization form, bad Range and validators on the media host, bad Content-Length
// and Transfer-Encoding, bad X-Request-Id, Host tricks and odd request lines. Whatever answers (our app or
// Node's own HTTP parser), the answer must be the envelope with an x-request-id.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { assertRefused, SAFE_REQUEST_ID } from './contract.js';
import type { Checked, Group, HostileCase, Io } from './case.js';
import { requestHead } from './wire.js';

type H = Array<[string, string | Buffer]>;
type RawCase = { name: string; bytes: (io: Io) => Buffer[]; head?: boolean; check?: (a: Checked, name: string) => void };

const host = (io: Io): [string, string] => ['Host', `127.0.0.1:${io.target.port}`];

function rawCase(group: string, c: RawCase): HostileCase {
  const name = `${group} › ${c.name}`;
  return {
    name,
    async run(io) {
      const a = await io.raw('raw request', { bytes: c.bytes(io), ...(c.head ? { head: true } : {}) });
      c.check?.(a, name);
    },
  };
}

const get = (target: (io: Io) => string, headers: (io: Io) => H): RawCase['bytes'] => (io) => [requestHead('GET', target(io), [host(io), ...headers(io)])];
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (header: unknown, payload: unknown, sig = 'x') => `${b64(header)}.${b64(payload)}.${sig}`;
const codes = (c: string[]) => (a: Checked, n: string) => assertRefused(n, a, c);
const unauthorized = codes(['UNAUTHORIZED']);

export function headersGroup(): Group {
  const cases: RawCase[] = [];
  const me = () => '/v1/user/me';
  const media = (io: Io) => io.target.images.png.path;
  const now = Math.floor(Date.now() / 1000);

  // size and syntax of the head itself (Node's parser answers these before the app sees them)
  cases.push({ name: 'one 20 KB header (over the 16 KB limit)', bytes: get(() => '/health', () => [['X-Big', 'a'.repeat(20 * 1024)]]) });
  cases.push({ name: 'one 15 KB header (under the limit)', bytes: get(() => '/health', () => [['X-Big', 'a'.repeat(15 * 1024)]]) });
  cases.push({ name: '3,000 small headers', bytes: get(() => '/health', () => Array.from({ length: 3000 }, (_, i) => [`X-H${i}`, '1'] as [string, string])) });
  cases.push({ name: 'header name with a space', bytes: get(() => '/health', () => [['X Bad', 'v']]) });
  cases.push({ name: 'header value with a NUL byte', bytes: get(() => '/health', () => [['X-Nul', Buffer.from([0x61, 0x00, 0x62])]]) });
  cases.push({ name: 'header value with a bare CR', bytes: get(() => '/health', () => [['X-Cr', Buffer.from('a\rb')]]) });
  cases.push({ name: 'obsolete line folding', bytes: (io) => [Buffer.from(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${io.target.port}\r\nX-Fold: a\r\n  folded\r\n\r\n`)] });
  cases.push({ name: 'no Host header (HTTP/1.1)', bytes: () => [Buffer.from('GET /health HTTP/1.1\r\n\r\n')] });
  cases.push({ name: 'two Host headers', bytes: get(() => '/health', () => [['Host', 'evil.example']]) });
  cases.push({ name: 'Host of 10,000 characters', bytes: (io) => [requestHead('GET', '/health', [['Host', `${'h'.repeat(10_000)}:${io.target.port}`]])] });
  cases.push({ name: 'Host with port 99999 and userinfo', bytes: () => [requestHead('GET', '/health', [['Host', 'user:pass@evil.example:99999']])] });
  cases.push({ name: 'HTTP/1.0 request without Host', bytes: () => [Buffer.from('GET /health HTTP/1.0\r\n\r\n')] });
  cases.push({ name: 'HTTP/0.9 request line', bytes: () => [Buffer.from('GET /health\r\n\r\n')] });
  cases.push({ name: 'HTTP/2 connection preface on HTTP/1.1', bytes: () => [Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')] });
  cases.push({ name: 'HTTP/3.7 version', bytes: (io) => [Buffer.from(`GET /health HTTP/3.7\r\nHost: 127.0.0.1:${io.target.port}\r\n\r\n`)] });
  cases.push({ name: 'unknown method FOO', bytes: (io) => [requestHead('FOO', '/health', [host(io)])] });
  cases.push({ name: 'lower-case method get', bytes: (io) => [requestHead('get', '/health', [host(io)])] });
  cases.push({ name: 'TRACE /v1/user/me', bytes: (io) => [requestHead('TRACE', '/v1/user/me', [host(io), ['Authorization', `Bearer ${io.target.user.key}`]])] });
  cases.push({ name: 'CONNECT evil.example:443', bytes: (io) => [requestHead('CONNECT', 'evil.example:443', [host(io)])] });
  cases.push({ name: 'garbage instead of a request line', bytes: () => [Buffer.from('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 TLS hello\r\n\r\n', 'latin1')] });
  cases.push({ name: 'X-HTTP-Method-Override: DELETE on a GET', bytes: get(() => '/v1/user/me', (io) => [['Authorization', `Bearer ${io.target.user.token}`], ['X-HTTP-Method-Override', 'DELETE']]), check: (a, n) => assert.equal(a.status, 200, `${n}: the override must be ignored`) });

  // Authorization
  const badAuth: Array<[string, (io: Io) => string | Buffer]> = [
    ['"Bearer" alone', () => 'Bearer'],
    ['"Bearer " and spaces', () => 'Bearer    '],
    ['Bearer + 14 KB token', () => `Bearer ${'t'.repeat(14 * 1024)}`],
    ['Basic credentials', () => `Basic ${Buffer.from('admin:admin').toString('base64')}`],
    ['Digest credentials', () => 'Digest username="admin", realm="x", nonce="1", uri="/", response="0"'],
    ['lower-case scheme with a tab', (io) => `bearer\t${io.target.user.key}x`],
    ['sk_live_ with the wrong length', () => 'Bearer sk_live_abc'],
    ['sk_live_ with path traversal', () => `Bearer sk_live_../../../../etc/passwd${'a'.repeat(10)}`],
    ['sk_ prefix of a real key plus junk', (io) => `Bearer ${io.target.user.key.slice(0, 20)}${'!'.repeat(20)}`],
    ['the real key with a trailing NUL-looking %00', (io) => `Bearer ${io.target.user.key}%00`],
    ['two tokens', (io) => `Bearer ${io.target.user.key} ${io.target.user.token}`],
    ['JWT with alg none', () => `Bearer ${jwt({ alg: 'none', typ: 'JWT' }, { sub: 'x', role: 'admin', exp: now + 600 }, '')}`],
    ['JWT with alg none and our claims shape', (io) => `Bearer ${jwt({ alg: 'none' }, { userId: io.target.admin.userId, sessionId: 'x', exp: now + 600 }, '')}`],
    ['JWT signed with the key "secret"', (io) => {
      const h = b64({ alg: 'HS256', typ: 'JWT' });
      const p = b64({ userId: io.target.admin.userId, sid: 'x', exp: now + 600 });
      return `Bearer ${h}.${p}.${createHmac('sha256', 'secret').update(`${h}.${p}`).digest('base64url')}`;
    }],
    ['JWT with a kid path traversal', () => `Bearer ${jwt({ alg: 'HS256', kid: '../../../../dev/null' }, { sub: 'x' })}`],
    ['JWT whose header is not JSON', () => `Bearer ${Buffer.from('{{{').toString('base64url')}.${b64({})}.x`],
    ['JWT with a 3 KB payload of nested arrays', () => `Bearer ${jwt({ alg: 'HS256' }, JSON.parse(`${'['.repeat(1000)}${']'.repeat(1000)}`))}`],
    ['raw UTF-8 bytes in the token', () => Buffer.from('Bearer t\u00f6k\u00e9n\u202e', 'utf8')],
  ];
  for (const [label, value] of badAuth) {
    cases.push({ name: `Authorization: ${label} on /v1/user/me`, bytes: get(me, (io) => [['Authorization', value(io)]]), check: unauthorized });
  }
  for (const [label, value] of badAuth.slice(0, 6)) {
    cases.push({ name: `Authorization: ${label} on a private image`, bytes: get((io) => io.target.images.privatePng.path, (io) => [['Authorization', value(io)]]), check: unauthorized });
  }
  cases.push({ name: 'two Authorization headers (key, then junk)', bytes: get(me, (io) => [['Authorization', `Bearer ${io.target.user.key}`], ['Authorization', 'Bearer junk']]) });
  cases.push({ name: 'an API key on a session-only route', bytes: get(() => '/v1/api-keys', (io) => [['Authorization', `Bearer ${io.target.user.key}`]]), check: codes(['FORBIDDEN']) });

  // Range and validators on the media host
  const ranges = ['bytes=abc', 'bytes=-0', 'bytes=999999999-', 'bytes=5-1', Array.from({ length: 1000 }, (_, i) => `${i}-${i}`).join(',').replace(/^/, 'bytes='),
    `bytes=0-${'9'.repeat(400)}`, 'bytes=-99999999999999999999', 'items=0-1', 'bytes=1-2-3', 'bytes= 0-1', 'bytes=0-1, -1', 'bytes=--1', 'bytes=0x10-0x20', 'bytes=\u00bd-1'];
  for (const r of ranges) {
    cases.push({ name: `Range: ${r.slice(0, 40)}${r.length > 40 ? '…' : ''}`, bytes: get(media, () => [['Range', Buffer.from(r, 'utf8')]]) });
  }
  cases.push({ name: 'Range on a rendition (?w=64) beyond its end', bytes: get((io) => `${media(io)}?w=64&fmt=png`, () => [['Range', 'bytes=100000000-']]) });
  cases.push({ name: 'If-Range junk with a Range', bytes: get(media, () => [['Range', 'bytes=0-1'], ['If-Range', '"\u0000junk']]) });
  const inm = ['*', 'W/', '"', 'x'.repeat(10_000), Array.from({ length: 1000 }, (_, i) => `"e${i}"`).join(', '), 'W/"\u00e9t\u00e9"', ',,,,,,,,'];
  for (const v of inm) {
    cases.push({ name: `If-None-Match: ${v.slice(0, 30)}${v.length > 30 ? '…' : ''}`, bytes: get(media, () => [['If-None-Match', Buffer.from(v, 'utf8')]]) });
  }
  cases.push({ name: 'If-Modified-Since junk', bytes: get(media, () => [['If-Modified-Since', 'Tue, 99 Foo 99999 99:99:99 GMT']]) });
  cases.push({ name: 'Accept of 10 KB with bad q values', bytes: get((io) => `${media(io)}?w=32`, () => [['Accept', Array.from({ length: 700 }, (_, i) => `image/x${i};q=abc`).join(',')]]) });
  cases.push({ name: 'Accept: image/avif;q=0, image/webp;q=NaN', bytes: get((io) => `${media(io)}?w=32`, () => [['Accept', 'image/avif;q=0, image/webp;q=NaN, */*;q=-1']]) });
  cases.push({ name: 'Referer junk (javascript:, 10 KB)', bytes: get(media, () => [['Referer', `javascript:alert(1)//${'r'.repeat(10_000)}`]]) });
  cases.push({ name: 'Origin junk (CORS preflight)', bytes: (io) => [requestHead('OPTIONS', '/v1/images', [host(io), ['Origin', 'null'], ['Access-Control-Request-Method', 'DELETE'], ['Access-Control-Request-Headers', 'x'.repeat(5000)]])] });
  cases.push({ name: 'X-Forwarded-For of 10 KB (no trusted proxy)', bytes: get(me, (io) => [['Authorization', `Bearer ${io.target.user.key}`], ['X-Forwarded-For', Array.from({ length: 700 }, (_, i) => `10.0.${i % 250}.1`).join(', ')]]) });

  // Cookies on refresh
  cases.push({ name: 'refresh_token cookie of 8 KB', bytes: (io) => [requestHead('POST', '/v1/auth/refresh', [host(io), ['Cookie', `refresh_token=${'c'.repeat(8 * 1024)}`], ['Content-Length', '0']])], check: unauthorized });
  cases.push({ name: 'malformed cookie header', bytes: (io) => [requestHead('POST', '/v1/auth/refresh', [host(io), ['Cookie', 'refresh_token=%E0%A4%A; ;;=; =x; a'], ['Content-Length', '0']])], check: unauthorized });
  cases.push({ name: '500 cookies', bytes: (io) => [requestHead('POST', '/v1/auth/refresh', [host(io), ['Cookie', Array.from({ length: 500 }, (_, i) => `c${i}=v`).join('; ')], ['Content-Length', '0']])], check: unauthorized });

  // Content-Length and Transfer-Encoding
  const login = (io: Io, headers: H, bodyBytes = '{"email":"a@b.co","password":"abcdefg1"}') =>
    [requestHead('POST', '/v1/auth/login', [host(io), ['Content-Type', 'application/json'], ...headers]), Buffer.from(bodyBytes)];
  for (const cl of ['abc', '-1', '1, 2', '99999999999999999999', '+5', '0x10', '4 2']) {
    cases.push({ name: `Content-Length: ${cl}`, bytes: (io) => login(io, [['Content-Length', cl]]) });
  }
  cases.push({ name: 'two different Content-Length headers', bytes: (io) => login(io, [['Content-Length', '10'], ['Content-Length', '20']]) });
  cases.push({ name: 'Content-Length 0 with a body', bytes: (io) => login(io, [['Content-Length', '0']]) });
  cases.push({ name: 'Content-Length shorter than the body (JSON cut)', bytes: (io) => login(io, [['Content-Length', '12'], ['Connection', 'close']]) });
  cases.push({ name: 'Transfer-Encoding: identity', bytes: (io) => login(io, [['Transfer-Encoding', 'identity'], ['Content-Length', '41']]) });
  cases.push({ name: 'Transfer-Encoding: chunked twice', bytes: (io) => login(io, [['Transfer-Encoding', 'chunked'], ['Transfer-Encoding', 'chunked']], '29\r\n{"email":"a@b.co","password":"abcdefg1"}\r\n0\r\n\r\n') });
  cases.push({ name: 'Transfer-Encoding: xchunked', bytes: (io) => login(io, [['Transfer-Encoding', 'xchunked']], '29\r\n{"email":"a@b.co","password":"abcdefg1"}\r\n0\r\n\r\n') });
  cases.push({ name: 'chunked body with trailers', bytes: (io) => login(io, [['Transfer-Encoding', 'chunked']], '29\r\n{"email":"a@b.co","password":"abcdefg1"}\r\n0\r\nX-Trailer: 1\r\nContent-Length: 5\r\n\r\n') });
  cases.push({ name: 'GET with a chunked body', bytes: (io) => [requestHead('GET', '/health', [host(io), ['Transfer-Encoding', 'chunked']]), Buffer.from('5\r\nhello\r\n0\r\n\r\n')] });

  // X-Request-Id: a safe one is echoed exactly, anything else replaced (checkAnswer tests the shape of every one)
  const echo = (expected: string) => (a: Checked, n: string) => assert.equal(a.headers['x-request-id'], expected, `${n}: a safe id is echoed`);
  const replaced = (sent: string) => (a: Checked, n: string) => assert.notEqual(a.headers['x-request-id'], sent, `${n}: an unsafe id must not be echoed`);
  const rid: Array<[string, string, RawCase['check']]> = [
    ['7 characters', 'abcdefg', replaced('abcdefg')],
    ['129 characters', 'r'.repeat(129), replaced('r'.repeat(129))],
    ['128 characters (echoed)', 'r'.repeat(128), echo('r'.repeat(128))],
    ['with spaces', 'has spaces in it', replaced('has spaces in it')],
    ['../../etc/passwd', '../../etc/passwd', undefined],
    ['HTML', '<script>alert(1)</script>', replaced('<script>alert(1)</script>')],
    ['empty', '', undefined],
    ['4 KB', 'q'.repeat(4096), replaced('q'.repeat(4096))],
  ];
  for (const [label, value, check] of rid) {
    cases.push({ name: `X-Request-Id ${label}`, bytes: get(() => '/v1/nothing-here', () => [['X-Request-Id', value]]), ...(check ? { check } : {}) });
  }
  cases.push({ name: 'X-Request-Id with raw UTF-8 bytes', bytes: get(() => '/v1/nothing-here', () => [['X-Request-Id', Buffer.from('id-\u00e9\u202e-12345', 'utf8')]]) });
  cases.push({ name: 'two X-Request-Id headers', bytes: get(() => '/v1/nothing-here', () => [['X-Request-Id', 'first-id-12345'], ['X-Request-Id', 'second-id-12345']]), check: (a, n) => assert.match(a.headers['x-request-id'] ?? '', SAFE_REQUEST_ID, n) });
  cases.push({ name: 'X-Request-Id on a 20 KB header request', bytes: get(() => '/health', () => [['X-Request-Id', 'client-id-123456'], ['X-Big', 'a'.repeat(20 * 1024)]]) });

  return { name: 'headers', cases: cases.map((c) => rawCase('headers', c)) };
}
