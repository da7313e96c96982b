// One-time 6-digit codes mailed for registration, passwordless login and password resets.
import { AppError } from '../../errors/app-error.js';
import type { CodesRepo } from '../../db/repos/codes.repo.js';
import type { VerificationCodeRow } from '../../db/schema.js';
import type { Mailer } from '../../mail/mailer.js';
import type { Clock } from '../../lib/clock.js';
import { newId, newNumericCode } from '../../lib/ids.js';
import { safeEqual, sha256Hex } from '../../lib/hashing.js';

export type CodePurpose = VerificationCodeRow['purpose'];

const CODE_TTL_MS = 5 * 60_000;
const MAX_ATTEMPTS = 5;
const RESEND_GAP_MS = 60_000;
const PER_HOUR = 5;

const SUBJECTS: Record<CodePurpose, string> = {
  register: 'Your Picora verification code',
  reset_password: 'Reset your Picora password',
  bind_email: 'Confirm your new Picora email address',
};

export function createVerificationCodes(deps: { codes: CodesRepo; mailer: Mailer; clock: Clock }) {
  const { codes, mailer, clock } = deps;

  return {
    /** Mails a fresh code; throttled per address (1 a minute, 5 an hour). */
    async send(email: string, purpose: CodePurpose): Promise<void> {
      const now = clock.now();
      const recent = await codes.recent(email, purpose, now - 3_600_000);
      const newest = recent[0];
      if (newest && now - newest.createdAt < RESEND_GAP_MS) throw rateLimited(Math.ceil((newest.createdAt + RESEND_GAP_MS - now) / 1000));
      if (recent.length >= PER_HOUR) throw rateLimited(Math.ceil((recent[recent.length - 1]!.createdAt + 3_600_000 - now) / 1000));
      const code = newNumericCode();
      await codes.insert({
        id: newId(), email, purpose, codeHash: sha256Hex(`${email}:${purpose}:${code}`),
        attempts: 0, expiresAt: now + CODE_TTL_MS, consumedAt: null, createdAt: now,
      });
      await mailer.send({
        to: email,
        subject: SUBJECTS[purpose],
        text: `Your Picora code is ${code}. It expires in 5 minutes and works once.\nIf you did not ask for it, ignore this message.`,
      });
    },

    /** Checks and consumes the newest live code; false when it is wrong, used, expired or tried too often. */
    async consume(email: string, purpose: CodePurpose, code: string): Promise<boolean> {
      const now = clock.now();
      const live = await codes.latestLive(email, purpose, now);
      if (!live || live.attempts >= MAX_ATTEMPTS) return false;
      if (!safeEqual(live.codeHash, sha256Hex(`${email}:${purpose}:${code}`))) {
        await codes.addAttempt(live.id);
        return false;
      }
      return codes.consume(live.id, now);
    },
  };
}

export type VerificationCodes = ReturnType<typeof createVerificationCodes>;

function rateLimited(retryAfterSec: number): AppError {
  const s = Math.max(1, retryAfterSec);
  return new AppError('RATE_LIMITED', 'Rate limit exceeded, please try again later', { retryAfterSec: s }, { 'retry-after': String(s) });
}
