/**
 * The errors of fetching web pages, each with one sentence in Swedish and English that names the
 * address and says what to do. A crawl reports them per page and goes on.
 */
import { PolettError } from '../../errors.js';

function shorten(url: string): string {
  return url.length > 150 ? `${url.slice(0, 147)}…` : url;
}

export function invalidUrl(url: string): PolettError {
  return new PolettError({
    code: 'invalid_url',
    status: 400,
    field: 'url',
    message: {
      sv: `${shorten(url)} är ingen webbadress som Polett kan hämta; ange en adress som börjar med http:// eller https://.`,
      en: `${shorten(url)} is not a web address Polett can fetch; give one that starts with http:// or https://.`,
    },
  });
}

export function forbiddenAddress(url: string): PolettError {
  return new PolettError({
    code: 'forbidden_address',
    status: 400,
    field: 'url',
    message: {
      sv: `${shorten(url)} pekar på en lokal länkadress (som molnets metadatatjänst), som Polett aldrig läser; ange sidans vanliga adress.`,
      en: `${shorten(url)} points to a link-local address (such as the cloud's metadata service), which Polett never reads; give the page's ordinary address.`,
    },
  });
}

export function fetchTimeout(url: string, timeoutMs: number): PolettError {
  const seconds = Math.round(timeoutMs / 100) / 10;
  return new PolettError({
    code: 'fetch_timeout',
    status: 504,
    message: {
      sv: `${shorten(url)} svarade inte inom ${seconds} sekunder; försök igen senare eller kontrollera att webbplatsen fungerar.`,
      en: `${shorten(url)} did not answer within ${seconds} seconds; try again later or check that the site is up.`,
    },
  });
}

export function fetchFailed(url: string, cause: unknown): PolettError {
  const reason = networkReason(cause);
  return new PolettError({
    code: 'fetch_failed',
    status: 502,
    message: {
      sv: `${shorten(url)} gick inte att hämta (${reason}); kontrollera adressen och att servern nås härifrån.`,
      en: `${shorten(url)} could not be fetched (${reason}); check the address and that the server can be reached from here.`,
    },
    cause,
  });
}

/** The HTTP status a server answered with, for errors made by `httpError`. */
const upstreamStatuses = new WeakMap<PolettError, number>();

/** The status the server answered with, when the error is an HTTP answer (404, 503, …). */
export function upstreamStatus(error: PolettError): number | undefined {
  return upstreamStatuses.get(error);
}

export function httpError(url: string, status: number): PolettError {
  const error = httpErrorFor(url, status);
  upstreamStatuses.set(error, status);
  return error;
}

function httpErrorFor(url: string, status: number): PolettError {
  if (status === 404 || status === 410) {
    return new PolettError({
      code: 'page_not_found',
      status: 404,
      retryable: false,
      message: {
        sv: `${shorten(url)} finns inte (HTTP ${status}); ta bort länken eller rätta adressen.`,
        en: `${shorten(url)} does not exist (HTTP ${status}); remove the link or correct the address.`,
      },
    });
  }
  const retryable = status === 408 || status === 429 || status >= 500;
  return new PolettError({
    code: 'http_error',
    status: 502,
    retryable,
    message: {
      sv: `${shorten(url)} svarade med HTTP ${status}; ${retryable ? 'försök igen senare' : 'kontrollera att sidan är öppen för alla utan inloggning'}.`,
      en: `${shorten(url)} answered HTTP ${status}; ${retryable ? 'try again later' : 'check that the page is open to all without signing in'}.`,
    },
  });
}

export function tooManyRedirects(url: string, limit: number): PolettError {
  return new PolettError({
    code: 'too_many_redirects',
    status: 502,
    retryable: false,
    message: {
      sv: `${shorten(url)} skickar vidare fler än ${limit} gånger; ange sidans slutliga adress direkt.`,
      en: `${shorten(url)} redirects more than ${limit} times; give the page's final address directly.`,
    },
  });
}

export function redirectOffSite(url: string, target: string): PolettError {
  return new PolettError({
    code: 'redirect_off_site',
    status: 502,
    retryable: false,
    message: {
      sv: `${shorten(url)} skickar vidare till ${shorten(target)}, utanför webbplatsen, och hoppas över; lägg till den adressen för sig om den ska med.`,
      en: `${shorten(url)} redirects to ${shorten(target)}, outside the site, and is skipped; add that address on its own if it belongs.`,
    },
  });
}

export function unsupportedContentType(url: string, contentType: string): PolettError {
  return new PolettError({
    code: 'unsupported_format',
    status: 415,
    retryable: false,
    message: {
      sv: `${shorten(url)} är inte en webbsida eller ett dokument som Polett läser (${contentType || 'okänd typ'}) och hoppas över.`,
      en: `${shorten(url)} is not a web page or document Polett reads (${contentType || 'unknown type'}) and is skipped.`,
    },
  });
}

export function pageTooLarge(url: string, limitBytes: number): PolettError {
  const megabytes = Math.round((limitBytes / (1024 * 1024)) * 10) / 10;
  return new PolettError({
    code: 'file_too_large',
    status: 413,
    retryable: false,
    message: {
      sv: `${shorten(url)} är större än gränsen på ${megabytes} MB och hoppas över; ladda ner den och lägg till den som fil om den behövs.`,
      en: `${shorten(url)} is larger than the limit of ${megabytes} MB and is skipped; download it and add it as a file if it is needed.`,
    },
  });
}

export function robotsDisallowed(url: string): PolettError {
  return new PolettError({
    code: 'robots_disallowed',
    status: 403,
    retryable: false,
    message: {
      sv: `${shorten(url)} hoppas över eftersom webbplatsens robots.txt inte tillåter det; ändra robots.txt om sidan ska med.`,
      en: `${shorten(url)} is skipped because the site's robots.txt does not allow it; change robots.txt if the page belongs.`,
    },
  });
}

export function robotsUnreachable(url: string, status?: number): PolettError {
  const detail = status === undefined ? '' : ` (HTTP ${status})`;
  return new PolettError({
    code: 'robots_unreachable',
    status: 503,
    message: {
      sv: `Webbplatsens robots.txt gick inte att läsa${detail}, så ${shorten(url)} hämtas inte; försök igen när webbplatsen fungerar.`,
      en: `The site's robots.txt could not be read${detail}, so ${shorten(url)} is not fetched; try again when the site is up.`,
    },
  });
}

export function pageNoindex(url: string): PolettError {
  return new PolettError({
    code: 'page_noindex',
    status: 422,
    retryable: false,
    message: {
      sv: `${shorten(url)} ber sökmotorer att inte indexera den (meta robots noindex) och hoppas över.`,
      en: `${shorten(url)} asks search engines not to index it (meta robots noindex) and is skipped.`,
    },
  });
}

function networkReason(cause: unknown): string {
  const error = cause as { cause?: { code?: string }; code?: string; message?: string } | undefined;
  return error?.cause?.code ?? error?.code ?? error?.message ?? String(cause);
}
