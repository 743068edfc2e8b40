import type { Migration } from '../migrations.js';

/** The foundation: usage ledger, encrypted secrets, registered local models, API keys. */
export const foundationMigration: Migration = {
  version: 1,
  name: 'usage ledger, secrets, local models, API keys',
  up(database) {
    database.exec(`
        CREATE TABLE usage_ledger (
          id INTEGER PRIMARY KEY,
          at TEXT NOT NULL,
          workspace_id TEXT,
          task TEXT NOT NULL,
          provider TEXT NOT NULL,
          model TEXT NOT NULL,
          input_tokens INTEGER NOT NULL,
          output_tokens INTEGER NOT NULL,
          latency_ms REAL NOT NULL,
          cost REAL,
          currency TEXT,
          ok INTEGER NOT NULL,
          error_code TEXT
        );
        CREATE INDEX usage_ledger_at ON usage_ledger (at);
        CREATE INDEX usage_ledger_workspace_at ON usage_ledger (workspace_id, at);

        CREATE TABLE secrets (
          name TEXT PRIMARY KEY,
          ciphertext BLOB NOT NULL,
          updated_at TEXT NOT NULL
        );

        CREATE TABLE local_models (
          name TEXT PRIMARY KEY,
          path TEXT NOT NULL,
          format TEXT NOT NULL,
          source TEXT,
          size_bytes INTEGER NOT NULL,
          added_at TEXT NOT NULL,
          details TEXT NOT NULL
        );

        CREATE TABLE api_keys (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          prefix TEXT NOT NULL,
          key_hash TEXT NOT NULL UNIQUE,
          scopes TEXT NOT NULL,
          workspace_id TEXT,
          created_at TEXT NOT NULL,
          last_used_at TEXT,
          revoked_at TEXT
        );
      `);
  },
};
