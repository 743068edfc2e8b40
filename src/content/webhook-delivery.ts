/**
 * The signed webhook on each change of a text's state. Each change enqueues one durable job per
 * webhook, so that a receiver that is down gets the event later (the job's retries, with backoff),
 * and a restart of Polett loses nothing. Signing and delivery are the platform's, shared by every
 * capability's webhooks (src/platform/webhooks.ts).
 */
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { defineJobHandler } from '../jobs/index.js';
import { deliverWebhook, WEBHOOK_MAX_ATTEMPTS } from '../platform/webhooks.js';
import { openContentStore } from './content-store.js';
import { TEXT_STATES } from './text-lifecycle.js';
import { checkResolvedWebhookAddress } from './webhook-address.js';

export const CONTENT_WEBHOOK_JOB = 'content.webhook';
export { WEBHOOK_MAX_ATTEMPTS };

export const stateChangeEventSchema = z.object({
  id: z.string(),
  type: z.literal('content.text.state_changed'),
  occurredAt: z.string(),
  workspaceId: z.string(),
  text: z.object({ id: z.string(), title: z.string(), version: z.number().int(), templateId: z.string() }),
  from: z.enum(TEXT_STATES),
  to: z.enum(TEXT_STATES),
  by: z.string().nullable(),
});
export type StateChangeEvent = z.infer<typeof stateChangeEventSchema>;

export function contentWebhookJobHandler(dependencies: { database: Database; fetch?: typeof fetch }) {
  return defineJobHandler({
    type: CONTENT_WEBHOOK_JOB,
    input: z.object({ webhookId: z.string(), event: stateChangeEventSchema }),
    async run(input, context) {
      if (!context.workspaceId) throw new Error('a content webhook job needs its workspace');
      const webhook = openContentStore(dependencies.database)
        .forWorkspace(context.workspaceId)
        .webhookForDelivery(input.webhookId);
      // Removed since the change: nobody to tell.
      if (!webhook) return { delivered: false, reason: 'webhook removed' };
      await checkResolvedWebhookAddress(webhook.url);
      const { status } = await deliverWebhook({
        url: webhook.url,
        secret: webhook.secret,
        eventId: input.event.id,
        body: JSON.stringify(input.event),
        signal: context.signal,
        errorCode: 'content_webhook_failed',
        ...(dependencies.fetch ? { fetch: dependencies.fetch } : {}),
      });
      return { delivered: true, status, attempt: context.attempt };
    },
  });
}
