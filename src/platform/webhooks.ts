/**
 * Signed webhooks, the same way for every capability that tells another system about an event
 * (a hand-over to a help desk, a text approved, a spike in complaints). Capabilities enqueue a
 * durable job per delivery, so that a receiver that is down gets the event later through the
 * job's retries, and call `deliverWebhook` from it.
 *
 * Signature, as Stripe and GitHub do it: `x-polett-signature: sha256=<hex>` is the HMAC-SHA256,
 * keyed with the webhook's secret, of `<timestamp>.<body>`, and `x-polett-timestamp` is that
 * timestamp in seconds. The receiver recomputes it, compares in constant time, and refuses old
 * timestamps to stop replays. `x-polett-event-id` stays the same across retries, for deduplication.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { isRetryableStatus, PolettError } from '../errors.js';
import { resolvesToForbiddenAddress } from './outbound-address.js';
import { isForbiddenAddressFailure, outboundFetch } from './outbound-fetch.js';

export const WEBHOOK_MAX_ATTEMPTS = 6;
const DELIVERY_TIMEOUT_MS = 10_000;

export function signWebhookBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** A new webhook secret, shown to the user once to configure the receiver. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

export interface WebhookDelivery {
  url: string;
  secret: string;
  eventId: string;
  /** The event, serialised once so that the signature covers exactly what is sent. */
  body: string;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  now?: () => number;
  /** The error code of a failed delivery, for a capability that names its own (`content_webhook_failed`). */
  errorCode?: string;
}

/**
 * Posts one event. Throws a retryable PolettError for a receiver that is down, slow, overloaded
 * or failing (network errors, 408, 429, 5xx), and a final one for a receiver that refuses it.
 */
export async function deliverWebhook(delivery: WebhookDelivery): Promise<{ status: number }> {
  const send = delivery.fetch ?? outboundFetch;
  // Checked at each delivery on what the name resolves to now (see outbound-address.ts).
  const code = delivery.errorCode ?? 'webhook_failed';
  if (await resolvesToForbiddenAddress(delivery.url))
    throw webhookFailed(code, delivery.url, 'a link-local address, such as the cloud metadata service', 400);
  const timestamp = Math.floor((delivery.now ?? Date.now)() / 1000);
  const timeout = AbortSignal.timeout(DELIVERY_TIMEOUT_MS);
  let response: Response;
  try {
    response = await send(delivery.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Polett-Webhook/1',
        'x-polett-event-id': delivery.eventId,
        'x-polett-timestamp': String(timestamp),
        'x-polett-signature': signWebhookBody(delivery.secret, timestamp, delivery.body),
      },
      body: delivery.body,
      // A redirect could lead anywhere, the metadata service included: a receiver answers, it does not redirect.
      redirect: 'manual',
      signal: delivery.signal ? AbortSignal.any([delivery.signal, timeout]) : timeout,
    });
  } catch (error) {
    if (isForbiddenAddressFailure(error))
      throw webhookFailed(
        code,
        delivery.url,
        'a link-local address, such as the cloud metadata service',
        400,
      );
    throw webhookFailed(code, delivery.url, (error as Error).message, 502, error);
  }
  await response.body?.cancel();
  if (!response.ok) {
    const retryable = response.status >= 500 || response.status === 429 || response.status === 408;
    throw webhookFailed(code, delivery.url, `HTTP ${response.status}`, retryable ? 502 : 400);
  }
  return { status: response.status };
}

function webhookFailed(
  code: string,
  url: string,
  detail: string,
  status: number,
  cause?: unknown,
): PolettError {
  // Only the origin: a receiver's path often holds its own secret, and job errors are shown to readers.
  const receiver = new URL(url).origin;
  return new PolettError({
    code,
    status,
    message: isRetryableStatus(status)
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
