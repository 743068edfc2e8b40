/**
 * An in-memory token bucket per key (an IP address, an API key, an account). One process serves
 * one SQLite file, so memory is the right place; a cluster would move this to Redis with the jobs.
 */

export interface RateLimit {
  /** Requests allowed in a burst, and per window on average. */
  requests: number;
  windowSeconds: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Buckets kept before full ones are swept out, so that a flood of new IPs cannot exhaust memory. */
const SWEEP_THRESHOLD = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly refillPerMs: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    this.refillPerMs = limit.requests / (limit.windowSeconds * 1000);
  }

  /** Takes one token for `key` when there is one; otherwise says how long until there is. */
  take(key: string): RateDecision {
    const bucket = this.refill(key);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: this.secondsUntilToken(bucket) };
  }

  /** Whether `key` has a token left, without taking it (checked before a sign-in attempt). */
  peek(key: string): RateDecision {
    const bucket = this.refill(key);
    return bucket.tokens >= 1
      ? { allowed: true }
      : { allowed: false, retryAfterSeconds: this.secondsUntilToken(bucket) };
  }

  /** Forgets a key (a successful sign-in clears the account's failures). */
  reset(key: string): void {
    this.buckets.delete(key);
  }

  private secondsUntilToken(bucket: Bucket): number {
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.refillPerMs / 1000));
  }

  private refill(key: string): Bucket {
    const current = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= SWEEP_THRESHOLD) this.sweep(current);
      bucket = { tokens: this.limit.requests, updatedAt: current };
      this.buckets.set(key, bucket);
      return bucket;
    }
    bucket.tokens = Math.min(
      this.limit.requests,
      bucket.tokens + (current - bucket.updatedAt) * this.refillPerMs,
    );
    bucket.updatedAt = current;
    return bucket;
  }

  private sweep(current: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (current - bucket.updatedAt) * this.refillPerMs >= this.limit.requests)
        this.buckets.delete(key);
    }
  }
}
