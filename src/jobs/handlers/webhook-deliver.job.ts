// webhook.deliver: one POST per attempt, retried with this queue's own backoff (retryBaseMs, doubling) until the
// delivery's attempts are spent; then the delivery is failed and its endpoint may be disabled. The reconciler
// re-adds a job for a delivery left pending without one (BullMQ cannot join the transaction that wrote it); a
// periodic round drops log rows older than 30 days.
import type { WebhooksRepo } from '../../db/repos/webhooks.repo.js';
import type { WebhookDelivery } from '../../domain/webhooks/webhook-delivery.service.js';
import type { JobQueue } from '../queue.js';

/** How long the delivery log keeps a finished delivery. */
export const DELIVERY_LOG_DAYS = 30;

type Deps = { delivery: WebhookDelivery; webhooks: WebhooksRepo; retryBaseMs: number; timeoutMs: number; concurrency: number; now: () => number };

export function registerWebhookDeliverJob(jobs: JobQueue, deps: Deps): void {
  jobs.handle('webhook.deliver', ({ deliveryId }) => deps.delivery.attempt(deliveryId), {
    concurrency: deps.concurrency,
    backoffBaseMs: deps.retryBaseMs,
    timeoutMs: () => deps.timeoutMs + 30_000,
    onDead: ({ deliveryId }, error) => deps.delivery.giveUp(deliveryId, error),
  });
  // pending for longer than the longest backoff step could explain: make sure a job exists (the key dedupes)
  jobs.reconcile(
    'webhook.deliver',
    async () => (await deps.webhooks.pendingSince(deps.now() - Math.max(15 * 60_000, deps.retryBaseMs * 2 ** 8), 100)).map((d) => ({ payload: { deliveryId: d.id }, key: d.id })),
    5 * 60_000,
  );
  jobs.schedule('webhooks.log-prune', 6 * 3_600_000, async () => {
    await deps.webhooks.pruneDeliveries(deps.now() - DELIVERY_LOG_DAYS * 86_400_000);
  });
}
