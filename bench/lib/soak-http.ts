// The soak benchmark's HTTP client: one keep-alive agent to 127.0.0.1, every request bounded by a total
// deadline (a slow or silent server becomes a timeout, never a hang), the whole answer read into memory
// (soak answers are small: JSON, originals and variants of generated images), and multipart bodies with
// form fields written by hand.
import { randomBytes } from 'node:crypto';
import http from 'node:http';

export type HttpAnswer = {
  /** 0 when no answer came (timeout, connection error). */
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  ms: number;
  /** Set when no complete answer came: 'timeout' or the socket error's message. */
  error?: string;
};

export type HttpRequest = {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
};

export type HttpClient = {
  send(req: HttpRequest): Promise<HttpAnswer>;
  /** Closes the agent's idle sockets. */
  close(): void;
};

export function createHttpClient(baseUrl: string, opts: { maxSockets: number; timeoutMs: number }): HttpClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets });
  const { hostname, port } = new URL(baseUrl);
  return {
    send(req) {
      const started = performance.now();
      return new Promise<HttpAnswer>((resolve) => {
        const headers: Record<string, string | number> = { ...req.headers };
        if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
        let settled = false;
        let status = 0;
        let resHeaders: http.IncomingHttpHeaders = {};
        const chunks: Buffer[] = [];
        const finish = (error?: string) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status: error ? 0 : status, headers: resHeaders, body: Buffer.concat(chunks), ms: performance.now() - started, ...(error ? { error } : {}) });
        };
        const r = http.request({ host: hostname, port: Number(port), method: req.method, path: req.path, headers, agent });
        const timer = setTimeout(() => {
          finish('timeout');
          r.destroy();
        }, opts.timeoutMs);
        r.once('error', (err) => finish(err.message));
        r.once('response', (res) => {
          status = res.statusCode ?? 0;
          resHeaders = res.headers;
          res.on('data', (c: Buffer) => chunks.push(c));
          res.once('end', () => finish());
          res.once('error', (err) => finish(err.message));
        });
        r.end(req.body);
      });
    },
    close: () => agent.destroy(),
  };
}

/** A multipart/form-data body: text fields first, then one file in the field `file`. */
export function multipartBody(fields: Record<string, string>, file: { name: string; type: string; data: Buffer }): { contentType: string; body: Buffer } {
  const boundary = `----picora-soak-${randomBytes(12).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`));
  parts.push(file.data, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(parts) };
}

/** The parsed JSON body, or undefined when it is not JSON. */
export function jsonOf<T>(a: HttpAnswer): T | undefined {
  try {
    return JSON.parse(a.body.toString('utf8')) as T;
  } catch {
    return undefined;
  }
}
