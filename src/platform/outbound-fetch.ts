/**
 * `fetch` for requests made on a user's word (webhooks, pages to read), with the address check of
 * outbound-address.ts applied where the connection is made.
 *
 * Checking what a name resolves to and then letting `fetch` resolve it again leaves a gap: a name
 * whose DNS answer changes between the two (DNS rebinding) passes the check with a public address
 * and is then connected to the metadata service. Here the connection uses the addresses this
 * lookup checked, so what was checked is what is connected to.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';
import { isLinkLocalAddress } from './outbound-address.js';

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;
type Resolve = (
  hostname: string,
  options: LookupOptions & { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** The error a connection to a forbidden address fails with (its code names it for the logs). */
export class ForbiddenOutboundAddressError extends Error {
  readonly code = 'EPOLETTFORBIDDENADDRESS';
  constructor(hostname: string, address: string) {
    super(`${hostname} resolves to ${address}, a link-local address such as the cloud metadata service`);
  }
}

/** A `lookup` for net.connect that refuses names resolving to a link-local address. */
export function guardedLookup(resolve: Resolve = dnsLookup as unknown as Resolve) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const forbidden = addresses.find((entry) => isLinkLocalAddress(entry.address));
      if (forbidden) return callback(new ForbiddenOutboundAddressError(hostname, forbidden.address), []);
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first)
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}

/** A connection pool whose every connection goes through `guardedLookup`. */
export function createOutboundAgent(resolve?: Resolve): Agent {
  return new Agent({ connect: { lookup: guardedLookup(resolve) } });
}

let sharedAgent: Agent | undefined;

/** `fetch` over the guarded pool: a drop-in for the global `fetch` where a user chose the address. */
export const outboundFetch: typeof fetch = (input, init) => {
  sharedAgent ??= createOutboundAgent();
  return undiciFetch(input as string | URL, {
    ...(init as UndiciRequestInit),
    dispatcher: sharedAgent,
  }) as unknown as Promise<Response>;
};

/** Whether a failed request failed because its name resolved to a forbidden address at connect time. */
export function isForbiddenAddressFailure(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if (current instanceof ForbiddenOutboundAddressError) return true;
    current = current.cause;
  }
  return false;
}
