import { APICallError } from '@ai-sdk/provider';
import { isPolettError, PolettError } from '../errors.js';

/** Where a model call failed, for error sentences that name the model. */
export interface CallTarget {
  provider: string;
  model: string;
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), when present. */
export function retryAfterSeconds(error: unknown): number | undefined {
  if (isPolettError(error)) return error.retryAfterSeconds;
  if (!APICallError.isInstance(error)) return undefined;
  const header = error.responseHeaders?.['retry-after'];
  if (header === undefined) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

/** Whether trying the same model again may succeed. */
export function isRetryableCallError(error: unknown): boolean {
  if (isPolettError(error)) return error.isRetryable;
  if (APICallError.isInstance(error)) return error.isRetryable;
  // Network failures surface as TypeError('fetch failed') or ECONN*/ETIMEDOUT system errors; any
  // other TypeError is a bug, which trying again will not fix.
  const code = (error as { code?: string; cause?: { code?: string } } | undefined)?.cause?.code;
  if (typeof code === 'string' && (code.startsWith('ECONN') || code === 'ETIMEDOUT')) return true;
  return error instanceof TypeError && error.message === 'fetch failed';
}

/** Words for an error of any shape: providers put plain objects in stream error parts. */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null) {
    const nested = (error as { error?: { message?: unknown }; message?: unknown }).error?.message;
    const message = nested ?? (error as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    return JSON.stringify(error).slice(0, 200);
  }
  return String(error);
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

/** The error for a call that took longer than the provider's timeout. */
export function timeoutError(target: CallTarget, timeoutMs: number): PolettError {
  return new PolettError({
    code: 'model_timeout',
    status: 504,
    retryable: true,
    message: {
      sv: `Modellen ${target.model} hos ${target.provider} svarade inte inom ${timeoutMs} ms; försök igen, eller höj timeoutMs för leverantören i konfigurationen.`,
      en: `The model ${target.model} at ${target.provider} did not answer within ${timeoutMs} ms; try again, or raise the provider's timeoutMs in the configuration.`,
    },
  });
}

/** Turns a provider's failure into one PolettError that names the model and what to do. */
export function toModelCallError(error: unknown, target: CallTarget): PolettError {
  if (isPolettError(error)) return error;
  const where = `${target.model} (${target.provider})`;
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    const retryAfter = retryAfterSeconds(error);
    if (status === 401 || status === 403) {
      return new PolettError({
        code: 'model_auth_failed',
        status: 502,
        retryable: false,
        field: `providers.${target.provider}.apiKey`,
        message: {
          sv: `Leverantören ${target.provider} nekade API-nyckeln för ${target.model} (HTTP ${status}); kontrollera nyckeln med \`polett doctor\`.`,
          en: `The provider ${target.provider} refused the API key for ${target.model} (HTTP ${status}); check the key with \`polett doctor\`.`,
        },
        cause: error,
      });
    }
    if (status === 429) {
      return new PolettError({
        code: 'model_rate_limited',
        status: 429,
        retryable: true,
        ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
        message: {
          sv: `Leverantören ${target.provider} begränsar anropen till ${target.model} just nu; försök igen${retryAfter === undefined ? ' om en stund' : ` om ${Math.ceil(retryAfter)} s`}.`,
          en: `The provider ${target.provider} is rate-limiting calls to ${target.model}; try again${retryAfter === undefined ? ' shortly' : ` in ${Math.ceil(retryAfter)} s`}.`,
        },
        cause: error,
      });
    }
    if (status !== undefined && status >= 400 && status < 500) {
      return new PolettError({
        code: 'model_request_rejected',
        status: 400,
        retryable: false,
        message: {
          sv: `Modellen ${where} avvisade anropet (HTTP ${status}: ${truncate(error.responseBody ?? error.message)}); kontrollera modellnamnet och parametrarna.`,
          en: `The model ${where} rejected the call (HTTP ${status}: ${truncate(error.responseBody ?? error.message)}); check the model name and the parameters.`,
        },
        cause: error,
      });
    }
    return new PolettError({
      code: 'model_unavailable',
      status: 503,
      retryable: true,
      message: {
        sv: `Modellen ${where} svarar inte som den ska (${status === undefined ? error.message : `HTTP ${status}`}); kontrollera att leverantören är nåbar med \`polett doctor\`.`,
        en: `The model ${where} is not answering properly (${status === undefined ? error.message : `HTTP ${status}`}); check that the provider is reachable with \`polett doctor\`.`,
      },
      cause: error,
    });
  }
  return new PolettError({
    code: 'model_unavailable',
    status: 503,
    retryable: isRetryableCallError(error),
    message: {
      sv: `Anropet till modellen ${where} misslyckades (${describeError(error)}); kontrollera leverantören med \`polett doctor\`.`,
      en: `The call to the model ${where} failed (${describeError(error)}); check the provider with \`polett doctor\`.`,
    },
    cause: error,
  });
}

function truncate(text: string, length = 200): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}
