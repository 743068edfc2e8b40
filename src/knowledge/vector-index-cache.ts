/**
 * The in-memory vector indexes (quantized-vector-index.ts) of one database connection, one per
 * workspace, embedding model and dimension, built on first use from sqlite-vec (the storage of
 * record) and kept exactly as the database is:
 *
 * - Writes through this connection are seen by temporary triggers on `knowledge_chunks` (every
 *   vector write sets the chunk's `embedding_model`; every chunk removal deletes its row; an heir
 *   of a removed duplicate gets `duplicate_of` cleared), which log the chunk's rowid in a
 *   temporary table. Before a search the log is read and each logged chunk re-read: its vector is
 *   put in (or taken out of) the indexes. The log is written in the writer's transaction, so a
 *   rolled-back write leaves no entry, and a search inside an open transaction (which could see
 *   uncommitted rows) does not use the indexes at all.
 * - Writes by other connections (the CLI beside a running server) change `PRAGMA data_version`;
 *   then every index is dropped and rebuilt on the next search.
 */
import type { Database, Statement } from 'better-sqlite3';
import { QuantizedVectorIndex } from './quantized-vector-index.js';

/** Past this many logged changes, rebuilding is cheaper than applying them one by one. */
const APPLY_AT_MOST = 20_000;

interface ChunkState {
  workspace_id: string;
  embedding_model: string | null;
  embedding_dimension: number | null;
  duplicate_of: number | null;
}

interface CachedIndex {
  workspaceId: string;
  modelId: string;
  table: string;
  index: QuantizedVectorIndex;
}

export class VectorIndexCache {
  private readonly indexes = new Map<string, CachedIndex>();
  /** Indexes that did not fit in memory; tried again after the next write. */
  private readonly unusable = new Set<string>();
  private dataVersion: number | undefined;
  private statements:
    { dataVersion: Statement; pending: Statement; consumed: Statement; chunk: Statement } | undefined;
  private readonly vectorReads = new Map<string, Statement>();

  constructor(private readonly database: Database) {}

  /**
   * The index of a workspace's vectors of one model in `table` (a `knowledge_vectors_<dimension>`
   * table), up to date with every committed write; undefined inside a transaction or where
   * WebAssembly SIMD is missing (the caller then searches sqlite-vec).
   */
  get(
    workspaceId: string,
    modelId: string,
    dimension: number,
    table: string,
    /** How many vectors it will hold (the store's count), so that its memory is sized once. */
    expected = 0,
  ): QuantizedVectorIndex | undefined {
    if (this.database.inTransaction) return undefined;
    this.catchUp();
    const key = `${workspaceId}\u0000${modelId}\u0000${dimension}`;
    if (this.unusable.has(key)) return undefined;
    const cached = this.indexes.get(key);
    if (cached) return cached.index;
    const index = QuantizedVectorIndex.create(dimension, expected);
    if (!index) return undefined;
    const rows = this.database
      .prepare(
        `SELECT v.rowid AS rowid, v.embedding AS embedding FROM ${table} v
         WHERE v.workspace_id = ? AND v.rowid IN (
           SELECT rowid FROM knowledge_chunks
           WHERE workspace_id = ? AND embedding_model = ? AND embedding_dimension = ? AND duplicate_of IS NULL)`,
      )
      .iterate(workspaceId, workspaceId, modelId, dimension) as IterableIterator<{
      rowid: number;
      embedding: Buffer;
    }>;
    try {
      for (const row of rows) index.upsert(Number(row.rowid), floats(row.embedding));
    } catch (error) {
      // Past what one WebAssembly memory holds (4 GiB of codes): sqlite-vec searches alone.
      if (!(error instanceof RangeError)) throw error;
      this.unusable.add(key);
      return undefined;
    }
    this.indexes.set(key, { workspaceId, modelId, table, index });
    return index;
  }

  /** Drops every index (they are rebuilt on the next search). */
  clear(): void {
    this.indexes.clear();
    this.unusable.clear();
  }

  /** Brings the indexes up to date with the writes since the last search. */
  private catchUp(): void {
    const statements = this.prepareLog();
    const version = statements.dataVersion.pluck().get() as number;
    if (this.dataVersion !== undefined && version !== this.dataVersion) this.clear();
    this.dataVersion = version;
    const pending = statements.pending.all() as Array<{ id: number; chunk_rowid: number }>;
    if (pending.length === 0) return;
    this.unusable.clear();
    if (pending.length > APPLY_AT_MOST || pending.at(-1)!.id > APPLY_AT_MOST) {
      this.clear();
      statements.consumed.run(Number.MAX_SAFE_INTEGER);
      return;
    }
    if (this.indexes.size > 0)
      for (const rowid of new Set(pending.map((entry) => entry.chunk_rowid))) this.apply(rowid);
    statements.consumed.run(pending.at(-1)!.id);
  }

  private apply(rowid: number): void {
    const chunk = this.statements!.chunk.get(rowid) as ChunkState | undefined;
    for (const [key, cached] of this.indexes) {
      const belongs =
        chunk !== undefined &&
        chunk.duplicate_of === null &&
        chunk.workspace_id === cached.workspaceId &&
        chunk.embedding_model === cached.modelId &&
        chunk.embedding_dimension === cached.index.dimension;
      const stored = belongs ? this.readVector(cached.table, rowid) : undefined;
      try {
        if (stored) cached.index.upsert(rowid, floats(stored));
        else {
          cached.index.remove(rowid);
          // Emptied (the workspace moved to another model, or lost its documents): its memory,
          // which a WebAssembly memory never gives back, goes with it; a later search rebuilds it.
          if (cached.index.count === 0) this.indexes.delete(key);
        }
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        this.clear(); // out of memory to grow into: rebuilt (or left to sqlite-vec) on the next search
        return;
      }
    }
  }

  private readVector(table: string, rowid: number): Buffer | undefined {
    let statement = this.vectorReads.get(table);
    if (!statement) {
      statement = this.database.prepare(`SELECT embedding FROM ${table} WHERE rowid = ?`).pluck();
      this.vectorReads.set(table, statement);
    }
    return statement.get(BigInt(rowid)) as Buffer | undefined;
  }

  private prepareLog(): NonNullable<VectorIndexCache['statements']> {
    if (this.statements) return this.statements;
    // TEMP objects belong to this connection alone and vanish with it; the triggers see only this
    // connection's writes (the others are caught by data_version). The log is emptied whole by each
    // catch-up, so its ids count its entries: past APPLY_AT_MOST (when every index is rebuilt
    // anyway) a long sync with no search between stops adding to it, instead of growing it by a
    // row a chunk written.
    const logging = `WHEN (SELECT COALESCE(MAX(id), 0) FROM temp.knowledge_vector_changes) <= ${APPLY_AT_MOST}`;
    this.database.exec(`
      CREATE TEMP TABLE IF NOT EXISTS knowledge_vector_changes (
        id INTEGER PRIMARY KEY, chunk_rowid INTEGER NOT NULL);
      CREATE TEMP TRIGGER IF NOT EXISTS knowledge_vector_changes_update
        AFTER UPDATE OF embedding_model, embedding_dimension, duplicate_of ON main.knowledge_chunks
        ${logging} BEGIN INSERT INTO knowledge_vector_changes (chunk_rowid) VALUES (new.rowid); END;
      CREATE TEMP TRIGGER IF NOT EXISTS knowledge_vector_changes_delete
        AFTER DELETE ON main.knowledge_chunks
        ${logging} BEGIN INSERT INTO knowledge_vector_changes (chunk_rowid) VALUES (old.rowid); END;
    `);
    this.statements = {
      dataVersion: this.database.prepare('PRAGMA data_version'),
      pending: this.database.prepare(
        `SELECT id, chunk_rowid FROM temp.knowledge_vector_changes ORDER BY id LIMIT ${APPLY_AT_MOST + 1}`,
      ),
      consumed: this.database.prepare('DELETE FROM temp.knowledge_vector_changes WHERE id <= ?'),
      chunk: this.database.prepare(
        `SELECT workspace_id, embedding_model, embedding_dimension, duplicate_of
         FROM main.knowledge_chunks WHERE rowid = ?`,
      ),
    };
    return this.statements;
  }
}

/** A sqlite-vec float32 blob as floats, read at once (copied only when the blob is unaligned). */
function floats(blob: Buffer): Float32Array {
  return blob.byteOffset % 4 === 0
    ? new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4)
    : new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
}

const caches = new WeakMap<Database, VectorIndexCache>();

/** The vector indexes of a connection: one cache a connection, whoever opens a store on it. */
export function vectorIndexCache(database: Database): VectorIndexCache {
  let cache = caches.get(database);
  if (!cache) {
    cache = new VectorIndexCache(database);
    caches.set(database, cache);
  }
  return cache;
}
