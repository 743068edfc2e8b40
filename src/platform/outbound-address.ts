/**
 * Where Polett may send a request on a user's word (a webhook, a page to read, a site to crawl).
 * Link-local addresses hold the cloud metadata services (169.254.169.254, fd00:ec2::254) that hand
 * out a server's credentials; nothing a company wants read or posted to lives there, and a crawled
 * page would end up quoted by the public widget. Loopback and private networks stay allowed on
 * purpose: a self-hosted Polett reads the company's intranet and posts to its own automation
 * server. Checked on the name as written and again on the addresses it resolves to, just before
 * each request, and at the connection itself by outbound-fetch.ts (so that a DNS answer that
 * changes between the check and the request cannot slip through).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata', 'instance-data']);

/** Whether an address (v4, v6 or v4-mapped, brackets allowed) is link-local or the EC2 metadata address. */
export function isLinkLocalAddress(address: string): boolean {
  const lower = address.toLowerCase().replace(/^\[|\]$/g, '');
  const v4 = lower.startsWith('::ffff:') ? lower.slice('::ffff:'.length) : lower;
  if (isIP(v4) === 4) return v4.startsWith('169.254.');
  // The URL parser writes an IPv4-mapped address in hex: ::ffff:169.254.x.y becomes ::ffff:a9fe:….
  if (lower.startsWith('::ffff:a9fe:')) return true;
  return isIP(lower) === 6 && (/^fe[89ab][0-9a-f]:/.test(lower) || lower === 'fd00:ec2::254');
}

/** Whether a URL's host, as written, is a metadata host name or a link-local address. */
export function isForbiddenOutboundUrl(url: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return false;
  }
  return METADATA_HOSTS.has(hostname.toLowerCase()) || isLinkLocalAddress(hostname);
}

/** The same on the addresses the URL's name resolves to now (a name may point anywhere). */
export async function resolvesToForbiddenAddress(url: string): Promise<boolean> {
  if (isForbiddenOutboundUrl(url)) return true;
  const hostname = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(hostname) !== 0) return false;
  // A name that does not resolve is left to the request, which fails with its own error.
  const addresses = await lookup(hostname, { all: true }).catch(() => []);
  return addresses.some((entry) => isLinkLocalAddress(entry.address));
}
