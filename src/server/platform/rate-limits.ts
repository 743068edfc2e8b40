/** Per-IP and per-API-key limits on /api and /v1: 429 with Retry-After when a bucket is empty. */
import type { MiddlewareHandler } from 'hono';
import type { PolettConfig } from '../../config/index.js';
import { platformErrors, RateLimiter } from '../../platform/index.js';
import type { AppEnvironment } from '../context.js';
import { bearerToken } from './bearer-token.js';

export function rateLimits(
  settings: PolettConfig['server']['rateLimit'],
  now: () => number = Date.now,
): MiddlewareHandler<AppEnvironment> {
  const perIp = new RateLimiter(settings.perIp, now);
  const perApiKey = new RateLimiter(settings.perApiKey, now);
  return async (context, next) => {
    const byAddress = perIp.take(context.get('ip'));
    if (!byAddress.allowed) throw platformErrors.rateLimited(byAddress.retryAfterSeconds, 'requests');
    const token = bearerToken(context);
    if (token?.hash) {
      // Keyed by the hash of what was sent, before any database lookup: cheap, and a key's traffic
      // counts the same whether the key turns out valid or not.
      const byKey = perApiKey.take(token.hash);
      if (!byKey.allowed) throw platformErrors.rateLimited(byKey.retryAfterSeconds, 'requests');
    }
    await next();
  };
}
