/**
 * The bearer token of a request, hashed once. The rate limiter keys its buckets by the hash and
 * authentication looks the key up by it; hashing twice was a measurable share of an API-key
 * request's CPU time (see bench/platform-throughput.ts).
 */
import type { Context } from 'hono';
import { hashToken } from '../../platform/index.js';
import type { AppEnvironment } from '../context.js';

export interface BearerToken {
  /** The token as sent, trimmed; empty when the header names no token. */
  secret: string;
  /** `hashToken(secret)`; empty when there is no token. */
  hash: string;
}

/** The request's `Authorization: Bearer …` token, or undefined when the header is absent. */
export function bearerToken(context: Context<AppEnvironment>): BearerToken | undefined {
  const cached = context.get('bearerToken');
  if (cached) return cached;
  const authorization = context.req.header('authorization');
  if (authorization === undefined) return undefined;
  const secret = authorization.startsWith('Bearer ') ? authorization.slice(7).trim() : '';
  const token = { secret, hash: secret ? hashToken(secret) : '' };
  context.set('bearerToken', token);
  return token;
}
