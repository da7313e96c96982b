// Outgoing mail: SMTP through nodemailer when configured, otherwise a local outbox file + the log,
// so a fresh install can register accounts without a mail server.
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';

export type Mail = { to: string; subject: string; text: string };

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(mail: Mail): Promise<void>;
  close(): Promise<void>;
}

type Log = { info(obj: object, msg: string): void };

export function createOutboxMailer(file: string, log: Log, now: () => number = Date.now): Mailer {
  return {
    kind: 'outbox',
    async send(mail) {
      await mkdir(path.dirname(file), { recursive: true });
      const line = JSON.stringify({ to: mail.to, subject: mail.subject, text: mail.text, at: new Date(now()).toISOString() });
      await appendFile(file, `${line}\n`, { mode: 0o600 });
      log.info({ to: mail.to, subject: mail.subject, outbox: file }, `mail written to outbox: ${mail.subject}\n${mail.text}`);
    },
    close: async () => undefined,
  };
}

export function createSmtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url, { from });
  return {
    kind: 'smtp',
    async send(mail) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
    },
    close: async () => transport.close(),
  };
}
