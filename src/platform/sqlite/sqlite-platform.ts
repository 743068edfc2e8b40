/**
 * The platform's stores on SQLite, over the database that `SqliteStorage` opened and migrated.
 * Workspace data is reached only through `forWorkspace`, whose statements all bind the workspace
 * id: there is no statement here that reads a workspace's members, keys, invitations, audit or
 * usage without it.
 */
import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { Locale } from '../../errors.js';
import type { ApiKeyScope, Role } from '../roles.js';
import { hashToken, randomToken } from '../tokens.js';
import type {
  AuditEntry,
  AuditEntryInput,
  InvitationDirectory,
  InvitationRecord,
  MemberRecord,
  Platform,
  SessionRecord,
  SessionStore,
  UsagePerDayAndTask,
  UserRecord,
  UserStore,
  WorkspaceApiKeyRecord,
  WorkspaceDirectory,
  WorkspaceRecord,
  WorkspaceScope,
} from '../types.js';

export interface SqlitePlatformOptions {
  /** The clock; tests move it to expire sessions and invitations. */
  now?: () => Date;
  /** How long a session lasts after sign-in. */
  sessionDays?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The key an e-mail address is unique by: trimmed and lower-cased (Unicode-aware). */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

/** A URL-friendly name: `Kaffe & Kakor AB` → `kaffe-kakor-ab`. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return slug || 'workspace';
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  locale: Locale;
  created_at: string;
}

function userFromRow(row: UserRow): UserRecord {
  return { id: row.id, email: row.email, name: row.name, locale: row.locale, createdAt: row.created_at };
}

interface WorkspaceRow {
  id: string;
  name: string;
  slug: string;
  conversation_retention_days: number | null;
  feedback_retention_days: number | null;
  created_at: string;
}

function workspaceFromRow(row: WorkspaceRow): WorkspaceRecord {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    conversationRetentionDays: row.conversation_retention_days,
    feedbackRetentionDays: row.feedback_retention_days,
    createdAt: row.created_at,
  };
}

interface InvitationRow {
  id: string;
  workspace_id: string;
  email: string;
  role: Role;
  invited_by: string | null;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
}

function invitationFromRow(row: InvitationRow): InvitationRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    email: row.email,
    role: row.role,
    invitedBy: row.invited_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    acceptedAt: row.accepted_at,
  };
}

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

function apiKeyFromRow(row: ApiKeyRow): WorkspaceApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: JSON.parse(row.scopes) as ApiKeyScope[],
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

interface AuditRow {
  id: number;
  workspace_id: string | null;
  actor_type: AuditEntry['actor']['type'];
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  target: string | null;
  details: string;
  ip: string | null;
  at: string;
}

function auditFromRow(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    actor: { type: row.actor_type, id: row.actor_id, label: row.actor_label },
    action: row.action,
    target: row.target,
    details: JSON.parse(row.details) as Record<string, unknown>,
    ip: row.ip,
    at: row.at,
  };
}

/** Opens the platform's stores on a migrated Polett database. */
export function createSqlitePlatform(database: Database, options: SqlitePlatformOptions = {}): Platform {
  // Preparing a statement costs more than running it: each SQL text is prepared once per database.
  const statements = new Map<string, Statement>();
  const prepare = (sql: string): Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = database.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const now = options.now ?? (() => new Date());
  const sessionMs = (options.sessionDays ?? 14) * DAY_MS;
  const iso = () => now().toISOString();

  const insertAudit = prepare(`INSERT INTO audit_log
    (workspace_id, actor_type, actor_id, actor_label, action, target, details, ip, at)
    VALUES (@workspaceId, @actorType, @actorId, @actorLabel, @action, @target, @details, @ip, @at)`);
  const recordAudit = (workspaceId: string | null, entry: AuditEntryInput) => {
    insertAudit.run({
      workspaceId,
      actorType: entry.actor.type,
      actorId: entry.actor.id,
      actorLabel: entry.actor.label,
      action: entry.action,
      target: entry.target ?? null,
      details: JSON.stringify(entry.details ?? {}),
      ip: entry.ip ?? null,
      at: iso(),
    });
  };

  const users: UserStore = {
    create(input) {
      const row: UserRow = {
        id: randomUUID(),
        email: input.email.trim(),
        name: input.name.trim(),
        password_hash: input.passwordHash,
        locale: input.locale,
        created_at: iso(),
      };
      prepare(
        `INSERT INTO users (id, email, email_key, name, password_hash, locale, created_at)
           VALUES (@id, @email, @emailKey, @name, @password_hash, @locale, @created_at)`,
      ).run({ ...row, emailKey: emailKey(input.email) });
      return userFromRow(row);
    },
    get(id) {
      const row = prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
      return row && userFromRow(row);
    },
    findByEmail(email) {
      const row = prepare('SELECT * FROM users WHERE email_key = ?').get(emailKey(email)) as
        UserRow | undefined;
      return row && { user: userFromRow(row), passwordHash: row.password_hash };
    },
    passwordHash(id) {
      const row = prepare('SELECT password_hash FROM users WHERE id = ?').get(id) as
        { password_hash: string | null } | undefined;
      return row?.password_hash ?? null;
    },
    setPasswordHash(id, passwordHash) {
      prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, id);
    },
    update(id, changes) {
      if (changes.name !== undefined)
        prepare('UPDATE users SET name = ? WHERE id = ?').run(changes.name.trim(), id);
      if (changes.locale !== undefined)
        prepare('UPDATE users SET locale = ? WHERE id = ?').run(changes.locale, id);
      return users.get(id)!;
    },
    count() {
      return (prepare('SELECT COUNT(*) AS count FROM users').get() as { count: number }).count;
    },
  };

  /** Writing last-seen on every request would serialise traffic on the database: once a minute is enough. */
  const lastSeenWritten = new Map<string, number>();
  // Expired sessions are swept when new ones start (at most hourly), so that sessions nobody
  // presents again do not pile up.
  let expiredSweptAt = 0;
  const sessions: SessionStore = {
    create(userId, details = {}) {
      const secret = randomToken();
      const created = now();
      if (created.getTime() - expiredSweptAt > 60 * 60 * 1000) {
        expiredSweptAt = created.getTime();
        prepare('DELETE FROM sessions WHERE expires_at <= ?').run(created.toISOString());
      }
      const record: SessionRecord = {
        idHash: hashToken(secret),
        userId,
        createdAt: created.toISOString(),
        expiresAt: new Date(created.getTime() + sessionMs).toISOString(),
        lastSeenAt: created.toISOString(),
      };
      prepare(
        `INSERT INTO sessions (id_hash, user_id, created_at, expires_at, last_seen_at, ip, user_agent)
           VALUES (@idHash, @userId, @createdAt, @expiresAt, @lastSeenAt, @ip, @userAgent)`,
      ).run({ ...record, ip: details.ip ?? null, userAgent: details.userAgent?.slice(0, 300) ?? null });
      return { secret, record };
    },
    verify(secret) {
      const row = prepare(
        'SELECT id_hash, user_id, created_at, expires_at, last_seen_at FROM sessions WHERE id_hash = ?',
      ).get(hashToken(secret)) as
        | { id_hash: string; user_id: string; created_at: string; expires_at: string; last_seen_at: string }
        | undefined;
      if (!row) return undefined;
      const current = now();
      if (Date.parse(row.expires_at) <= current.getTime()) {
        prepare('DELETE FROM sessions WHERE id_hash = ?').run(row.id_hash);
        return undefined;
      }
      if (current.getTime() - (lastSeenWritten.get(row.id_hash) ?? 0) > 60_000) {
        lastSeenWritten.set(row.id_hash, current.getTime());
        row.last_seen_at = current.toISOString();
        prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?').run(row.last_seen_at, row.id_hash);
      }
      return {
        idHash: row.id_hash,
        userId: row.user_id,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        lastSeenAt: row.last_seen_at,
      };
    },
    delete(secret) {
      prepare('DELETE FROM sessions WHERE id_hash = ?').run(hashToken(secret));
    },
    deleteAllForUser(userId, exceptIdHash) {
      return prepare('DELETE FROM sessions WHERE user_id = ? AND id_hash IS NOT ?').run(
        userId,
        exceptIdHash ?? null,
      ).changes;
    },
    countForUser(userId) {
      return (
        prepare('SELECT COUNT(*) AS count FROM sessions WHERE user_id = ?').get(userId) as {
          count: number;
        }
      ).count;
    },
  };

  const uniqueSlug = (name: string) => {
    const base = slugify(name);
    const taken = prepare('SELECT 1 FROM workspaces WHERE slug = ?');
    for (let suffix = 1; ; suffix += 1) {
      const candidate = suffix === 1 ? base : `${base}-${suffix}`;
      if (!taken.get(candidate)) return candidate;
    }
  };

  const workspaces: WorkspaceDirectory = {
    create(input) {
      return database.transaction(() => {
        const row: WorkspaceRow = {
          id: randomUUID(),
          name: input.name.trim(),
          slug: uniqueSlug(input.name),
          conversation_retention_days: null,
          feedback_retention_days: null,
          created_at: iso(),
        };
        prepare(
          `INSERT INTO workspaces (id, name, slug, conversation_retention_days, feedback_retention_days, created_at)
             VALUES (@id, @name, @slug, @conversation_retention_days, @feedback_retention_days, @created_at)`,
        ).run(row);
        prepare(
          `INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, 'owner', ?)`,
        ).run(row.id, input.ownerUserId, row.created_at);
        return workspaceFromRow(row);
      })();
    },
    listForUser(userId) {
      const rows = prepare(
        `SELECT w.*, m.role FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
           WHERE m.user_id = ? ORDER BY w.name`,
      ).all(userId) as Array<WorkspaceRow & { role: Role }>;
      return rows.map((row) => ({ workspace: workspaceFromRow(row), role: row.role }));
    },
    roleOf(workspaceId, userId) {
      const row = prepare('SELECT role FROM memberships WHERE workspace_id = ? AND user_id = ?').get(
        workspaceId,
        userId,
      ) as { role: Role } | undefined;
      return row?.role;
    },
    listAll() {
      return (prepare('SELECT * FROM workspaces ORDER BY name').all() as WorkspaceRow[]).map(
        workspaceFromRow,
      );
    },
    hasOwner() {
      return prepare(`SELECT 1 FROM memberships WHERE role = 'owner' LIMIT 1`).get() !== undefined;
    },
  };

  const invitations: InvitationDirectory = {
    findByToken(token) {
      const row = prepare(
        'SELECT * FROM invitations WHERE token_hash = ? AND accepted_at IS NULL AND expires_at > ?',
      ).get(hashToken(token), iso()) as InvitationRow | undefined;
      return row && invitationFromRow(row);
    },
    markAccepted(id) {
      prepare('UPDATE invitations SET accepted_at = ? WHERE id = ?').run(iso(), id);
    },
  };

  function forWorkspace(workspaceId: string): WorkspaceScope {
    const scope: WorkspaceScope = {
      workspaceId,
      workspace: {
        get() {
          const row = prepare('SELECT * FROM workspaces WHERE id = ?').get(workspaceId) as
            WorkspaceRow | undefined;
          return row && workspaceFromRow(row);
        },
        update(changes) {
          const assignments: string[] = [];
          const values: Record<string, unknown> = { workspaceId };
          if (changes.name !== undefined) {
            assignments.push('name = @name');
            values.name = changes.name.trim();
          }
          if (changes.conversationRetentionDays !== undefined) {
            assignments.push('conversation_retention_days = @conversation');
            values.conversation = changes.conversationRetentionDays;
          }
          if (changes.feedbackRetentionDays !== undefined) {
            assignments.push('feedback_retention_days = @feedback');
            values.feedback = changes.feedbackRetentionDays;
          }
          if (assignments.length > 0)
            prepare(`UPDATE workspaces SET ${assignments.join(', ')} WHERE id = @workspaceId`).run(values);
          return scope.workspace.get()!;
        },
      },
      members: {
        list() {
          return prepare(
            `SELECT u.id AS userId, u.email, u.name, m.role, m.created_at AS joinedAt
               FROM memberships m JOIN users u ON u.id = m.user_id
               WHERE m.workspace_id = ? ORDER BY u.name, u.email`,
          ).all(workspaceId) as MemberRecord[];
        },
        get(userId) {
          return prepare(
            `SELECT u.id AS userId, u.email, u.name, m.role, m.created_at AS joinedAt
               FROM memberships m JOIN users u ON u.id = m.user_id
               WHERE m.workspace_id = ? AND m.user_id = ?`,
          ).get(workspaceId, userId) as MemberRecord | undefined;
        },
        add(userId, role) {
          prepare(
            `INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (workspace_id, user_id) DO NOTHING`,
          ).run(workspaceId, userId, role, iso());
        },
        changeRole(userId, role) {
          return (
            prepare('UPDATE memberships SET role = ? WHERE workspace_id = ? AND user_id = ?').run(
              role,
              workspaceId,
              userId,
            ).changes > 0
          );
        },
        remove(userId) {
          return (
            prepare('DELETE FROM memberships WHERE workspace_id = ? AND user_id = ?').run(workspaceId, userId)
              .changes > 0
          );
        },
        countOwners() {
          return (
            prepare(
              `SELECT COUNT(*) AS count FROM memberships WHERE workspace_id = ? AND role = 'owner'`,
            ).get(workspaceId) as { count: number }
          ).count;
        },
      },
      invitations: {
        create(input) {
          const token = randomToken('pli_');
          const created = now();
          const row: InvitationRow = {
            id: randomUUID(),
            workspace_id: workspaceId,
            email: input.email.trim(),
            role: input.role,
            invited_by: input.invitedBy,
            created_at: created.toISOString(),
            expires_at: new Date(created.getTime() + (input.validDays ?? 7) * DAY_MS).toISOString(),
            accepted_at: null,
          };
          prepare(
            `INSERT INTO invitations (id, workspace_id, email, role, token_hash, invited_by, created_at, expires_at)
               VALUES (@id, @workspace_id, @email, @role, @tokenHash, @invited_by, @created_at, @expires_at)`,
          ).run({ ...row, tokenHash: hashToken(token) });
          return { record: invitationFromRow(row), token };
        },
        listPending() {
          return (
            prepare(
              `SELECT * FROM invitations WHERE workspace_id = ? AND accepted_at IS NULL AND expires_at > ?
                 ORDER BY created_at`,
            ).all(workspaceId, iso()) as InvitationRow[]
          ).map(invitationFromRow);
        },
        revoke(id) {
          return (
            prepare('DELETE FROM invitations WHERE workspace_id = ? AND id = ? AND accepted_at IS NULL').run(
              workspaceId,
              id,
            ).changes > 0
          );
        },
      },
      apiKeys: {
        create(input) {
          // The same secret format and hash as the foundation's key store, which verifies every bearer call.
          const secret = randomToken('plt_');
          const row: ApiKeyRow = {
            id: randomUUID(),
            name: input.name.trim(),
            prefix: secret.slice(0, 10),
            scopes: JSON.stringify(input.scopes),
            created_at: iso(),
            last_used_at: null,
            revoked_at: null,
          };
          prepare(
            `INSERT INTO api_keys (id, name, prefix, key_hash, scopes, workspace_id, created_at)
               VALUES (@id, @name, @prefix, @keyHash, @scopes, @workspaceId, @created_at)`,
          ).run({ ...row, keyHash: hashToken(secret), workspaceId });
          return { record: apiKeyFromRow(row), secret };
        },
        list() {
          return (
            prepare('SELECT * FROM api_keys WHERE workspace_id = ? ORDER BY created_at').all(
              workspaceId,
            ) as ApiKeyRow[]
          ).map(apiKeyFromRow);
        },
        get(id) {
          const row = prepare('SELECT * FROM api_keys WHERE workspace_id = ? AND id = ?').get(
            workspaceId,
            id,
          ) as ApiKeyRow | undefined;
          return row && apiKeyFromRow(row);
        },
        revoke(id) {
          return (
            prepare(
              'UPDATE api_keys SET revoked_at = ? WHERE workspace_id = ? AND id = ? AND revoked_at IS NULL',
            ).run(iso(), workspaceId, id).changes > 0
          );
        },
      },
      audit: {
        record(entry) {
          recordAudit(workspaceId, entry);
        },
        list(options) {
          return (
            prepare(`SELECT * FROM audit_log WHERE workspace_id = ? AND id < ? ORDER BY id DESC LIMIT ?`).all(
              workspaceId,
              options.before ?? Number.MAX_SAFE_INTEGER,
              options.limit,
            ) as AuditRow[]
          ).map(auditFromRow);
        },
      },
      usage: {
        summarize(options = {}) {
          return prepare(
            `SELECT substr(at, 1, 10) AS day, task, COUNT(*) AS calls,
                 SUM(input_tokens) AS inputTokens, SUM(output_tokens) AS outputTokens,
                 COALESCE(SUM(cost), 0) AS cost, MAX(currency) AS currency
               FROM usage_ledger WHERE workspace_id = ? AND at >= ?
               GROUP BY day, task ORDER BY day DESC, task`,
          ).all(workspaceId, options.since ?? '') as UsagePerDayAndTask[];
        },
      },
    };
    return scope;
  }

  /** Writing last-used on every request would serialise hot API traffic on the database: once a minute is enough. */
  const keyLastUsedWritten = new Map<string, number>();
  const apiKeys: Platform['apiKeys'] = {
    verify(secret) {
      return apiKeys.verifyHash(hashToken(secret));
    },
    verifyHash(keyHash) {
      const row = prepare('SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL').get(keyHash) as
        (ApiKeyRow & { workspace_id: string | null }) | undefined;
      if (!row) return undefined;
      const current = now();
      if (current.getTime() - (keyLastUsedWritten.get(row.id) ?? 0) > 60_000) {
        keyLastUsedWritten.set(row.id, current.getTime());
        row.last_used_at = current.toISOString();
        prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(row.last_used_at, row.id);
      }
      return { ...apiKeyFromRow(row), workspaceId: row.workspace_id };
    },
  };

  return {
    users,
    sessions,
    workspaces,
    invitations,
    apiKeys,
    instanceAudit: { record: (entry) => recordAudit(null, entry) },
    forWorkspace,
  };
}
