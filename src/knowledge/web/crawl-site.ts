/**
 * Crawls one site from a start page or a sitemap, politely: same host only, robots.txt obeyed
 * (including its Crawl-delay), a few requests at a time with a pause between them, depth and page
 * limits, and each page once however it is linked (fragments and tracking parameters stripped,
 * canonical URLs and redirect targets remembered), so loops end. Every page is reported as it is
 * done, with its document or its own error; one page failing never stops the crawl.
 */
import { PolettError } from '../../errors.js';
import { extensionOf, type ParsedDocument, type ParseOptions } from '../parsing/index.js';
import {
  invalidUrl,
  pageNoindex,
  redirectOffSite,
  robotsDisallowed,
  robotsUnreachable,
} from './fetch-errors.js';
import { fetchPage, type FetchOptions } from './fetch-page.js';
import { normaliseUrl, siteHost } from './normalise-url.js';
import { fetchRobotsRules, type RobotsRules } from './robots.js';
import { readSitemaps } from './sitemap.js';

export interface CrawlOptions {
  /** The page to start from; its host is the site. */
  startUrl?: string;
  /** A sitemap (or sitemap index) whose pages to read; with `startUrl`, both seed the crawl. */
  sitemapUrl?: string;
  /** Most pages fetched; 100 by default. */
  maxPages?: number;
  /** Links followed from a start page (0: only the seeds); 3 by default. */
  maxDepth?: number;
  /** Requests at a time; 2 by default, to be polite to a small company's server. */
  concurrency?: number;
  /** Milliseconds between the starts of two requests; 500 by default, more if robots.txt asks. */
  delayMs?: number;
  /** Whether PDF, DOCX, XLSX and CSV files linked from the site are read too; false by default. */
  acceptDocuments?: boolean;
  timeoutMs?: number;
  maxBytes?: number;
  userAgent?: string;
  /** Stops the crawl: requests in flight are aborted and the iteration ends. */
  signal?: AbortSignal;
  fetch?: typeof fetch;
  parseOptions?: ParseOptions;
}

interface CrawlResultBase {
  /** The page's URL, normalised. */
  url: string;
  /** Links followed from a seed to reach it (seeds are 0). */
  depth: number;
}

export interface CrawledPage extends CrawlResultBase {
  document: ParsedDocument;
  /** The URL that answered, after redirects. */
  finalUrl: string;
  contentType: string;
}

export interface CrawlFailure extends CrawlResultBase {
  error: PolettError;
}

export type CrawlResult = CrawledPage | CrawlFailure;

export function isCrawlFailure(result: CrawlResult): result is CrawlFailure {
  return 'error' in result;
}

/** Longest pause robots.txt may impose; longer asks would make a crawl of a hundred pages take hours. */
const MAX_CRAWL_DELAY_MS = 10_000;

/** Links to these are not pages; they are not fetched at all. */
const NOT_PAGES = new Set([
  '.jpg',
  '.jpeg',
  '.png',
  '.gif',
  '.webp',
  '.svg',
  '.ico',
  '.bmp',
  '.tif',
  '.tiff',
  '.avif',
  '.css',
  '.js',
  '.mjs',
  '.json',
  '.xml',
  '.rss',
  '.atom',
  '.woff',
  '.woff2',
  '.ttf',
  '.eot',
  '.zip',
  '.gz',
  '.tar',
  '.rar',
  '.7z',
  '.exe',
  '.dmg',
  '.msi',
  '.apk',
  '.iso',
  '.mp3',
  '.mp4',
  '.m4a',
  '.wav',
  '.ogg',
  '.webm',
  '.mov',
  '.avi',
  '.mkv',
  '.doc',
  '.xls',
  '.ppt',
  '.pptx',
  '.odt',
  '.ods',
  '.odp',
  '.rtf',
  '.ics',
  '.vcf',
]);
const DOCUMENT_EXTENSIONS = new Set(['.pdf', '.docx', '.xlsx', '.csv', '.xlsm', '.docm', '.tsv']);

function isPageLink(url: string, acceptDocuments: boolean): boolean {
  const extension = extensionOf(url);
  if (!extension) return true;
  if (NOT_PAGES.has(extension)) return false;
  if (DOCUMENT_EXTENSIONS.has(extension)) return acceptDocuments;
  return true;
}

interface QueuedPage {
  url: string;
  depth: number;
}

/**
 * Crawls a site and yields each page as it is done: `{ url, depth, document, finalUrl,
 * contentType }`, or `{ url, depth, error }` with a PolettError (`page_not_found`,
 * `fetch_timeout`, `robots_disallowed`, `unsupported_format`, `page_noindex`, …). A seed that is
 * not an http(s) URL throws `invalid_url` before anything is fetched. Breaking out of the loop
 * aborts the requests still in flight.
 */
export async function* crawlSite(options: CrawlOptions): AsyncGenerator<CrawlResult, void, undefined> {
  const settings = {
    maxPages: 100,
    maxDepth: 3,
    concurrency: 2,
    delayMs: 500,
    acceptDocuments: false,
    ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
  } as CrawlOptions & {
    maxPages: number;
    maxDepth: number;
    concurrency: number;
    delayMs: number;
    acceptDocuments: boolean;
  };
  const siteUrl = options.startUrl ?? options.sitemapUrl;
  if (!siteUrl) throw invalidUrl('');
  const start = options.startUrl === undefined ? undefined : normaliseUrl(options.startUrl);
  const sitemap = options.sitemapUrl === undefined ? undefined : normaliseUrl(options.sitemapUrl);
  if ((options.startUrl !== undefined && !start) || (options.sitemapUrl !== undefined && !sitemap)) {
    throw invalidUrl(
      options.startUrl !== undefined && !start ? options.startUrl : (options.sitemapUrl ?? ''),
    );
  }

  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([stop.signal, options.signal]) : stop.signal;
  const site = siteHost((start ?? sitemap)!);
  const onSite = (url: string): boolean => {
    try {
      return siteHost(url) === site;
    } catch {
      return false;
    }
  };
  /** robots.txt rules already read, by origin, for checking redirects on the way. */
  const knownRobots = new Map<string, RobotsRules>();
  const fetchOptions: FetchOptions = {
    signal,
    checkRedirect: (target, url) => {
      if (!onSite(target)) return redirectOffSite(url, target);
      const rules = knownRobots.get(new URL(target).origin);
      return rules && !rules.isAllowed(target) ? robotsDisallowed(target) : undefined;
    },
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  };

  // Robots rules per origin (http and https, www and not, can differ).
  const robotsByOrigin = new Map<string, Promise<RobotsRules>>();
  const robotsFor = (url: string): Promise<RobotsRules> => {
    const origin = new URL(url).origin;
    let rules = robotsByOrigin.get(origin);
    if (!rules) {
      rules = fetchRobotsRules(url, fetchOptions).then((read) => {
        knownRobots.set(origin, read);
        return read;
      });
      robotsByOrigin.set(origin, rules);
    }
    return rules;
  };

  /** Every URL queued or seen as a redirect target or canonical URL: each page once. */
  const seen = new Set<string>();
  const queue: QueuedPage[] = [];
  const enqueue = (url: string, depth: number): void => {
    if (seen.has(url) || !onSite(url) || !isPageLink(url, settings.acceptDocuments)) return;
    seen.add(url);
    queue.push({ url, depth });
  };

  try {
    if (sitemap) {
      const result = await readSitemaps(sitemap, {
        ...fetchOptions,
        accept: onSite,
        maxUrls: settings.maxPages * 4,
      });
      for (const failure of result.errors) yield { url: failure.url, depth: 0, error: failure.error };
      for (const url of result.urls) enqueue(url, 0);
    }
    if (start) enqueue(start, 0);

    let fetched = 0;
    let skipped = 0;
    let nextStartAt = 0;
    /** Waits its turn so that request starts are at least the delay apart, across all workers. */
    const waitForTurn = async (rules: RobotsRules): Promise<void> => {
      const delay = Math.max(
        settings.delayMs,
        Math.min(MAX_CRAWL_DELAY_MS, (rules.crawlDelaySeconds ?? 0) * 1000),
      );
      const now = Date.now();
      const startAt = Math.max(now, nextStartAt);
      nextStartAt = startAt + delay;
      if (startAt > now) await sleep(startAt - now, signal);
    };

    /** Pages fetched, by every address they answered to: a page reached again by another address is skipped. */
    const fetchedUrls = new Set<string>();
    /** A page's result and links; no result for a duplicate or when the crawl was stopped. */
    const visit = async (item: QueuedPage): Promise<{ result?: CrawlResult; links: string[] }> => {
      try {
        const rules = await robotsFor(item.url);
        if (rules.unreachable) {
          return {
            result: { ...item, error: robotsUnreachable(item.url, rules.unreachable.status) },
            links: [],
          };
        }
        await waitForTurn(rules);
        const page = await fetchPage(item.url, {
          ...fetchOptions,
          acceptDocuments: settings.acceptDocuments,
          ...(options.parseOptions ? { parseOptions: options.parseOptions } : {}),
        });
        const links = page.page && !page.page.nofollow ? page.page.links : [];
        for (const alias of [page.finalUrl, page.page?.canonicalUrl]) {
          const normalised = alias === undefined ? undefined : normaliseUrl(alias);
          if (normalised && normalised !== item.url && onSite(normalised)) {
            // Another address of a page already fetched: this page is a duplicate.
            if (fetchedUrls.has(normalised)) return { links: [] };
            seen.add(normalised);
            fetchedUrls.add(normalised);
          }
        }
        fetchedUrls.add(item.url);
        if (page.page?.noindex) return { result: { ...item, error: pageNoindex(item.url) }, links };
        return {
          result: {
            ...item,
            document: page.document,
            finalUrl: page.finalUrl,
            contentType: page.contentType,
          },
          links,
        };
      } catch (error) {
        if (signal.aborted) return { links: [] };
        if (error instanceof PolettError) return { result: { ...item, error }, links: [] };
        throw error;
      }
    };

    const inFlight = new Map<number, Promise<{ id: number; result?: CrawlResult; links: string[] }>>();
    let nextId = 0;
    while (!signal.aborted) {
      while (inFlight.size < settings.concurrency && queue.length > 0 && fetched < settings.maxPages) {
        const item = queue.shift()!;
        const rules = await robotsFor(item.url).catch((error: unknown) => {
          if (signal.aborted) return undefined;
          throw error;
        });
        if (!rules) break;
        if (!rules.unreachable && !rules.isAllowed(item.url)) {
          // Reported, but not counted against the page limit; capped so a disallowed section can't flood.
          if (skipped < settings.maxPages) yield { ...item, error: robotsDisallowed(item.url) };
          skipped += 1;
          continue;
        }
        fetched += 1;
        const id = nextId++;
        inFlight.set(
          id,
          visit(item).then((done) => ({ id, ...done })),
        );
      }
      if (inFlight.size === 0) break;
      const done = await Promise.race(inFlight.values());
      inFlight.delete(done.id);
      if (!done.result || signal.aborted) continue;
      if (done.result.depth < settings.maxDepth) {
        for (const link of done.links) {
          const normalised = normaliseUrl(link);
          if (normalised) enqueue(normalised, done.result.depth + 1);
        }
      }
      yield done.result;
    }
  } finally {
    stop.abort();
  }
}

/** Waits, or less when `signal` aborts; leaves no listener behind (a crawl sleeps once a page). */
export function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', stop);
      resolve();
    }, milliseconds);
    signal.addEventListener('abort', stop, { once: true });
  });
}
