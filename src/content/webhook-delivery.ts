/**
 * The signed webhook on each change of a text's state. Each change enqueues one durable job per
 * webhook, so that a receiver that is down gets the event later (the job's retries, with backoff),
 * and a restart of Polett loses nothing.
 *
 * Signature, as Stripe and GitHub do it: `x-polett-signature: sha256=<hex>` is the HMAC-SHA256,
 * keyed with the webhook's secret, of `<timestamp>.<body>`, and `x-polett-timestamp` is that
 * timestamp in seconds. The receiver recomputes it, compares in constant time, and refuses old
 * timestamps to stop replays. `x-polett-event-id` stays the same across retries, for deduplication.
 */
import { createHmac } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { isRetryableStatus, PolettError } from '../errors.js';
import { defineJobHandler } from '../jobs/index.js';
import { openContentStore } from './content-store.js';
import { TEXT_STATES } from './text-lifecycle.js';
import { checkResolvedWebhookAddress } from './webhook-address.js';

export const CONTENT_WEBHOOK_JOB = 'content.webhook';
export const WEBHOOK_MAX_ATTEMPTS = 6;
const DELIVERY_TIMEOUT_MS = 10_000;

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

export function signWebhookBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function contentWebhookJobHandler(dependencies: { database: Database; fetch?: typeof fetch }) {
  const send = dependencies.fetch ?? fetch;
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
      const body = JSON.stringify(input.event);
      const timestamp = Math.floor(Date.now() / 1000);
      let response: Response;
      try {
        response = await send(webhook.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Polett-Webhook/1',
            'x-polett-event-id': input.event.id,
            'x-polett-timestamp': String(timestamp),
            'x-polett-signature': signWebhookBody(webhook.secret, timestamp, body),
          },
          body,
          // A redirect is not followed: it could lead the signed request anywhere, past the check above.
          redirect: 'manual',
          signal: AbortSignal.any([context.signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS)]),
        });
      } catch (error) {
        throw deliveryError(webhook.url, (error as Error).message, 502, error);
      }
      await response.body?.cancel();
      if (!response.ok)
        throw deliveryError(
          webhook.url,
          `HTTP ${response.status}`,
          response.status >= 500 || response.status === 429 || response.status === 408 ? 502 : 400,
        );
      return { delivered: true, status: response.status, attempt: context.attempt };
    },
  });
}

function deliveryError(url: string, detail: string, status: number, cause?: unknown): PolettError {
  // Only the origin: a receiver's path often holds its own secret, and job errors are shown to readers.
  const receiver = new URL(url).origin;
  const retried = isRetryableStatus(status);
  return new PolettError({
    code: 'content_webhook_failed',
    status,
    message: retried
      ? {
          sv: `Webhooken till ${receiver} svarade inte som väntat (${detail}); Polett försöker igen, kontrollera mottagaren.`,
          en: `The webhook to ${receiver} did not answer as expected (${detail}); Polett tries again, check the receiver.`,
        }
      : {
          sv: `Webhooken till ${receiver} tog inte emot händelsen (${detail}); Polett försöker inte igen, rätta mottagaren eller webhookens adress.`,
          en: `The webhook to ${receiver} refused the event (${detail}); Polett does not try again, correct the receiver or the webhook's address.`,
        },
    cause,
  });
}
