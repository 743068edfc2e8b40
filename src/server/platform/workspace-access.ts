/**
 * The one gate of every `/api/workspaces/:workspaceId/…` route: loads the caller's membership (or
 * checks that the API key belongs to this workspace) and hands the route a workspace-scoped
 * accessor. A non-member gets 404, so that other companies' workspaces cannot be discovered; a
 * member without the route's permission gets 403 from `requirePermission`.
 */
import type { MiddlewareHandler } from 'hono';
import {
  permissionsOfScopes,
  platformErrors,
  ROLE_PERMISSIONS,
  type Permission,
  type Platform,
  type Role,
} from '../../platform/index.js';
import type { AppEnvironment, WorkspaceAccess } from '../context.js';

/** The path every workspace route lives under; the gate is mounted on it. */
export const WORKSPACE_ROUTES_PATH = '/api/workspaces/:workspaceId/*';

/** The role an API key acts with in the core's rules (who may assign which role). */
function roleOfScopes(scopes: readonly string[]): Role {
  if (scopes.includes('admin')) return 'admin';
  if (scopes.includes('write')) return 'editor';
  return 'viewer';
}

export function workspaceAccess(platform: Platform): MiddlewareHandler<AppEnvironment> {
  return async (context, next) => {
    const workspaceId = context.req.param('workspaceId');
    const principal = context.get('principal');
    if (!workspaceId || !principal) throw platformErrors.workspaceNotFound();
    const scope = platform.forWorkspace(workspaceId);
    let access: WorkspaceAccess;
    if (principal.kind === 'user') {
      const role = platform.workspaces.roleOf(workspaceId, principal.user.id);
      if (!role) throw platformErrors.workspaceNotFound();
      access = {
        id: workspaceId,
        scope,
        role,
        permissions: ROLE_PERMISSIONS[role],
        acting: {
          actor: { type: 'user', id: principal.user.id, label: principal.user.email },
          role,
          ip: context.get('ip'),
        },
      };
    } else {
      const { key } = principal;
      if (key.workspaceId !== workspaceId || !scope.workspace.get()) throw platformErrors.workspaceNotFound();
      const permissions = permissionsOfScopes(key.scopes);
      access = {
        id: workspaceId,
        scope,
        role: null,
        permissions,
        acting: {
          actor: { type: 'api-key', id: key.id, label: key.name },
          role: roleOfScopes(key.scopes),
          ip: context.get('ip'),
        },
      };
    }
    // Every workspace route shows workspace data, so `read` is the floor (an inference-only key stops here).
    if (!access.permissions.includes('read')) throw platformErrors.permissionDenied('read');
    context.set('workspace', access);
    await next();
  };
}

/** A route's permission, checked after the gate; declared in the route so the OpenAPI document names it. */
export function requirePermission(permission: Permission): MiddlewareHandler<AppEnvironment> {
  return async (context, next) => {
    if (!context.get('workspace').permissions.includes(permission))
      throw platformErrors.permissionDenied(permission);
    await next();
  };
}
