/**
 * Where a webhook may post. Checked when the webhook is added and again at each delivery, on the
 * addresses its name resolves to then.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { PolettError } from '../errors.js';

/**
 * Link-local addresses hold the cloud metadata services (169.254.169.254, fd00:ec2::254) that hand
 * out a server's credentials; no webhook receiver lives there. Loopback and private networks stay
 * allowed: a self-hosted Polett often posts to an automation server on the same network.
 */
function isLinkLocal(address: string): boolean {
  const lower = address.toLowerCase().replace(/^\[|\]$/g, '');
  const v4 = lower.startsWith('::ffff:') ? lower.slice('::ffff:'.length) : lower;
  if (isIP(v4) === 4) return v4.startsWith('169.254.');
  // The URL parser writes an IPv4-mapped address in hex: ::ffff:169.254.x.y becomes ::ffff:a9fe:….
  if (lower.startsWith('::ffff:a9fe:')) return true;
  return isIP(lower) === 6 && (/^fe[89ab][0-9a-f]:/.test(lower) || lower === 'fd00:ec2::254');
}

const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata', 'instance-data']);

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
  const { hostname } = new URL(url);
  if (METADATA_HOSTS.has(hostname.toLowerCase()) || isLinkLocal(hostname)) throw webhookAddressError(url);
}

/** The same at delivery, on the addresses the name resolves to now (a name may point anywhere). */
export async function checkResolvedWebhookAddress(url: string): Promise<void> {
  checkWebhookAddress(url);
  const hostname = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(hostname) !== 0) return;
  // A name that does not resolve is left to fetch, which fails with a retryable error.
  const addresses = await lookup(hostname, { all: true }).catch(() => []);
  if (addresses.some((entry) => isLinkLocal(entry.address))) throw webhookAddressError(url);
}
