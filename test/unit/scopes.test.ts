import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normaliseScopes, v1TierOf } from '../../src/auth/scopes.js';

describe('API-key scopes', () => {
  it('maps v1 tiers, colon aliases and v2 names onto the v2 set', () => {
    assert.deepEqual(normaliseScopes(['read']).scopes, ['account.read', 'kb.read', 'media.read', 'usage.read']);
    assert.ok(normaliseScopes(['read_write_delete']).scopes.includes('media.delete'));
    assert.deepEqual(normaliseScopes(['images:write', 'read:media', 'videos:delete', 'usage:read']).scopes, ['media.delete', 'media.read', 'media.write', 'usage.read']);
    assert.deepEqual(normaliseScopes(['media.read', 'media.read']).scopes, ['media.read']);
  });

  it('reports unknown spellings instead of dropping them silently', () => {
    assert.deepEqual(normaliseScopes(['media.read', 'admin:all', 'images:fly']).unknown, ['admin:all', 'images:fly']);
  });

  it('names the v1 tier of a v2 set', () => {
    assert.equal(v1TierOf(['media.read']), 'read');
    assert.equal(v1TierOf(['media.read', 'media.write']), 'read_write');
    assert.equal(v1TierOf(['media.delete']), 'read_write_delete');
  });
});
