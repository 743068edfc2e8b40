/**
 * One conversation with a hub: the fetch that every request of a pull goes through, whether it comes
 * from the @huggingface/hub client or from the resumable downloader. It adds the token (only for the
 * hub's own origin), gives up when no answer arrives within the connect timeout, follows the caller's
 * abort signal, and remembers the last failed response's headers, which the hub client drops but
 * which tell a gated model from a missing one.
 */
import { HubConnectTimeoutError } from './hub-errors.js';

export interface HubSessionOptions {
  endpoint: string;
  token: string | undefined;
  fetch: typeof globalThis.fetch;
  /** Milliseconds to wait for the response headers of each request. */
  connectTimeoutMs: number;
  signal: AbortSignal | undefined;
}

/** The parts of a failed response that the error sentences need. */
export interface HubFailure {
  url: string;
  status: number;
  /** The hub's `X-Error-Code`: `RepoNotFound`, `GatedRepo`, `EntryNotFound`, `RevisionNotFound`… */
  errorCode: string | undefined;
  retryAfterSeconds: number | undefined;
}

function requestUrl(input: Parameters<typeof fetch>[0]): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

export class HubSession {
  readonly endpoint: string;
  readonly tokenGiven: boolean;
  /** The last response that was not ok, for telling the hub's 401s and 404s apart. */
  lastFailure: HubFailure | undefined;

  readonly #options: HubSessionOptions;
  readonly #origin: string;

  constructor(options: HubSessionOptions) {
    this.#options = options;
    this.endpoint = options.endpoint;
    this.tokenGiven = options.token !== undefined;
    this.#origin = new URL(options.endpoint).origin;
  }

  /** A `fetch` to hand to the hub client and to use for downloads. */
  readonly fetch: typeof globalThis.fetch = async (input, init) => {
    const url = requestUrl(input);
    const headers = new Headers(init?.headers);
    // The token goes only to the hub itself; a redirect to a CDN on another origin loses it in
    // fetch anyway, and a URL from elsewhere never sees it.
    if (
      this.#options.token !== undefined &&
      !headers.has('authorization') &&
      new URL(url).origin === this.#origin
    ) {
      headers.set('authorization', `Bearer ${this.#options.token}`);
    }

    const timeout = new AbortController();
    const milliseconds = this.#options.connectTimeoutMs;
    const timer = setTimeout(
      () => timeout.abort(new HubConnectTimeoutError(url, milliseconds)),
      milliseconds,
    );
    const signals = [timeout.signal];
    if (init?.signal) signals.push(init.signal);
    if (this.#options.signal) signals.push(this.#options.signal);

    try {
      const response = await this.#options.fetch(input instanceof Request ? input.url : input, {
        ...init,
        headers,
        signal: AbortSignal.any(signals),
      });
      if (!response.ok) {
        this.lastFailure = {
          url: response.url || url,
          status: response.status,
          errorCode: response.headers.get('x-error-code') ?? undefined,
          retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')),
        };
      }
      return response;
    } finally {
      // Only the wait for headers is bounded here; a slow body is the downloader's stall timer's job.
      clearTimeout(timer);
    }
  };
}
