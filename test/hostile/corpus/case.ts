// One hostile input and the way it is sent. Every request a case makes goes through `Io`, which checks the
// answer against the rules of contract.ts at once and names the case (and step) in any failure. A case has
// its own keep-alive connection (Node's HTTP client) and its own raw sockets; when it is done, that
// connection must still answer a GET /health, so an input that leaves a connection stuck fails by name
// instead of stalling whichever case would have used the connection next.
import assert from 'node:assert/strict';
import http from 'node:http';
import { checkAnswer, type ErrorEnvelope } from './contract.js';
import type { Target } from './target.js';
import { httpAnswer, rawAnswer, type Answer, type RequestSpec, type RawSpec } from './wire.js';
import { uploadBody } from '../../support/multipart.js';

export type Io = {
  target: Target;
  /** An ordinary request on the case's keep-alive connection, then the contract checks; `step` names it. */
  send(step: string, spec: RequestSpec): Promise<Checked>;
  /** Exact bytes on a fresh socket (then a GET /health on it, see wire.ts), then the contract checks. */
  raw(step: string, spec: RawSpec): Promise<Checked>;
  /** The case's keep-alive connection still answers; then it is closed. */
  finish(): Promise<void>;
  /** Closes the case's connections (also when it failed). */
  dispose(): void;
};

export type Checked = Answer & { error: ErrorEnvelope | undefined; json(): any }; // eslint-disable-line @typescript-eslint/no-explicit-any

export type HostileCase = { name: string; run(io: Io): Promise<void> };

/** `oneAtATime`: the cases run one after another, and the server is given time to finish each one's work first. */
export type Group = { name: string; cases: HostileCase[]; oneAtATime?: boolean };

export function makeIo(target: Target, caseName: string): Io {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let used = false;
  const checked = (step: string, a: Answer): Checked => {
    const error = checkAnswer(`${caseName} [${step}]`, a);
    if (a.followUp && a.followUp !== 'closed') checkAnswer(`${caseName} [${step}, then GET /health on the same connection]`, a.followUp);
    return { ...a, error, json: () => JSON.parse(a.body.toString('utf8')) };
  };
  return {
    target,
    send: async (step, spec) => {
      used = true;
      let a: Answer;
      try {
        a = await httpAnswer(target.base, spec, { agent });
      } catch (err) {
        agent.destroy();
        throw relabel(err, caseName, step);
      }
      return checked(step, a);
    },
    raw: async (step, spec) => {
      let a: Answer;
      try {
        a = await rawAnswer(target.port, spec);
      } catch (err) {
        throw relabel(err, caseName, step);
      }
      return checked(step, a);
    },
    finish: async () => {
      try {
        if (!used) return;
        let a: Answer;
        try {
          a = await httpAnswer(target.base, { path: '/health' }, { agent });
        } catch (err) {
          throw relabel(err, caseName, 'GET /health next on the keep-alive connection: the input left it unusable');
        }
        assert.equal(a.status, 200, `${caseName} [GET /health next on the keep-alive connection]: ${a.status} ${a.body.toString('utf8').slice(0, 200)}`);
      } finally {
        agent.destroy();
      }
    },
    dispose: () => agent.destroy(),
  };
}

function relabel(err: unknown, caseName: string, step: string): Error {
  const e = err as Error;
  if (e.message.startsWith(caseName)) return e;
  return new Error(`${caseName} [${step}]: ${e.message}`);
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** POST /v1/images as the corpus account (API key), multipart built by test/support/multipart.ts. */
export function uploadSpec(io: Io, data: Buffer, filename: string, fields: Record<string, string> = {}, contentType?: string): RequestSpec {
  const body = uploadBody(data, filename, fields, contentType);
  return { method: 'POST', path: '/v1/images', headers: { ...bearer(io.target.user.key), ...body.headers }, body: body.payload };
}

/** The media path of an upload answer (2xx), or undefined for a refusal. */
export function uploadedPath(a: Checked): string | undefined {
  if (a.status !== 200 && a.status !== 201) return undefined;
  return new URL((a.json() as { data: { url: string } }).data.url).pathname;
}
