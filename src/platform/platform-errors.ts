/** The platform's refusals, each one sentence per language saying what was wrong and what to do. */
import { PolettError } from '../errors.js';
import type { Permission } from './roles.js';

export function authenticationRequired(): PolettError {
  return new PolettError({
    code: 'authentication_required',
    status: 401,
    message: {
      sv: 'Du är inte inloggad; logga in igen, eller skicka "Authorization: Bearer <nyckel>" med en API-nyckel.',
      en: 'You are not signed in; sign in again, or send "Authorization: Bearer <key>" with an API key.',
    },
  });
}

export function invalidApiKey(): PolettError {
  return new PolettError({
    code: 'api_key_invalid',
    status: 401,
    field: 'authorization',
    message: {
      sv: 'API-nyckeln saknas, är återkallad eller ogiltig; skapa en ny under Inställningar → API-nycklar.',
      en: 'The API key is missing, revoked or invalid; create a new one under Settings → API keys.',
    },
  });
}

export function invalidCredentials(): PolettError {
  return new PolettError({
    code: 'credentials_invalid',
    status: 401,
    field: 'password',
    message: {
      sv: 'E-postadressen eller lösenordet är fel; kontrollera dem och försök igen.',
      en: 'The e-mail address or the password is wrong; check them and try again.',
    },
  });
}

export function csrfTokenInvalid(): PolettError {
  return new PolettError({
    code: 'csrf_token_invalid',
    status: 403,
    field: 'x-csrf-token',
    message: {
      sv: 'Anropet saknar giltig CSRF-token; skicka värdet från kakan polett_csrf i huvudet x-csrf-token, eller ladda om sidan.',
      en: 'The request lacks a valid CSRF token; send the value of the polett_csrf cookie in the x-csrf-token header, or reload the page.',
    },
  });
}

/** 404, not 403, for a workspace the caller is not a member of: its existence is not the caller's business. */
export function workspaceNotFound(): PolettError {
  return new PolettError({
    code: 'workspace_not_found',
    status: 404,
    field: 'workspaceId',
    message: {
      sv: 'Arbetsytan finns inte eller så är du inte medlem i den; välj en arbetsyta från listan.',
      en: 'The workspace does not exist or you are not a member of it; choose a workspace from the list.',
    },
  });
}

export function permissionDenied(permission: Permission): PolettError {
  return new PolettError({
    code: 'permission_denied',
    status: 403,
    message: {
      sv: `Din roll eller nyckel saknar behörigheten "${permission}"; be en ägare eller administratör om en annan roll.`,
      en: `Your role or key lacks the "${permission}" permission; ask an owner or admin for another role.`,
    },
  });
}

export function userRequired(): PolettError {
  return new PolettError({
    code: 'user_required',
    status: 403,
    field: 'authorization',
    message: {
      sv: 'Det här kan bara en inloggad person göra, inte en API-nyckel; logga in i webbappen.',
      en: 'Only a signed-in person can do this, not an API key; sign in to the web app.',
    },
  });
}

export function notFound(what: { sv: string; en: string }, field: string): PolettError {
  return new PolettError({
    code: 'not_found',
    status: 404,
    field,
    message: {
      sv: `${what.sv} finns inte i den här arbetsytan; uppdatera listan och försök igen.`,
      en: `${what.en} does not exist in this workspace; refresh the list and try again.`,
    },
  });
}

export function rateLimited(retryAfterSeconds: number, what: 'requests' | 'sign-in'): PolettError {
  return new PolettError({
    code: what === 'sign-in' ? 'sign_in_rate_limited' : 'rate_limited',
    status: 429,
    retryAfterSeconds,
    message:
      what === 'sign-in'
        ? {
            sv: `För många misslyckade inloggningar; vänta ${retryAfterSeconds} sekunder och försök igen.`,
            en: `Too many failed sign-ins; wait ${retryAfterSeconds} seconds and try again.`,
          }
        : {
            sv: `För många anrop; vänta ${retryAfterSeconds} sekunder, eller höj server.rateLimit i polett.json.`,
            en: `Too many requests; wait ${retryAfterSeconds} seconds, or raise server.rateLimit in polett.json.`,
          },
  });
}
