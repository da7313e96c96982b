// The two ways the hostile corpus talks to the server: Node's HTTP client for ordinary requests, and a raw socket
// where the bytes on the wire must be exactly ours (framing, header syntax, request targets a client would normalise).
// Both give an Answer or throw when no whole response came within the time allowed. A raw socket is never
// half-closed: the client has said all it will say and waits, as a keep-alive client does.
import http from 'node:http';
import net from 'node:net';

export type Answer = {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  ms: number;
  /** Raw sockets: the answer to a GET /health sent next on the same connection, or 'closed' when the server ended it. */
  followUp?: Answer | 'closed';
};

/** How long one request may take, first byte sent to last byte received (the suite's "no hang" rule). */
export const ANSWER_WITHIN_MS = 10_000;

export type RequestSpec = { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string };

/**
 * One request with Node's HTTP client (an ordinary client: Content-Length framing, keep-alive when an agent
 * is given). A case passes its own keep-alive agent, so a connection its input leaves unusable shows up in
 * that case (see Io.finish), never in another one.
 */
export function httpAnswer(base: string, spec: RequestSpec, opts: { agent?: http.Agent; timeoutMs?: number } = {}): Promise<Answer> {
  const timeoutMs = opts.timeoutMs ?? ANSWER_WITHIN_MS;
  const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(err);
    };
    const headers: Record<string, string> = { ...spec.headers };
    if (body !== undefined) headers['content-length'] = String(body.length);
    const req = http.request(`${base}${spec.path}`, { method: spec.method ?? 'GET', headers, agent: opts.agent ?? false });
    const timer = setTimeout(() => fail(new Error(`no whole answer within ${timeoutMs} ms (the server hangs)`)), timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => fail(new Error(`no answer: ${err.code ?? err.message}`)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => fail(new Error(`the answer broke off: ${err.message}`)));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const h: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks), ms: performance.now() - started });
      });
    });
    req.end(body);
  });
}

type Parsed = { status: number; headers: Record<string, string>; body: Buffer; consumed: number } | undefined;

/** One whole HTTP/1.x response at the start of `buf`, or undefined while it is incomplete. `eof`: the peer closed. */
export function parseResponse(buf: Buffer, eof: boolean, headRequest: boolean): Parsed {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1]);
  if (!Number.isInteger(status)) throw new Error(`not an HTTP response: ${JSON.stringify(lines[0]?.slice(0, 80))}`);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const at = line.indexOf(':');
    if (at <= 0) continue;
    const name = line.slice(0, at).trim().toLowerCase();
    const value = line.slice(at + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const rest = buf.subarray(end + 4);
  const at0 = end + 4;
  if (status === 100) {
    const real = parseResponse(rest, eof, headRequest); // an interim answer: the real one follows
    return real && { ...real, consumed: real.consumed + at0 };
  }
  if (headRequest || status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0), consumed: at0 };
  if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) {
    const chunks: Buffer[] = [];
    let at = 0;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', at);
      if (lineEnd < 0) return undefined;
      const size = parseInt(rest.subarray(at, lineEnd).toString('latin1'), 16);
      if (!Number.isFinite(size)) throw new Error('bad chunk size in the answer');
      if (size === 0) {
        const trailerEnd = rest.indexOf('\r\n\r\n', lineEnd - 2);
        if (trailerEnd < 0) return undefined;
        return { status, headers, body: Buffer.concat(chunks), consumed: at0 + trailerEnd + 4 };
      }
      if (rest.length < lineEnd + 2 + size + 2) return undefined;
      chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    if (rest.length < length) return undefined;
    return { status, headers, body: rest.subarray(0, length), consumed: at0 + length };
  }
  return eof ? { status, headers, body: rest, consumed: buf.length } : undefined; // framed by the end of the connection
}

const WRITE_CHUNK = 64 * 1024;

export type RawSpec = {
  /** The request exactly as it goes on the wire (head and body), in pieces written one after another. */
  bytes: Buffer[];
  /** A HEAD request: the answer has no body whatever its headers say. */
  head?: boolean;
  /** false: do not try the connection again after the answer (the request itself says it is the last one). */
  followUp?: boolean;
};

const FOLLOW_UP = Buffer.from('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 'latin1');

/**
 * Writes the bytes on a fresh connection and waits for one whole response. Then, unless the server said
 * `Connection: close` or the client had to stop sending early, a GET /health goes on the same connection: the
 * server must answer it or close the connection, not leave it hanging (a keep-alive client would be stuck).
 * Throws when the connection ends without an answer, or nothing whole came within `timeoutMs`.
 */
export function rawAnswer(port: number, spec: RawSpec, timeoutMs = ANSWER_WITHIN_MS): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let settled = false;
    let wroteAll = false;
    let first: Answer | undefined;
    let timer: NodeJS.Timeout;
    const finish = (err: Error | undefined, answer?: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(answer!);
    };
    const arm = (what: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const seen = received.length ? `; received so far: ${JSON.stringify(received.toString('latin1').slice(0, 200))}` : '';
        finish(new Error(`${what} within ${timeoutMs} ms (the server hangs)${seen}`));
      }, timeoutMs);
    };
    arm('no whole answer');
    const attempt = (eof: boolean) => {
      try {
        if (!first) {
          const parsed = parseResponse(received, eof, spec.head ?? false);
          if (!parsed) {
            if (eof) finish(new Error(`the server closed the connection without a whole answer (${received.length} bytes: ${JSON.stringify(received.toString('latin1').slice(0, 200))})`));
            return;
          }
          first = { status: parsed.status, headers: parsed.headers, body: parsed.body, ms: performance.now() - started };
          received = received.subarray(parsed.consumed);
          if (eof || !wroteAll || /\bclose\b/i.test(parsed.headers['connection'] ?? '') || spec.followUp === false) return finish(undefined, first);
          arm('the connection was left hanging: a GET /health sent next on it got no answer');
          socket.write(FOLLOW_UP);
          return;
        }
        const next = parseResponse(received, eof, false);
        if (next) finish(undefined, { ...first, followUp: { status: next.status, headers: next.headers, body: next.body, ms: 0 } });
        else if (eof) finish(undefined, { ...first, followUp: 'closed' });
      } catch (err) {
        finish(err as Error);
      }
    };
    // A big answer (a 4096² PNG is tens of MB) arrives in thousands of chunks: joining and parsing them all at every
    // chunk would take the client, not the server, past the deadline. Once the head gives a Content-Length, wait
    // for that many bytes before parsing again.
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let needed = 0;
    socket.on('data', (chunk: Buffer) => {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (received.length + pendingBytes < needed) return;
      received = Buffer.concat([received, ...pending]);
      pending = [];
      pendingBytes = 0;
      if (!first) {
        const end = received.indexOf('\r\n\r\n');
        const length = end < 0 ? undefined : /\r\ncontent-length:\s*(\d+)/i.exec(received.subarray(0, end).toString('latin1'))?.[1];
        needed = length !== undefined && !spec.head ? end + 4 + Number(length) : 0;
      }
      attempt(false);
      if (first) needed = 0; // what follows is the follow-up's answer, judged as it comes
    });
    const flush = () => {
      if (pendingBytes > 0) received = Buffer.concat([received, ...pending]);
      pending = [];
      pendingBytes = 0;
    };
    socket.on('end', () => {
      flush();
      attempt(true);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // The server may answer early and reset while we are still writing: judge what arrived.
      flush();
      if (first || received.length > 0) attempt(true);
      else finish(new Error(`connection failed without an answer: ${err.code ?? err.message}`));
    });
    socket.on('close', () => {
      flush();
      attempt(true);
    });
    socket.on('connect', () => void writeAll());
    // Written piece by piece with backpressure, and no more once an answer has begun: a server may refuse a
    // request early (a body too large, no credentials) and close; a polite client stops sending then.
    const writeAll = async () => {
      for (const piece of spec.bytes) {
        for (let at = 0; at < piece.length; at += WRITE_CHUNK) {
          if (settled || received.length > 0 || first || socket.destroyed) return;
          if (!socket.write(piece.subarray(at, at + WRITE_CHUNK))) await new Promise((r) => socket.once('drain', r).once('close', r));
        }
      }
      wroteAll = true;
    };
  });
}

/** A request head: request line, headers (in order, duplicates allowed) and the blank line, as latin1/utf8 bytes. */
export function requestHead(method: string, target: string | Buffer, headers: Array<[string, string | Buffer]>): Buffer {
  const parts: Buffer[] = [Buffer.from(`${method} `, 'latin1'), Buffer.isBuffer(target) ? target : Buffer.from(target, 'utf8'), Buffer.from(' HTTP/1.1\r\n', 'latin1')];
  for (const [name, value] of headers) parts.push(Buffer.from(`${name}: `, 'latin1'), Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8'), Buffer.from('\r\n'));
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}
