import type { Migration } from '../migrations.js';

/**
 * Durable jobs: one row per job, and one row per item a job has finished, so that a job resumed
 * after a crash skips what is already done. Instants that are compared in queries (`run_after`,
 * `lease_expires_at`) are integer milliseconds since the epoch; the rest are ISO 8601 text like
 * the other tables.
 */
export const jobsMigration: Migration = {
  version: 3,
  name: 'durable jobs and their item checkpoints',
  up(database) {
    database.exec(`
        CREATE TABLE jobs (
          id TEXT PRIMARY KEY,
          workspace_id TEXT,
          type TEXT NOT NULL,
          input TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
          priority INTEGER NOT NULL DEFAULT 0,
          attempts INTEGER NOT NULL DEFAULT 0,
          max_attempts INTEGER NOT NULL,
          run_after INTEGER NOT NULL,
          lease_owner TEXT,
          lease_expires_at INTEGER,
          cancel_requested INTEGER NOT NULL DEFAULT 0,
          progress TEXT,
          result TEXT,
          error TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          started_at TEXT,
          finished_at TEXT
        );
        -- The claim query: the next runnable job, highest priority first.
        CREATE INDEX jobs_runnable ON jobs (state, priority DESC, run_after, created_at);
        CREATE INDEX jobs_workspace_created ON jobs (workspace_id, created_at);

        -- An item is recorded once per job (the primary key) in the transaction that writes its
        -- result; the sequence orders the job's report and pages through it.
        CREATE TABLE job_items (
          sequence INTEGER PRIMARY KEY,
          job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
          item_key TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('done', 'failed')),
          result TEXT,
          error TEXT,
          finished_at TEXT NOT NULL,
          UNIQUE (job_id, item_key)
        );
      `);
  },
};
