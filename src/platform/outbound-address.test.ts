import { describe, expect, it } from 'vitest';
import { deliverWebhook } from './webhooks.js';
import { isForbiddenOutboundUrl, resolvesToForbiddenAddress } from './outbound-address.js';

describe('outbound addresses', () => {
  it('refuses the cloud metadata services however they are written, and allows the company’s own networks', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://[::ffff:169.254.169.254]/',
      'http://[fd00:ec2::254]/',
      'http://[fe80::1]/',
      'http://metadata.google.internal/computeMetadata/v1/',
    ])
      expect(isForbiddenOutboundUrl(url), url).toBe(true);
    // Decimal and hex spellings are normalised by the URL parser first.
    expect(isForbiddenOutboundUrl('http://2852039166/')).toBe(true);
    expect(isForbiddenOutboundUrl('http://0xa9fea9fe/')).toBe(true);
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'http://10.0.0.5/',
      'http://intranet.lindqvist.local/',
      'https://example.se/',
    ])
      expect(isForbiddenOutboundUrl(url), url).toBe(false);
    expect(await resolvesToForbiddenAddress('http://localhost:1/')).toBe(false);
  });

  it('does not deliver a webhook to the metadata service, and does not retry it', async () => {
    let called = false;
    await expect(
      deliverWebhook({
        url: 'http://169.254.169.254/hook',
        secret: 's',
        eventId: 'e',
        body: '{}',
        fetch: () => {
          called = true;
          return Promise.resolve(new Response(null, { status: 204 }));
        },
      }),
    ).rejects.toMatchObject({ code: 'webhook_failed', status: 400, isRetryable: false });
    expect(called).toBe(false);
  });
});

describe('where outbound addresses are checked', () => {
  it('refuses to read a page at the metadata service, before any request', async () => {
    const { fetchBytes } = await import('../knowledge/web/fetch-page.js');
    let called = false;
    await expect(
      fetchBytes('http://169.254.169.254/latest/meta-data/iam/', {
        fetch: () => {
          called = true;
          return Promise.resolve(new Response('secret'));
        },
      }),
    ).rejects.toMatchObject({ code: 'forbidden_address' });
    expect(called).toBe(false);
  });

  it('refuses a redirect from a public page to the metadata service', async () => {
    const { fetchBytes } = await import('../knowledge/web/fetch-page.js');
    const asked: string[] = [];
    await expect(
      fetchBytes('http://127.0.0.1:9/start', {
        fetch: (input) => {
          asked.push(String(input));
          return Promise.resolve(
            new Response(null, { status: 302, headers: { location: 'http://169.254.169.254/latest/' } }),
          );
        },
      }),
    ).rejects.toMatchObject({ code: 'forbidden_address' });
    expect(asked).toEqual(['http://127.0.0.1:9/start']);
  });
});
