/** How long a failed attempt waits before the next: exponential, capped, optionally jittered. */

export interface BackoffOptions {
  /** The wait after the first failed attempt. Defaults to 1 s. */
  baseMs?: number;
  /** The longest wait. Defaults to 5 minutes. */
  maxMs?: number;
  /**
   * Waits a random time between half and all of the computed delay, so that jobs that failed
   * together (a provider down) do not all come back at the same instant. Defaults to true.
   */
  jitter?: boolean;
}

/**
 * The delay before attempt `failedAttempt + 1`. A provider's Retry-After is honoured when it asks
 * for longer than the backoff would wait.
 */
export function retryDelayMs(
  failedAttempt: number,
  options: BackoffOptions = {},
  retryAfterSeconds?: number,
  random: () => number = Math.random,
): number {
  const { baseMs, maxMs, jitter } = { baseMs: 1000, maxMs: 300_000, jitter: true, ...options };
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, failedAttempt - 1));
  const delay = jitter ? exponential / 2 + (random() * exponential) / 2 : exponential;
  return Math.round(Math.max(delay, (retryAfterSeconds ?? 0) * 1000));
}
