import type { Context } from 'hono';
import type { AssistantService } from '../assistant/service.js';
import type { PolettConfig } from '../config/index.js';
import type { KnowledgeSearcher } from '../knowledge/search-contract.js';
import type { Locale } from '../errors.js';
import type { JobQueue } from '../jobs/index.js';
import type { ModelRegistry } from '../models/index.js';
import type {
  Acting,
  Permission,
  Platform,
  Role,
  SessionRecord,
  UserRecord,
  WorkspaceScope,
} from '../platform/index.js';
import type { ApiKeyRecord, Storage } from '../storage/index.js';

/** What the HTTP layer needs from the rest of Polett. */
export interface ServerDependencies {
  config: PolettConfig;
  storage: Storage;
  models: ModelRegistry;
  version: string;
  /** Durable jobs; the jobs routes are mounted only when given (Polett always gives them). */
  jobs?: JobQueue;
  /** Accounts and workspaces; opened on the storage's database when not given. */
  platform?: Platform;
  /** The Assistant's service; made on the storage when not given. */
  assistants?: AssistantService;
  /** A workspace's knowledge, for the answering capabilities; undefined until Knowledge has one. */
  knowledge?: (workspaceId: string) => KnowledgeSearcher | undefined;
  /** The clock of the rate limiters (tests move it). */
  now?: () => number;
}

/** Who is calling: a person signed in with a session cookie, or an API key. */
export type Principal =
  | { kind: 'user'; user: UserRecord; session: SessionRecord; csrfToken: string }
  | { kind: 'api-key'; key: ApiKeyRecord };

/** The workspace of a `/api/workspaces/:workspaceId/…` request, after the membership check. */
export interface WorkspaceAccess {
  id: string;
  /** The only way a route reaches the workspace's data: every query bound to this workspace. */
  scope: WorkspaceScope;
  /** The member's role; null for an API key. */
  role: Role | null;
  permissions: readonly Permission[];
  /** Who acts, for the core's rules and the audit log. */
  acting: Acting;
}

/** Hono's typed context variables. */
export interface AppEnvironment {
  Variables: {
    locale: Locale;
    apiKey: ApiKeyRecord;
    /** The client's address (from the socket, or X-Forwarded-For behind a trusted proxy). */
    ip: string;
    principal: Principal | undefined;
    /** The request's bearer token and its hash, computed once (see platform/bearer-token.ts). */
    bearerToken: { secret: string; hash: string } | undefined;
    workspace: WorkspaceAccess;
  };
}

/** The caller's language: Accept-Language when it names Swedish or English, else the configured default. */
export function requestLocale(context: Context, fallback: Locale): Locale {
  const header = context.req.header('accept-language');
  if (!header) return fallback;
  for (const entry of header.split(',')) {
    const tag = entry.trim().slice(0, 2).toLowerCase();
    if (tag === 'sv' || tag === 'en') return tag;
  }
  return fallback;
}
