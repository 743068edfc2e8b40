/**
 * Where a webhook may post (see platform/outbound-address.ts). Checked when the webhook is added
 * and again at each delivery, on the addresses its name resolves to then.
 */
import { PolettError } from '../errors.js';
import { isForbiddenOutboundUrl, resolvesToForbiddenAddress } from '../platform/outbound-address.js';

function webhookAddressError(url: string): PolettError {
  return new PolettError({
    code: 'content_webhook_address',
    status: 400,
    field: 'url',
    message: {
      sv: `Webhookadressen ${url} pekar på en lokal länkadress (som molnets metadatatjänst); ange mottagarens vanliga adress.`,
      en: `The webhook address ${url} points to a link-local address (such as the cloud's metadata service); give the receiver's ordinary address.`,
    },
  });
}

/** Refuses a webhook address written as a link-local address or a metadata host name. */
export function checkWebhookAddress(url: string): void {
  if (isForbiddenOutboundUrl(url)) throw webhookAddressError(url);
}

/** The same at delivery, on the addresses the name resolves to now (a name may point anywhere). */
export async function checkResolvedWebhookAddress(url: string): Promise<void> {
  if (await resolvesToForbiddenAddress(url)) throw webhookAddressError(url);
}
