import type { Migration } from '../migrations.js';

/**
 * Insights: imported feedback (one row per text, duplicates refused by the unique keys), the
 * imports with their report, analysis results (one row per text and analysis, naming the model
 * that produced it), trained classifiers and spike alerts. Every table carries workspace_id, and
 * every statement of the insights store binds it (see src/insights/feedback-store.ts).
 */
export const insightsMigration: Migration = {
  version: 5,
  name: 'insights: feedback, imports, analysis results, classifiers, alerts',
  up(database) {
    database.exec(`
      CREATE TABLE insights_imports (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        file_name TEXT NOT NULL,
        file_path TEXT NOT NULL,
        format TEXT NOT NULL,
        encoding TEXT,
        mapping TEXT,
        state TEXT NOT NULL CHECK (state IN ('previewed', 'importing', 'done', 'failed')),
        report TEXT,
        job_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX insights_imports_workspace ON insights_imports (workspace_id, created_at);

      -- Ids are time-ordered (UUID version 7), so a large import appends to the primary key's index.
      CREATE TABLE insights_feedback (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        -- The id the source gave the text, when it gave one: a second row with it is a duplicate.
        external_id TEXT,
        -- The first 16 bytes of the SHA-256 of the normalised text, author and date: the same row
        -- imported twice is a duplicate. Short, so that its index stays small at millions of rows.
        content_hash BLOB NOT NULL,
        text TEXT NOT NULL,
        occurred_at TEXT,
        rating REAL,
        source TEXT,
        author TEXT,
        label TEXT,
        fields TEXT NOT NULL DEFAULT '{}',
        import_id TEXT,
        import_line INTEGER,
        received_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX insights_feedback_external ON insights_feedback (workspace_id, external_id)
        WHERE external_id IS NOT NULL;
      CREATE UNIQUE INDEX insights_feedback_content ON insights_feedback (workspace_id, content_hash);
      CREATE INDEX insights_feedback_time ON insights_feedback (workspace_id, occurred_at);
      CREATE INDEX insights_feedback_received ON insights_feedback (workspace_id, received_at);

      -- One row per text and analysis (language, sentiment, topic, category, emotions); the
      -- primary key makes a second write of the same analysis an update, never a second row.
      CREATE TABLE insights_results (
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        feedback_id TEXT NOT NULL REFERENCES insights_feedback (id) ON DELETE CASCADE,
        analysis TEXT NOT NULL,
        label TEXT,
        score REAL,
        detail TEXT,
        model TEXT NOT NULL,
        job_id TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (feedback_id, analysis)
      );
      CREATE INDEX insights_results_workspace ON insights_results (workspace_id, analysis, label);

      CREATE TABLE insights_aspects (
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        feedback_id TEXT NOT NULL REFERENCES insights_feedback (id) ON DELETE CASCADE,
        aspect TEXT NOT NULL,
        sentiment TEXT NOT NULL CHECK (sentiment IN ('positive', 'neutral', 'negative')),
        score REAL NOT NULL,
        model TEXT NOT NULL,
        PRIMARY KEY (feedback_id, aspect)
      );
      CREATE INDEX insights_aspects_workspace ON insights_aspects (workspace_id, aspect, sentiment);

      CREATE TABLE insights_classifiers (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        labels TEXT NOT NULL,
        model TEXT NOT NULL,
        metrics TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (workspace_id, name)
      );

      CREATE TABLE insights_alerts (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        metric TEXT NOT NULL,
        period_start TEXT NOT NULL,
        value REAL NOT NULL,
        expected REAL NOT NULL,
        robust_z REAL NOT NULL,
        message TEXT NOT NULL,
        created_at TEXT NOT NULL,
        acknowledged_at TEXT,
        UNIQUE (workspace_id, metric, period_start)
      );

      -- One row per workspace: the editable aspect list, where spike alerts are sent, and the
      -- secret that signs feedback pushed to the inbound webhook.
      CREATE TABLE insights_settings (
        workspace_id TEXT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
        aspects TEXT,
        alert_webhook_url TEXT,
        alert_webhook_secret TEXT,
        inbound_webhook_secret TEXT,
        updated_at TEXT NOT NULL
      );
    `);
  },
};
