/**
 * The one error type of Polett. Every failure that reaches a person, an HTTP client or the CLI is
 * a PolettError with a stable code, an HTTP status, a retryable flag and a sentence in Swedish and
 * English that says what was wrong and what to do. Unknown errors are turned into one, once, at
 * each boundary (HTTP, job runner, CLI) by `toPolettError`.
 */
export type Locale = 'sv' | 'en';

export interface LocalizedText {
  sv: string;
  en: string;
}

export interface PolettErrorOptions {
  /** Stable, machine-readable code such as `config_invalid` or `model_unavailable`. */
  code: string;
  /** One sentence in each language: what was wrong and what to do. */
  message: LocalizedText;
  /** HTTP status when the error reaches an HTTP client. */
  status?: number;
  /** Whether trying again later may succeed. Defaults from the status (408, 409, 429, 5xx). */
  retryable?: boolean;
  /** The offending field (a config key, a request property) where there is one. */
  field?: string;
  /** Seconds the caller should wait before retrying, when known (from a Retry-After header). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

export class PolettError extends Error {
  readonly code: string;
  readonly status: number;
  readonly isRetryable: boolean;
  readonly field: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly localized: LocalizedText;

  constructor(options: PolettErrorOptions) {
    super(options.message.en, { cause: options.cause });
    this.name = 'PolettError';
    this.code = options.code;
    this.status = options.status ?? 500;
    this.isRetryable = options.retryable ?? isRetryableStatus(this.status);
    this.field = options.field;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.localized = options.message;
  }

  /** The sentence in the caller's language. */
  messageIn(locale: Locale): string {
    return this.localized[locale];
  }

  toJSON(locale: Locale = 'en') {
    return {
      error: {
        code: this.code,
        message: this.messageIn(locale),
        ...(this.field === undefined ? {} : { field: this.field }),
        retryable: this.isRetryable,
      },
    };
  }
}

export function isPolettError(value: unknown): value is PolettError {
  return value instanceof PolettError;
}

/** Turns anything thrown into a PolettError, keeping the original as the cause. */
export function toPolettError(error: unknown): PolettError {
  if (error instanceof PolettError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new PolettError({
    code: 'internal_error',
    status: 500,
    retryable: false,
    message: {
      sv: `Ett oväntat fel inträffade (${detail}). Försök igen, och kör \`polett doctor\` om det upprepas.`,
      en: `An unexpected error occurred (${detail}). Try again, and run \`polett doctor\` if it happens again.`,
    },
    cause: error,
  });
}
