// Hostile multipart framing for POST /v1/images: closing boundary missing (length-framed and chunked), a
// boundary that never appears or does not match, duplicated and misnamed file parts, huge and endless part
// headers, broken Content-Disposition, no file part, wrong or missing Content-Type, too many parts and fields.
// Sent over a keep-alive connection (Node's HTTP client) or a raw socket that stays open: a server that waits for bytes
// the client has said it will never send hangs here.
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { bearer, type Group, type HostileCase, type Io } from './case.js';
import { requestHead } from './wire.js';

const CRLF = '\r\n';

type PartSpec = { headers: Array<string | Buffer>; body: Buffer | string };

/** A multipart body by hand: every byte chosen here, nothing fixed up. */
function body(boundary: string, parts: PartSpec[], opts: { close?: boolean; preamble?: Buffer | string; epilogue?: string; eol?: string } = {}): Buffer {
  const eol = opts.eol ?? CRLF;
  const out: Buffer[] = [];
  if (opts.preamble !== undefined) out.push(Buffer.from(opts.preamble), Buffer.from(eol));
  for (const p of parts) {
    out.push(Buffer.from(`--${boundary}${eol}`, 'latin1'));
    for (const h of p.headers) out.push(Buffer.isBuffer(h) ? h : Buffer.from(h, 'utf8'), Buffer.from(eol));
    out.push(Buffer.from(eol), Buffer.from(p.body), Buffer.from(eol));
  }
  if (opts.close !== false) out.push(Buffer.from(`--${boundary}--${eol}`, 'latin1'));
  if (opts.epilogue !== undefined) out.push(Buffer.from(opts.epilogue, 'latin1'));
  return Buffer.concat(out);
}

const fileHeaders = (filename = 'a.png', name = 'file', type = 'image/png') => [`Content-Disposition: form-data; name="${name}"; filename="${filename}"`, `Content-Type: ${type}`];
const field = (name: string, value: string | Buffer): PartSpec => ({ headers: [`Content-Disposition: form-data; name="${name}"`], body: value });

const B = 'hostileBoundary7MA4YWxkTrZu0gW';
const mpType = (boundary = B) => `multipart/form-data; boundary=${boundary}`;

/** A refusal with `codes` (the rules of every answer hold too). */
function refusedWith(name: string, codes: string[]) {
  return (a: { status: number; error: { code: string } | undefined; body: Buffer }) =>
    assert.ok(a.error && codes.includes(a.error.code), `${name}: expected ${codes.join(' | ')}, got ${a.status} ${a.body.toString('utf8').slice(0, 200)}`);
}

export async function multipartGroup(): Promise<Group> {
  let seed = 0;
  /** A small PNG unique per call, so no upload is answered as a duplicate of another case's. */
  const png = async () => {
    const raw = Buffer.alloc(16 * 16 * 3, 77);
    raw.writeUInt32BE((++seed * 2654435761) >>> 0, 0);
    return sharp(raw, { raw: { width: 16, height: 16, channels: 3 } }).png().toBuffer();
  };
  const pngs = await Promise.all(Array.from({ length: 80 }, () => png()));
  let next = 0;
  const img = () => pngs[next++ % pngs.length]!;

  const cases: HostileCase[] = [];
  /** POST /v1/images with this body and Content-Type over the HTTP client (Content-Length framed, keep-alive). */
  const viaClient = (name: string, data: Buffer, contentType: string | undefined, check?: (a: Awaited<ReturnType<Io['send']>>) => void) => {
    cases.push({
      name: `multipart › ${name}`,
      async run(io) {
        const headers: Record<string, string> = { ...bearer(io.target.user.key) };
        if (contentType !== undefined) headers['content-type'] = contentType;
        const a = await io.send('POST /v1/images', { method: 'POST', path: '/v1/images', headers, body: data });
        check?.(a);
      },
    });
  };
  /** POST /v1/images over a raw socket: `head` headers after Host and Authorization, then `payload` as it is. */
  const viaRaw = (name: string, head: Array<[string, string | Buffer]>, payload: Buffer[], check?: (a: Awaited<ReturnType<Io['raw']>>) => void) => {
    cases.push({
      name: `multipart › ${name}`,
      async run(io) {
        const h = requestHead('POST', '/v1/images', [['Host', `127.0.0.1:${io.target.port}`], ['Authorization', `Bearer ${io.target.user.key}`], ...head]);
        const a = await io.raw('POST /v1/images (raw)', { bytes: [h, ...payload] });
        check?.(a);
      },
    });
  };
  const chunked = (data: Buffer, size = 4096): Buffer[] => {
    const out: Buffer[] = [];
    for (let at = 0; at < data.length; at += size) {
      const c = data.subarray(at, at + size);
      out.push(Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n'));
    }
    out.push(Buffer.from('0\r\n\r\n'));
    return out;
  };
  const badFraming = ['BAD_REQUEST'];
  const badFile = ['VALIDATION_ERROR', 'BAD_REQUEST'];

  // closing boundary
  viaClient('closing boundary missing (Content-Length framed)', body(B, [{ headers: fileHeaders(), body: img() }], { close: false }), mpType(), refusedWith('no closing boundary', badFraming));
  viaRaw('closing boundary missing (chunked, 0-chunk sent)', [['Content-Type', mpType()], ['Transfer-Encoding', 'chunked']], chunked(body(B, [{ headers: fileHeaders(), body: img() }], { close: false })), refusedWith('no closing boundary', badFraming));
  viaClient('body ends inside the file data (no CRLF, no boundary)', Buffer.concat([Buffer.from(`--${B}${CRLF}${fileHeaders().join(CRLF)}${CRLF}${CRLF}`), img()]), mpType(), refusedWith('cut file part', badFraming));
  viaClient('closing boundary without the final CRLF (valid)', body(B, [{ headers: fileHeaders(), body: img() }]).subarray(0, -2), mpType());
  viaClient('closing boundary "--B-" (one dash)', Buffer.concat([body(B, [{ headers: fileHeaders(), body: img() }], { close: false }), Buffer.from(`--${B}-${CRLF}`)]), mpType());
  // boundary problems
  viaClient('boundary never present (raw PNG bytes as the body)', img(), mpType(), refusedWith('no boundary', badFraming));
  viaClient('body boundary differs from the Content-Type boundary', body('otherBoundary123', [{ headers: fileHeaders(), body: img() }]), mpType(), refusedWith('boundary mismatch', badFraming));
  viaClient('Content-Type without a boundary parameter', body(B, [{ headers: fileHeaders(), body: img() }]), 'multipart/form-data', refusedWith('no boundary param', badFraming));
  viaClient('empty boundary parameter', body('', [{ headers: fileHeaders(), body: img() }]), 'multipart/form-data; boundary=', refusedWith('empty boundary', badFraming));
  viaClient('boundary of 71 characters (RFC 2046 allows 70)', body('b'.repeat(71), [{ headers: fileHeaders(), body: img() }]), mpType('b'.repeat(71)));
  viaClient('boundary of 4,000 characters', body('b'.repeat(4000), [{ headers: fileHeaders(), body: img() }]), mpType('b'.repeat(4000)));
  viaClient('quoted boundary with spaces and specials', body('a b:c?=d', [{ headers: fileHeaders(), body: img() }]), 'multipart/form-data; boundary="a b:c?=d"');
  viaClient('boundary given twice with different values', body(B, [{ headers: fileHeaders(), body: img() }]), `multipart/form-data; boundary=${B}; boundary=zzz`);
  viaClient('file data that contains the boundary text', body(B, [{ headers: fileHeaders(), body: Buffer.concat([img(), Buffer.from(`\r\n--${B}X\r\n--${B.slice(0, 10)}`)]) }]), mpType());
  // parts
  viaClient('two "file" parts', body(B, [{ headers: fileHeaders('a.png'), body: img() }, { headers: fileHeaders('b.png'), body: img() }]), mpType(), refusedWith('two files', ['VALIDATION_ERROR']));
  viaClient('50 "file" parts', body(B, Array.from({ length: 50 }, (_, i) => ({ headers: fileHeaders(`${i}.png`), body: img() }))), mpType(), refusedWith('many files', ['VALIDATION_ERROR', 'BAD_REQUEST']));
  viaClient('file part named "image"', body(B, [{ headers: fileHeaders('a.png', 'image'), body: img() }]), mpType(), refusedWith('misnamed file', ['VALIDATION_ERROR']));
  viaClient('file part without a filename (a 200 KB field)', body(B, [{ headers: ['Content-Disposition: form-data; name="file"', 'Content-Type: image/png'], body: Buffer.concat([img(), Buffer.alloc(200_000, 1)]) }]), mpType(), refusedWith('file as field', badFile));
  viaClient('no file part, only fields', body(B, [field('title', 'no file'), field('isPublic', 'true')]), mpType(), refusedWith('no file', ['VALIDATION_ERROR']));
  viaClient('only the closing boundary', Buffer.from(`--${B}--${CRLF}`), mpType(), refusedWith('empty form', badFile));
  viaClient('empty body with a multipart Content-Type', Buffer.alloc(0), mpType(), refusedWith('empty body', badFraming));
  viaClient('1,000 parts', body(B, Array.from({ length: 1000 }, (_, i) => field(`f${i}`, 'x'))), mpType(), refusedWith('1000 parts', badFile));
  viaClient('100 "title" fields then the file', body(B, [...Array.from({ length: 100 }, () => field('title', 't')), { headers: fileHeaders(), body: img() }]), mpType(), refusedWith('100 fields', badFile));
  viaClient('a 2 MB field (fieldSize is 16 KB)', body(B, [field('title', 'x'.repeat(2 * 1024 * 1024)), { headers: fileHeaders(), body: img() }]), mpType(), refusedWith('2 MB field', badFile));
  viaClient('title of 100,000 characters', body(B, [field('title', 'é'.repeat(100_000)), { headers: fileHeaders(), body: img() }]), mpType(), refusedWith('long title', badFile));
  viaClient('tags not JSON ("[")', body(B, [field('tags', '['), { headers: fileHeaders(), body: img() }]), mpType());
  viaClient('tags: 1,000 items', body(B, [field('tags', JSON.stringify(Array.from({ length: 1000 }, (_, i) => `t${i}`))), { headers: fileHeaders(), body: img() }]), mpType(), refusedWith('1000 tags', ['VALIDATION_ERROR']));
  viaClient('tags: objects, nulls and control characters', body(B, [field('tags', '[{"a":1},null,"\\u0000\\u001b[31m"]'), { headers: fileHeaders(), body: img() }]), mpType(), refusedWith('bad tags', ['VALIDATION_ERROR']));
  viaClient('tags: __proto__ pollution', body(B, [field('tags', '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}}}'), { headers: fileHeaders(), body: img() }]), mpType(), refusedWith('proto tags', ['VALIDATION_ERROR']));
  viaClient('isPublic "maybe"', body(B, [field('isPublic', 'maybe'), { headers: fileHeaders(), body: img() }]), mpType(), refusedWith('isPublic', ['VALIDATION_ERROR']));
  viaClient('isPublic given twice ("false", then "true")', body(B, [field('isPublic', 'false'), field('isPublic', 'true'), { headers: fileHeaders(), body: img() }]), mpType());
  viaClient('__proto__ and constructor as field names', body(B, [field('__proto__', '{"polluted":1}'), field('constructor', 'x'), field('hasOwnProperty', 'x'), { headers: fileHeaders(), body: img() }]), mpType());
  // part headers
  viaClient('a 100 KB part header line', body(B, [{ headers: [...fileHeaders(), `X-Junk: ${'j'.repeat(100 * 1024)}`], body: img() }]), mpType());
  viaClient('a 1 MB part header line', body(B, [{ headers: [...fileHeaders(), `X-Junk: ${'j'.repeat(1024 * 1024)}`], body: img() }]), mpType());
  viaClient('5,000 headers in one part', body(B, [{ headers: [...fileHeaders(), ...Array.from({ length: 5000 }, (_, i) => `X-H${i}: v`)], body: img() }]), mpType());
  viaClient('part headers never end (no blank line)', Buffer.from(`--${B}${CRLF}${fileHeaders().join(CRLF)}${CRLF}X-More: ${'m'.repeat(50_000)}`), mpType(), refusedWith('endless part head', badFraming));
  viaClient('part header without a colon', body(B, [{ headers: [...fileHeaders(), 'this is not a header'], body: img() }]), mpType());
  // Content-Disposition
  viaClient('no Content-Disposition in the part', body(B, [{ headers: ['Content-Type: image/png'], body: img() }]), mpType(), refusedWith('no disposition', badFile));
  viaClient('Content-Disposition: attachment', body(B, [{ headers: ['Content-Disposition: attachment; filename="a.png"', 'Content-Type: image/png'], body: img() }]), mpType(), refusedWith('attachment', badFile));
  viaClient('Content-Disposition without a name', body(B, [{ headers: ['Content-Disposition: form-data; filename="a.png"', 'Content-Type: image/png'], body: img() }]), mpType(), refusedWith('no name', badFile));
  viaClient('unquoted name and filename', body(B, [{ headers: ['Content-Disposition: form-data; name=file; filename=a.png', 'Content-Type: image/png'], body: img() }]), mpType());
  viaClient('unbalanced quotes in Content-Disposition', body(B, [{ headers: ['Content-Disposition: form-data; name="file; filename="a.png', 'Content-Type: image/png'], body: img() }]), mpType());
  viaClient('filename*=UTF-8 with an RTL override (gnp.exe)', body(B, [{ headers: ["Content-Disposition: form-data; name=\"file\"; filename*=UTF-8''%E2%80%AEgnp.exe", 'Content-Type: image/png'], body: img() }]), mpType());
  viaClient('filename ../../../../etc/passwd', body(B, [{ headers: fileHeaders('../../../../etc/passwd'), body: img() }]), mpType());
  viaClient('filename with a NUL byte', body(B, [{ headers: [Buffer.concat([Buffer.from('Content-Disposition: form-data; name="file"; filename="a.php'), Buffer.from([0]), Buffer.from('.png"')]), 'Content-Type: image/png'], body: img() }]), mpType());
  viaClient('filename of 10,000 characters', body(B, [{ headers: fileHeaders(`${'n'.repeat(10_000)}.png`), body: img() }]), mpType());
  viaClient('filename with a bare CR and invalid UTF-8', body(B, [{ headers: [Buffer.concat([Buffer.from('Content-Disposition: form-data; name="file"; filename="a\rb'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('.png"')]), 'Content-Type: image/png'], body: img() }]), mpType());
  // Content-Type of the request
  viaClient('multipart body sent as text/plain', body(B, [{ headers: fileHeaders(), body: img() }]), 'text/plain', refusedWith('text/plain', badFraming));
  viaClient('multipart body sent as application/json', body(B, [{ headers: fileHeaders(), body: img() }]), 'application/json', refusedWith('json', badFraming));
  viaClient('multipart/mixed', body(B, [{ headers: fileHeaders(), body: img() }]), `multipart/mixed; boundary=${B}`, refusedWith('mixed', badFraming));
  viaClient('application/x-www-form-urlencoded', Buffer.from('file=%89PNG&isPublic=true'), 'application/x-www-form-urlencoded', refusedWith('urlencoded', badFraming));
  viaClient('no Content-Type at all', body(B, [{ headers: fileHeaders(), body: img() }]), undefined, refusedWith('no content type', badFraming));
  viaClient('Content-Type "multipart/form-data; boundary" with junk parameters', body(B, [{ headers: fileHeaders(), body: img() }]), `multipart/form-data;;;; boundary=${B};charset=\u00ff;=;x`);
  viaClient('file part Content-Type image/png on PHP bytes', body(B, [{ headers: fileHeaders('shell.png'), body: '<?php system($_GET["c"]); ?>' }]), mpType(), refusedWith('php', ['INVALID_FILE_TYPE']));
  // odd framing inside
  viaClient('2 MB of preamble before the first boundary', body(B, [{ headers: fileHeaders(), body: img() }], { preamble: Buffer.alloc(2 * 1024 * 1024, 0x41) }), mpType());
  viaClient('1 MB of epilogue after the closing boundary', body(B, [{ headers: fileHeaders(), body: img() }], { epilogue: 'e'.repeat(1024 * 1024) }), mpType());
  viaClient('LF-only line endings', body(B, [{ headers: fileHeaders(), body: img() }], { eol: '\n' }), mpType());
  viaClient('Content-Transfer-Encoding: base64 file part', body(B, [{ headers: [...fileHeaders(), 'Content-Transfer-Encoding: base64'], body: img().toString('base64') }]), mpType());
  viaClient('a multipart/mixed nested in the file part', body(B, [{ headers: [...fileHeaders('n.png', 'file', 'multipart/mixed; boundary=inner')], body: body('inner', [{ headers: fileHeaders(), body: img() }]) }]), mpType());
  // chunked framing (raw)
  viaRaw('chunked: chunk size not hex', [['Content-Type', mpType()], ['Transfer-Encoding', 'chunked']], [Buffer.from('zz\r\nhello\r\n0\r\n\r\n')]);
  viaRaw('chunked: chunk extensions of 10 KB', [['Content-Type', mpType()], ['Transfer-Encoding', 'chunked']], [Buffer.from(`5;${'e'.repeat(10_000)}\r\nhello\r\n0\r\n\r\n`)]);
  viaRaw('chunked: whole upload in 1-byte chunks', [['Content-Type', mpType()], ['Transfer-Encoding', 'chunked']], chunked(body(B, [{ headers: fileHeaders(), body: img() }]), 1));
  viaRaw('both Content-Length and chunked', [['Content-Type', mpType()], ['Content-Length', '10'], ['Transfer-Encoding', 'chunked']], chunked(body(B, [{ headers: fileHeaders(), body: img() }])));
  viaRaw('Transfer-Encoding: gzip, chunked on a plain body', [['Content-Type', mpType()], ['Transfer-Encoding', 'gzip, chunked']], chunked(body(B, [{ headers: fileHeaders(), body: img() }])));
  viaRaw('Content-Encoding: gzip on a body that is not gzip', [['Content-Type', mpType()], ['Content-Encoding', 'gzip'], ['Content-Length', String(body(B, [{ headers: fileHeaders(), body: pngs[0]! }]).length)]], [body(B, [{ headers: fileHeaders(), body: pngs[0]! }])]);
  viaRaw('Expect: 100-continue', [['Content-Type', mpType()], ['Expect', '100-continue'], ['Content-Length', String(body(B, [{ headers: fileHeaders(), body: pngs[1]! }]).length)]], [body(B, [{ headers: fileHeaders(), body: pngs[1]! }])]);
  cases.push({
    name: 'multipart › upload without credentials (body still streaming)',
    async run(io) {
      const a = await io.send('POST /v1/images anonymous', { method: 'POST', path: '/v1/images', headers: { 'content-type': mpType() }, body: body(B, [{ headers: fileHeaders(), body: Buffer.alloc(3 * 1024 * 1024, 0x89) }]) });
      refusedWith('anonymous upload', ['UNAUTHORIZED'])(a);
    },
  });
  return { name: 'multipart framing', cases };
}
