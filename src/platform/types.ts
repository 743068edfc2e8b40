/**
 * The platform's storage contract: accounts and sessions (instance-wide), and everything that
 * belongs to a workspace, reached only through `Platform.forWorkspace(workspaceId)`.
 */
import type { Locale } from '../errors.js';
import type { ApiKeyRecord } from '../storage/types.js';
import type { ApiKeyScope, Role } from './roles.js';

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  locale: Locale;
  createdAt: string;
}

export interface SessionRecord {
  /** SHA-256 of the session's secret; the secret itself lives only in the browser's cookie. */
  idHash: string;
  userId: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
}

export interface WorkspaceRecord {
  id: string;
  name: string;
  slug: string;
  /** Days to keep conversations; null keeps them forever. */
  conversationRetentionDays: number | null;
  /** Days to keep imported feedback; null keeps it forever. */
  feedbackRetentionDays: number | null;
  createdAt: string;
}

export interface MemberRecord {
  userId: string;
  email: string;
  name: string;
  role: Role;
  joinedAt: string;
}

export interface InvitationRecord {
  id: string;
  workspaceId: string;
  email: string;
  role: Role;
  invitedBy: string | null;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
}

export interface WorkspaceApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Who did something: a signed-in person, an API key, Polett itself, or someone unknown. */
export interface AuditActor {
  type: 'user' | 'api-key' | 'system' | 'anonymous';
  id: string | null;
  /** An e-mail address or a key's name, kept so that the log reads well after a deletion. */
  label: string | null;
}

export interface AuditEntryInput {
  actor: AuditActor;
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
  ip?: string | null;
}

export interface AuditEntry {
  id: number;
  workspaceId: string | null;
  actor: AuditActor;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  at: string;
}

export interface UsagePerDayAndTask {
  day: string;
  task: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cost: number;
  currency: string | null;
}

export interface UserStore {
  create(input: { email: string; name: string; passwordHash: string; locale: Locale }): UserRecord;
  get(id: string): UserRecord | undefined;
  /** The account and its password hash, looked up case-insensitively. */
  findByEmail(email: string): { user: UserRecord; passwordHash: string | null } | undefined;
  passwordHash(id: string): string | null;
  setPasswordHash(id: string, passwordHash: string): void;
  update(id: string, changes: { name?: string; locale?: Locale }): UserRecord;
  count(): number;
}

export interface SessionStore {
  /** Starts a session; the secret goes into the cookie and only its hash is stored. */
  create(
    userId: string,
    details?: { ip?: string | null; userAgent?: string | null },
  ): {
    secret: string;
    record: SessionRecord;
  };
  /** The session when the secret is valid and not expired; refreshes its last-seen time. */
  verify(secret: string): SessionRecord | undefined;
  delete(secret: string): void;
  /** Ends every session of a user ("sign out everywhere"), or every one but `exceptIdHash`. */
  deleteAllForUser(userId: string, exceptIdHash?: string): number;
  countForUser(userId: string): number;
}

/** The workspaces a person can see, and creating new ones: the only unscoped view of workspaces. */
export interface WorkspaceDirectory {
  /** Creates a workspace with `ownerUserId` as its first owner. */
  create(input: { name: string; ownerUserId: string }): WorkspaceRecord;
  /** The workspaces a user is a member of, with the role in each. */
  listForUser(userId: string): Array<{ workspace: WorkspaceRecord; role: Role }>;
  /** A user's role in a workspace; undefined for a non-member (or a workspace that does not exist). */
  roleOf(workspaceId: string, userId: string): Role | undefined;
  /** Every workspace of this installation, for its operator (the CLI); never exposed over HTTP. */
  listAll(): WorkspaceRecord[];
  /** Whether any workspace has an owner: false until first-run set-up is done. */
  hasOwner(): boolean;
}

/** Invitations looked up by their secret token: the token is the proof of access. */
export interface InvitationDirectory {
  findByToken(token: string): InvitationRecord | undefined;
  markAccepted(id: string): void;
}

/** Everything that belongs to one workspace; every query carries `workspace_id = ?`. */
export interface WorkspaceScope {
  readonly workspaceId: string;
  readonly workspace: {
    get(): WorkspaceRecord | undefined;
    update(changes: {
      name?: string;
      conversationRetentionDays?: number | null;
      feedbackRetentionDays?: number | null;
    }): WorkspaceRecord;
  };
  readonly members: {
    list(): MemberRecord[];
    get(userId: string): MemberRecord | undefined;
    add(userId: string, role: Role): void;
    changeRole(userId: string, role: Role): boolean;
    remove(userId: string): boolean;
    countOwners(): number;
  };
  readonly invitations: {
    create(input: { email: string; role: Role; invitedBy: string | null; validDays?: number }): {
      record: InvitationRecord;
      token: string;
    };
    /** Invitations not yet accepted nor expired. */
    listPending(): InvitationRecord[];
    revoke(id: string): boolean;
  };
  readonly apiKeys: {
    create(input: { name: string; scopes: ApiKeyScope[] }): { record: WorkspaceApiKeyRecord; secret: string };
    list(): WorkspaceApiKeyRecord[];
    get(id: string): WorkspaceApiKeyRecord | undefined;
    revoke(id: string): boolean;
  };
  readonly audit: {
    record(entry: AuditEntryInput): void;
    /** Newest first; `before` is the id of the last entry of the previous page. */
    list(options: { limit: number; before?: number }): AuditEntry[];
  };
  readonly usage: {
    summarize(options?: { since?: string }): UsagePerDayAndTask[];
  };
}

/** The platform's stores. Data of a workspace is reachable only through `forWorkspace`. */
export interface Platform {
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly workspaces: WorkspaceDirectory;
  readonly invitations: InvitationDirectory;
  /** API keys looked up by their secret: the secret is the proof, so this lookup needs no workspace. */
  readonly apiKeys: {
    /** The key when the secret is valid and not revoked (with its workspace); marks it used. */
    verify(secret: string): ApiKeyRecord | undefined;
    /** `verify` for a secret already hashed with `hashToken` (the rate limiter hashed it first). */
    verifyHash(keyHash: string): ApiKeyRecord | undefined;
  };
  /** Instance-level audit events that belong to no workspace (a failed sign-in for an unknown address). */
  readonly instanceAudit: { record(entry: AuditEntryInput): void };
  forWorkspace(workspaceId: string): WorkspaceScope;
}
