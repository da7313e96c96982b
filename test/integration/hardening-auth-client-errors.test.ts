// Requests Node's HTTP parser refuses before Fastify sees them (issue 14; CONTRACT §1, §2): a header past
// Node's size limit, a garbage request line, a broken header name. They answer our envelope
// {success:false,error,code:"BAD_REQUEST"} with status 400, an x-request-id and `connection: close`, over a
// real listening socket; the server keeps serving, and a client that hangs up first breaks nothing.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/app.js';

type RawAnswer = { status: number; headers: Record<string, string>; body: string; raw: string };

/** Parses every HTTP/1.1 response in `raw` (Content-Length framed). */
function parseAnswers(raw: string): RawAnswer[] {
  const out: RawAnswer[] = [];
  let rest = raw;
  while (rest.length > 0) {
    const headEnd = rest.indexOf('\r\n\r\n');
    assert.ok(headEnd > 0, `a complete response head: ${JSON.stringify(rest.slice(0, 300))}`);
    const [statusLine, ...lines] = rest.slice(0, headEnd).split('\r\n');
    const m = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine!);
    assert.ok(m, `a status line: ${statusLine}`);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const length = Number(headers['content-length']);
    assert.ok(Number.isInteger(length), `content-length on ${statusLine}`);
    const bodyBytes = Buffer.from(rest.slice(headEnd + 4), 'latin1').subarray(0, length);
    out.push({ status: Number(m[1]), headers, body: bodyBytes.toString('utf8'), raw: rest.slice(0, headEnd + 4 + length) });
    rest = rest.slice(headEnd + 4 + length);
  }
  return out;
}

/** Writes `chunks` on one connection (waiting `gapMs` between them) and reads until the server closes it. */
function rawExchange(port: number, chunks: Array<string | Buffer>, gapMs = 0): Promise<{ answers: RawAnswer[]; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within 5 s; got ${JSON.stringify(Buffer.concat(received).toString('latin1').slice(0, 300))}`));
    }, 5_000);
    socket.on('data', (d) => received.push(d));
    socket.on('error', () => undefined); // a reset after the answer is fine; what was received is judged
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve({ answers: parseAnswers(Buffer.concat(received).toString('latin1')), closedByServer: true });
      } catch (err) {
        reject(err as Error);
      }
    });
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

function assertEnvelope(a: RawAnswer, label: string): void {
  assert.equal(a.status, 400, `${label}: ${a.raw.slice(0, 300)}`);
  assert.match(a.headers['content-type'] ?? '', /^application\/json/, `${label}: JSON`);
  assert.equal(a.headers['connection'], 'close', `${label}: connection: close`);
  assert.match(a.headers['x-request-id'] ?? '', /^req_[A-Za-z0-9_-]{16}$/, `${label}: x-request-id`);
  assert.equal(Number(a.headers['content-length']), Buffer.byteLength(a.body), `${label}: content-length`);
  const body = JSON.parse(a.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['code', 'error', 'success'], `${label}: ${a.body}`);
  assert.equal(body['success'], false);
  assert.equal(body['code'], 'BAD_REQUEST');
  assert.equal(typeof body['error'], 'string');
  assert.ok((body['error'] as string).length > 0);
}

describe('errors of the HTTP parser answer the envelope', () => {
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await startTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as net.AddressInfo).port;
  });
  after(async () => t?.close());

  const health = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    assert.equal(res.status, 200, 'the server keeps serving');
    assert.ok(res.headers.get('x-request-id'));
  };

  it('a 20 KB header (past Node\'s limit): 400 BAD_REQUEST envelope, x-request-id, connection: close', async () => {
    const { answers } = await rawExchange(port, [`GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]);
    assert.equal(answers.length, 1);
    assertEnvelope(answers[0]!, '20 KB header');
    assert.match(JSON.parse(answers[0]!.body).error as string, /header/i, 'says what was wrong');
    await health();
  });

  it('a garbage request line and a broken header name: 400 BAD_REQUEST envelope', async () => {
    for (const [label, request] of [
      ['garbage request line', 'this is not http\r\n\r\n'],
      ['binary noise', Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03, 0x0d, 0x0a, 0x0d, 0x0a])],
      ['space in a header name', 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header: x\r\n\r\n'],
      ['bad chunked framing', 'POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'],
    ] as const) {
      const { answers } = await rawExchange(port, [request]);
      assert.equal(answers.length, 1, label);
      assertEnvelope(answers[0]!, label);
    }
    await health();
  });

  it('on a keep-alive connection: the first request is answered, the broken second one gets the envelope', async () => {
    const { answers } = await rawExchange(port, ['GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 'NOT-HTTP at all\r\n\r\n'], 150);
    assert.deepEqual(answers.map((a) => a.status), [200, 400]);
    assert.ok(answers[0]!.headers['x-request-id']);
    assertEnvelope(answers[1]!, 'second request on the connection');
    assert.notEqual(answers[1]!.headers['x-request-id'], answers[0]!.headers['x-request-id'], 'a request id of its own');
  });

  it('a client that hangs up right after a broken request breaks nothing', async () => {
    const errors: unknown[] = [];
    const onError = (err: unknown) => errors.push(err);
    process.on('uncaughtException', onError);
    try {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          new Promise<void>((resolve) => {
            const s = net.connect(port, '127.0.0.1', () => {
              s.write(i % 2 === 0 ? 'garbage\r\n\r\n' : `GET / HTTP/1.1\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`);
              if (i % 4 < 2) s.destroy();
              else s.resetAndDestroy();
            });
            s.on('error', () => undefined);
            s.on('close', () => resolve());
          }),
        ),
      );
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(errors, [], 'no exception escaped the handler');
      await health();
    } finally {
      process.off('uncaughtException', onError);
    }
  });
});
