/**
 * Accounts over HTTP: first-run set-up, sign in and out, sign out everywhere, the caller's own
 * profile and password, and accepting an invitation. Thin: validate, call the platform's core, present.
 */
import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { PolettConfig } from '../../config/index.js';
import {
  acceptInvitation,
  changePassword,
  recordForUser,
  permissionsOfScopes,
  ROLE_PERMISSIONS,
  setUpOwner,
  signIn,
  SignInGuard,
  type ApiKeyScope,
  type Platform,
  type UserRecord,
} from '../../platform/index.js';
import {
  acceptInvitationRequestSchema,
  changePasswordRequestSchema,
  meSchema,
  sessionSchema,
  setupRequestSchema,
  setupStatusSchema,
  signedOutSchema,
  signInRequestSchema,
  updateMeRequestSchema,
  userSchema,
  type WorkspaceMembershipDto,
} from '../../platform/schemas.js';
import type { AppEnvironment } from '../context.js';
import { createRouter, errorResponses, jsonBody, jsonResponse, SIGNED_IN } from '../openapi.js';
import { requireUser } from '../platform/authenticate.js';
import {
  clearSessionCookies,
  isSecureRequest,
  SESSION_COOKIE,
  setSessionCookies,
} from '../platform/session-cookies.js';

/** How long a session cookie lives; the platform's sessions last as long. */
export const SESSION_DAYS = 14;

/** The workspaces a user belongs to, as the API presents them. */
export function membershipsOf(platform: Platform, userId: string): WorkspaceMembershipDto[] {
  return platform.workspaces.listForUser(userId).map(({ workspace, role }) => ({
    workspace,
    role,
    permissions: [...ROLE_PERMISSIONS[role]],
  }));
}

const tags = ['Accounts'];

export function accountRoutes(dependencies: {
  platform: Platform;
  config: PolettConfig;
  now?: () => number;
}) {
  const { platform, config } = dependencies;
  const limits = config.server.rateLimit;
  const guard = new SignInGuard(
    { perAccount: limits.signInPerAccount, perIp: limits.signInPerIp },
    dependencies.now,
  );
  const app = createRouter();

  const startSession = (context: Context<AppEnvironment>, user: UserRecord, sessionSecret: string) => {
    const csrfToken = setSessionCookies(context, sessionSecret, {
      secure: isSecureRequest(context, config.server.trustProxy),
      maxAgeSeconds: SESSION_DAYS * 24 * 60 * 60,
    });
    context.set('locale', user.locale);
    return { user, csrfToken, workspaces: membershipsOf(platform, user.id) };
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/setup',
      tags,
      summary: 'Whether first-run set-up is done (an owner exists)',
      responses: { 200: jsonResponse(setupStatusSchema, 'Set-up status') },
    }),
    (context) => context.json({ ownerExists: platform.workspaces.hasOwner() }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/setup',
      tags,
      summary: "Create the owner's account and the company's first workspace (once)",
      request: { body: jsonBody(setupRequestSchema) },
      responses: {
        201: jsonResponse(sessionSchema, 'Signed in as the new owner'),
        ...errorResponses(400, 409),
      },
    }),
    async (context) => {
      const input = context.req.valid('json');
      const { user } = await setUpOwner(platform, input, context.get('ip'));
      const { secret } = platform.sessions.create(user.id, {
        ip: context.get('ip'),
        userAgent: context.req.header('user-agent') ?? null,
      });
      return context.json(startSession(context, user, secret), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/session',
      tags,
      summary: 'Sign in with e-mail and password',
      request: { body: jsonBody(signInRequestSchema) },
      responses: { 200: jsonResponse(sessionSchema, 'Signed in'), ...errorResponses(400, 401) },
    }),
    async (context) => {
      const input = context.req.valid('json');
      const { user, sessionSecret } = await signIn(platform, guard, {
        ...input,
        ip: context.get('ip'),
        userAgent: context.req.header('user-agent') ?? null,
      });
      return context.json(startSession(context, user, sessionSecret), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/session',
      tags,
      summary: 'Sign out of this browser',
      security: [{ session: [] }],
      middleware: [requireUser] as const,
      responses: { 204: { description: 'Signed out' }, ...errorResponses(401, 403) },
    }),
    (context) => {
      const principal = context.get('principal');
      const secret = getCookie(context, SESSION_COOKIE);
      if (secret) platform.sessions.delete(secret);
      if (principal?.kind === 'user')
        recordForUser(platform, principal.user.id, {
          actor: { type: 'user', id: principal.user.id, label: principal.user.email },
          action: 'auth.sign_out',
          ip: context.get('ip'),
        });
      clearSessionCookies(context);
      return context.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/sessions',
      tags,
      summary: 'Sign out everywhere: ends every session of the caller, this one included',
      security: [{ session: [] }],
      middleware: [requireUser] as const,
      responses: { 200: jsonResponse(signedOutSchema, 'Every session ended'), ...errorResponses(401, 403) },
    }),
    (context) => {
      const principal = context.get('principal');
      if (principal?.kind !== 'user') throw new Error('requireUser let a non-user through');
      const sessionsEnded = platform.sessions.deleteAllForUser(principal.user.id);
      recordForUser(platform, principal.user.id, {
        actor: { type: 'user', id: principal.user.id, label: principal.user.email },
        action: 'auth.sign_out_everywhere',
        details: { sessionsEnded },
        ip: context.get('ip'),
      });
      clearSessionCookies(context);
      return context.json({ sessionsEnded }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/me',
      tags,
      summary: 'The caller: the signed-in person and their workspaces, or the API key and its workspace',
      security: SIGNED_IN,
      responses: { 200: jsonResponse(meSchema, 'The caller'), ...errorResponses(401) },
    }),
    (context) => {
      const principal = context.get('principal');
      if (principal?.kind === 'user') {
        return context.json(
          {
            user: principal.user,
            apiKey: null,
            csrfToken: principal.csrfToken,
            workspaces: membershipsOf(platform, principal.user.id),
          },
          200,
        );
      }
      if (principal?.kind !== 'api-key') throw new Error('authenticate let an anonymous caller through');
      const { key } = principal;
      const workspace = key.workspaceId ? platform.forWorkspace(key.workspaceId).workspace.get() : undefined;
      const permissions = permissionsOfScopes(key.scopes);
      return context.json(
        {
          user: null,
          apiKey: {
            id: key.id,
            name: key.name,
            prefix: key.prefix,
            scopes: key.scopes as ApiKeyScope[],
            createdAt: key.createdAt,
            lastUsedAt: key.lastUsedAt,
            revokedAt: key.revokedAt,
            workspaceId: key.workspaceId,
          },
          csrfToken: null,
          workspaces: workspace ? [{ workspace, role: null, permissions }] : [],
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/me',
      tags,
      summary: 'Change your name or language',
      security: [{ session: [] }],
      middleware: [requireUser] as const,
      request: { body: jsonBody(updateMeRequestSchema) },
      responses: { 200: jsonResponse(userSchema, 'The updated account'), ...errorResponses(400, 401, 403) },
    }),
    (context) => {
      const principal = context.get('principal');
      if (principal?.kind !== 'user') throw new Error('requireUser let a non-user through');
      const user = platform.users.update(principal.user.id, context.req.valid('json'));
      context.set('locale', user.locale);
      return context.json(user, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/me/password',
      tags,
      summary: 'Change your password; every other session ends',
      security: [{ session: [] }],
      middleware: [requireUser] as const,
      request: { body: jsonBody(changePasswordRequestSchema) },
      responses: { 200: jsonResponse(signedOutSchema, 'Password changed'), ...errorResponses(400, 401, 403) },
    }),
    async (context) => {
      const principal = context.get('principal');
      if (principal?.kind !== 'user') throw new Error('requireUser let a non-user through');
      const input = context.req.valid('json');
      const result = await changePassword(platform, {
        user: principal.user,
        currentPassword: input.currentPassword,
        newPassword: input.newPassword,
        keepSessionIdHash: principal.session.idHash,
        ip: context.get('ip'),
      });
      return context.json(result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/invitations/accept',
      tags,
      summary: 'Accept an invitation: choose your name and password, and join the workspace',
      request: { body: jsonBody(acceptInvitationRequestSchema) },
      responses: {
        201: jsonResponse(sessionSchema, 'Signed in as the new member'),
        ...errorResponses(400, 404, 409),
      },
    }),
    async (context) => {
      const input = context.req.valid('json');
      const { user, sessionSecret } = await acceptInvitation(platform, { ...input, ip: context.get('ip') });
      return context.json(startSession(context, user, sessionSecret), 201);
    },
  );

  return app;
}
