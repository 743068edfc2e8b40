import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sleep } from './crawl-site.js';
import {
  crawlSite,
  isCrawlFailure,
  POLETT_USER_AGENT,
  type CrawlOptions,
  type CrawlResult,
} from './index.js';
import { hang, html, redirect, startTestSite, typed, type TestSite } from './testing/test-site.js';

let site: TestSite;

function page(title: string, body: string): string {
  return `<html><head><title>${title}</title></head><body><nav><a href="/">Hem</a><a href="/a">A</a></nav><main>${body}</main></body></html>`;
}

beforeAll(async () => {
  site = await startTestSite(
    {
      '/robots.txt': typed(
        'text/plain',
        'User-agent: *\nDisallow: /privat\n\nUser-agent: AnnanBot\nDisallow: /\n',
      ),
      '/': html(
        page(
          'Hem',
          '<h1>Välkommen</h1><p>Vi säljer möbler.</p>' +
            '<a href="/a">A</a> <a href="/a#kontakt">A igen</a> <a href="/a?utm_source=nyhetsbrev">A via brev</a>' +
            '<a href="/b">B</a> <a href="/privat/lista">Privat</a> <a href="/saknas">Trasig länk</a>' +
            '<a href="/seg">Långsam</a> <a href="/bild">Bild</a> <a href="/logo.png">Logo</a>' +
            '<a href="https://example.com/">Extern</a> <a href="mailto:info@example.se">Mejl</a>' +
            '<a href="/gammal-a">Gammal adress</a> <a href="/dold">Dold</a> <a href="/till-privat">Genväg</a>',
        ),
      ),
      '/a': html(page('A', '<h1>Om oss</h1><p>Vi finns i Växjö.</p><a href="/b">B</a><a href="/">Hem</a>')),
      '/b': html(page('B', '<h1>Kontakt</h1><p>Ring oss.</p><a href="/a">A</a><a href="/c">C</a>')),
      '/c': html(page('C', '<h1>Djupt</h1><p>Tre steg bort.</p><a href="/d">D</a>')),
      '/d': html(page('D', '<h1>Djupare</h1><p>Fyra steg bort.</p>')),
      '/gammal-a': redirect('/a'),
      '/till-privat': redirect('/privat/lista'),
      '/dold': html(
        '<html><head><meta name="robots" content="noindex"></head><body><p>Intern sida</p></body></html>',
      ),
      '/privat/lista': html(page('Privat', '<p>Hemligt</p>')),
      '/seg': hang,
      '/bild': typed('image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0])),
      '/sitemap.xml': typed(
        'application/xml',
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' +
          '<sitemap><loc>/sidor.xml</loc></sitemap><sitemap><loc>/sitemap.xml</loc></sitemap></sitemapindex>',
      ),
      '/sidor.xml': (request, response) => {
        const origin = `http://${request.headers.host}`;
        response.writeHead(200, { 'content-type': 'application/xml' });
        response.end(
          `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` +
            `<url><loc>${origin}/c</loc></url><url><loc>${origin}/d</loc></url>` +
            `<url><loc>${origin}/privat/lista</loc></url><url><loc>https://example.com/x</loc></url></urlset>`,
        );
      },
    },
    20,
  );
});

afterAll(() => site.close());

async function crawl(options: Partial<CrawlOptions>): Promise<CrawlResult[]> {
  const results: CrawlResult[] = [];
  for await (const result of crawlSite({ delayMs: 0, timeoutMs: 500, ...options })) results.push(result);
  return results;
}

function summary(results: CrawlResult[], origin: string): Record<string, string> {
  return Object.fromEntries(
    results.map((result) => [
      result.url.replace(origin, ''),
      isCrawlFailure(result) ? result.error.code : `${result.document.title} (${result.depth})`,
    ]),
  );
}

describe('crawlSite', () => {
  it('visits each page of the site once, obeys robots.txt and reports every failure per page', async () => {
    site.requests.length = 0;
    const results = await crawl({ startUrl: `${site.origin}/` });
    expect(summary(results, site.origin)).toEqual({
      '/': 'Hem (0)',
      '/a': 'A (1)',
      '/b': 'B (1)',
      '/c': 'C (2)',
      '/d': 'D (3)',
      '/privat/lista': 'robots_disallowed',
      '/saknas': 'page_not_found',
      '/seg': 'fetch_timeout',
      '/bild': 'unsupported_format',
      '/dold': 'page_noindex',
      '/till-privat': 'robots_disallowed',
    });
    // Loops end: every page fetched once (/a a second time only as the target of /gammal-a, which
    // is then recognised as /a and not reported again); the disallowed path, the image link and the
    // other host never requested.
    const pageRequests = site.requests.filter((path) => path !== '/robots.txt');
    expect(pageRequests.filter((path) => path === '/a')).toHaveLength(2);
    expect(pageRequests.filter((path) => path !== '/a').sort()).toEqual(
      [...new Set(pageRequests)].filter((path) => path !== '/a').sort(),
    );
    expect(pageRequests).toContain('/gammal-a');
    expect(pageRequests).not.toContain('/privat/lista');
    expect(pageRequests).not.toContain('/logo.png');
    expect(site.requests.filter((path) => path === '/robots.txt')).toHaveLength(1);
    expect([...site.userAgents]).toEqual([POLETT_USER_AGENT]);
    expect(site.peakConcurrency).toBeLessThanOrEqual(2);
    const failure = results.find((result) => result.url.endsWith('/seg'));
    expect(isCrawlFailure(failure!) && failure.error.messageIn('sv')).toContain('svarade inte inom');
  });

  it('stops at the depth and page limits, and keeps to one request at a time when told', async () => {
    await vi.waitFor(() => expect(site.openRequests()).toBe(0));
    site.peakConcurrency = 0;
    const shallow = await crawl({ startUrl: `${site.origin}/b`, maxDepth: 1, concurrency: 1 });
    expect(Object.keys(summary(shallow, site.origin)).sort()).toEqual(['/', '/a', '/b', '/c']);
    expect(site.peakConcurrency).toBe(1);
    const limited = await crawl({ startUrl: `${site.origin}/`, maxPages: 3 });
    expect(
      limited.filter((result) => !isCrawlFailure(result) || result.error.code !== 'robots_disallowed'),
    ).toHaveLength(3);
  });

  it('reads the pages of a sitemap index, on the site and allowed, without following the index into a loop', async () => {
    const results = await crawl({ sitemapUrl: `${site.origin}/sitemap.xml`, maxDepth: 0 });
    expect(summary(results, site.origin)).toEqual({
      '/c': 'C (0)',
      '/d': 'D (0)',
      '/privat/lista': 'robots_disallowed',
    });
  });

  it('waits the delay between requests', async () => {
    const startedAt = Date.now();
    await crawl({ startUrl: `${site.origin}/c`, delayMs: 150, maxPages: 2 });
    // Two pages: the second starts at least one delay after the first (a lower bound only).
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(150);
  });

  it('stops when the caller stops iterating or aborts', async () => {
    site.requests.length = 0;
    for await (const result of crawlSite({ startUrl: `${site.origin}/`, delayMs: 0 })) {
      expect(result.url).toBe(`${site.origin}/`);
      break;
    }
    const controller = new AbortController();
    const results: CrawlResult[] = [];
    for await (const result of crawlSite({
      startUrl: `${site.origin}/`,
      delayMs: 0,
      signal: controller.signal,
    })) {
      results.push(result);
      controller.abort();
    }
    expect(results).toHaveLength(1);
  });

  it('leaves no abort listener behind for each pause between requests', async () => {
    const controller = new AbortController();
    for (let index = 0; index < 20; index += 1) await sleep(1, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('refuses a start that is not a web address before fetching anything', async () => {
    await expect(crawl({ startUrl: 'ftp://example.se/' })).rejects.toMatchObject({ code: 'invalid_url' });
  });
});
