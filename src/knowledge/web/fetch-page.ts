/**
 * Fetches one web page (or a document linked from one) and parses it. Node's fetch (undici) does
 * the HTTP; this adds what a well-behaved fetcher of other people's sites needs: one deadline for
 * the whole request including the body, a size cap enforced while reading, redirects followed by
 * hand (counted, and checked against the crawl's site), a Content-Type check before parsing, and a
 * User-Agent that says who is asking.
 */
import { PolettError } from '../../errors.js';
import {
  formatOfContentType,
  parseDocumentWithPageInfo,
  type HtmlPageInfo,
  type ParsedDocument,
  type ParseOptions,
} from '../parsing/index.js';
import {
  fetchFailed,
  fetchTimeout,
  httpError,
  invalidUrl,
  pageTooLarge,
  tooManyRedirects,
  unsupportedContentType,
  forbiddenAddress,
} from './fetch-errors.js';
import { resolvesToForbiddenAddress } from '../../platform/outbound-address.js';
import { isForbiddenAddressFailure, outboundFetch } from '../../platform/outbound-fetch.js';

/** The product token robots.txt rules are matched against. */
export const POLETT_ROBOTS_AGENT = 'Polett';

/** Says who is fetching, in the form site owners' logs and robots.txt matchers expect. */
export const POLETT_USER_AGENT = 'Mozilla/5.0 (compatible; Polett/0.1; self-hosted knowledge base crawler)';

export const DEFAULT_FETCH_TIMEOUT_MS = 15_000;
/** Web pages are small; a larger body is most likely not a page. Documents get the file limit. */
export const DEFAULT_MAX_PAGE_BYTES = 20 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 5;

export interface FetchOptions {
  /** Deadline for the whole request, body included; `DEFAULT_FETCH_TIMEOUT_MS` when absent. */
  timeoutMs?: number;
  /** Largest body accepted; `DEFAULT_MAX_PAGE_BYTES` when absent. */
  maxBytes?: number;
  /** Redirects followed before giving up; `DEFAULT_MAX_REDIRECTS` when absent. */
  maxRedirects?: number;
  userAgent?: string;
  /** Aborts the request; the abort error is rethrown as it is (not turned into a PolettError). */
  signal?: AbortSignal;
  /**
   * Called before each redirect is followed, with the target and the URL first asked for: returns
   * the error to stop with (a crawl stays on its site and within robots.txt), or undefined to
   * follow. Any redirect is followed when absent.
   */
  checkRedirect?: (target: string, url: string) => PolettError | undefined;
  /** The fetch to use (tests, proxies); `outboundFetch` (address-checked at connect) when absent. */
  fetch?: typeof fetch;
}

export interface FetchedBytes {
  /** The URL asked for. */
  url: string;
  /** The URL that answered, after redirects. */
  finalUrl: string;
  status: number;
  /** The Content-Type header, as sent ('' when missing). */
  contentType: string;
  bytes: Uint8Array;
}

export interface FetchPageOptions extends FetchOptions {
  /**
   * Whether documents (PDF, DOCX, XLSX, CSV) are accepted besides web pages and plain text; true by
   * default, since a single address given by hand is meant to be read.
   */
  acceptDocuments?: boolean;
  /** Limits for the parser. */
  parseOptions?: ParseOptions;
}

export interface FetchedPage extends FetchedBytes {
  document: ParsedDocument;
  /** For an HTML page: its links, canonical URL and robots hints. */
  page?: HtmlPageInfo;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function isHttpUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * GETs a URL and reads its body within the limits; throws a PolettError (`invalid_url`,
 * `fetch_timeout`, `fetch_failed`, `page_not_found`, `http_error`, `too_many_redirects`,
 * `redirect_off_site`, `file_too_large`) for anything but a 2xx answer.
 */
export async function fetchBytes(url: string, options: FetchOptions = {}): Promise<FetchedBytes> {
  const settings = {
    timeoutMs: DEFAULT_FETCH_TIMEOUT_MS,
    maxBytes: DEFAULT_MAX_PAGE_BYTES,
    maxRedirects: DEFAULT_MAX_REDIRECTS,
    userAgent: POLETT_USER_AGENT,
    fetch: outboundFetch,
    ...definedOnly(options),
  };
  if (!isHttpUrl(url)) throw invalidUrl(url);
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let current = url;
  try {
    for (let redirects = 0; ; redirects += 1) {
      // Every hop, redirects included: a public page may redirect to the metadata service.
      if (await resolvesToForbiddenAddress(current)) throw forbiddenAddress(current);
      const response = await settings.fetch(current, {
        redirect: 'manual',
        signal,
        headers: {
          'user-agent': settings.userAgent,
          accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,application/pdf;q=0.8,*/*;q=0.5',
          'accept-language': 'sv,en;q=0.8',
        },
      });
      if (REDIRECT_STATUSES.has(response.status)) {
        await response.body?.cancel();
        const location = response.headers.get('location');
        const target = location ? isHttpUrl(new URL(location, current).href) : undefined;
        if (!target) throw httpError(current, response.status);
        if (redirects >= settings.maxRedirects) throw tooManyRedirects(url, settings.maxRedirects);
        const refusal = options.checkRedirect?.(target.href, url);
        if (refusal) throw refusal;
        current = target.href;
        continue;
      }
      if (response.status < 200 || response.status > 299) {
        await response.body?.cancel();
        throw httpError(current, response.status);
      }
      const declared = Number(response.headers.get('content-length') ?? Number.NaN);
      if (declared > settings.maxBytes) {
        await response.body?.cancel();
        throw pageTooLarge(current, settings.maxBytes);
      }
      const bytes = await readBody(response, current, settings.maxBytes);
      return {
        url,
        finalUrl: current,
        status: response.status,
        contentType: response.headers.get('content-type') ?? '',
        bytes,
      };
    }
  } catch (error) {
    if (error instanceof PolettError) throw error;
    if (timeout.aborted) throw fetchTimeout(current, settings.timeoutMs);
    if (options.signal?.aborted) throw error;
    // The name resolved to a public address when checked and to a forbidden one when connected.
    if (isForbiddenAddressFailure(error)) throw forbiddenAddress(current);
    throw fetchFailed(current, error);
  }
}

/** Reads a body chunk by chunk, stopping as soon as it passes the limit. */
async function readBody(response: Response, url: string, maxBytes: number): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw pageTooLarge(url, maxBytes);
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

const PAGE_FORMATS = new Set(['html', 'text', 'markdown']);

/** Whether a response of this Content-Type is read (a missing type is sniffed by the parser). */
export function isAcceptedContentType(contentType: string, acceptDocuments: boolean): boolean {
  if (!contentType.trim()) return true;
  const format = formatOfContentType(contentType);
  if (!format) return contentType.toLowerCase().startsWith('application/octet-stream') && acceptDocuments;
  return acceptDocuments || PAGE_FORMATS.has(format);
}

/**
 * Fetches a page and parses it into a document. Throws the errors of `fetchBytes`, then
 * `unsupported_format` for a Content-Type Polett does not read (images, video, archives), then the
 * parser's errors (such as `empty_document` for a page with nothing but scripts).
 */
export async function fetchPage(url: string, options: FetchPageOptions = {}): Promise<FetchedPage> {
  const acceptDocuments = options.acceptDocuments ?? true;
  const fetched = await fetchBytes(url, options);
  if (!isAcceptedContentType(fetched.contentType, acceptDocuments)) {
    throw unsupportedContentType(fetched.finalUrl, fetched.contentType.split(';')[0]!.trim());
  }
  const parsed = await parseDocumentWithPageInfo(
    {
      bytes: fetched.bytes,
      name: fetched.finalUrl,
      url: fetched.finalUrl,
      ...(fetched.contentType ? { contentType: fetched.contentType } : {}),
    },
    options.parseOptions,
  );
  return { ...fetched, ...parsed };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
