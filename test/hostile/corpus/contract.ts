// What every answer to hostile input must look like (CONTRACT §1 and §2), checked the same way for every case.
// The code table is copied from CONTRACT §2 on purpose (not imported from src/errors): a code added to the
// server without a contract change must fail here.
import assert from 'node:assert/strict';
import type { Answer } from './wire.js';

/** CONTRACT §2: every code there is, with its fixed status. */
export const CONTRACT_CODES: Readonly<Record<string, number>> = {
  BAD_REQUEST: 400, INVALID_IMAGE_PARAMS: 400, UNAUTHORIZED: 401, API_KEY_REVOKED: 401, TOKEN_EXPIRED: 401,
  FORBIDDEN: 403, QUOTA_EXCEEDED: 403, PLAN_REQUIRED: 403, NOT_FOUND: 404, CONFLICT: 409, VALIDATION_ERROR: 422,
  INVALID_FILE_TYPE: 422, FILE_TOO_LARGE: 422, RATE_LIMITED: 429, VIDEO_SUSPENDED: 451, INTERNAL: 500, STORAGE_ERROR: 500,
};

/** CONTRACT §1: what an inbound X-Request-Id must look like to be echoed (8–128 safe characters). */
export const SAFE_REQUEST_ID = /^[A-Za-z0-9._:@=+/-]{8,128}$/;

const show = (a: Answer) => `${a.status} ${JSON.stringify(a.headers['content-type'] ?? '')} ${JSON.stringify(a.body.subarray(0, 240).toString('utf8'))}`;

export type ErrorEnvelope = { success: false; error: string; code: string; meta?: Record<string, unknown> };

/**
 * The rules for every answer: no 5xx, an x-request-id (a safe one), and for every status ≥ 400 the error
 * envelope `{ success: false, error: string, code }` whose code is a CONTRACT §2 code with that very status.
 * Returns the envelope of an error answer.
 */
export function checkAnswer(label: string, a: Answer): ErrorEnvelope | undefined {
  assert.ok(a.status < 500, `${label}: a 5xx for user input is a bug: ${show(a)}`);
  const rid = a.headers['x-request-id'];
  assert.ok(rid, `${label}: the answer has no x-request-id header (status ${a.status}): ${show(a)}`);
  assert.match(rid, SAFE_REQUEST_ID, `${label}: x-request-id ${JSON.stringify(rid.slice(0, 200))} is not a safe id`);
  if (a.status < 400) return undefined;
  assert.match(a.headers['content-type'] ?? '', /^application\/json\b/i, `${label}: an error must be the JSON envelope: ${show(a)}`);
  let body: unknown;
  try {
    body = JSON.parse(a.body.toString('utf8'));
  } catch {
    assert.fail(`${label}: the error body is not JSON: ${show(a)}`);
  }
  const e = body as Partial<ErrorEnvelope>;
  assert.ok(e !== null && typeof e === 'object' && !Array.isArray(e), `${label}: the error body is not an object: ${show(a)}`);
  assert.equal(e.success, false, `${label}: success must be false: ${show(a)}`);
  assert.ok(typeof e.error === 'string' && e.error.length > 0, `${label}: error must be a non-empty string: ${show(a)}`);
  assert.ok(typeof e.code === 'string' && e.code in CONTRACT_CODES, `${label}: code ${JSON.stringify(e.code)} is not a CONTRACT §2 code: ${show(a)}`);
  assert.equal(a.status, CONTRACT_CODES[e.code], `${label}: ${e.code} must answer ${CONTRACT_CODES[e.code]}, not ${a.status}: ${show(a)}`);
  if (e.meta !== undefined) assert.ok(typeof e.meta === 'object' && e.meta !== null && !Array.isArray(e.meta), `${label}: meta must be an object: ${show(a)}`);
  return e as ErrorEnvelope;
}

/** The answer is a refusal (4xx) with one of `codes`. */
export function assertRefused(label: string, a: Answer, codes: string[]): void {
  const e = checkAnswer(label, a);
  assert.ok(e && codes.includes(e.code), `${label}: expected a refusal with ${codes.join(' | ')}, got ${show(a)}`);
}

/** The body does not carry `needles` (file contents, secrets, other accounts' data). */
export function assertNoLeak(label: string, a: Answer, needles: Array<string | RegExp>): void {
  const text = a.body.toString('latin1');
  for (const n of needles) {
    const hit = typeof n === 'string' ? text.includes(n) : n.test(text);
    assert.ok(!hit, `${label}: the answer leaks ${String(n)}: ${show(a)}`);
  }
}
