import type { Database } from 'better-sqlite3';
import { foundationMigration } from './migrations/0001-foundation.js';
import { platformMigration } from './migrations/0002-platform.js';
import { jobsMigration } from './migrations/0003-jobs.js';
import { knowledgeMigration } from './migrations/0004-knowledge.js';
import { insightsMigration } from './migrations/0005-insights.js';
import { contentMigration } from './migrations/0006-content.js';
import { assistantMigration } from './migrations/0008-assistant.js';

/**
 * Versioned schema migrations. Each runs once, in its own transaction, and is recorded in
 * `schema_migrations`; never edit a migration that has shipped, add a new one.
 */
export interface Migration {
  version: number;
  name: string;
  up(database: Database): void;
}

/**
 * Every migration, in version order. A capability adds its own file under `migrations/` and one
 * line here; version numbers are never reused.
 */
export const MIGRATIONS: Migration[] = [
  foundationMigration,
  platformMigration,
  jobsMigration,
  knowledgeMigration,
  insightsMigration,
  contentMigration,
  assistantMigration,
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
