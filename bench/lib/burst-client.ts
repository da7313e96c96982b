// A burst of identical GETs that reach the server together: `n` TCP connections are opened first, then the
// same request is written on every one of them in one go (no client-side queueing, unlike a pool). Each
// answer is read to its end (Connection: close) and timed from its own write.
import { createHash } from 'node:crypto';
import net from 'node:net';

export type BurstAnswer = { status: number; bytes: number; sha256: string; ms: number; error?: string };

export async function burst(baseUrl: string, path: string, n: number, timeoutMs: number): Promise<BurstAnswer[]> {
  const { hostname, port } = new URL(baseUrl);
  const sockets = await Promise.all(
    Array.from({ length: n }, () =>
      new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect({ host: hostname, port: Number(port) }, () => resolve(s));
        s.setNoDelay(true);
        s.once('error', reject);
      }),
    ),
  );
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: */*\r\nConnection: close\r\n\r\n`);
  const answers = sockets.map(
    (s) =>
      new Promise<BurstAnswer>((resolve) => {
        const chunks: Buffer[] = [];
        const started = performance.now();
        const timer = setTimeout(() => s.destroy(new Error(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
        const finish = (error?: string) => {
          clearTimeout(timer);
          const ms = performance.now() - started;
          const all = Buffer.concat(chunks);
          const headEnd = all.indexOf('\r\n\r\n');
          const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(all.subarray(0, 20).toString('latin1'))?.[1] ?? 0);
          const body = headEnd >= 0 ? all.subarray(headEnd + 4) : Buffer.alloc(0);
          resolve({ status, bytes: body.length, sha256: createHash('sha256').update(body).digest('hex'), ms, ...(error ? { error } : {}) });
        };
        s.on('data', (c: Buffer) => chunks.push(c));
        s.once('end', () => finish());
        s.once('error', (e) => finish(String(e.message)));
        s.write(request);
      }),
  );
  return Promise.all(answers);
}
