/**
 * Authentication for `/api/*`: an API key (`Authorization: Bearer plt_…`, no CSRF check: a
 * browser never adds it on its own) or the session cookie (with the CSRF token on every write).
 * Default deny: every route needs a caller except the few public ones listed here.
 */
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Platform } from '../../platform/index.js';
import { platformErrors } from '../../platform/index.js';
import type { AppEnvironment } from '../context.js';
import { bearerToken } from './bearer-token.js';
import {
  clearSessionCookies,
  CSRF_HEADER,
  csrfTokenFor,
  csrfTokenMatches,
  SESSION_COOKIE,
} from './session-cookies.js';

/** Routes a caller reaches without being signed in: first-run set-up, sign-in, accepting an invitation. */
export const PUBLIC_API_ROUTES: ReadonlySet<string> = new Set([
  'GET /api/setup',
  'POST /api/setup',
  'POST /api/session',
  'POST /api/invitations/accept',
]);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function authenticate(platform: Platform): MiddlewareHandler<AppEnvironment> {
  return async (context, next) => {
    context.set('principal', undefined);
    const method = context.req.method;
    if (PUBLIC_API_ROUTES.has(`${method} ${context.req.path}`)) return next();

    const token = bearerToken(context);
    if (token !== undefined) {
      const key = token.hash ? platform.apiKeys.verifyHash(token.hash) : undefined;
      if (!key) throw platformErrors.invalidApiKey();
      context.set('principal', { kind: 'api-key', key });
      return next();
    }

    const sessionSecret = getCookie(context, SESSION_COOKIE);
    const session = sessionSecret ? platform.sessions.verify(sessionSecret) : undefined;
    const user = session && platform.users.get(session.userId);
    if (!sessionSecret || !session || !user) {
      if (sessionSecret) clearSessionCookies(context);
      throw platformErrors.authenticationRequired();
    }
    const csrfToken = csrfTokenFor(sessionSecret);
    if (!SAFE_METHODS.has(method) && !csrfTokenMatches(csrfToken, context.req.header(CSRF_HEADER)))
      throw platformErrors.csrfTokenInvalid();
    // A person's saved language wins over the browser's header: it is the choice they made in Polett.
    context.set('locale', user.locale);
    context.set('principal', { kind: 'user', user, session, csrfToken });
    return next();
  };
}

/** Refuses API keys: for what only a person may do (change a password, create a workspace). */
export const requireUser: MiddlewareHandler<AppEnvironment> = async (context, next) => {
  if (context.get('principal')?.kind !== 'user') throw platformErrors.userRequired();
  await next();
};
