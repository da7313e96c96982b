// What every request kind of the soak benchmark shares: its context (client, credentials, image pool, tally),
// the shape of a kind (weight, precondition, the request and the status it must get), and small helpers.
import { randomBytes } from 'node:crypto';
import type { ImageFactory } from './soak-images.js';
import { jsonOf, type HttpAnswer, type HttpClient, type HttpRequest } from './soak-http.js';
import type { ImagePool, LiveImage, Tally } from './soak-pool.js';

export type Credentials = { jwt: string; apiKey: string; readOnlyKey: string };

export type SoakContext = {
  http: HttpClient;
  creds: Credentials;
  images: ImageFactory;
  pool: ImagePool;
  tally: Tally;
  /** Bytes of media bodies received (200/206 of originals and variants): what the bandwidth meter must show. */
  served: { bytes: number };
  /** The last `nextCursor` a list answered, to page on. */
  cursor?: string;
};

/** One request sent, the statuses it may get, and what was wrong with the answer's content, if anything. */
export type Result = { req: HttpRequest; answer: HttpAnswer; expected: number[]; problem?: string };

/** A request kind: its weight in the mix; `can` says whether it can run now (else an upload runs instead). */
export type Op = { kind: string; weight: number; bad?: boolean; can?: (ctx: SoakContext) => boolean; run: (ctx: SoakContext) => Promise<Result> };

export type ImageJson = { id: string; url: string; sha256: string; sizeBytes: number; isPublic: boolean };

export const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
export const between = (lo: number, hi: number): number => lo + Math.floor(Math.random() * (hi - lo + 1));
export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
/** Half the traffic signs in with the access token, half with the API key. */
export const owner = (ctx: SoakContext): Record<string, string> => bearer(Math.random() < 0.5 ? ctx.creds.jwt : ctx.creds.apiKey);
/** An image id (11 url-safe characters) that names no image. */
export const randomImageId = (): string => randomBytes(8).toString('base64url').slice(0, 11);
export const dataOf = <T>(a: HttpAnswer): T | undefined => jsonOf<{ data?: T }>(a)?.data;

/** Sends `req`; `check` looks at the content of an answer whose status was one of `expected`. */
export async function send(ctx: SoakContext, req: HttpRequest, expected: number[], check?: (a: HttpAnswer) => string | undefined): Promise<Result> {
  const answer = await ctx.http.send(req);
  const problem = expected.includes(answer.status) && check ? check(answer) : undefined;
  return { req, answer, expected, problem };
}

/** Runs `fn` while `img` may not be deleted. */
export const holdOne = (ctx: SoakContext, img: LiveImage, fn: () => Promise<Result>): Promise<Result> => ctx.pool.hold([img], fn);
