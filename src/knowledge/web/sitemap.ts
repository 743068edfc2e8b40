/**
 * XML sitemaps (sitemaps.org), plain or gzipped, including sitemap indexes that list other
 * sitemaps, read with fast-xml-parser. Nested indexes are followed to a fixed depth and a fixed
 * number of sitemaps, so that a sitemap that lists itself cannot loop.
 */
import { gunzipSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import { PolettError } from '../../errors.js';
import { fetchBytes, type FetchOptions } from './fetch-page.js';
import { normaliseUrl } from './normalise-url.js';

const MAX_SITEMAPS = 50;
const MAX_INDEX_DEPTH = 3;
/** The protocol's own limits: 50,000 URLs and 50 MB uncompressed per sitemap. */
const MAX_SITEMAP_BYTES = 50 * 1024 * 1024;

export interface SitemapResult {
  /** Page URLs, normalised, without repeats, in the order the sitemaps list them. */
  urls: string[];
  /** Sitemaps that failed, each with its error; the others are still read. */
  errors: { url: string; error: PolettError }[];
}

interface SitemapXml {
  urlset?: { url?: { loc?: unknown }[] };
  sitemapindex?: { sitemap?: { loc?: unknown }[] };
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  isArray: (name) => name === 'url' || name === 'sitemap',
  // The XML five (&amp; in query strings) are decoded; fast-xml-parser does not expand entities
  // built from other entities, so a "billion laughs" sitemap stays small (see the test).
  processEntities: true,
  htmlEntities: false,
});

function invalidSitemap(url: string, cause?: unknown): PolettError {
  return new PolettError({
    code: 'invalid_sitemap',
    status: 422,
    retryable: false,
    message: {
      sv: `${url} är ingen giltig XML-webbplatskarta; kontrollera adressen eller ange webbplatsens startsida i stället.`,
      en: `${url} is not a valid XML sitemap; check the address or give the site's start page instead.`,
    },
    cause,
  });
}

/** Parses sitemap XML (or gzipped XML) into page URLs and nested sitemap URLs. */
export function parseSitemap(bytes: Uint8Array, url: string): { pages: string[]; sitemaps: string[] } {
  let xml: string;
  try {
    const raw =
      bytes[0] === 0x1f && bytes[1] === 0x8b
        ? gunzipSync(bytes, { maxOutputLength: MAX_SITEMAP_BYTES })
        : bytes;
    xml = new TextDecoder().decode(raw);
  } catch (error) {
    throw invalidSitemap(url, error);
  }
  let parsed: SitemapXml;
  try {
    parsed = parser.parse(xml) as SitemapXml;
  } catch (error) {
    throw invalidSitemap(url, error);
  }
  const locations = (entries: { loc?: unknown }[] | undefined): string[] =>
    (entries ?? [])
      .map((entry) => (typeof entry.loc === 'string' ? normaliseUrl(entry.loc.trim(), url) : undefined))
      .filter((loc): loc is string => loc !== undefined);
  if (!parsed.urlset && !parsed.sitemapindex) throw invalidSitemap(url);
  return { pages: locations(parsed.urlset?.url), sitemaps: locations(parsed.sitemapindex?.sitemap) };
}

/**
 * Reads a sitemap and every sitemap an index lists (depth and count limited). `accept` filters the
 * page URLs (the crawl's site); failed sitemaps are listed in `errors`.
 */
export async function readSitemaps(
  sitemapUrl: string,
  options: FetchOptions & { accept?: (url: string) => boolean; maxUrls?: number } = {},
): Promise<SitemapResult> {
  const { accept = () => true, maxUrls = 50_000, ...fetchOptions } = options;
  const urls = new Set<string>();
  const errors: SitemapResult['errors'] = [];
  const visited = new Set<string>();
  const queue: { url: string; depth: number }[] = [{ url: sitemapUrl, depth: 0 }];
  while (queue.length > 0 && visited.size < MAX_SITEMAPS && urls.size < maxUrls) {
    const { url, depth } = queue.shift()!;
    if (visited.has(url)) continue;
    visited.add(url);
    try {
      const fetched = await fetchBytes(url, { ...fetchOptions, maxBytes: MAX_SITEMAP_BYTES });
      const { pages, sitemaps } = parseSitemap(fetched.bytes, fetched.finalUrl);
      for (const page of pages) {
        if (urls.size >= maxUrls) break;
        if (accept(page)) urls.add(page);
      }
      if (depth < MAX_INDEX_DEPTH) {
        for (const nested of sitemaps) if (accept(nested)) queue.push({ url: nested, depth: depth + 1 });
      }
    } catch (error) {
      if (!(error instanceof PolettError)) throw error;
      errors.push({ url, error });
    }
  }
  return { urls: [...urls], errors };
}
