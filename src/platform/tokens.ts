import { createHash, randomBytes } from 'node:crypto';

/** A random secret for a session, an invitation or a CSRF token: 32 bytes, URL-safe. */
export function randomToken(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/**
 * SHA-256 of a random token. Enough for secrets of 32 random bytes (unlike passwords a person
 * chose): a stolen database then holds nothing that signs anyone in.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
