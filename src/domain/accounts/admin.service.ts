// Operator actions: create accounts, move them between plans, grant roles. Used by the `admin` CLI.
import { AppError, validationError } from '../../errors/app-error.js';
import type { PlansRepo } from '../../db/repos/plans.repo.js';
import type { UsersRepo } from '../../db/repos/users.repo.js';
import type { PlanId, Role, UserRow } from '../../db/schema.js';
import { hashPassword, passwordProblem } from '../../auth/passwords.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { normaliseEmail } from './accounts.service.js';

const ROLES: readonly Role[] = ['user', 'admin'];

export function createAdminService(deps: { users: UsersRepo; plans: PlansRepo; clock: Clock }) {
  const { users, plans, clock } = deps;

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

    async setPlan(email: string, plan: string): Promise<UserRow> {
      const user = await byEmail(email);
      if (!(await plans.findById(plan as PlanId))) throw validationError('plan', `must be one of ${(await plans.list()).map((p) => p.id).join(', ')}`);
      return (await users.update(user.id, { plan: plan as PlanId, updatedAt: clock.now() }))!;
    },

    async setRole(email: string, role: string): Promise<UserRow> {
      const user = await byEmail(email);
      if (!ROLES.includes(role as Role)) throw validationError('role', `must be one of ${ROLES.join(', ')}`);
      return (await users.update(user.id, { role: role as Role, updatedAt: clock.now() }))!;
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
