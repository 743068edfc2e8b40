import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolettError } from '../../errors.js';
import { buildPdf } from '../parsing/testing/document-fixtures.js';
import { fetchPage, normaliseUrl, POLETT_USER_AGENT, type FetchPageOptions } from './index.js';
import {
  hang,
  hangMidBody,
  html,
  redirect,
  startTestSite,
  typed,
  type TestSite,
} from './testing/test-site.js';

let site: TestSite;
let pdf: Uint8Array;

beforeAll(async () => {
  pdf = await buildPdf({
    title: 'Broschyr',
    pages: [{ heading: 'Våra tjänster', paragraphs: ['Vi städar kontor i Malmö.'] }],
  });
  site = await startTestSite({
    '/': html(
      '<html><head><title>Start</title><link rel="canonical" href="/?utm_source=x"><meta name="robots" content="nofollow"></head>' +
        '<body><h1 id="valkommen">Välkommen</h1><p>Vi säljer möbler i Växjö.</p><a href="/om#team">Om oss</a><a href="mailto:a@b.se">Mejla</a><a rel="nofollow" href="/logga-in">Logga in</a></body></html>',
    ),
    '/latin1': (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=iso-8859-1' });
      response.end(Buffer.from('<p>Öppet på lördagar för alla kunder.</p>', 'latin1'));
    },
    '/flyttad': redirect('/'),
    '/loop-a': redirect('/loop-b'),
    '/loop-b': redirect('/loop-a'),
    '/bort': redirect('https://example.com/'),
    '/seg': hang,
    '/halv': hangMidBody,
    '/stor': typed('text/html', `<p>${'å'.repeat(200_000)}</p>`),
    '/bild': typed('image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47])),
    '/broschyr': (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/pdf' });
      response.end(Buffer.from(pdf));
    },
    '/fel': html('<p>Serverfel</p>', 503),
  });
});

afterAll(() => site.close());

async function fetchError(path: string, options: FetchPageOptions = {}): Promise<PolettError> {
  const error = await fetchPage(site.origin + path, { timeoutMs: 2000, ...options }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PolettError);
  const polettError = error as PolettError;
  expect(polettError.messageIn('sv')).not.toBe(polettError.messageIn('en'));
  return polettError;
}

describe('fetchPage', () => {
  it('fetches and parses a page, with its links, canonical URL and robots hints, as Polett', async () => {
    const page = await fetchPage(`${site.origin}/flyttad`);
    expect(page.finalUrl).toBe(`${site.origin}/`);
    expect(page.document).toMatchObject({ title: 'Start', format: 'html' });
    expect(page.document.blocks[1]).toEqual({
      kind: 'paragraph',
      text: 'Vi säljer möbler i Växjö.',
      location: { url: `${site.origin}/#valkommen` },
    });
    expect(page.page).toEqual({
      links: [`${site.origin}/om#team`],
      canonicalUrl: `${site.origin}/?utm_source=x`,
      noindex: false,
      nofollow: true,
    });
    expect(site.userAgents).toContain(POLETT_USER_AGENT);
  });

  it('reads a Latin-1 page with å, ä and ö intact', async () => {
    const page = await fetchPage(`${site.origin}/latin1`);
    expect(page.document.blocks[0]?.text).toBe('Öppet på lördagar för alla kunder.');
  });

  it('reads a linked PDF as a document', async () => {
    const page = await fetchPage(`${site.origin}/broschyr`);
    expect(page.document).toMatchObject({ title: 'Broschyr', format: 'pdf' });
    expect(page.document.blocks[1]?.location).toEqual({ page: 1 });
  });

  it('gives up on a server that never answers, and on a body that never ends', async () => {
    const silent = await fetchError('/seg', { timeoutMs: 300 });
    expect(silent.code).toBe('fetch_timeout');
    expect(silent.messageIn('sv')).toContain('svarade inte inom 0.3 sekunder');
    expect((await fetchError('/halv', { timeoutMs: 300 })).code).toBe('fetch_timeout');
  });

  it('reports 404, 5xx, redirect loops, off-site redirects, wrong types and oversized bodies', async () => {
    expect((await fetchError('/saknas')).code).toBe('page_not_found');
    const unavailable = await fetchError('/fel');
    expect(unavailable).toMatchObject({ code: 'http_error', isRetryable: true });
    expect((await fetchError('/loop-a')).code).toBe('too_many_redirects');
    const refusal = new PolettError({ code: 'redirect_refused', message: { sv: 'Nej.', en: 'No.' } });
    const refused = await fetchError('/bort', {
      checkRedirect: (target) => (target.startsWith(site.origin) ? undefined : refusal),
    });
    expect(refused).toBe(refusal);
    expect((await fetchError('/bild')).code).toBe('unsupported_format');
    expect((await fetchError('/broschyr', { acceptDocuments: false })).code).toBe('unsupported_format');
    expect((await fetchError('/stor', { maxBytes: 100_000 })).code).toBe('file_too_large');
  });

  it('says "link-local address" when the name turned into one between the check and the connection', async () => {
    const { createOutboundAgent } = await import('../../platform/outbound-fetch.js');
    const { fetch: undiciFetch } = await import('undici');
    // DNS rebinding: the check before the request saw the site's own address, the connection's
    // lookup gets the metadata service's.
    const rebound = createOutboundAgent((_hostname, _options, callback) =>
      callback(null, [{ address: '169.254.169.254', family: 4 }]),
    );
    try {
      const byName = site.origin.replace('127.0.0.1', 'localhost');
      const error = await fetchPage(`${byName}/`, {
        fetch: ((input: string, init: RequestInit) =>
          undiciFetch(input, { ...(init as object), dispatcher: rebound })) as unknown as typeof fetch,
      }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'forbidden_address' });
    } finally {
      await rebound.close();
    }
  });

  it('refuses what is not an http(s) URL', async () => {
    await expect(fetchPage('file:///etc/passwd')).rejects.toMatchObject({ code: 'invalid_url' });
    await expect(fetchPage('inte en adress')).rejects.toMatchObject({ code: 'invalid_url' });
  });
});

describe('normaliseUrl', () => {
  it('gives one spelling per page', () => {
    expect(normaliseUrl('HTTP://Example.SE:80/a/../b?utm_source=x&id=2#frakt')).toBe(
      'http://example.se/b?id=2',
    );
    expect(normaliseUrl('/om?', 'https://example.se/start')).toBe('https://example.se/om');
    expect(normaliseUrl('javascript:alert(1)')).toBeUndefined();
    expect(normaliseUrl('mailto:a@b.se')).toBeUndefined();
  });
});
