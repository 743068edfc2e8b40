/**
 * The session cookie and its CSRF companion. The session cookie is HttpOnly, so scripts (and any
 * injected script) cannot read it; the CSRF token is derived from the session secret and set in a
 * readable cookie, so the web app can echo it in `x-csrf-token` and a cross-site form cannot.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { hashToken } from '../../platform/index.js';

export const SESSION_COOKIE = 'polett_session';
export const CSRF_COOKIE = 'polett_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * The CSRF token of a session: a hash of its secret. Bound to the session, so a token planted
 * by a sibling subdomain or left from an earlier session does not pass, and nothing is stored.
 */
export function csrfTokenFor(sessionSecret: string): string {
  return hashToken(`csrf:${sessionSecret}`);
}

export function csrfTokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(given));
}

/** Whether the request reached Polett over HTTPS (directly, or through a trusted proxy). */
export function isSecureRequest(context: Context, trustProxy: boolean): boolean {
  if (new URL(context.req.url).protocol === 'https:') return true;
  return trustProxy && context.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

export function setSessionCookies(
  context: Context,
  sessionSecret: string,
  options: { secure: boolean; maxAgeSeconds: number },
): string {
  const csrfToken = csrfTokenFor(sessionSecret);
  setCookie(context, SESSION_COOKIE, sessionSecret, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: options.secure,
    path: '/',
    maxAge: options.maxAgeSeconds,
  });
  setCookie(context, CSRF_COOKIE, csrfToken, {
    httpOnly: false,
    sameSite: 'Strict',
    secure: options.secure,
    path: '/',
    maxAge: options.maxAgeSeconds,
  });
  return csrfToken;
}

export function clearSessionCookies(context: Context): void {
  deleteCookie(context, SESSION_COOKIE, { path: '/' });
  deleteCookie(context, CSRF_COOKIE, { path: '/' });
}
