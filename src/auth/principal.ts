// Who is calling: resolved once per request by the auth hook, passed to every service.
import type { PlanId, Role } from '../db/schema.js';
import type { StoredScope } from './scopes.js';

export type Principal = {
  userId: string;
  plan: PlanId;
  role: Role;
  authType: 'jwt' | 'apiKey';
  /** Session family (JWT) — used to sign out "every other session". */
  sessionId?: string;
  apiKeyId?: string;
  /** API keys carry scopes; JWT sessions may do everything their account may. */
  scopes: ReadonlySet<StoredScope> | 'all';
};

export type AuthMode = 'public' | 'session' | 'apiKeyOrSession' | 'optional';

export function hasScope(p: Principal, scope: StoredScope): boolean {
  return p.scopes === 'all' || p.scopes.has(scope);
}
