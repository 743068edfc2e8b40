import type { Migration } from '../migrations.js';

/**
 * Content: brand profiles, user templates, texts with their states, versions and comments,
 * webhooks that hear of each change of state, and bulk imports (the rows of an uploaded catalogue,
 * mapped to a template's fields). Every table carries workspace_id, and every statement of the
 * content store binds it (see src/content/content-store.ts).
 */
export const contentMigration: Migration = {
  version: 6,
  name: 'content: brand profiles, templates, texts, versions, comments, webhooks, bulk imports',
  up(database) {
    database.exec(`
      CREATE TABLE content_profiles (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        profile TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX content_profiles_workspace ON content_profiles (workspace_id, name);

      CREATE TABLE content_templates (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        definition TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX content_templates_workspace ON content_templates (workspace_id, name);

      CREATE TABLE content_texts (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        profile_id TEXT,
        template_id TEXT NOT NULL,
        title TEXT NOT NULL,
        language TEXT NOT NULL CHECK (language IN ('sv', 'en')),
        state TEXT NOT NULL CHECK (state IN ('draft', 'in_review', 'approved', 'published')),
        version INTEGER NOT NULL,
        body TEXT NOT NULL,
        findings TEXT NOT NULL,
        citations TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('generated', 'written', 'bulk')),
        -- A bulk job writes one text per row, once: the unique key makes a second write impossible.
        bulk_job_id TEXT,
        bulk_row INTEGER,
        -- The earlier text of the same bulk job this one nearly repeats, when it does.
        near_duplicate_of TEXT,
        created_by TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (bulk_job_id, bulk_row)
      );
      CREATE INDEX content_texts_workspace_state ON content_texts (workspace_id, state, updated_at);

      CREATE TABLE content_text_versions (
        text_id TEXT NOT NULL REFERENCES content_texts (id) ON DELETE CASCADE,
        workspace_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        body TEXT NOT NULL,
        state TEXT NOT NULL,
        author TEXT,
        note TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (text_id, version)
      );

      CREATE TABLE content_comments (
        id TEXT PRIMARY KEY,
        text_id TEXT NOT NULL REFERENCES content_texts (id) ON DELETE CASCADE,
        workspace_id TEXT NOT NULL,
        author TEXT,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX content_comments_text ON content_comments (workspace_id, text_id, created_at);

      CREATE TABLE content_webhooks (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        -- The HMAC key: Polett must read it back to sign, so it is stored, and shown once at creation.
        secret TEXT NOT NULL,
        created_at TEXT NOT NULL
      );

      CREATE TABLE content_bulk_imports (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        profile_id TEXT,
        template_id TEXT NOT NULL,
        language TEXT NOT NULL,
        file_name TEXT NOT NULL,
        encoding TEXT NOT NULL,
        mapping TEXT NOT NULL,
        row_count INTEGER NOT NULL,
        created_at TEXT NOT NULL
      );

      CREATE TABLE content_bulk_rows (
        import_id TEXT NOT NULL REFERENCES content_bulk_imports (id) ON DELETE CASCADE,
        workspace_id TEXT NOT NULL,
        row_number INTEGER NOT NULL,
        fields TEXT NOT NULL,
        -- Why the row could not be read or mapped; such a row is reported, never generated.
        error TEXT,
        PRIMARY KEY (import_id, row_number)
      );
    `);
  },
};
