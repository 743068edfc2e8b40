/**
 * Workspaces over HTTP: the caller's list, creating one, and under
 * `/api/workspaces/{workspaceId}/…` the settings, members, invitations, API keys, audit log and
 * usage. Every route under that path passes the workspace gate first (see app.ts) and reaches
 * data only through `context.get('workspace').scope`.
 */
import { createRoute } from '@hono/zod-openapi';
import {
  changeMemberRole,
  createApiKey,
  inviteMember,
  removeMember,
  revokeApiKey,
  revokeInvitation,
  permissionsOfScopes,
  ROLE_PERMISSIONS,
  updateWorkspaceSettings,
  type InvitationRecord,
  type Permission,
  type Platform,
} from '../../platform/index.js';
import {
  apiKeyListSchema,
  apiKeySchema,
  auditPageSchema,
  auditQuerySchema,
  changeRoleRequestSchema,
  createApiKeyRequestSchema,
  createdApiKeySchema,
  createWorkspaceRequestSchema,
  invitationParamsSchema,
  inviteRequestSchema,
  inviteResultSchema,
  keyParamsSchema,
  memberListSchema,
  memberParamsSchema,
  memberSchema,
  updateWorkspaceRequestSchema,
  usageQuerySchema,
  usageSchema,
  workspaceListSchema,
  workspaceMembershipSchema,
  workspaceParamsSchema,
  workspaceSchema,
} from '../../platform/schemas.js';
import { createRouter, errorResponses, jsonBody, jsonResponse, SIGNED_IN } from '../openapi.js';
import { requireUser } from '../platform/authenticate.js';
import { requirePermission } from '../platform/workspace-access.js';
import { membershipsOf } from './accounts.js';

const tags = ['Workspaces'];

function presentInvitation(invitation: InvitationRecord) {
  return {
    id: invitation.id,
    email: invitation.email,
    role: invitation.role,
    createdAt: invitation.createdAt,
    expiresAt: invitation.expiresAt,
  };
}

/** A workspace route's common parts: its permission (checked after the gate and named in the document). */
function workspaceRoute(permission: Permission) {
  return {
    tags,
    security: SIGNED_IN,
    middleware: requirePermission(permission),
    description: `Needs the \`${permission}\` permission in the workspace (see the roles table).`,
  };
}

export function workspaceRoutes(dependencies: { platform: Platform }) {
  const { platform } = dependencies;
  const app = createRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces',
      tags,
      summary: "The caller's workspaces (an API key: its own)",
      security: SIGNED_IN,
      responses: { 200: jsonResponse(workspaceListSchema, 'Workspaces'), ...errorResponses(401) },
    }),
    (context) => {
      const principal = context.get('principal');
      if (principal?.kind === 'user')
        return context.json({ workspaces: membershipsOf(platform, principal.user.id) }, 200);
      const key = principal?.kind === 'api-key' ? principal.key : undefined;
      const workspace = key?.workspaceId ? platform.forWorkspace(key.workspaceId).workspace.get() : undefined;
      const permissions = key ? permissionsOfScopes(key.scopes) : [];
      return context.json({ workspaces: workspace ? [{ workspace, role: null, permissions }] : [] }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces',
      tags,
      summary: 'Create a workspace (a brand or a site); the caller becomes its owner',
      security: [{ session: [] }],
      middleware: [requireUser] as const,
      request: { body: jsonBody(createWorkspaceRequestSchema) },
      responses: {
        201: jsonResponse(workspaceMembershipSchema, 'The new workspace'),
        ...errorResponses(400, 401, 403),
      },
    }),
    (context) => {
      const principal = context.get('principal');
      if (principal?.kind !== 'user') throw new Error('requireUser let a non-user through');
      const workspace = platform.workspaces.create({
        name: context.req.valid('json').name,
        ownerUserId: principal.user.id,
      });
      platform.forWorkspace(workspace.id).audit.record({
        actor: { type: 'user', id: principal.user.id, label: principal.user.email },
        action: 'workspace.created',
        target: workspace.id,
        details: { name: workspace.name },
        ip: context.get('ip'),
      });
      return context.json(
        { workspace, role: 'owner' as const, permissions: [...ROLE_PERMISSIONS.owner] },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}',
      summary: 'A workspace, with the caller’s role and permissions in it',
      ...workspaceRoute('read'),
      request: { params: workspaceParamsSchema },
      responses: {
        200: jsonResponse(workspaceMembershipSchema, 'The workspace'),
        ...errorResponses(401, 403, 404),
      },
    }),
    (context) => {
      const access = context.get('workspace');
      return context.json(
        { workspace: access.scope.workspace.get()!, role: access.role, permissions: [...access.permissions] },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/workspaces/{workspaceId}',
      summary: 'Rename a workspace or change how long its data is kept',
      ...workspaceRoute('workspace.manage'),
      request: { params: workspaceParamsSchema, body: jsonBody(updateWorkspaceRequestSchema) },
      responses: {
        200: jsonResponse(workspaceSchema, 'The updated workspace'),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    (context) => {
      const access = context.get('workspace');
      return context.json(
        updateWorkspaceSettings(access.scope, access.acting, context.req.valid('json')),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/members',
      summary: 'Members and pending invitations',
      ...workspaceRoute('read'),
      request: { params: workspaceParamsSchema },
      responses: { 200: jsonResponse(memberListSchema, 'Members'), ...errorResponses(401, 403, 404) },
    }),
    (context) => {
      const { scope } = context.get('workspace');
      return context.json(
        {
          members: scope.members.list(),
          invitations: scope.invitations.listPending().map(presentInvitation),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/members',
      summary: 'Invite someone: a person with an account joins at once, anyone else gets an invitation token',
      ...workspaceRoute('members.manage'),
      request: { params: workspaceParamsSchema, body: jsonBody(inviteRequestSchema) },
      responses: { 201: jsonResponse(inviteResultSchema, 'Invited'), ...errorResponses(400, 401, 403, 404) },
    }),
    (context) => {
      const access = context.get('workspace');
      const result = inviteMember(platform, access.scope, access.acting, context.req.valid('json'));
      return context.json(
        result.member
          ? { member: result.member }
          : { invitation: presentInvitation(result.invitation), token: result.token },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/workspaces/{workspaceId}/members/{userId}',
      summary: "Change a member's role (only an owner grants or takes away the owner role)",
      ...workspaceRoute('members.manage'),
      request: { params: memberParamsSchema, body: jsonBody(changeRoleRequestSchema) },
      responses: {
        200: jsonResponse(memberSchema, 'The member'),
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    (context) => {
      const access = context.get('workspace');
      const { userId } = context.req.valid('param');
      return context.json(
        changeMemberRole(access.scope, access.acting, userId, context.req.valid('json').role),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/workspaces/{workspaceId}/members/{userId}',
      summary: 'Remove a member (the last owner stays)',
      ...workspaceRoute('members.manage'),
      request: { params: memberParamsSchema },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404, 409) },
    }),
    (context) => {
      const access = context.get('workspace');
      removeMember(access.scope, access.acting, context.req.valid('param').userId);
      return context.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/workspaces/{workspaceId}/invitations/{invitationId}',
      summary: 'Withdraw a pending invitation',
      ...workspaceRoute('members.manage'),
      request: { params: invitationParamsSchema },
      responses: { 204: { description: 'Withdrawn' }, ...errorResponses(401, 403, 404) },
    }),
    (context) => {
      const access = context.get('workspace');
      revokeInvitation(access.scope, access.acting, context.req.valid('param').invitationId);
      return context.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/keys',
      summary: "The workspace's API keys (prefix, scopes, last used; never the key itself)",
      ...workspaceRoute('keys.manage'),
      request: { params: workspaceParamsSchema },
      responses: { 200: jsonResponse(apiKeyListSchema, 'API keys'), ...errorResponses(401, 403, 404) },
    }),
    (context) => context.json({ keys: context.get('workspace').scope.apiKeys.list() }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/keys',
      summary: 'Create an API key; the response is the only time the key is shown',
      ...workspaceRoute('keys.manage'),
      request: { params: workspaceParamsSchema, body: jsonBody(createApiKeyRequestSchema) },
      responses: {
        201: jsonResponse(createdApiKeySchema, 'The new key'),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    (context) => {
      const access = context.get('workspace');
      const input = context.req.valid('json');
      const { record, secret } = createApiKey(access.scope, access.acting, {
        name: input.name,
        scopes: [...new Set(input.scopes)],
      });
      return context.json({ key: record, secret }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/workspaces/{workspaceId}/keys/{keyId}',
      summary: 'Revoke an API key',
      ...workspaceRoute('keys.manage'),
      request: { params: keyParamsSchema },
      responses: { 200: jsonResponse(apiKeySchema, 'The revoked key'), ...errorResponses(401, 403, 404) },
    }),
    (context) => {
      const access = context.get('workspace');
      return context.json(revokeApiKey(access.scope, access.acting, context.req.valid('param').keyId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/audit',
      summary: 'The audit log, newest first, a page at a time',
      ...workspaceRoute('audit.read'),
      request: { params: workspaceParamsSchema, query: auditQuerySchema },
      responses: {
        200: jsonResponse(auditPageSchema, 'A page of the audit log'),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    (context) => {
      const { limit, before } = context.req.valid('query');
      const entries = context.get('workspace').scope.audit.list({ limit, ...(before ? { before } : {}) });
      const last = entries.at(-1);
      return context.json(
        {
          entries: entries.map(({ workspaceId: _workspaceId, ...entry }) => entry),
          nextBefore: entries.length === limit && last ? last.id : null,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/usage',
      summary: 'Model usage per day and task: tokens, calls and cost (the Models page chart)',
      ...workspaceRoute('read'),
      request: { params: workspaceParamsSchema, query: usageQuerySchema },
      responses: { 200: jsonResponse(usageSchema, 'Usage'), ...errorResponses(400, 401, 403, 404) },
    }),
    (context) => {
      const since =
        context.req.valid('query').since ??
        new Date(Date.now() - 30 * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
      return context.json({ since, rows: context.get('workspace').scope.usage.summarize({ since }) }, 200);
    },
  );

  return app;
}
