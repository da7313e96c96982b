// What the `webhook.deliver` job does: POST the delivery's signed body to its endpoint through the SSRF guard,
// log the answer, and leave retrying to the job (a non-2xx answer or a network failure throws). When a
// delivery's attempts are spent it is marked failed; an endpoint whose deliveries keep failing is disabled
// and its owner told by mail.
import type { Logger } from 'pino';
import type { UsersRepo } from '../../db/repos/users.repo.js';
import type { WebhooksRepo } from '../../db/repos/webhooks.repo.js';
import { PermanentJobError } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import { SafeFetchError } from '../../lib/safe-fetch.js';
import type { SafePost } from '../../lib/safe-post.js';
import type { Mailer } from '../../mail/mailer.js';
import { TEST_EVENT } from './webhook-events.js';
import { SIGNATURE_HEADER, signPayload, webhookSecret } from './webhook-signing.js';

type Deps = {
  webhooks: WebhooksRepo;
  users: Pick<UsersRepo, 'findById'>;
  post: SafePost;
  mailer: Mailer;
  clock: Clock;
  log: Logger;
  serverSecret: string;
  /** Deliveries in a row whose attempts were all spent before the endpoint is disabled. */
  disableAfter: number;
  publicUrl: string;
};

/** Refusals that no retry can change: the URL itself is not allowed. */
const PERMANENT = new Set(['invalid_url', 'scheme', 'userinfo', 'port', 'address']);

export function createWebhookDelivery(deps: Deps) {
  const { webhooks, clock } = deps;

  async function disable(webhookId: string, reason: string): Promise<void> {
    const hook = await webhooks.findById(webhookId);
    if (!hook || !(await webhooks.disable(hook.id, reason, clock.now()))) return;
    deps.log.warn({ webhookId, reason }, 'webhook endpoint disabled');
    const owner = await deps.users.findById(hook.userId);
    if (!owner?.email) return;
    await deps.mailer
      .send({
        to: owner.email,
        subject: 'Picora: a webhook endpoint was disabled',
        text:
          `Deliveries to your webhook endpoint ${hook.url} kept failing, so Picora stopped sending to it.\n\n` +
          `Last problem: ${reason}\n\n` +
          `Fix the endpoint, then enable it again at ${deps.publicUrl}/app/webhooks or with ` +
          `PATCH /v1/webhooks/${hook.id} {"enabled": true}. The delivery log shows every attempt.\n`,
      })
      .catch((err: unknown) => deps.log.warn({ err, webhookId }, 'could not mail the owner of a disabled webhook'));
  }

  return {
    /** One attempt at a delivery. Throws to be retried; PermanentJobError when retrying cannot help. */
    async attempt(deliveryId: string): Promise<void> {
      const delivery = await webhooks.findDelivery(deliveryId);
      if (!delivery || delivery.status !== 'pending') return; // done already, or its endpoint was deleted
      const hook = await webhooks.findById(delivery.webhookId);
      if (!hook) return;
      if (hook.enabled !== 1 && delivery.eventType !== TEST_EVENT) {
        await webhooks.recordResult(deliveryId, { status: 'failed', error: 'The endpoint is disabled' }, clock.now());
        return;
      }
      await webhooks.startAttempt(deliveryId, clock.now());
      const secret = webhookSecret(deps.serverSecret, hook.id, hook.secretSalt);
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'Picora-Webhooks/1.0',
        'picora-event': delivery.eventType,
        'picora-delivery': delivery.id,
        [SIGNATURE_HEADER]: signPayload(secret, Math.floor(clock.now() / 1000), delivery.payload),
      };
      let answer;
      try {
        answer = await deps.post(hook.url, delivery.payload, headers);
      } catch (err) {
        const message = err instanceof SafeFetchError ? `The URL ${err.message}` : 'The request failed';
        await webhooks.recordResult(deliveryId, { responseStatus: null, responseBody: null, error: message, durationMs: null }, clock.now());
        throw err instanceof SafeFetchError && PERMANENT.has(err.reason) ? new PermanentJobError(message) : new Error(message);
      }
      const ok = answer.status >= 200 && answer.status < 300;
      await webhooks.recordResult(
        deliveryId,
        { status: ok ? 'succeeded' : 'pending', responseStatus: answer.status, responseBody: answer.body, durationMs: answer.durationMs, error: ok ? null : `The endpoint answered HTTP ${answer.status}` },
        clock.now(),
      );
      if (!ok) throw new Error(`The endpoint answered HTTP ${answer.status}`);
      await webhooks.resetFailures(hook.id);
    },

    /** Every attempt of a delivery failed: it is failed, and its endpoint one failure closer to disabled. */
    async giveUp(deliveryId: string, error: Error): Promise<void> {
      const delivery = await webhooks.findDelivery(deliveryId);
      if (!delivery) return;
      await webhooks.recordResult(deliveryId, { status: 'failed', error: error.message.slice(0, 500) }, clock.now());
      const failures = await webhooks.countFailure(delivery.webhookId, clock.now());
      if (failures >= deps.disableAfter) await disable(delivery.webhookId, `${failures} deliveries in a row failed; the last: ${error.message}`.slice(0, 500));
    },
  };
}

export type WebhookDelivery = ReturnType<typeof createWebhookDelivery>;
