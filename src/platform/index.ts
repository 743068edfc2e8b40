/**
 * Platform: accounts, sessions, workspaces, roles, API keys, the audit log and rate limits.
 *
 * ## Workspace isolation: the pattern every capability follows
 *
 * Every piece of data that belongs to a workspace (documents, conversations, feedback, content,
 * jobs, usage) is reached only through a workspace-scoped accessor, never by a bare id:
 *
 * ```ts
 * const scoped = platform.forWorkspace(workspaceId); // workspaceId from the request's membership
 * scoped.apiKeys.list();                               // SELECT … WHERE workspace_id = ?
 * scoped.members.remove(userId);                       // DELETE … WHERE workspace_id = ? AND user_id = ?
 * ```
 *
 * 1. A store for workspace data takes the workspace id when it is constructed
 *    (`forWorkspace(id)`), and every statement it prepares binds `workspace_id = ?` — including
 *    updates and deletes by id, so that an id from another workspace matches nothing and becomes
 *    a 404. There is deliberately no unscoped method to "get by id".
 * 2. In the HTTP layer, the scope comes only from `context.get('workspace').scope`, which the one
 *    middleware on `/api/workspaces/:workspaceId/*` sets after checking the membership (or the API
 *    key's workspace). A route never calls `forWorkspace` with an id it read from the request.
 * 3. Knowledge, Assistant, Content and Insights add their stores to `WorkspaceScope` (or build
 *    their own `forWorkspace(id)` the same way), put their routes under
 *    `/api/workspaces/:workspaceId/…`, and the isolation test (src/server/isolation.test.ts) walks
 *    them with a user of another workspace automatically.
 *
 * Instance-wide data (users, sessions, the list of workspaces a user may see) lives on `Platform`
 * itself; it holds nothing that belongs to one workspace.
 */
import type { Database } from 'better-sqlite3';
import { createSqlitePlatform, type SqlitePlatformOptions } from './sqlite/sqlite-platform.js';
import type { Platform } from './types.js';

export * from './roles.js';
export type * from './types.js';
export {
  createSqlitePlatform,
  emailKey,
  slugify,
  type SqlitePlatformOptions,
} from './sqlite/sqlite-platform.js';
export { RateLimiter, type RateDecision, type RateLimit } from './rate-limiter.js';
export {
  acceptInvitation,
  changePassword,
  recordForUser,
  setUpOwner,
  signIn,
  SignInGuard,
  type SetUpOwnerInput,
  type SignInLimits,
} from './accounts.js';
export {
  changeMemberRole,
  createApiKey,
  inviteMember,
  removeMember,
  revokeApiKey,
  revokeInvitation,
  updateWorkspaceSettings,
  type Acting,
} from './workspace-administration.js';
export * as platformErrors from './platform-errors.js';
export { checkPasswordPolicy, hashPassword, MINIMUM_PASSWORD_LENGTH, verifyPassword } from './passwords.js';
export { hashToken, randomToken } from './tokens.js';
export {
  deliverWebhook,
  newWebhookSecret,
  signWebhookBody,
  WEBHOOK_MAX_ATTEMPTS,
  type WebhookDelivery,
} from './webhooks.js';

/** Opens the platform on the storage's SQLite database (already migrated by `SqliteStorage`). */
export function openPlatform(storage: { database: Database }, options: SqlitePlatformOptions = {}): Platform {
  return createSqlitePlatform(storage.database, options);
}
