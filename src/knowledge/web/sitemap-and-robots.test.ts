import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { crawlSite, isCrawlFailure, parseSitemap, type CrawlResult } from './index.js';
import { html, startTestSite, typed, type TestSite } from './testing/test-site.js';

const sites: TestSite[] = [];
afterAll(() => Promise.all(sites.map((site) => site.close())));

async function crawlAll(startUrl: string): Promise<CrawlResult[]> {
  const results: CrawlResult[] = [];
  for await (const result of crawlSite({ startUrl, delayMs: 0, timeoutMs: 1000 })) results.push(result);
  return results;
}

describe('parseSitemap', () => {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' +
    '<url><loc> https://example.se/om-oss#team </loc><lastmod>2026-01-01</lastmod></url>' +
    '<url><loc>https://example.se/k%C3%B6p?utm_source=x</loc></url><url><loc>mailto:a@b.se</loc></url></urlset>';

  it('reads page URLs, normalised, from plain and gzipped sitemaps', () => {
    const expected = { pages: ['https://example.se/om-oss', 'https://example.se/k%C3%B6p'], sitemaps: [] };
    expect(parseSitemap(new TextEncoder().encode(xml), 'https://example.se/sitemap.xml')).toEqual(expected);
    expect(parseSitemap(gzipSync(xml), 'https://example.se/sitemap.xml.gz')).toEqual(expected);
  });

  it('does not expand nested entities (billion laughs)', () => {
    const levels = Array.from(
      { length: 9 },
      (_, level) => `<!ENTITY lol${level + 1} "${`&lol${level || ''};`.repeat(10)}">`,
    ).join('');
    const xml = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${levels}]><urlset><url><loc>https://example.se/&lol9;</loc></url></urlset>`;
    const { pages } = parseSitemap(new TextEncoder().encode(xml), 'https://example.se/sitemap.xml');
    expect(pages.join('').length).toBeLessThan(1000);
  });

  it('says clearly when the file is no sitemap', () => {
    expect(() =>
      parseSitemap(new TextEncoder().encode('<html><body>Hej</body></html>'), 'https://example.se/s.xml'),
    ).toThrow(expect.objectContaining({ code: 'invalid_sitemap' }));
  });
});

describe('robots.txt', () => {
  it('fetches nothing but robots.txt when it cannot be read (5xx), and says so per page', async () => {
    const site = await startTestSite({
      '/robots.txt': typed('text/plain', 'fel', 503),
      '/': html('<p>Startsidan med text.</p>'),
    });
    sites.push(site);
    const results = await crawlAll(`${site.origin}/`);
    expect(results).toHaveLength(1);
    expect(isCrawlFailure(results[0]!) && results[0].error.code).toBe('robots_unreachable');
    expect(site.requests).toEqual(['/robots.txt']);
  });

  it('allows everything when there is no robots.txt (404), and obeys rules for Polett by name', async () => {
    const open = await startTestSite({ '/': html('<p>Startsidan med text.</p>') });
    const named = await startTestSite({
      '/robots.txt': typed('text/plain', 'User-agent: *\nAllow: /\n\nUser-agent: Polett\nDisallow: /\n'),
      '/': html('<p>Startsidan med text.</p>'),
    });
    sites.push(open, named);
    const [openResult] = await crawlAll(`${open.origin}/`);
    expect(openResult && !isCrawlFailure(openResult)).toBe(true);
    const [namedResult] = await crawlAll(`${named.origin}/`);
    expect(namedResult && isCrawlFailure(namedResult) && namedResult.error.code).toBe('robots_disallowed');
  });
});
