/**
 * robots.txt, read once per origin and matched with robots-parser (RFC 9309, wildcards). As the RFC
 * says: a missing robots.txt (4xx) allows everything; one that cannot be read (5xx, timeout,
 * network) disallows everything until it can.
 */
import robotsParserModule from 'robots-parser';
import { PolettError } from '../../errors.js';
import { upstreamStatus } from './fetch-errors.js';
import { fetchBytes, POLETT_ROBOTS_AGENT, type FetchOptions } from './fetch-page.js';

/**
 * robots-parser is CommonJS (`module.exports = function`) but its types declare an ES default
 * export, which NodeNext then reads as `{ default }`: at run time the import is the function.
 */
const robotsParser = robotsParserModule as unknown as typeof robotsParserModule.default;

/** robots.txt files are small; Google reads the first 500 KiB. */
const MAX_ROBOTS_BYTES = 500 * 1024;

export interface RobotsRules {
  /** Whether the URL (of this origin) may be fetched. */
  isAllowed(url: string): boolean;
  /** Seconds to wait between requests, when robots.txt asks for it. */
  crawlDelaySeconds?: number;
  /** Sitemaps robots.txt points to. */
  sitemaps: string[];
  /** Set when robots.txt could not be read (the HTTP status, when there was one). */
  unreachable?: { status?: number };
}

/** Fetches and parses the robots.txt of a URL's origin. Never throws except for an abort. */
export async function fetchRobotsRules(pageUrl: string, options: FetchOptions = {}): Promise<RobotsRules> {
  const robotsUrl = new URL('/robots.txt', pageUrl).href;
  try {
    const fetched = await fetchBytes(robotsUrl, { ...options, maxBytes: MAX_ROBOTS_BYTES });
    const robots = robotsParser(robotsUrl, new TextDecoder().decode(fetched.bytes));
    const delay = robots.getCrawlDelay(POLETT_ROBOTS_AGENT);
    const rules: RobotsRules = {
      isAllowed: (url) => robots.isAllowed(url, POLETT_ROBOTS_AGENT) !== false,
      sitemaps: robots.getSitemaps(),
    };
    if (delay !== undefined && Number.isFinite(delay) && delay > 0) rules.crawlDelaySeconds = delay;
    return rules;
  } catch (error) {
    if (!(error instanceof PolettError)) throw error;
    const httpStatus = upstreamStatus(error);
    if (httpStatus !== undefined && httpStatus >= 400 && httpStatus < 500) {
      return { isAllowed: () => true, sitemaps: [] };
    }
    if (error.code === 'file_too_large') return { isAllowed: () => true, sitemaps: [] };
    return {
      isAllowed: () => false,
      sitemaps: [],
      unreachable: httpStatus === undefined ? {} : { status: httpStatus },
    };
  }
}
