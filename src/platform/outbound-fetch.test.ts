import { createServer, type Server } from 'node:http';
import type { LookupAddress } from 'node:dns';
import type { AddressInfo } from 'node:net';
import { fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOutboundAgent,
  ForbiddenOutboundAddressError,
  guardedLookup,
  isForbiddenAddressFailure,
  outboundFetch,
} from './outbound-fetch.js';

/** A resolver that answers from a table, counting its calls: DNS without a network. */
function fakeResolver(table: Record<string, string[]>) {
  const calls: string[] = [];
  const resolve = (
    hostname: string,
    _options: unknown,
    callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
  ) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (!addresses) return callback(Object.assign(new Error(`no ${hostname}`), { code: 'ENOTFOUND' }), []);
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
  return { resolve, calls };
}

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((_request, response) => response.end('hej från intranätet'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('outbound requests checked where the connection is made', () => {
  it('refuses a name that resolves to a link-local address, among others or alone', async () => {
    const { resolve } = fakeResolver({
      'metadata.rebind.example': ['169.254.169.254'],
      'mixed.example': ['127.0.0.1', 'fd00:ec2::254'],
      'intranet.example': ['127.0.0.1'],
    });
    const lookup = guardedLookup(resolve);
    const answer = (hostname: string, all: boolean) =>
      new Promise<{ error: unknown; address: unknown }>((done) =>
        lookup(hostname, { all }, (error, address) => done({ error, address })),
      );
    expect((await answer('metadata.rebind.example', false)).error).toBeInstanceOf(
      ForbiddenOutboundAddressError,
    );
    expect((await answer('mixed.example', true)).error).toBeInstanceOf(ForbiddenOutboundAddressError);
    expect(await answer('intranet.example', false)).toEqual({ error: null, address: '127.0.0.1' });
    expect((await answer('intranet.example', true)).address).toEqual([{ address: '127.0.0.1', family: 4 }]);
  });

  it('connects to what the lookup checked, and never to a rebound address', async () => {
    const { resolve, calls } = fakeResolver({
      'intranet.example': ['127.0.0.1'],
      'metadata.rebind.example': ['169.254.169.254'],
    });
    const agent = createOutboundAgent(resolve);
    try {
      const ok = await undiciFetch(`http://intranet.example:${port}/`, { dispatcher: agent });
      expect(await ok.text()).toBe('hej från intranätet');
      const refused = await undiciFetch(`http://metadata.rebind.example:${port}/`, {
        dispatcher: agent,
      }).catch((error: unknown) => error);
      expect(isForbiddenAddressFailure(refused)).toBe(true);
      expect(calls).toEqual(['intranet.example', 'metadata.rebind.example']);
    } finally {
      await agent.close();
    }
  });

  it('is a drop-in fetch for addresses a user chose', async () => {
    const response = await outboundFetch(`http://127.0.0.1:${port}/`, { method: 'GET' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('hej från intranätet');
    expect(
      isForbiddenAddressFailure(new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') })),
    ).toBe(false);
  });
});
