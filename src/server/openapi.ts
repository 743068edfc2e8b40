/**
 * Helpers for routes described in the OpenAPI document: one router factory whose validation
 * failures become Polett's error shape, and the standard error responses of a route.
 */
import { OpenAPIHono, type Hook } from '@hono/zod-openapi';
import type { z } from 'zod';
import { PolettError } from '../errors.js';
import { errorSchema } from '../platform/schemas.js';
import type { AppEnvironment } from './context.js';

/** Turns the first zod issue into one sentence naming the field. */
export function invalidRequest(error: z.ZodError): PolettError {
  const issue = error.issues[0];
  const field = issue?.path.join('.') || 'body';
  const detail = issue?.message ?? 'invalid';
  return new PolettError({
    code: 'invalid_request',
    status: 400,
    field,
    message: {
      sv: `Fältet ${field} i anropet är fel (${detail}); rätta det och skicka igen.`,
      en: `The field ${field} of the request is wrong (${detail}); correct it and send again.`,
    },
  });
}

const validationHook: Hook<unknown, AppEnvironment, string, unknown> = (result) => {
  if (!result.success) throw invalidRequest(result.error as z.ZodError);
};

/** A router whose routes are validated by their zod schemas and listed in the OpenAPI document. */
export function createRouter() {
  return new OpenAPIHono<AppEnvironment>({ defaultHook: validationHook });
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is invalid; `field` names what to correct.',
  401: 'Not signed in, or the API key is invalid.',
  403: 'The role or key lacks the permission, or the CSRF token is missing.',
  404: 'Not found, or not a member of the workspace.',
  409: 'Conflicts with the current state.',
  429: 'Too many requests; see Retry-After.',
};

/** The error responses of a route, all in Polett's one error shape. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(
    [...new Set([...statuses, 429])].map((status) => [
      status,
      {
        description: ERROR_DESCRIPTIONS[status] ?? 'Error',
        content: { 'application/json': { schema: errorSchema } },
      },
    ]),
  );
}

/** A required JSON body: a missing or non-JSON body is refused instead of validated as empty. */
export function jsonBody<Schema extends z.ZodType>(schema: Schema) {
  return { required: true, content: { 'application/json': { schema } } } as const;
}

/** A JSON response. */
export function jsonResponse<Schema extends z.ZodType>(schema: Schema, description: string) {
  return { description, content: { 'application/json': { schema } } } as const;
}

/** Either a session cookie (with the CSRF token on writes) or an API key. */
export const SIGNED_IN: Array<Record<string, string[]>> = [{ session: [] }, { apiKey: [] }];
