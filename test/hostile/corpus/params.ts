// Hostile query and path parameters: transform parameters out of range, unknown, repeated, or spelled as
// arrays/objects; signatures and expiries that are junk; overlong, traversing, NUL-carrying, homoglyph and
// RTL-override ids; traversal through the media host and the static folders; very long paths. Request targets
// go over a raw socket, exactly as written (an HTTP client would resolve `..` and re-encode).
import { assertNoLeak, assertRefused } from './contract.js';
import { type Checked, type Group, type HostileCase, type Io } from './case.js';
import { requestHead } from './wire.js';

/** What a traversal must never put in an answer: system files, our sources, package metadata, secrets. */
export const LEAKS = ['root:x:0:', '"allowScripts"', 'loadConfig(', 'PICORA_JWT_SECRET', 'BEGIN PRIVATE KEY', '[core]\n', 'better-sqlite3'];

/** `heavy`: a render that keeps a media worker busy for seconds (runs with the other expensive inputs). */
type Get = { name: string; target: (io: Io) => string | Buffer; auth?: 'key' | 'session'; method?: string; check?: (a: Checked, name: string) => void; heavy?: boolean };

function rawGet(group: string, g: Get): HostileCase {
  const name = `${group} › ${g.name}`;
  return {
    name,
    async run(io) {
      const headers: Array<[string, string]> = [['Host', `127.0.0.1:${io.target.port}`]];
      if (g.auth === 'key') headers.push(['Authorization', `Bearer ${io.target.user.key}`]);
      if (g.auth === 'session') headers.push(['Authorization', `Bearer ${io.target.user.token}`]);
      const method = g.method ?? 'GET';
      const a = await io.raw(`${method} (raw)`, { bytes: [requestHead(method, g.target(io), headers)], head: method === 'HEAD' });
      assertNoLeak(name, a, LEAKS);
      g.check?.(a, name);
    },
  };
}

const params = (codes: string[]) => (a: Checked, name: string) => assertRefused(name, a, codes);
const bad = params(['INVALID_IMAGE_PARAMS']);

/** The transform group, and its renders that are expensive on purpose (run one at a time, corpus.test.ts). */
export function transformGroup(): { group: Group; heavy: HostileCase[] } {
  const png = (io: Io) => io.target.images.png.path;
  const q = (name: string, query: string, check?: Get['check'], auth?: Get['auth']): Get => ({ name: `?${name}`, target: (io) => `${png(io)}?${query}`, ...(check ? { check } : {}), ...(auth ? { auth } : {}) });
  const gets: Get[] = [
    ...['0', '-1', '4097', '99999999999', '1e3', '0x10', '10.5', '', 'NaN', 'Infinity', '%EF%BC%91%EF%BC%90%EF%BC%90', '10abc', '%00', '10%00', '%2B10', '00000000000000000000100']
      .map((v) => q(`w=${v}`, `w=${v}`, bad)),
    ...['0', '4097', '-4096', '1e9'].map((v) => q(`h=${v}`, `h=${v}`, bad)),
    ...['0', '101', '-5', 'abc', '85.5'].map((v) => q(`q=${v}`, `q=${v}`, bad)),
    ...['bogus', '', '..%2F', 'cover%00'].map((v) => q(`fit=${v}`, `fit=${v}`, bad)),
    ...['gif', 'svg', 'bmp', 'tiff', 'heic', 'jxl', '', 'png%00', 'PNG.exe'].map((v) => q(`fmt=${v}`, `fmt=${v}`, bad)),
    ...['x', 'AAAAAAAAAAAAAAAAAAAAA', '..%2F..%2F..%2Fetc%2Fpasswd', '%00'.repeat(21)].map((v) => q(`wm=${v}`, `wm=${v}`, (a, n) => assertRefused(n, a, ['INVALID_IMAGE_PARAMS', 'NOT_FOUND', 'PLAN_REQUIRED', 'FORBIDDEN']))),
    q('fmt=png%20 (padded, trimmed)', 'fmt=png%20'),
    q('preview=2', 'preview=2', bad),
    ...['foo=1', 'blur=1000', 'density=100000', 'page=5', 'animated=true', '__proto__=1', 'constructor=x', 'toString=1', 'hasOwnProperty=1'].map((v) => q(v, v, bad)),
    q('w=10&w=20 (repeated)', 'w=10&w=20', bad),
    q('w[]=10 (array syntax)', 'w[]=10', bad),
    q('w[a]=10 (object syntax)', 'w[a]=10', bad),
    q('w=10&width=20 (alias twice)', 'w=10&width=20', bad),
    q('1,000 parameters', Array.from({ length: 1000 }, (_, i) => `p${i}=${i}`).join('&'), bad),
    { ...q('w=4096&h=4096&fit=fill&fmt=png (largest output, upscaled 13×)', 'w=4096&h=4096&fit=fill&fmt=png'), heavy: true },
    q('&&&& and ?= and ==', '&&&&=&==&', bad),
    q('malformed percent-encoding %zz and %E0%A4%A', 'w=%zz&h=%E0%A4%A', bad),
    q('sig without exp', 'sig=abc'),
    q('exp without sig', `exp=${Math.floor(Date.now() / 1000) + 60}`),
    q('exp in the past with a junk sig', 'exp=1&sig=abc', (a, n) => assertRefused(n, a, ['FORBIDDEN', 'INVALID_IMAGE_PARAMS', 'BAD_REQUEST'])),
    q('exp of 25 digits with a 1,000-char sig', `exp=${'9'.repeat(25)}&sig=${'a'.repeat(1000)}`, (a, n) => assertRefused(n, a, ['FORBIDDEN', 'INVALID_IMAGE_PARAMS', 'BAD_REQUEST'])),
    q('original=1 anonymously', 'original=1', (a, n) => assertRefused(n, a, ['UNAUTHORIZED', 'FORBIDDEN'])),
    q('original=1&w=10 with the key', 'original=1&w=10', undefined, 'key'),
    q('original=2', 'original=2', undefined, 'key'),
    { name: 'private image with transforms, anonymously', target: (io) => `${io.target.images.privatePng.path}?w=10`, check: (a, n) => assertRefused(n, a, ['UNAUTHORIZED']) },
    { name: 'private image, anonymously, junk signature', target: (io) => `${io.target.images.privatePng.path}?exp=${Math.floor(Date.now() / 1000) + 600}&sig=${'0'.repeat(64)}`, check: (a, n) => assertRefused(n, a, ['FORBIDDEN', 'UNAUTHORIZED']) },
    { name: 'SVG: ?w=4096&h=4096&fit=fill&fmt=png', target: (io) => `${io.target.images.svg.path}?w=4096&h=4096&fit=fill&fmt=png`, heavy: true },
    { name: 'SVG: ?fmt=avif&q=100&w=4096&h=4096&fit=fill', target: (io) => `${io.target.images.svg.path}?fmt=avif&q=100&w=4096&h=4096&fit=fill`, heavy: true },
    { name: 'query of 8 KB', target: (io) => `${png(io)}?w=10&x=${'a'.repeat(8 * 1024)}`, check: bad },
  ];
  return {
    group: { name: 'transform parameters', cases: gets.filter((g) => !g.heavy).map((g) => rawGet('params', g)) },
    heavy: gets.filter((g) => g.heavy).map((g) => rawGet('params', g)),
  };
}

export function pathGroup(): Group {
  const id = (io: Io) => io.target.images.png.id;
  const api = (name: string, target: (io: Io) => string | Buffer, method = 'GET', check?: Get['check']): Get => ({ name, target, method, auth: 'key', ...(check ? { check } : {}) });
  const refused = (codes: string[]) => (a: Checked, n: string) => assertRefused(n, a, codes);
  const nf = refused(['NOT_FOUND', 'BAD_REQUEST', 'VALIDATION_ERROR']);
  const homoglyph = (io: Io) => id(io).replace(/[a-zA-Z]/, (c) => (c.toLowerCase() === 'a' ? '\u0430' : c.toLowerCase() === 'o' ? '\u043e' : '\u0435'));
  const weirdIds: Array<[string, (io: Io) => string | Buffer]> = [
    ['300-char id', () => 'x'.repeat(300)],
    ['65-char id', () => 'x'.repeat(65)],
    ['64-char id', () => 'x'.repeat(64)],
    ['..%2F..%2Fetc%2Fpasswd', () => '..%2F..%2Fetc%2Fpasswd'],
    ['raw ../../etc/passwd', () => '../../etc/passwd'],
    ['%2e%2e%2f%2e%2e', () => '%2e%2e%2f%2e%2e'],
    ['double-encoded %252e%252e%252f', () => '%252e%252e%252f'],
    ['%00', () => '%00'],
    ['id%00.png', (io) => `${id(io)}%00.png`],
    ['raw NUL byte', (io) => Buffer.concat([Buffer.from(id(io)), Buffer.from([0]), Buffer.from('x')])],
    ['homoglyph (Cyrillic letter) of a real id, percent-encoded', (io) => encodeURIComponent(homoglyph(io))],
    ['RTL override U+202E', (io) => `%E2%80%AE${id(io)}`],
    ['zero-width joiner inside a real id', (io) => `${id(io).slice(0, 5)}%E2%80%8D${id(io).slice(5)}`],
    ['overlong UTF-8 %C0%AE%C0%AE', () => '%C0%AE%C0%AE%C0%AF'],
    ['invalid UTF-8 %FF%FE', () => '%FF%FE'],
    ['emoji %F0%9F%98%80', () => '%F0%9F%98%80'],
    ['backslashes ..\\..\\', () => '..%5C..%5Cwindows'],
    ['matrix parameter ;jsessionid=x', (io) => `${id(io)};jsessionid=x`],
    ['SQL in the id', () => "'%20OR%201=1--"],
    ['raw UTF-8 bytes (not percent-encoded)', () => Buffer.from('\u0430\u202e\u00e9', 'utf8')],
  ];
  const gets: Get[] = [];
  for (const [label, target] of weirdIds) {
    gets.push(api(`GET /v1/images/{${label}}`, (io) => { const t = target(io); return Buffer.concat([Buffer.from('/v1/images/'), Buffer.isBuffer(t) ? t : Buffer.from(t)]); }, 'GET', nf));
    gets.push(api(`DELETE /v1/images/{${label}}`, (io) => { const t = target(io); return Buffer.concat([Buffer.from('/v1/images/'), Buffer.isBuffer(t) ? t : Buffer.from(t)]); }, 'DELETE', nf));
  }
  for (const [label, target] of weirdIds.slice(0, 10)) {
    gets.push({ name: `DELETE /v1/api-keys/{${label}}`, auth: 'session', method: 'DELETE', target: (io) => { const t = target(io); return Buffer.concat([Buffer.from('/v1/api-keys/'), Buffer.isBuffer(t) ? t : Buffer.from(t)]); }, check: nf });
    gets.push({ name: `media host /{${label}}.png`, target: (io) => { const t = target(io); return Buffer.concat([Buffer.from('/'), Buffer.isBuffer(t) ? t : Buffer.from(t), Buffer.from('.png')]); }, check: nf });
  }
  const media: Array<[string, (io: Io) => string]> = [
    ['/{id}.png/../../package.json', (io) => `/${id(io)}.png/../../package.json`],
    ['/%2e%2e/%2e%2e/etc/passwd', () => '/%2e%2e/%2e%2e/etc/passwd'],
    ['/{id}.png%00.svg', (io) => `/${id(io)}.png%00.svg`],
    ['/{id}.svg.png', (io) => `/${id(io)}.svg.png`],
    ['/.png', () => '/.png'],
    ['/{id}.', (io) => `/${id(io)}.`],
    ['/{id}. + 300-char extension', (io) => `/${id(io)}.${'p'.repeat(300)}`],
    ['/{id}..png', (io) => `/${id(io)}..png`],
    ['/{id} (no extension)', (io) => `/${id(io)}`],
    ['/{id}.PNG (upper case)', (io) => `/${id(io)}.PNG`],
    ['/{id}.png;.svg', (io) => `/${id(io)}.png;.svg`],
    ['/{id}%2epng', (io) => `/${id(io)}%2epng`],
    ['/.env', () => '/.env'],
    ['/.git/config', () => '/.git/config'],
    ['/data/picora.db', () => '/data/picora.db'],
    ['//etc/passwd', () => '//etc/passwd'],
    ['/app/..%2f..%2f..%2fetc%2fpasswd', () => '/app/..%2f..%2f..%2fetc%2fpasswd'],
    ['/app/%2e%2e/%2e%2e/package.json', () => '/app/%2e%2e/%2e%2e/package.json'],
    ['/app/../../../etc/passwd (raw)', () => '/app/../../../etc/passwd'],
    ['/app/.%2e/.%2e/src/main.ts', () => '/app/.%2e/.%2e/src/main.ts'],
    ['/app/%00', () => '/app/%00'],
    ['/app/ + 5,000 characters', () => `/app/${'a'.repeat(5000)}`],
    ['/docs/..%2f..%2fpackage.json', () => '/docs/..%2f..%2fpackage.json'],
    ['/docs/static/../../../../etc/passwd', () => '/docs/static/../../../../etc/passwd'],
    ['/v1/images/./{id}', (io) => `/v1/images/./${id(io)}`],
    ['//v1//images//{id}', (io) => `//v1//images//${id(io)}`],
    ['/V1/IMAGES/{id} (case)', (io) => `/V1/IMAGES/${id(io)}`],
    ['/v1/images/{id}/ (trailing slash)', (io) => `/v1/images/${id(io)}/`],
    ['path of 8 KB', () => `/v1/${'a/'.repeat(4096)}`],
    ['path of 15 KB (under the 16 KB header limit)', () => `/${'b'.repeat(15 * 1024)}`],
    ['path of 20 KB (over the 16 KB header limit)', () => `/${'c'.repeat(20 * 1024)}`],
    ['absolute-form target http://evil.example/health', () => 'http://evil.example/health'],
    ['asterisk-form * on GET', () => '*'],
  ];
  for (const [label, target] of media) gets.push({ name: label, target, auth: 'key' });
  gets.push({ name: 'HEAD /{id}.png?w=4096&fmt=png', method: 'HEAD', target: (io) => `${io.target.images.png.path}?w=4096&fmt=png` });
  gets.push({ name: 'OPTIONS * (raw)', method: 'OPTIONS', target: () => '*' });
  return { name: 'path parameters and path tricks', cases: gets.map((g) => rawGet('paths', g)) };
}
