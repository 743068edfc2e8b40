import type { Database } from 'better-sqlite3';

/**
 * Versioned schema migrations. Each runs once, in its own transaction, and is recorded in
 * `schema_migrations`; never edit a migration that has shipped, add a new one.
 */
export interface Migration {
  version: number;
  name: string;
  up(database: Database): void;
}

export const MIGRATIONS: Migration[] = [
  {
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
  },
];

/** Applies the migrations the database has not seen yet; returns the resulting schema version. */
export function migrate(database: Database, migrations: Migration[] = MIGRATIONS): number {
  database.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = new Set(
    database
      .prepare('SELECT version FROM schema_migrations')
      .all()
      .map((row) => (row as { version: number }).version),
  );
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    database.transaction(() => {
      migration.up(database);
      database
        .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
        .run(migration.version, migration.name, new Date().toISOString());
    })();
  }
  const row = database.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as {
    version: number | null;
  };
  return row.version ?? 0;
}
