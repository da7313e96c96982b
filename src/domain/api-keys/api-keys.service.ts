// API keys: plaintext shown once, only the SHA-256 stored; scopes normalised to the v2 set.
import { AppError, validationError } from '../../errors/app-error.js';
import type { ApiKeysRepo } from '../../db/repos/api-keys.repo.js';
import type { PlansRepo } from '../../db/repos/plans.repo.js';
import type { ApiKeyRow } from '../../db/schema.js';
import { DEFAULT_KEY_SCOPES, normaliseScopes } from '../../auth/scopes.js';
import type { Principal } from '../../auth/principal.js';
import type { Clock } from '../../lib/clock.js';
import { newApiKeySecret, newId } from '../../lib/ids.js';
import { sha256Hex } from '../../lib/hashing.js';
import type { Quotas } from '../usage/quotas.js';
import { buildToolConfigs, type ToolConfigs } from './tool-configs.js';

type Deps = {
  apiKeys: ApiKeysRepo;
  plans: PlansRepo;
  quotas: Pick<Quotas, 'withinCount'>;
  clock: Clock;
  /** Where this instance's API answers (config.publicUrl): the uploader configs point there. */
  publicUrl: string;
};

export type CreateApiKeyInput = { name: string; description?: string; scopes?: string[] };
export type UpdateApiKeyInput = { name?: string; description?: string; scopes?: string[] };

function scopesOrThrow(input: string[]): string[] {
  const { scopes, unknown } = normaliseScopes(input);
  if (unknown.length > 0) throw validationError('scopes', `contains unknown scope ${JSON.stringify(unknown[0]!.slice(0, 40))}`);
  if (scopes.length === 0) throw validationError('scopes', 'must name at least one scope');
  return scopes;
}

function cleanName(name: string, field = 'name'): string {
  const n = name.trim();
  if (n.length === 0) throw validationError(field, 'must not be empty');
  return n;
}

export function createApiKeysService(deps: Deps) {
  const { apiKeys, plans, quotas, clock, publicUrl } = deps;

  /** The key if it is the caller's; FORBIDDEN when it belongs to someone else; NOT_FOUND otherwise. */
  async function ownKey(p: Principal, id: string): Promise<ApiKeyRow> {
    const row = await apiKeys.findAnyById(id);
    if (!row || row.revokedAt !== null) throw new AppError('NOT_FOUND', 'API key not found');
    if (row.userId !== p.userId) throw new AppError('FORBIDDEN', 'This API key belongs to another account');
    return row;
  }

  return {
    async create(p: Principal, input: CreateApiKeyInput): Promise<{ row: ApiKeyRow; key: string }> {
      const plan = await plans.findById(p.plan);
      const now = clock.now();
      const key = newApiKeySecret();
      const row: ApiKeyRow = {
        id: newId(),
        userId: p.userId,
        name: cleanName(input.name),
        description: input.description?.trim() || null,
        keyHash: sha256Hex(key),
        keyPrefix: key.slice(0, 12),
        lastFour: key.slice(-4),
        scopes: JSON.stringify(input.scopes ? scopesOrThrow(input.scopes) : DEFAULT_KEY_SCOPES),
        lastUsedAt: null,
        revokedAt: null,
        createdAt: now,
        updatedAt: now,
      };
      if (!plan) throw new AppError('FORBIDDEN', 'Your account has no active plan');
      await quotas.withinCount('api_key_count', plan, (limit) => apiKeys.insertWithinLimit(row, limit));
      return { row, key };
    },

    list: (p: Principal): Promise<ApiKeyRow[]> => apiKeys.listActive(p.userId),

    async update(p: Principal, id: string, input: UpdateApiKeyInput): Promise<ApiKeyRow> {
      if (input.name === undefined && input.description === undefined && input.scopes === undefined) {
        throw validationError('body', 'must contain name, description or scopes');
      }
      await ownKey(p, id);
      const patch: Parameters<ApiKeysRepo['update']>[2] = { updatedAt: clock.now() };
      if (input.name !== undefined) patch.name = cleanName(input.name);
      if (input.description !== undefined) patch.description = input.description.trim() || null;
      if (input.scopes !== undefined) patch.scopes = JSON.stringify(scopesOrThrow(input.scopes));
      await apiKeys.update(p.userId, id, patch);
      return ownKey(p, id);
    },

    async revoke(p: Principal, id: string): Promise<void> {
      await ownKey(p, id);
      await apiKeys.revoke(p.userId, id, clock.now());
    },

    /**
     * Uploader configs for one of the caller's active keys, with the key placeholder (only its hash is stored).
     * null for a key that is someone else's, revoked or unknown alike, so the answer does not tell them apart.
     */
    async toolConfigs(p: Principal, id: string): Promise<ToolConfigs | null> {
      const row = await apiKeys.findForUser(p.userId, id);
      return row ? buildToolConfigs(publicUrl, row.keyPrefix) : null;
    },
  };
}

export type ApiKeysService = ReturnType<typeof createApiKeysService>;
