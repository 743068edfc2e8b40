import type { Context } from 'hono';

/**
 * The client's IP address: the socket's peer, or the first X-Forwarded-For entry when Polett runs
 * behind a trusted reverse proxy. `unknown` when neither exists (in-memory test requests).
 */
export function clientAddress(context: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = context.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  const environment = context.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return environment?.incoming?.socket?.remoteAddress ?? 'unknown';
}
