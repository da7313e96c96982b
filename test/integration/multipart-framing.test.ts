// Multipart framing over a REAL socket (CONTRACT §2: broken multipart framing → 400 BAD_REQUEST). A body the
// client has finished (Content-Length reached, or the 0-chunk sent) but whose closing boundary never came must
// be answered at once, not left waiting for bytes that will not arrive; its spool file must be gone. A client
// that hangs up mid-upload must leave no spool file either. `app.inject` cannot show this: it ends and closes
// the request stream together, where a keep-alive socket only ends the body.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { registerUser, startTestApp, type Session, type TestApp } from '../support/app.js';
import { newBoundary } from '../support/multipart.js';

type RawAnswer = { status: number; headers: string; body: string; ms: number } | { timeout: true; ms: number; received: string };

const ANSWER_WITHIN_MS = 1_500; // "at once": ~20–100 ms here; the margin is for a loaded CI machine (the bug never answers)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A PNG unique to `seed` (a few KB, stored uncompressed). */
const png = (seed: number, side = 48): Promise<Buffer> => {
  const raw = Buffer.alloc(side * side * 3, 120);
  raw.writeUInt32BE((seed * 2654435761) >>> 0, 0);
  return sharp(raw, { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
};

/**
 * Writes `head` and `body` on a fresh keep-alive socket and waits for one whole HTTP response (Content-Length
 * framed), or `waitMs`. The socket is left open meanwhile: the client has said all it will say, nothing more.
 */
function rawRequest(port: number, head: string, body: Buffer[], waitMs = ANSWER_WITHIN_MS + 1_500, gapMs = 0): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const done = (answer: RawAnswer) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done({ timeout: true, ms: Date.now() - started, received: received.toString('latin1').slice(0, 300) }), waitMs);
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const text = received.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers = text.slice(0, end);
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(headers)?.[1] ?? NaN);
      if (!Number.isFinite(length) || received.length < end + 4 + length) return;
      done({ status: Number(headers.split(' ')[1]), headers, body: received.subarray(end + 4, end + 4 + length).toString('utf8'), ms: Date.now() - started });
    });
    socket.on('connect', async () => {
      socket.write(head);
      for (const b of body) {
        if (gapMs > 0) await sleep(gapMs);
        if (!socket.destroyed) socket.write(b);
      }
    });
  });
}

describe('multipart framing over a real socket', { timeout: 60_000 }, () => {
  let t: TestApp;
  let s: Session;
  let port: number;
  let spoolDir: string;
  let seed = 0;

  before(async () => {
    t = await startTestApp({ db: 'sqlite', store: 'local' }, { realClock: true });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as net.AddressInfo).port;
    spoolDir = path.join(t.config.dataDir, 'tmp', 'uploads');
    s = await registerUser(t);
    // The first upload of a process pays for loading sharp and friends: not what the timings below measure.
    const boundary = newBoundary();
    const warm = Buffer.concat([fileHead(boundary), await png(++seed), Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const answer = await rawRequest(port, requestHead(boundary, { contentLength: warm.length }), [warm], 15_000);
    assert.ok(!('timeout' in answer) && answer.status === 201, `warm-up upload: ${JSON.stringify(answer)}`);
  });
  after(async () => t?.close());

  const spoolFiles = async (): Promise<string[]> => (await readdir(spoolDir).catch(() => [] as string[])).filter((n) => !n.startsWith('.'));
  const requestHead = (boundary: string, framing: { contentLength: number } | 'chunked') =>
    `POST /v1/images HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${s.accessToken}\r\n` +
    `Content-Type: multipart/form-data; boundary=${boundary}\r\nConnection: keep-alive\r\n` +
    (framing === 'chunked' ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${framing.contentLength}\r\n`) +
    '\r\n';
  const fileHead = (boundary: string, name = 'file', filename = 'cut.png') =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: image/png\r\n\r\n`);
  const field = (boundary: string, name: string, value: string) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);

  /** Sends `body` framed by Content-Length and asserts a prompt 400 BAD_REQUEST envelope and an empty spool. */
  async function expectPrompt400(label: string, boundary: string, body: Buffer, framing: 'length' | 'chunked' = 'length'): Promise<void> {
    const answer =
      framing === 'length'
        ? await rawRequest(port, requestHead(boundary, { contentLength: body.length }), [body])
        : await rawRequest(port, requestHead(boundary, 'chunked'), [Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
    assert.ok(!('timeout' in answer), `${label}: no answer within ${answer.ms} ms (the server waits for bytes that will never come)`);
    assert.equal(answer.status, 400, `${label}: ${answer.body}`);
    assert.ok(answer.ms < ANSWER_WITHIN_MS, `${label}: answered only after ${answer.ms} ms`);
    const b = JSON.parse(answer.body) as { success: boolean; code: string; error: string };
    assert.deepEqual([b.success, b.code], [false, 'BAD_REQUEST'], `${label}: ${answer.body}`);
    assert.match(answer.headers, /\r\nx-request-id: /i, `${label}: the envelope carries the request id`);
    assert.deepEqual(await spoolFiles(), [], `${label}: the spool file is removed before the answer`);
  }

  it('control: a well-framed upload over the same kind of socket is 201 and leaves no spool file', async () => {
    const boundary = newBoundary();
    const body = Buffer.concat([fileHead(boundary), await png(++seed), Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const answer = await rawRequest(port, requestHead(boundary, { contentLength: body.length }), [body]);
    assert.ok(!('timeout' in answer), 'answered');
    assert.equal(answer.status, 201, answer.body);
    assert.deepEqual(await spoolFiles(), []);
  });

  it('Content-Length body that ends right after the file data (no closing boundary) → 400 at once', async () => {
    const boundary = newBoundary();
    const data = await png(++seed);
    await expectPrompt400('ends right after the data', boundary, Buffer.concat([fileHead(boundary), data]));
    await expectPrompt400('ends after the data and its CRLF', boundary, Buffer.concat([fileHead(boundary), await png(++seed), Buffer.from('\r\n')]));
    await expectPrompt400('fields, then the file, no closing boundary', boundary, Buffer.concat([field(boundary, 'title', 'x'), fileHead(boundary), await png(++seed)]));
    await expectPrompt400('ends inside the closing boundary', boundary, Buffer.concat([fileHead(boundary), await png(++seed), Buffer.from(`\r\n--${boundary.slice(0, 10)}`)]));
  });

  it('a body that ends in the middle of a part\'s headers → 400 at once', async () => {
    const boundary = newBoundary();
    await expectPrompt400('mid-headers of the first part', boundary, Buffer.from(`--${boundary}\r\nContent-Disposition: form-da`));
    await expectPrompt400('mid-headers after a field', boundary, Buffer.concat([field(boundary, 'title', 'x'), Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filen`)]));
    await expectPrompt400('headers complete, no blank line', boundary, Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n`));
  });

  it('a body with no file part and no closing boundary → 400 at once', async () => {
    const boundary = newBoundary();
    await expectPrompt400('one field, unterminated', boundary, field(boundary, 'title', 'no file here'));
    await expectPrompt400('two fields, unterminated', boundary, Buffer.concat([field(boundary, 'title', 'x'), field(boundary, 'tags', '["a"]')]));
    await expectPrompt400('field value cut off', boundary, Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nhalf a ti`));
  });

  it('control: a preamble, an epilogue and a closing boundary split over many packets still make a 201', async () => {
    const boundary = newBoundary();
    const closing = Buffer.from(`\r\n--${boundary}--\r\nan epilogue, which the parser ignores`);
    const body = Buffer.concat([Buffer.from('a preamble, ignored too\r\n'), fileHead(boundary), await png(++seed), closing]);
    const cut = body.length - closing.length;
    const pieces = [body.subarray(0, cut), ...Array.from({ length: closing.length }, (_, i) => body.subarray(cut + i, cut + i + 1))];
    const answer = await rawRequest(port, requestHead(boundary, { contentLength: body.length }), pieces, 5_000, 5);
    assert.ok(!('timeout' in answer), 'answered');
    assert.equal(answer.status, 201, answer.body);
  });

  it('control: a complete body without a file part is still 422 VALIDATION_ERROR on field file', async () => {
    const boundary = newBoundary();
    const body = Buffer.concat([field(boundary, 'title', 'no file here'), Buffer.from(`--${boundary}--\r\n`)]);
    const answer = await rawRequest(port, requestHead(boundary, { contentLength: body.length }), [body]);
    assert.ok(!('timeout' in answer), 'answered');
    assert.equal(answer.status, 422, answer.body);
    assert.deepEqual(JSON.parse(answer.body).meta, { field: 'file' });
  });

  it('a boundary that never appears in the body → 400 at once', async () => {
    const boundary = newBoundary();
    const other = newBoundary();
    await expectPrompt400('another boundary throughout', boundary, Buffer.concat([fileHead(other), await png(++seed), Buffer.from(`\r\n--${other}--\r\n`)]));
    await expectPrompt400('bare image bytes', boundary, await png(++seed));
    await expectPrompt400('a single byte', boundary, Buffer.from('x'));
    await expectPrompt400('only the closing boundary (no part at all)', boundary, Buffer.from(`--${boundary}--\r\n`));
  });

  it('a chunked body that ends (0-chunk) without its closing boundary → 400 at once', async () => {
    const boundary = newBoundary();
    await expectPrompt400('chunked: after the file data', boundary, Buffer.concat([fileHead(boundary), await png(++seed)]), 'chunked');
    await expectPrompt400('chunked: mid-headers', boundary, Buffer.from(`--${boundary}\r\nContent-Disposition: form`), 'chunked');
    await expectPrompt400('chunked: fields only', boundary, field(boundary, 'title', 'x'), 'chunked');
    await expectPrompt400('chunked: boundary never appears', boundary, await png(++seed), 'chunked');
  });

  it('a client that hangs up mid-upload leaves no spool file, and the server keeps serving', async () => {
    const boundary = newBoundary();
    const data = await png(++seed, 400); // ~480 KB: several socket writes
    const body = Buffer.concat([fileHead(boundary), data, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write(requestHead(boundary, { contentLength: body.length }));
    socket.write(body.subarray(0, Math.floor(body.length / 2)));
    // Wait until the server has started spooling this upload, then hang up.
    const deadline = Date.now() + 3_000;
    while ((await spoolFiles()).length === 0 && Date.now() < deadline) await sleep(10);
    assert.equal((await spoolFiles()).length, 1, 'the upload reached the spool before the hang-up');
    socket.destroy();
    const gone = Date.now() + 2_000;
    while ((await spoolFiles()).length > 0 && Date.now() < gone) await sleep(20);
    assert.deepEqual(await spoolFiles(), [], 'the aborted upload\'s spool file is removed');
    const boundary2 = newBoundary();
    const ok = Buffer.concat([fileHead(boundary2), await png(++seed), Buffer.from(`\r\n--${boundary2}--\r\n`)]);
    const answer = await rawRequest(port, requestHead(boundary2, { contentLength: ok.length }), [ok]);
    assert.ok(!('timeout' in answer) && answer.status === 201, `a following upload succeeds: ${JSON.stringify(answer)}`);
  });
});
