import type { Migration } from '../migrations.js';

/**
 * The Assistant: assistants (persona, boundaries, collections, widget safety), conversations with
 * their hand-over state, messages with the passages they cited, curated answers, and the daily
 * spend per assistant that the cap is checked against. Every row carries its workspace.
 */
export const assistantMigration: Migration = {
  version: 8,
  name: 'assistants, conversations, messages and curated answers',
  up(database) {
    database.exec(`
      CREATE TABLE assistants (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        settings TEXT NOT NULL,
        webhook_secret TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (workspace_id, name)
      );

      CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        assistant_id TEXT NOT NULL REFERENCES assistants(id) ON DELETE CASCADE,
        visitor_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('assistant', 'waiting', 'assigned', 'closed')),
        assigned_to TEXT,
        language TEXT,
        summary TEXT,
        summarized_through INTEGER NOT NULL DEFAULT 0,
        handed_over_at TEXT,
        handover_reason TEXT,
        closed_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX conversations_by_workspace_status ON conversations (workspace_id, status, updated_at);
      CREATE INDEX conversations_by_assistant_day ON conversations (workspace_id, assistant_id, created_at);

      CREATE TABLE conversation_messages (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        sequence INTEGER NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('customer', 'assistant', 'agent', 'system')),
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        citations TEXT NOT NULL DEFAULT '[]',
        passages TEXT NOT NULL DEFAULT '[]',
        author_id TEXT,
        model TEXT,
        cost REAL,
        first_token_ms INTEGER,
        feedback INTEGER CHECK (feedback IN (-1, 1)),
        created_at TEXT NOT NULL,
        UNIQUE (conversation_id, sequence)
      );
      CREATE INDEX conversation_messages_by_workspace ON conversation_messages (workspace_id, created_at);

      CREATE TABLE curated_answers (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        assistant_id TEXT REFERENCES assistants(id) ON DELETE CASCADE,
        question TEXT NOT NULL,
        answer TEXT NOT NULL,
        created_by TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX curated_answers_by_workspace ON curated_answers (workspace_id, assistant_id);

      CREATE TABLE assistant_daily_spend (
        workspace_id TEXT NOT NULL,
        assistant_id TEXT NOT NULL REFERENCES assistants(id) ON DELETE CASCADE,
        day TEXT NOT NULL,
        cost REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (workspace_id, assistant_id, day)
      );
    `);
  },
};
