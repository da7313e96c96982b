// Posts a body to a URL a user gave us (webhook deliveries), through the same address guard as fetching a
// user's URL: http/https only, public addresses only (resolve-then-pin, checked again at connect time), ports
// 80/443 unless allow-listed. Redirects are not followed (a 3xx is the endpoint's answer, reported as such);
// the whole exchange has one deadline and only the start of the answer is kept, for the delivery log.
import http from 'node:http';
import https from 'node:https';
import { createAddressGuard, refusal, SafeFetchError, type SafeFetchOptions } from './safe-fetch.js';

export type PostResult = { status: number; body: string; durationMs: number };
export type SafePost = (url: string, body: string, headers: Record<string, string>) => Promise<PostResult>;

/** Bytes of an answer kept for the log; the rest is not read. */
const ANSWER_BYTES = 1024;

export function createSafePoster(options: Pick<SafeFetchOptions, 'allowList' | 'lookup' | 'timeoutMs'> = {}): SafePost {
  const guard = createAddressGuard(options);
  const timeoutMs = options.timeoutMs ?? 10_000;

  return (raw, body, headers) => {
    const started = Date.now();
    const { url, port } = guard.checkUrl(raw, 0);
    return new Promise<PostResult>((resolve, reject) => {
      const request = (url.protocol === 'https:' ? https : http).request(url, {
        method: 'POST',
        agent: guard.agent(url.protocol),
        lookup: guard.lookup(port, 0),
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      });
      const timer = setTimeout(() => request.destroy(refusal('timeout', 0, { timeoutMs })), timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(err instanceof SafeFetchError ? err : refusal('network', 0));
      };
      request.on('error', fail);
      request.once('response', (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        const finish = () => {
          clearTimeout(timer);
          res.destroy();
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, ANSWER_BYTES), durationMs: Date.now() - started });
        };
        res.on('data', (chunk: Buffer) => {
          if (kept < ANSWER_BYTES) chunks.push(chunk.subarray(0, ANSWER_BYTES - kept));
          kept += chunk.length;
          if (kept >= ANSWER_BYTES) finish();
        });
        res.once('end', finish);
        res.once('error', finish);
      });
      request.end(body);
    });
  };
}
