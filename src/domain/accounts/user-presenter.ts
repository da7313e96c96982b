import type { UserRow } from '../../db/schema.js';
import { toIso } from '../../lib/clock.js';

export type UserResponse = {
  id: string;
  email: string | null;
  nickname: string | null;
  avatarUrl: string | null;
  plan: UserRow['plan'];
  role: UserRow['role'];
  emailVerified: boolean;
  locale: string;
  isActive: boolean;
  createdAt: string;
};

export function presentUser(u: UserRow): UserResponse {
  return {
    id: u.id,
    email: u.email,
    nickname: u.nickname,
    avatarUrl: u.avatarUrl,
    plan: u.plan,
    role: u.role,
    emailVerified: u.emailVerified === 1,
    locale: u.locale,
    isActive: u.isActive === 1,
    createdAt: toIso(u.createdAt),
  };
}
