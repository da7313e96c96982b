import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.js';

describe('configuration', () => {
  it('has working defaults: SQLite and a local store under ./data on 127.0.0.1:8787', () => {
    const c = loadConfig({});
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8787);
    assert.deepEqual(c.database, { kind: 'sqlite', file: path.resolve('data/picora.db') });
    assert.deepEqual(c.storage, { kind: 'local', root: path.resolve('data/blobs') });
    assert.equal(c.publicUrl, 'http://127.0.0.1:8787');
    assert.equal(c.mediaBaseUrl, 'http://127.0.0.1:8787');
    assert.equal(c.accessTokenTtlSeconds, 900);
    assert.equal(c.smtpUrl, undefined);
  });

  it('reads PostgreSQL, S3 and URLs from the environment', () => {
    const c = loadConfig({
      PICORA_DATABASE_URL: 'postgres://u@db:5432/picora',
      PICORA_STORAGE: 's3',
      PICORA_S3_ENDPOINT: 'http://127.0.0.1:7480',
      PICORA_S3_BUCKET: 'picora',
      PICORA_S3_ACCESS_KEY: 'a',
      PICORA_S3_SECRET_KEY: 'b',
      PICORA_PUBLIC_URL: 'https://api.example.com/',
      PICORA_MEDIA_BASE_URL: 'https://media.example.com',
      PICORA_PORT: '9000',
    });
    assert.deepEqual(c.database, { kind: 'postgres', url: 'postgres://u@db:5432/picora' });
    assert.equal(c.storage.kind, 's3');
    assert.equal(c.publicUrl, 'https://api.example.com');
    assert.equal(c.mediaBaseUrl, 'https://media.example.com');
    assert.equal(c.port, 9000);
  });

  it('lists every problem at once', () => {
    try {
      loadConfig({ PICORA_PORT: 'eighty', PICORA_STORAGE: 'floppy', PICORA_ACCESS_TOKEN_TTL_SECONDS: '-5', PICORA_DATABASE_URL: 'mysql://x' });
      assert.fail('should throw');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      const text = err.problems.join('\n');
      for (const key of ['PICORA_PORT', 'PICORA_STORAGE', 'PICORA_ACCESS_TOKEN_TTL_SECONDS', 'PICORA_DATABASE_URL']) assert.match(text, new RegExp(key));
    }
  });

  it('requires the S3 settings when PICORA_STORAGE=s3', () => {
    assert.throws(() => loadConfig({ PICORA_STORAGE: 's3' }), (e: unknown) => e instanceof ConfigError && e.problems.length === 4);
  });
});
