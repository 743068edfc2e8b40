/**
 * Knowledge's web sources: one page (`fetchPage`) or a whole site (`crawlSite`), fetched politely and
 * parsed into the same `ParsedDocument` as files. Every failure is a PolettError with one sentence
 * in Swedish and English; a crawl reports failures per page and carries on.
 */
export {
  crawlSite,
  isCrawlFailure,
  type CrawledPage,
  type CrawlFailure,
  type CrawlOptions,
  type CrawlResult,
} from './crawl-site.js';
export {
  DEFAULT_FETCH_TIMEOUT_MS,
  DEFAULT_MAX_PAGE_BYTES,
  DEFAULT_MAX_REDIRECTS,
  fetchBytes,
  fetchPage,
  isAcceptedContentType,
  POLETT_ROBOTS_AGENT,
  POLETT_USER_AGENT,
  type FetchedBytes,
  type FetchedPage,
  type FetchOptions,
  type FetchPageOptions,
} from './fetch-page.js';
export { upstreamStatus } from './fetch-errors.js';
export { normaliseUrl, siteHost } from './normalise-url.js';
export { fetchRobotsRules, type RobotsRules } from './robots.js';
export { parseSitemap, readSitemaps, type SitemapResult } from './sitemap.js';
