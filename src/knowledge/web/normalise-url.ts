/**
 * One spelling per page, so that a crawl visits each page once and loops end: fragments, default
 * ports, credentials and tracking parameters go; the host is lower-cased (by the URL parser).
 */

const TRACKING_PARAMETERS = /^(utm_[a-z]+|fbclid|gclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi)$/i;

/** The canonical form of an http(s) URL, or undefined for anything else (mailto:, javascript:, broken). */
export function normaliseUrl(raw: string, base?: string): string | undefined {
  let url: URL;
  try {
    url = base === undefined ? new URL(raw) : new URL(raw, base);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.hash = '';
  url.username = '';
  url.password = '';
  for (const name of [...url.searchParams.keys()]) {
    if (TRACKING_PARAMETERS.test(name)) url.searchParams.delete(name);
  }
  // An empty query ("/om?") reads as "" in `search` but stays in `href`.
  return url.href.endsWith('?') ? url.href.slice(0, -1) : url.href;
}

/** The host without a leading "www.", so that example.se and www.example.se count as one site. */
export function siteHost(url: string): string {
  return new URL(url).hostname.replace(/^www\./, '');
}
