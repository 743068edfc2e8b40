import { translate, type Locale } from '../i18n/messages.ts';

/** Polett's one error shape, as every route returns it. */
export interface ApiErrorBody {
  error: { code: string; message: string; field?: string; retryable?: boolean };
}

/**
 * The sentence for a failure that came without Polett's error body: no answer at all (status 0,
 * `detail` says why), or a page from a proxy in front of Polett.
 */
function unexplainedFailure(status: number, detail: string): string {
  if (status === 0) return translate(currentLocale, 'api.unreachable', { detail });
  if (status === 413) return translate(currentLocale, 'api.tooLarge');
  if (status === 502 || status === 503 || status === 504)
    return translate(currentLocale, 'api.unavailable', { status });
  return translate(currentLocale, 'api.unexplained', { status });
}

/** A failed call: the server's code and sentence (already in the caller's language), and the HTTP status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;

  /** `detail`: what the browser said of a call that got no answer (status 0). */
  constructor(status: number, body: Partial<ApiErrorBody> | undefined, detail = '') {
    super(body?.error?.message ?? unexplainedFailure(status, detail));
    this.name = 'ApiError';
    this.status = status;
    this.code = body?.error?.code ?? `http_${status}`;
    this.field = body?.error?.field;
  }

  /** A route that this server does not have (yet): the page says so instead of failing. */
  get isMissingRoute(): boolean {
    return this.status === 404 && (this.code === 'not_found' || this.code === 'http_404');
  }
}

let currentLocale: Locale = 'sv';
let onSessionEnded: (() => void) | undefined;

/**
 * Called when the server answers 401 to a signed-in page's call: the session expired or was ended
 * elsewhere ("sign out everywhere"), and the app should show the sign-in page.
 */
export function setSessionEndedHandler(handler: (() => void) | undefined): void {
  onSessionEnded = handler;
}
let csrfToken: string | undefined;

/** Server messages come back in the language the user chose in the app, not the browser's. */
export function setRequestLocale(locale: Locale): void {
  currentLocale = locale;
}

/** The token the server handed out with the session; sent back on every write. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Falls back to the readable CSRF cookie (double-submit scheme) when no token came with a response. */
function csrfFromCookie(): string | undefined {
  const match = document.cookie.match(/(?:^|;\s*)(?:__Host-)?polett[_-]csrf=([^;]+)/);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function apiRequest<Result>(method: string, path: string, body?: unknown): Promise<Result> {
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': currentLocale };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (WRITE_METHODS.has(method)) {
    const token = csrfToken ?? csrfFromCookie();
    if (token) headers['x-csrf-token'] = token;
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (cause) {
    throw new ApiError(0, undefined, cause instanceof Error ? cause.message : String(cause));
  }
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!response.ok) {
    // The session check and sign-in answer 401 as part of their job; anywhere else it means the
    // session is gone.
    const sessionRoute = path.startsWith('/api/me') || path.startsWith('/api/session');
    if (response.status === 401 && !sessionRoute) onSessionEnded?.();
    throw new ApiError(response.status, parsed as Partial<ApiErrorBody>);
  }
  if (parsed && typeof parsed === 'object' && 'csrfToken' in parsed && typeof parsed.csrfToken === 'string') {
    setCsrfToken(parsed.csrfToken);
  }
  return parsed as Result;
}

export const api = {
  get: <Result>(path: string) => apiRequest<Result>('GET', path),
  post: <Result>(path: string, body?: unknown) => apiRequest<Result>('POST', path, body ?? {}),
  patch: <Result>(path: string, body: unknown) => apiRequest<Result>('PATCH', path, body),
  put: <Result>(path: string, body: unknown) => apiRequest<Result>('PUT', path, body),
  delete: <Result>(path: string) => apiRequest<Result>('DELETE', path),
};
