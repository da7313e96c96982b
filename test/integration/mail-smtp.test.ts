// With PICORA_SMTP_URL set, codes go out by SMTP: a real SMTP receiver (smtp-server) on loopback gets them.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { startTestApp, type TestApp } from '../support/app.js';

type Received = { from: string; to: string[]; raw: string };

describe('mail over SMTP', () => {
  let server: SMTPServer;
  let t: TestApp;
  const received: Received[] = [];

  before(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let raw = '';
        stream.setEncoding('utf8');
        stream.on('data', (c: string) => (raw += c));
        stream.on('end', () => {
          received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as AddressInfo).port;
    t = await startTestApp(undefined, { env: { PICORA_SMTP_URL: `smtp://127.0.0.1:${port}`, PICORA_MAIL_FROM: 'Picora <noreply@picora.test>' } });
  });
  after(async () => {
    await t?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('delivers the registration code and the code registers the account', async () => {
    assert.equal(t.deps.mailer.kind, 'smtp');
    const email = 'smtp-user@example.com';
    const res = await t.app.inject({ method: 'POST', url: '/v1/auth/send-code', payload: { email, type: 'register' } });
    assert.equal(res.statusCode, 200);
    assert.equal(received.length, 1);
    assert.deepEqual(received[0]!.to, [email]);
    assert.equal(received[0]!.from, 'noreply@picora.test');
    assert.match(received[0]!.raw, /Subject: Your Picora verification code/);
    const code = /\b(\d{6})\b/.exec(received[0]!.raw.split('\r\n\r\n').slice(1).join('\n'))![1]!;
    const reg = await t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email, password: 'smtp-pass-1', code } });
    assert.equal(reg.statusCode, 201);
    assert.ok(!existsSync(path.join(t.dataDir, 'outbox.jsonl')), 'nothing goes to the outbox when SMTP is configured');
  });
});
