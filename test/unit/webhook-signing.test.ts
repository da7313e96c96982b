// Webhook signatures: the header format docs/webhooks.md documents, the receiver's check (tolerance, tampering,
// another secret, a malformed header), and secrets derived per endpoint and salt.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { signPayload, verifySignature, webhookSecret } from '../../src/domain/webhooks/webhook-signing.js';

describe('webhook signing', () => {
  const secret = webhookSecret('server-secret-of-at-least-32-characters!!', 'hook1', 'salt1');
  const body = '{"id":"evt_1","type":"image.uploaded","data":{"id":"abc"}}';

  it('is t=<seconds>,v1=<hex HMAC-SHA256(secret, "t.body")>', () => {
    const header = signPayload(secret, 1_733_133_600, body);
    const expected = createHmac('sha256', secret).update(`1733133600.${body}`).digest('hex');
    assert.equal(header, `t=1733133600,v1=${expected}`);
  });

  it('verifies within the tolerance only, and only the same body and secret', () => {
    const header = signPayload(secret, 1000, body);
    assert.equal(verifySignature(header, secret, body, 1000), true);
    assert.equal(verifySignature(header, secret, body, 1300), true);
    assert.equal(verifySignature(header, secret, body, 1301), false, 'replayed after 5 minutes');
    assert.equal(verifySignature(header, secret, body, 699), false, 'from the future');
    assert.equal(verifySignature(header, secret, `${body} `, 1000), false);
    assert.equal(verifySignature(header, `${secret}x`, body, 1000), false);
    for (const bad of ['', 't=abc,v1=00', 'v1=00', `t=1000`, `t=1000,v1=${'0'.repeat(64)}`, `t=1000,v1=short`]) {
      assert.equal(verifySignature(bad, secret, body, 1000), false, bad);
    }
    assert.equal(verifySignature(`${header},v1=${'0'.repeat(64)}`, secret, body, 1000), true, 'any matching v1 (rotation overlap)');
  });

  it('derives a distinct secret per endpoint and salt (rotation changes it)', () => {
    assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    assert.notEqual(webhookSecret('server-secret-of-at-least-32-characters!!', 'hook1', 'salt2'), secret);
    assert.notEqual(webhookSecret('server-secret-of-at-least-32-characters!!', 'hook2', 'salt1'), secret);
    assert.notEqual(webhookSecret('another-server-secret-of-32-characters!!!', 'hook1', 'salt1'), secret);
  });
});
