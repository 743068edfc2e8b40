import type { Migration } from '../migrations.js';

/**
 * The platform: users, sessions, workspaces, memberships with roles, invitations, the audit log,
 * and API keys bound to a workspace (the foundation's `api_keys.workspace_id` gets an index; keys
 * created before workspaces existed keep a null workspace and serve only the `/v1` API).
 */
export const platformMigration: Migration = {
  version: 2,
  name: 'users, sessions, workspaces, memberships, invitations, audit log',
  up(database) {
    database.exec(`
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        -- The e-mail address lower-cased in JavaScript (Unicode-aware, unlike SQLite's lower()).
        email_key TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        password_hash TEXT,
        locale TEXT NOT NULL CHECK (locale IN ('sv', 'en')),
        created_at TEXT NOT NULL
      );

      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        ip TEXT,
        user_agent TEXT
      );
      CREATE INDEX sessions_user ON sessions (user_id);

      CREATE TABLE workspaces (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        slug TEXT NOT NULL UNIQUE,
        conversation_retention_days INTEGER,
        feedback_retention_days INTEGER,
        created_at TEXT NOT NULL
      );

      CREATE TABLE memberships (
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'agent', 'viewer')),
        created_at TEXT NOT NULL,
        PRIMARY KEY (workspace_id, user_id)
      );
      CREATE INDEX memberships_user ON memberships (user_id);

      CREATE TABLE invitations (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        email TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'agent', 'viewer')),
        token_hash TEXT NOT NULL UNIQUE,
        invited_by TEXT,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        accepted_at TEXT
      );
      CREATE INDEX invitations_workspace ON invitations (workspace_id);

      -- No foreign key on workspace_id: the record of what happened outlives what it happened to.
      -- A null workspace is an instance-level event (a failed sign-in for an unknown address).
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        workspace_id TEXT,
        actor_type TEXT NOT NULL,
        actor_id TEXT,
        actor_label TEXT,
        action TEXT NOT NULL,
        target TEXT,
        details TEXT NOT NULL,
        ip TEXT,
        at TEXT NOT NULL
      );
      CREATE INDEX audit_log_workspace ON audit_log (workspace_id, id);

      CREATE INDEX api_keys_workspace ON api_keys (workspace_id);
    `);
  },
};
