// Sessions: a login starts a family of refresh tokens; refresh rotates; a replayed token ends the family.
import { AppError } from '../../errors/app-error.js';
import type { SessionsRepo } from '../../db/repos/sessions.repo.js';
import type { UsersRepo } from '../../db/repos/users.repo.js';
import type { UserRow } from '../../db/schema.js';
import type { TokenSigner } from '../../auth/tokens.js';
import type { Clock } from '../../lib/clock.js';
import { newId, newSecretToken } from '../../lib/ids.js';
import { sha256Hex } from '../../lib/hashing.js';

export type IssuedSession = { accessToken: string; refreshToken: string; refreshExpiresAt: number; sessionId: string };

type Deps = { sessions: SessionsRepo; users: UsersRepo; signer: TokenSigner; clock: Clock; refreshTtlSeconds: number };

const unauthorized = (message = 'Unauthorized') => new AppError('UNAUTHORIZED', message);

export function createSessionsService(deps: Deps) {
  const { sessions, users, signer, clock } = deps;

  async function issueRefresh(userId: string, familyId: string): Promise<{ token: string; expiresAt: number }> {
    const now = clock.now();
    const token = newSecretToken();
    const expiresAt = now + deps.refreshTtlSeconds * 1000;
    await sessions.insertToken({ id: newId(), userId, familyId, tokenHash: sha256Hex(token), expiresAt, createdAt: now });
    return { token, expiresAt };
  }

  return {
    async start(user: UserRow, userAgent: string | undefined): Promise<IssuedSession> {
      const sessionId = newId();
      await sessions.createFamily({ id: sessionId, userId: user.id, userAgent: userAgent?.slice(0, 255) ?? null, createdAt: clock.now() });
      const refresh = await issueRefresh(user.id, sessionId);
      const accessToken = await signer.sign({ userId: user.id, sessionId });
      return { accessToken, refreshToken: refresh.token, refreshExpiresAt: refresh.expiresAt, sessionId };
    },

    /** Rotates a refresh token. Replaying a used one revokes its whole family. */
    async refresh(refreshToken: string): Promise<IssuedSession & { user: UserRow }> {
      if (refreshToken.length < 20 || refreshToken.length > 200) throw unauthorized();
      const now = clock.now();
      const row = await sessions.findTokenByHash(sha256Hex(refreshToken));
      if (!row || row.revokedAt !== null) throw unauthorized();
      if (row.usedAt !== null || !(await sessions.markTokenUsed(row.id, now))) {
        await sessions.revokeFamily(row.familyId, now);
        throw unauthorized('Refresh token reuse detected: this session was signed out');
      }
      if (row.expiresAt <= now) throw unauthorized('Refresh token expired');
      const family = await sessions.findFamily(row.familyId);
      const user = await users.findById(row.userId);
      if (!family || family.revokedAt !== null || !user || user.isActive !== 1) throw unauthorized();
      const refresh = await issueRefresh(user.id, family.id);
      const accessToken = await signer.sign({ userId: user.id, sessionId: family.id });
      return { accessToken, refreshToken: refresh.token, refreshExpiresAt: refresh.expiresAt, sessionId: family.id, user };
    },

    /** Ends the session the refresh token (or access token's session) belongs to. Never fails. */
    async end(input: { refreshToken?: string | undefined; sessionId?: string | undefined }): Promise<void> {
      const now = clock.now();
      if (input.sessionId) await sessions.revokeFamily(input.sessionId, now);
      if (input.refreshToken && input.refreshToken.length <= 200) {
        const row = await sessions.findTokenByHash(sha256Hex(input.refreshToken));
        if (row) await sessions.revokeFamily(row.familyId, now);
      }
    },

    endAllExcept: (userId: string, keepSessionId?: string): Promise<void> => sessions.revokeAllForUser(userId, clock.now(), keepSessionId),
  };
}

export type SessionsService = ReturnType<typeof createSessionsService>;
