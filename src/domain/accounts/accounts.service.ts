// Accounts: registration, login (password or code), password reset and change, profile, deletion.
import { AppError, validationError } from '../../errors/app-error.js';
import type { UsersRepo } from '../../db/repos/users.repo.js';
import type { UserRow } from '../../db/schema.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { storageKeys } from '../../storage/keys.js';
import { dummyHash, hashPassword, passwordProblem, verifyPassword } from '../../auth/passwords.js';
import type { Principal } from '../../auth/principal.js';
import { toIso, type Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { SessionsService, IssuedSession } from './sessions.service.js';
import type { CodePurpose, VerificationCodes } from './verification-codes.service.js';

const MAX_FAILED_LOGINS = 5;
const LOCK_MS = 15 * 60_000;
const BAD_LOGIN = 'Invalid email or password';
/**
 * Wrong passwords a locked account may receive before it stops telling the right password apart. The lock's
 * answer to the right password is a verdict on that guess, so it is given only while few guesses were made during
 * the lock: at most this many wrong ones (each counted) plus one more guess per lock, instead of as many as the
 * per-IP auth limit would allow. Past that every answer is the generic one until the lock ends.
 */
const WRONG_GUESSES_WHILE_LOCKED = 2;

type Deps = {
  users: UsersRepo;
  sessions: SessionsService;
  codes: VerificationCodes;
  blobs: BlobStore;
  clock: Clock;
  log: { warn(obj: object, msg: string): void };
};

export type SessionResult = IssuedSession & { user: UserRow };
export type ProfilePatch = { nickname?: string | null; avatarUrl?: string | null; locale?: 'en' | 'zh-CN' };

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

function requireGoodPassword(field: string, password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw validationError(field, problem);
}

/** Runs the calls of one key one after another, in arrival order; other keys run alongside. */
function queuePerKey() {
  const tails = new Map<string, Promise<void>>();
  return <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const run = (tails.get(key) ?? Promise.resolve()).then(fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}

export function createAccountsService(deps: Deps) {
  const { users, sessions, codes, clock } = deps;
  const oneLoginAtATime = queuePerKey();

  async function requireUser(p: Principal): Promise<UserRow> {
    const user = await users.findById(p.userId);
    if (!user) throw new AppError('UNAUTHORIZED');
    return user;
  }

  async function newUser(email: string, passwordHash: string | null): Promise<UserRow> {
    const now = clock.now();
    try {
      return await users.insert({
        id: newId(), email, passwordHash, nickname: null, avatarUrl: null, plan: 'trial', emailVerified: 1,
        locale: 'en', isActive: 1, failedLoginCount: 0, lockedUntil: null, createdAt: now, updatedAt: now,
      });
    } catch (err) {
      if (await users.findByEmail(email)) throw new AppError('CONFLICT', 'Email already registered');
      throw err;
    }
  }

  /**
   * The answer to the right password while the account is locked, judged on the row as it is now (after the slow
   * password check): that it is locked and until when, while the lock is in force and few guesses were made
   * during it; otherwise the generic answer. The code stays UNAUTHORIZED, the status openapi.json gives the
   * locked login (SEED-errors has no lock code; RATE_LIMITED would tell clients to retry the same request soon),
   * with RATE_LIMITED's way of saying when: `Retry-After` and `meta.retryAfterSec`, plus `meta.lockedUntil`.
   */
  async function lockedError(userId: string, now: number): Promise<AppError> {
    const row = await users.findById(userId);
    const until = row?.lockedUntil ?? null;
    if (!row || until === null || until <= now || row.failedLoginCount > MAX_FAILED_LOGINS + WRONG_GUESSES_WHILE_LOCKED) {
      return new AppError('UNAUTHORIZED', BAD_LOGIN);
    }
    const retryAfterSec = Math.max(1, Math.ceil((until - now) / 1000));
    const lockedUntil = toIso(until);
    return new AppError(
      'UNAUTHORIZED',
      `This account is locked after too many failed sign-in attempts; try again after ${lockedUntil}`,
      { lockedUntil, retryAfterSec },
      { 'retry-after': String(retryAfterSec) },
    );
  }

  async function attemptLogin(email: string, password: string, userAgent: string | undefined): Promise<SessionResult> {
    const now = clock.now();
    const user = await users.findByEmail(email);
    if (!user || !user.passwordHash) {
      await verifyPassword(await dummyHash(), password);
      throw new AppError('UNAUTHORIZED', BAD_LOGIN);
    }
    // One password check per attempt, locked or not (the same time either way); the lock refuses sign-in below.
    const ok = await verifyPassword(user.passwordHash, password);
    if (user.lockedUntil !== null && user.lockedUntil > now) {
      if (ok) throw await lockedError(user.id, now);
      // a wrong guess during the lock is counted (the lock's end stays): it spends the lock's verdicts
      await users.recordFailedLogin(user.id, MAX_FAILED_LOGINS, now + LOCK_MS, now);
      throw new AppError('UNAUTHORIZED', BAD_LOGIN);
    }
    if (!ok) {
      const after = await users.recordFailedLogin(user.id, MAX_FAILED_LOGINS, now + LOCK_MS, now);
      if (after?.lockedUntil === now + LOCK_MS && after.failedLoginCount === MAX_FAILED_LOGINS) {
        deps.log.warn({ userId: user.id }, 'account locked after failed logins');
      }
      throw new AppError('UNAUTHORIZED', BAD_LOGIN);
    }
    // locked meanwhile by failures that raced this attempt (another instance)
    if (!(await users.clearFailedLoginsUnlessLocked(user.id, now))) throw await lockedError(user.id, now);
    if (user.isActive !== 1) throw new AppError('UNAUTHORIZED', 'This account is disabled');
    return { ...(await sessions.start(user, userAgent)), user: { ...user, failedLoginCount: 0, lockedUntil: null } };
  }

  return {
    async sendCode(rawEmail: string, purpose: CodePurpose): Promise<void> {
      const email = normaliseEmail(rawEmail);
      // Anti-enumeration: the answer is the same whether or not the address has an account.
      if (purpose === 'reset_password' && !(await users.findByEmail(email))) return;
      await codes.send(email, purpose);
    },

    async register(input: { email: string; password: string; code: string }, userAgent?: string): Promise<SessionResult> {
      const email = normaliseEmail(input.email);
      requireGoodPassword('password', input.password);
      if (await users.findByEmail(email)) throw new AppError('CONFLICT', 'Email already registered');
      if (!(await codes.consume(email, 'register', input.code))) throw validationError('code', 'is invalid or expired');
      const user = await newUser(email, await hashPassword(input.password));
      return { ...(await sessions.start(user, userAgent)), user };
    },

    /**
     * CONTRACT §3: 5 consecutive failures lock the account for 15 minutes, with the same answer (issue 12: except
     * to the right password, which is told the lock and its end, see lockedError). Attempts on
     * one address are taken one at a time, in arrival order, so within this process the fifth failure always
     * locks before a later attempt is judged (and a burst of guesses costs one password check after another).
     * Across instances the database decides: a failure is counted and the lock set in one UPDATE, and a
     * success clears the count only if no lock is in force at that moment, never on the strength of the row
     * read before the (slow) password check.
     */
    login(input: { email: string; password: string }, userAgent?: string): Promise<SessionResult> {
      const email = normaliseEmail(input.email);
      return oneLoginAtATime(email, () => attemptLogin(email, input.password, userAgent));
    },

    /** Passwordless: a register code logs in, creating the account on first use. */
    async loginWithCode(input: { email: string; code: string }, userAgent?: string): Promise<SessionResult> {
      const email = normaliseEmail(input.email);
      if (!(await codes.consume(email, 'register', input.code))) throw new AppError('UNAUTHORIZED', 'Invalid or expired verification code');
      const user = (await users.findByEmail(email)) ?? (await newUser(email, null));
      if (user.isActive !== 1) throw new AppError('UNAUTHORIZED', 'This account is disabled');
      return { ...(await sessions.start(user, userAgent)), user };
    },

    async resetPassword(input: { email: string; code: string; newPassword: string }): Promise<void> {
      const email = normaliseEmail(input.email);
      requireGoodPassword('newPassword', input.newPassword);
      const user = await users.findByEmail(email);
      if (!user || !(await codes.consume(email, 'reset_password', input.code))) throw new AppError('UNAUTHORIZED', 'Invalid or expired code');
      await users.update(user.id, { passwordHash: await hashPassword(input.newPassword), failedLoginCount: 0, lockedUntil: null, updatedAt: clock.now() });
    },

    getMe: requireUser,

    async updateMe(p: Principal, patch: ProfilePatch): Promise<UserRow> {
      await requireUser(p);
      const set: Parameters<UsersRepo['update']>[1] = { updatedAt: clock.now() };
      if (patch.nickname !== undefined) set.nickname = patch.nickname === null ? null : patch.nickname.trim() || null;
      if (patch.avatarUrl !== undefined) set.avatarUrl = patch.avatarUrl;
      if (patch.locale !== undefined) set.locale = patch.locale;
      return (await users.update(p.userId, set))!;
    },

    async changePassword(p: Principal, input: { oldPassword: string; newPassword: string }): Promise<void> {
      const user = await requireUser(p);
      if (!user.passwordHash) throw validationError('oldPassword', 'cannot be checked: no password is set, use set-password');
      if (!(await verifyPassword(user.passwordHash, input.oldPassword))) {
        throw new AppError('VALIDATION_ERROR', 'Current password is incorrect', { field: 'oldPassword' });
      }
      requireGoodPassword('newPassword', input.newPassword);
      await users.update(user.id, { passwordHash: await hashPassword(input.newPassword), updatedAt: clock.now() });
      await sessions.endAllExcept(user.id, p.sessionId);
    },

    async setPassword(p: Principal, newPassword: string): Promise<void> {
      const user = await requireUser(p);
      if (user.passwordHash) throw new AppError('VALIDATION_ERROR', 'Password already set, use change-password instead', { field: 'newPassword' });
      requireGoodPassword('newPassword', newPassword);
      await users.update(user.id, { passwordHash: await hashPassword(newPassword), updatedAt: clock.now() });
    },

    /** Deletes the account and everything hanging off it; stored bytes are removed best-effort. */
    async deleteMe(p: Principal): Promise<void> {
      await requireUser(p);
      await users.delete(p.userId);
      try {
        for (const prefix of [storageKeys.userPrefix(p.userId), storageKeys.userVideosPrefix(p.userId), storageKeys.userAudioPrefix(p.userId)]) {
          for await (const key of deps.blobs.list(prefix)) await deps.blobs.delete(key);
        }
        await deps.blobs.delete(storageKeys.userAvatar(p.userId));
      } catch (err) {
        deps.log.warn({ err, userId: p.userId }, 'account deleted, but some stored bytes could not be removed');
      }
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
