/**
 * A fresh, temporary knowledge base in memory: the same schema (all migrations), FTS5 and
 * sqlite-vec as the real database, with one workspace. `polett kb eval` and the benchmarks load
 * their documents into one, so that they measure the real indexing and search code and leave
 * nothing behind.
 */
import { randomUUID } from 'node:crypto';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { migrate } from '../storage/sqlite/migrations.js';
import { swedishAnalyzer, type SwedishAnalyzer } from '../text/swedish.js';
import type { ChunkOptions } from './chunker.js';
import {
  openKnowledgeStore,
  type SqliteKnowledgeStore,
  type WorkspaceKnowledge,
} from './sqlite-knowledge-store.js';

export interface ScratchKnowledge {
  database: Database;
  store: SqliteKnowledgeStore;
  knowledge: WorkspaceKnowledge;
  workspaceId: string;
  close(): void;
}

/** Opens a migrated database (in memory unless a path is given) with one workspace. */
export async function openScratchKnowledge(
  options: { path?: string; analyzer?: SwedishAnalyzer; chunking?: Partial<ChunkOptions> } = {},
): Promise<ScratchKnowledge> {
  const database = new BetterSqlite3(options.path ?? ':memory:');
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  // The page cache Polett's own connection has (src/storage/sqlite/sqlite-storage.ts), so that the
  // evaluation and the benchmarks search as the product does, not with SQLite's 2 MB.
  database.pragma('cache_size = -65536');
  sqliteVec.load(database);
  migrate(database);
  const workspaceId = randomUUID();
  database
    .prepare('INSERT INTO workspaces (id, name, slug, created_at) VALUES (?, ?, ?, ?)')
    .run(workspaceId, 'Scratch', `scratch-${workspaceId.slice(0, 8)}`, new Date().toISOString());
  const store = openKnowledgeStore(database, {
    analyzer: options.analyzer ?? (await swedishAnalyzer()),
    ...(options.chunking ? { chunking: options.chunking } : {}),
  });
  return {
    database,
    store,
    knowledge: store.forWorkspace(workspaceId),
    workspaceId,
    close: () => database.close(),
  };
}
