import type { Migration } from '../migrations.js';

/**
 * Knowledge: collections of sources (a file, a folder, an uploaded file, a web page, a site), the
 * documents each source yields, and their chunks, with the lexical index (FTS5) beside them.
 *
 * - A chunk's `content_hash` says whether a re-sync may keep it (and its embedding) as it is.
 * - `near_hash` is the hash of the chunk's text with case, punctuation and spacing folded away:
 *   a chunk whose near hash another chunk of the collection already has is stored as a
 *   `duplicate_of` that chunk, with no entry of its own in the lexical or vector index, so that the
 *   same footer on a hundred pages is indexed once.
 * - `knowledge_fts` holds Swedish stems (title, headings, body), the stems of compound parts and
 *   derivational roots (parts) and character 4-grams of the body (grams, `_` marking word
 *   boundaries), and in `scope` tokens for the chunk's workspace, collection, source, language
 *   and tags, so that a search is filtered and ranked inside FTS5 and reads only its top rows; it
 *   is contentless (the analysed terms only; the text lives in the chunks), its
 *   rowid is the chunk's rowid, and `contentless_delete` lets a chunk's row be deleted exactly.
 * - Vector tables (`knowledge_vectors_<dimension>`, sqlite-vec) are created when the first
 *   embedding of that dimension arrives, since the dimension depends on the configured model.
 */
export const knowledgeMigration: Migration = {
  version: 4,
  name: 'knowledge: collections, sources, documents, chunks and the lexical index',
  up(database) {
    database.exec(`
      CREATE TABLE knowledge_collections (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (workspace_id, name)
      );

      CREATE TABLE knowledge_sources (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        collection_id TEXT NOT NULL REFERENCES knowledge_collections (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('file', 'folder', 'upload', 'page', 'site')),
        -- A path on the server, the folder of an upload, or a URL.
        location TEXT NOT NULL,
        name TEXT NOT NULL,
        tags TEXT NOT NULL DEFAULT '[]',
        options TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL CHECK (status IN ('pending', 'syncing', 'ready', 'failed')),
        error TEXT,
        last_job_id TEXT,
        document_count INTEGER NOT NULL DEFAULT 0,
        chunk_count INTEGER NOT NULL DEFAULT 0,
        failed_count INTEGER NOT NULL DEFAULT 0,
        sync_every_hours INTEGER,
        last_synced_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX knowledge_sources_workspace ON knowledge_sources (workspace_id, created_at);

      CREATE TABLE knowledge_documents (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        source_id TEXT NOT NULL REFERENCES knowledge_sources (id) ON DELETE CASCADE,
        collection_id TEXT NOT NULL,
        -- Where in the source: a file's path relative to the source, or a page's URL.
        uri TEXT NOT NULL,
        title TEXT NOT NULL,
        format TEXT NOT NULL,
        language TEXT,
        content_hash TEXT NOT NULL,
        chunk_count INTEGER NOT NULL,
        indexed_at TEXT NOT NULL,
        UNIQUE (source_id, uri)
      );
      CREATE INDEX knowledge_documents_workspace ON knowledge_documents (workspace_id);

      CREATE TABLE knowledge_chunks (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        workspace_id TEXT NOT NULL,
        document_id TEXT NOT NULL REFERENCES knowledge_documents (id) ON DELETE CASCADE,
        source_id TEXT NOT NULL,
        collection_id TEXT NOT NULL,
        ordinal INTEGER NOT NULL,
        text TEXT NOT NULL,
        heading_path TEXT NOT NULL,
        location TEXT NOT NULL,
        token_count INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        near_hash TEXT NOT NULL,
        duplicate_of INTEGER,
        language TEXT,
        embedding_model TEXT,
        embedding_dimension INTEGER
      );
      CREATE INDEX knowledge_chunks_document ON knowledge_chunks (document_id, ordinal);
      CREATE INDEX knowledge_chunks_near ON knowledge_chunks (workspace_id, collection_id, near_hash);
      CREATE INDEX knowledge_chunks_duplicate ON knowledge_chunks (duplicate_of) WHERE duplicate_of IS NOT NULL;

      CREATE VIRTUAL TABLE knowledge_fts USING fts5(
        title, headings, body, parts, grams, scope,
        content = '', contentless_delete = 1,
        tokenize = "unicode61 remove_diacritics 0 tokenchars '_'"
      );
      -- How many chunks each term is in: a query skips terms too common to change the ranking.
      CREATE VIRTUAL TABLE knowledge_fts_vocabulary USING fts5vocab(knowledge_fts, 'row');
    `);
  },
};
