// Operator actions: create accounts, move them between plans, grant roles. Used by the `admin` CLI.
import { AppError, validationError } from '../../errors/app-error.js';
import type { PlansRepo } from '../../db/repos/plans.repo.js';
import type { UsageRepo } from '../../db/repos/usage.repo.js';
import type { UsersRepo } from '../../db/repos/users.repo.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { PlanId, PlanRow, Role, UserRow } from '../../db/schema.js';
import { hashPassword, passwordProblem } from '../../auth/passwords.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { normaliseEmail } from './accounts.service.js';

const ROLES: readonly Role[] = ['user', 'admin'];

export type PlanPatch = Partial<Omit<PlanRow, 'id' | 'updatedAt' | 'sortOrder'>>;
export type UserAdminPatch = { plan?: string; role?: string; isActive?: boolean };

/** Objects of a resource whose row is gone (and that no upload in flight will claim). */
export type Orphan = { kind: 'images' | 'videos' | 'audio'; userId: string; id: string; objects: number };

const RESOURCE_KEY = /^(images|videos|audio)\/([A-Za-z0-9_-]{1,64})\/([A-Za-z0-9_-]{1,64})\//;

export function createAdminService(deps: { users: UsersRepo; plans: PlansRepo; usage: UsageRepo; clock: Clock; blobs?: BlobStore }) {
  const { users, plans, usage, clock } = deps;

  async function applyUserPatch(user: UserRow, patch: UserAdminPatch): Promise<UserRow> {
    const set: Parameters<UsersRepo['update']>[1] = { updatedAt: clock.now() };
    if (patch.plan !== undefined) {
      if (!(await plans.findById(patch.plan as PlanId))) throw validationError('plan', `must be one of ${(await plans.list()).map((p) => p.id).join(', ')}`);
      set.plan = patch.plan as PlanId;
    }
    if (patch.role !== undefined) {
      if (!ROLES.includes(patch.role as Role)) throw validationError('role', `must be one of ${ROLES.join(', ')}`);
      set.role = patch.role as Role;
    }
    if (patch.isActive !== undefined) set.isActive = patch.isActive ? 1 : 0;
    return (await users.update(user.id, set))!;
  }

  async function byEmail(email: string): Promise<UserRow> {
    const user = await users.findByEmail(normaliseEmail(email));
    if (!user) throw new AppError('NOT_FOUND', `No account for ${email}`);
    return user;
  }

  return {
    async createUser(input: { email: string; password: string; role?: Role; plan?: PlanId }): Promise<UserRow> {
      const email = normaliseEmail(input.email);
      if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw validationError('email', 'is not an email address');
      const problem = passwordProblem(input.password);
      if (problem) throw validationError('password', problem);
      if (await users.findByEmail(email)) throw new AppError('CONFLICT', 'Email already registered');
      if (input.plan && !(await plans.findById(input.plan))) throw validationError('plan', 'is not a known plan');
      const now = clock.now();
      const user = await users.insert({
        id: newId(), email, passwordHash: await hashPassword(input.password), nickname: null, avatarUrl: null,
        plan: input.plan ?? 'trial', emailVerified: 1, locale: 'en', isActive: 1, failedLoginCount: 0, lockedUntil: null,
        createdAt: now, updatedAt: now,
      });
      return input.role && input.role !== user.role ? (await users.update(user.id, { role: input.role }))! : user;
    },

    setPlan: async (email: string, plan: string): Promise<UserRow> => applyUserPatch(await byEmail(email), { plan }),
    setRole: async (email: string, role: string): Promise<UserRow> => applyUserPatch(await byEmail(email), { role }),

    listUsers: (opts: { limit: number; before?: { createdAt: number; id: string }; q?: string }) => users.listWithUsage(opts),

    async updateUser(actorId: string, id: string, patch: UserAdminPatch): Promise<UserRow> {
      const user = await users.findById(id);
      if (!user) throw new AppError('NOT_FOUND', 'User not found');
      if (id === actorId && (patch.role === 'user' || patch.isActive === false)) {
        throw validationError(patch.role === 'user' ? 'role' : 'isActive', 'cannot remove your own admin access');
      }
      return applyUserPatch(user, patch);
    },

    listPlans: () => plans.list(),

    async updatePlan(id: string, patch: PlanPatch): Promise<PlanRow> {
      if (!(await plans.findById(id as PlanId))) throw new AppError('NOT_FOUND', 'Plan not found');
      return (await plans.update(id as PlanId, { ...patch, updatedAt: clock.now() }))!;
    },

    /** Recomputes image and media storage counters from the rows; returns the accounts that had drifted. */
    async reconcile(fix: boolean) {
      const drifted = (await usage.drift()).filter(
        (d) => d.storedBytes !== d.actualBytes || d.storedCount !== d.actualCount || d.storedMediaBytes !== d.actualMediaBytes || d.storedMediaCount !== d.actualMediaCount,
      );
      if (fix) {
        for (const d of drifted) {
          await usage.setStorage(d.userId, d.actualBytes, d.actualCount);
          await usage.setMediaStorage(d.userId, d.actualMediaBytes, d.actualMediaCount);
        }
      }
      return drifted;
    },

    /** Objects in the store whose image or video row is gone (reported; nothing is removed). */
    async orphans(): Promise<Orphan[]> {
      if (!deps.blobs) return [];
      const found = new Map<string, Orphan>();
      for (const prefix of ['images/', 'videos/', 'audio/']) {
        for await (const key of deps.blobs.list(prefix)) {
          const m = RESOURCE_KEY.exec(key);
          if (!m) continue;
          const k = `${m[1]}/${m[3]}`;
          const o = found.get(k) ?? { kind: m[1] as Orphan['kind'], userId: m[2]!, id: m[3]!, objects: 0 };
          o.objects++;
          found.set(k, o);
        }
      }
      const all = [...found.values()];
      const orphans: Orphan[] = [];
      for (const kind of ['images', 'videos', 'audio'] as const) {
        const ofKind = all.filter((o) => o.kind === kind);
        for (let i = 0; i < ofKind.length; i += 500) {
          const chunk = ofKind.slice(i, i + 500);
          const known = await usage.knownIds(kind, chunk.map((o) => o.id));
          orphans.push(...chunk.filter((o) => !known.has(o.id)));
        }
      }
      return orphans;
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
