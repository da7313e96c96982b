// The benchmark's HTTP client: multipart/form-data bodies written by hand, sent either from a Buffer
// (Content-Length) or streamed from a chunk source with chunked transfer encoding and backpressure, so a
// 1 GB body never sits in the client's memory.
import { randomBytes } from 'node:crypto';
import http from 'node:http';

export type Envelope = { contentType: string; head: Buffer; tail: Buffer };

/** The bytes before and after the file's content in a one-file multipart body (field `file`). */
export function multipartEnvelope(filename: string, fileType: string): Envelope {
  const boundary = `----picora-bench-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${fileType}\r\n\r\n`,
  );
  return { contentType: `multipart/form-data; boundary=${boundary}`, head, tail: Buffer.from(`\r\n--${boundary}--\r\n`) };
}

export type UploadOutcome = {
  status: number;
  /** The response body (parsed JSON when it is JSON, else the text). */
  body: unknown;
  headers: http.IncomingHttpHeaders;
  bytesSent: number;
  /** From the first byte written to the last byte handed to the socket. */
  msAllWritten: number;
  /** From the first byte written to the complete response. */
  msResponse: number;
};

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function readResponse(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    res.on('data', (c: Buffer) => parts.push(c));
    res.once('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    res.once('error', reject);
  });
}

/**
 * Streams `head`, every chunk of `source`, then `tail` as one chunked request, waiting for 'drain' whenever
 * the socket is full. Stops writing when the server answers early. `onAllWritten` runs after the last byte.
 */
export async function streamUpload(opts: {
  url: string;
  token: string;
  envelope: Envelope;
  source: Iterable<Buffer> | AsyncIterable<Buffer>;
  timeoutMs: number;
  onAllWritten?: () => void;
}): Promise<UploadOutcome> {
  const { envelope } = opts;
  const started = performance.now();
  let bytesSent = 0;
  let msAllWritten = Number.NaN;
  const req = http.request(opts.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${opts.token}`, 'content-type': envelope.contentType, 'transfer-encoding': 'chunked' },
    timeout: opts.timeoutMs,
  });
  let answered = false;
  const response = new Promise<{ res: http.IncomingMessage; text: string }>((resolve, reject) => {
    req.once('response', (res) => {
      answered = true;
      readResponse(res).then((text) => resolve({ res, text }), reject);
    });
    req.once('error', reject);
    req.once('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
  });
  response.catch(() => undefined); // observed below; avoid an unhandled rejection while writing

  const write = async (chunk: Buffer): Promise<boolean> => {
    if (answered || req.destroyed) return false;
    bytesSent += chunk.length;
    if (!req.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          req.off('drain', done);
          req.off('close', done);
          req.off('response', done);
          resolve();
        };
        req.once('drain', done);
        req.once('close', done);
        req.once('response', done);
      });
    }
    return true;
  };

  let complete = await write(envelope.head);
  if (complete) {
    for await (const chunk of opts.source) {
      if (!(await write(chunk))) {
        complete = false;
        break;
      }
    }
  }
  if (complete && (await write(envelope.tail))) {
    req.end();
    msAllWritten = performance.now() - started;
    opts.onAllWritten?.();
  }
  const { res, text } = await response;
  if (!complete || Number.isNaN(msAllWritten)) req.destroy();
  return { status: res.statusCode ?? 0, body: parseBody(text), headers: res.headers, bytesSent, msAllWritten, msResponse: performance.now() - started };
}

/** One upload of an in-memory file with Content-Length, on `agent` (keep-alive). */
export async function postUpload(opts: { url: string; token: string; agent: http.Agent; envelope: Envelope; data: Buffer; timeoutMs: number }): Promise<UploadOutcome> {
  const { envelope, data } = opts;
  const length = envelope.head.length + data.length + envelope.tail.length;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(opts.url, {
      method: 'POST',
      agent: opts.agent,
      headers: { authorization: `Bearer ${opts.token}`, 'content-type': envelope.contentType, 'content-length': length },
      timeout: opts.timeoutMs,
    });
    req.once('error', reject);
    req.once('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.once('response', (res) => {
      readResponse(res).then(
        (text) =>
          resolve({ status: res.statusCode ?? 0, body: parseBody(text), headers: res.headers, bytesSent: length, msAllWritten: Number.NaN, msResponse: performance.now() - started }),
        reject,
      );
    });
    req.write(envelope.head);
    req.write(data);
    req.end(envelope.tail);
  });
}
