import type { ApiKeyRow } from '../../db/schema.js';
import { v1TierOf } from '../../auth/scopes.js';
import { toIso } from '../../lib/clock.js';

export type ApiKeyResponse = {
  id: string;
  name: string;
  description: string | null;
  keyPrefix: string;
  lastFour: string;
  scope: 'read' | 'read_write' | 'read_write_delete';
  scopesV2: string[];
  scopeVersion: 2;
  lastUsedAt: string | null;
  createdAt: string;
  updatedAt: string;
};

export function presentApiKey(k: ApiKeyRow): ApiKeyResponse {
  const scopes = JSON.parse(k.scopes) as string[];
  return {
    id: k.id,
    name: k.name,
    description: k.description,
    keyPrefix: k.keyPrefix,
    lastFour: k.lastFour,
    scope: v1TierOf(scopes),
    scopesV2: scopes,
    scopeVersion: 2,
    lastUsedAt: k.lastUsedAt === null ? null : toIso(k.lastUsedAt),
    createdAt: toIso(k.createdAt),
    updatedAt: toIso(k.updatedAt),
  };
}
