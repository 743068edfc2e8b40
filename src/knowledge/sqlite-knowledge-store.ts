/**
 * Knowledge on SQLite: collections, sources, documents and chunks, the FTS5 lexical index and
 * sqlite-vec vector tables, reached only through `forWorkspace(id)`, whose every statement binds
 * the workspace id (the platform's isolation pattern, src/platform/index.ts).
 *
 * Indexing a document is two steps, so that the slow part (embedding) runs outside any
 * transaction: `prepareDocument` chunks, hashes and embeds what is new; `writeDocument` writes the
 * document, its chunks and every index entry in ONE transaction, so a failure leaves none of it.
 * A re-index keeps chunks whose content hash is unchanged (with their embeddings), writes the new
 * ones, and removes the vanished ones from the chunks, the lexical and the vector index alike.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { SwedishAnalyzer } from '../text/swedish.js';
import type { ChunkOptions } from './chunker.js';
import {
  analyseDocument,
  isAnalysedDocument,
  nearDuplicateHash,
  type AnalysedDocument,
} from './document-analysis.js';
import { invalidCollectionError, sourceNotFoundError } from './knowledge-errors.js';
import {
  analyseQuery,
  chunkGrams,
  type AnalysedQuery,
  LEXICAL_COLUMN_WEIGHTS,
  lexicalColumns,
  matchExpression,
  scopeColumn,
  scopeTokens,
  type AnalysedColumns,
  type LexicalScope,
} from './lexical-analysis.js';
import type { ParsedDocument } from './parsing/types.js';
import type { QuantizedVectorIndex } from './quantized-vector-index.js';
import { vectorIndexCache } from './vector-index-cache.js';
import type { PassageLocation } from './search-contract.js';
import type {
  ChunkRecord,
  DocumentRecord,
  IndexCounts,
  IndexOutcome,
  NewSource,
  SearchFilters,
  SourceRecord,
  SourceStatus,
} from './types.js';

/** Turns texts into vectors; `modelId` names the model, so that vectors of another model are never compared. */
export interface Embedder {
  modelId: string;
  embed(texts: string[], signal?: AbortSignal): Promise<number[][]>;
}

export interface KnowledgeStoreOptions {
  analyzer: SwedishAnalyzer;
  chunking?: Partial<ChunkOptions>;
  now?: () => Date;
  /** From how many vectors of a model a vector search uses the in-memory index (`VECTOR_INDEX_FROM`). */
  vectorIndexFrom?: number;
}

export const DEFAULT_COLLECTION = 'default';

/**
 * A word term in more than this share of all chunks is "common" (BM25 gives it an IDF of at most
 * about 2.2) and is scored on the top candidates only (see `WorkspaceKnowledge.lexicalSearch`).
 */
const COMMON_TERM_SHARE = 0.1;

/** Top lexical candidates whose score is completed with the query's common terms. */
const RESCORED_CANDIDATES = 40;

/** Postings of 4-grams a lexical query may read (more when the index is larger; see `selectiveTerms`). */
const GRAM_POSTINGS_BUDGET = 12_000;

/**
 * A query word with a term in at most this share of all chunks is found by that term: its own
 * 4-grams are not asked (see `selectiveTerms`).
 */
const RARE_WORD_SHARE = 0.01;

/**
 * From this many chunks on, a 4-gram's chunk count is estimated from a sample of chunks instead of
 * counted (see `SqliteKnowledgeStore.gramEstimate`); below it counting is cheap and stays exact.
 */
const ESTIMATED_GRAMS_FROM = 20_000;
/** Chunks in that sample: a gram in 1 % of the chunks is seen about ten times in it. */
const GRAM_SAMPLE_CHUNKS = 1_000;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export { nearDuplicateHash };

/** The binary-quantised copy of a dimension's vectors (one bit a dimension), for a fast first pass. */
function bitTable(dimension: number): string | undefined {
  return dimension % 8 === 0 ? `knowledge_vector_bits_${dimension}` : undefined;
}

/**
 * Below this many vectors the exact search is fast enough alone; above it, a Hamming search over
 * the binary-quantised vectors picks candidates that the exact cosine then ranks.
 */
const BINARY_PREFILTER_FROM = 5_000;
/**
 * From this many vectors of a workspace's model on, vector search scans the in-memory int8 index
 * (a few milliseconds at 100,000) instead of sqlite-vec (about a millisecond a thousand vectors).
 */
export const VECTOR_INDEX_FROM = 2_000;
/**
 * Candidates the binary pass hands to the exact one, per candidate wanted. sqlite-vec's top-k
 * costs grow with k, so the oversampling is modest; the exact pass restores the order.
 */
const BINARY_OVERSAMPLING = 3;

function vectorTable(dimension: number): string {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > 8192)
    throw new Error(`Unusable embedding dimension ${dimension}`);
  return `knowledge_vectors_${dimension}`;
}

/** SQLite binds at most 32,766 parameters a statement: a longer rowid list is read in slices. */
const ROWIDS_PER_STATEMENT = 30_000;

function inSlices<Row>(rowids: readonly number[], read: (slice: readonly number[]) => Row[]): Row[] {
  if (rowids.length <= ROWIDS_PER_STATEMENT) return read(rowids);
  const rows: Row[] = [];
  for (let start = 0; start < rowids.length; start += ROWIDS_PER_STATEMENT)
    for (const row of read(rowids.slice(start, start + ROWIDS_PER_STATEMENT))) rows.push(row);
  return rows;
}

/** What embedding a chunk is given: its title and headings too, since a passage means what it means under them. */
export function embeddingText(chunk: { title: string; headingPath: string[]; text: string }): string {
  return [chunk.title, ...chunk.headingPath, chunk.text].filter(Boolean).join('\n');
}

export interface PreparedChunk {
  id: string;
  ordinal: number;
  text: string;
  headingPath: string[];
  location: PassageLocation;
  tokenCount: number;
  contentHash: string;
  nearHash: string;
  embedding?: number[];
  /** Its lexical index terms (all but the scope), analysed before the write transaction. */
  lexical?: AnalysedColumns;
}

/** A document chunked, hashed and (where new) embedded, ready for `writeDocument`. */
export interface PreparedDocument {
  sourceId: string;
  uri: string;
  documentId: string;
  title: string;
  format: string;
  language: string | null;
  contentHash: string;
  chunks: PreparedChunk[];
  embeddingModel: string | null;
}

interface SourceRow {
  id: string;
  collection_name: string;
  kind: SourceRecord['kind'];
  location: string;
  name: string;
  tags: string;
  options: string;
  status: SourceStatus;
  error: string | null;
  last_job_id: string | null;
  document_count: number;
  chunk_count: number;
  failed_count: number;
  sync_every_hours: number | null;
  last_synced_at: string | null;
  created_at: string;
  updated_at: string;
}

function sourceFromRow(row: SourceRow): SourceRecord {
  return {
    id: row.id,
    collection: row.collection_name,
    kind: row.kind,
    location: row.location,
    name: row.name,
    tags: JSON.parse(row.tags) as string[],
    options: JSON.parse(row.options) as SourceRecord['options'],
    status: row.status,
    error: row.error === null ? null : (JSON.parse(row.error) as SourceRecord['error']),
    lastJobId: row.last_job_id,
    documentCount: row.document_count,
    chunkCount: row.chunk_count,
    failedCount: row.failed_count,
    syncEveryHours: row.sync_every_hours,
    lastSyncedAt: row.last_synced_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

interface DocumentRow {
  id: string;
  source_id: string;
  collection_name: string;
  uri: string;
  title: string;
  format: string;
  language: string | null;
  content_hash: string;
  chunk_count: number;
  indexed_at: string;
}

function documentFromRow(row: DocumentRow): DocumentRecord {
  return {
    id: row.id,
    sourceId: row.source_id,
    collection: row.collection_name,
    uri: row.uri,
    title: row.title,
    format: row.format,
    language: row.language,
    contentHash: row.content_hash,
    chunkCount: row.chunk_count,
    indexedAt: row.indexed_at,
  };
}

interface ChunkRow {
  rowid: number;
  id: string;
  document_id: string;
  source_id: string;
  collection_id: string;
  ordinal: number;
  text: string;
  heading_path: string;
  location: string;
  token_count: number;
  content_hash: string;
  near_hash: string;
  duplicate_of: number | null;
  language: string | null;
  embedding_model: string | null;
  embedding_dimension: number | null;
}

export function chunkFromRow(row: ChunkRow): ChunkRecord {
  return {
    rowid: row.rowid,
    id: row.id,
    documentId: row.document_id,
    sourceId: row.source_id,
    collectionId: row.collection_id,
    ordinal: row.ordinal,
    text: row.text,
    headingPath: JSON.parse(row.heading_path) as string[],
    location: JSON.parse(row.location) as PassageLocation,
    tokenCount: row.token_count,
    contentHash: row.content_hash,
    language: row.language,
  };
}

/** A chunk found by search, with what a passage needs. */
export interface FoundChunk extends ChunkRecord {
  title: string;
  collection: string;
  /** BM25 (lower is better in FTS5; negated here so higher is better) or cosine similarity. */
  score: number;
}

/** The knowledge of all workspaces in one database; reach one workspace's with `forWorkspace`. */
export class SqliteKnowledgeStore {
  private readonly vectorTables = new Set<number>();
  /** Bumped by every write, so that cached counts know when they are stale. */
  writeVersion = 0;
  /** Embedded chunks per workspace and model, with the write version they were counted at. */
  readonly embeddedCounts = new Map<string, { version: number; count: number }>();

  constructor(
    readonly database: Database,
    readonly options: KnowledgeStoreOptions,
  ) {
    this.readVectorTables();
  }

  /** The vector tables' dimensions from the schema (not their shadow tables, `…_chunks` and the like). */
  private readVectorTables(): void {
    for (const row of this.database
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'knowledge_vectors_[0-9]*'")
      .all() as Array<{ name: string }>) {
      const match = /^knowledge_vectors_(\d+)$/.exec(row.name);
      if (match) this.vectorTables.add(Number(match[1]));
    }
  }

  get analyzer(): SwedishAnalyzer {
    return this.options.analyzer;
  }

  now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** The vector tables that exist, by dimension. */
  vectorDimensions(): number[] {
    // Another connection (the CLI, another worker) may have created a table since: read the schema.
    this.readVectorTables();
    return [...this.vectorTables];
  }

  /** Creates the vector table of a dimension on first use. */
  ensureVectorTable(dimension: number): string {
    const table = vectorTable(dimension);
    if (!this.vectorTables.has(dimension)) {
      this.database.exec(
        `CREATE VIRTUAL TABLE IF NOT EXISTS ${table} USING vec0(
           workspace_id TEXT PARTITION KEY, embedding float[${dimension}] distance_metric=cosine)`,
      );
      const bits = bitTable(dimension);
      if (bits)
        this.database.exec(
          `CREATE VIRTUAL TABLE IF NOT EXISTS ${bits} USING vec0(
             workspace_id TEXT PARTITION KEY, embedding bit[${dimension}])`,
        );
      this.vectorTables.add(dimension);
    }
    return table;
  }

  forWorkspace(workspaceId: string): WorkspaceKnowledge {
    // Kept per workspace: each prepares its two dozen statements once, not on every request.
    let scoped = this.workspaces.get(workspaceId);
    if (!scoped) {
      scoped = new WorkspaceKnowledge(this, workspaceId);
      this.workspaces.set(workspaceId, scoped);
    }
    return scoped;
  }

  private readonly workspaces = new Map<string, WorkspaceKnowledge>();

  private lexicalCount = { version: -1, count: 0 };
  private readonly frequencyCache = new Map<string, number>();
  private frequencyCacheTotal = 0;

  /** Chunks in the lexical index (all workspaces: FTS5's IDF is over the whole table); cached between writes. */
  lexicalChunkCount(): number {
    if (this.lexicalCount.version !== this.writeVersion) {
      const { n } = this.database
        .prepare('SELECT COUNT(*) AS n FROM knowledge_chunks WHERE duplicate_of IS NULL')
        .get() as { n: number };
      this.lexicalCount = { version: this.writeVersion, count: n };
    }
    return this.lexicalCount.count;
  }

  /** The query's terms worth asking FTS5 for (see `WorkspaceKnowledge.lexicalSearch`). */
  selectiveTerms(query: Pick<AnalysedQuery, 'terms' | 'grams'> & Partial<Pick<AnalysedQuery, 'words'>>): {
    terms: string[];
    grams: string[];
    /** Word terms in more than a tenth of all chunks: scored on the top candidates only. */
    common: string[];
  } {
    const total = this.lexicalChunkCount();
    const all = [...query.terms, ...query.grams];
    if (all.length === 0) return { ...query, common: [] };
    if (total < 2_000) {
      const present = this.presentInSmallIndex(all);
      return {
        terms: query.terms.filter((term) => present.has(term)),
        grams: query.grams.filter((gram) => present.has(gram)),
        common: [],
      };
    }
    // fts5vocab counts a term's documents by reading its postings, so counts are remembered; an
    // approximate count is enough to tell rare from common, so they are refreshed only when the
    // index has grown or shrunk by a tenth.
    if (
      Math.abs(total - this.frequencyCacheTotal) > this.frequencyCacheTotal / 10 ||
      this.frequencyCache.size > 200_000
    ) {
      this.frequencyCache.clear();
      this.frequencyCacheTotal = total;
      this.averageChunkLength = undefined;
      this.gramSample = undefined;
    }
    const frequency = (term: string) => this.frequencyCache.get(term) ?? 0;
    this.countDocuments(query.terms);
    const commonFrom = total * COMMON_TERM_SHARE;
    const wanted = query.terms.filter((term) => frequency(term) <= total / 2);
    const terms = wanted.filter((term) => frequency(term) <= commonFrom);
    const common = wanted.filter((term) => frequency(term) > commonFrom);
    // Which 4-grams are worth their postings. A word's own grams ("_fak", "fakt", … "ran_") are
    // left out when a rare term of its own (a stem or part in at most 1% of the chunks) finds it:
    // they would mostly find the same chunks again, and being rare they would take the budget
    // first. They are left out too when its stem is in more chunks than the budget: they are in
    // every chunk the word is in, so they could not fit. The budget then goes to the grams that
    // add evidence: those spanning two words (adjacency), and those of words the dictionary does
    // not know (misspellings, unknown compounds). Grams are counted only after this choice, since
    // counting a new term reads its postings. On the benchmark's 100,000 chunks (bench/
    // knowledge-search.ts) a query's grams have 9,000 postings instead of the 16,800 of the
    // rarest-first 20,000 budget, for 3 ms less a query; the top ten then hold 0.765 of FTS5's top
    // ten asked for every gram, against 0.79 before.
    const rareWordFrom = total * RARE_WORD_SHARE;
    let budget = Math.max(GRAM_POSTINGS_BUDGET, total / 10);
    const notAsked = new Set<string>();
    for (const word of query.words ?? []) {
      const stem = frequency(word.terms[0] ?? '');
      if (word.terms.some((term) => frequency(term) > 0 && frequency(term) <= rareWordFrom) || stem > budget)
        for (const gram of word.grams) notAsked.add(gram);
    }
    // Counted after the words, and only the grams that may be asked: a new term's count is
    // most of what choosing the terms costs.
    const candidateGrams = query.grams.filter((gram) => !notAsked.has(gram));
    let gramFrequency = frequency;
    if (total >= ESTIMATED_GRAMS_FROM) gramFrequency = (gram) => this.gramEstimate(gram, total);
    else this.countDocuments(candidateGrams);
    const grams: string[] = [];
    for (const gram of candidateGrams.sort((a, b) => gramFrequency(a) - gramFrequency(b))) {
      const postings = gramFrequency(gram);
      if (postings === 0 || postings > budget || postings > commonFrom) continue;
      grams.push(gram);
      budget -= postings;
    }
    // A query of common words only is asked whole: there is nothing rarer to find candidates by
    // (words in over half of all chunks too, when they are all it has: else it would find nothing).
    if (terms.length === 0 && grams.length === 0)
      return { terms: wanted.length > 0 ? wanted : query.terms, grams: [], common: [] };
    return { terms, grams, common };
  }

  private gramSample: { chunks: number; counts: Map<string, number> } | undefined;
  private smallIndexVersion = '';

  /**
   * In a small index every word and gram is asked, but not those no chunk has: a question's grams
   * span its words ("r_le", "n_po") and many of those are nowhere, yet FTS5 pays a lookup in every
   * segment for each asked term (60 terms: 0.8 ms over four chunks). Leaving them out changes no
   * score. The counts are exact: read again after any write, here or by another connection
   * (data_version), which in an index this small is cheap.
   */
  private presentInSmallIndex(terms: readonly string[]): Set<string> {
    const version = `${this.writeVersion}:${String(this.database.pragma('data_version', { simple: true }))}`;
    if (version !== this.smallIndexVersion) {
      this.frequencyCache.clear();
      this.smallIndexVersion = version;
    }
    this.countDocuments(terms);
    return new Set(terms.filter((term) => (this.frequencyCache.get(term) ?? 0) > 0));
  }

  /**
   * A 4-gram's chunk count in a large index, estimated from a random sample of chunks: counting it
   * exactly (fts5vocab) reads every posting of it, and a query brings grams never seen before, so
   * that counting was a fifth of a query's time at 100,000 chunks. The choice of grams needs only
   * the order of magnitude. A gram the sample lacks is in under a thousandth of the chunks (or
   * none): it counts as half that, so that such grams still spend the budget.
   */
  private gramEstimate(gram: string, total: number): number {
    this.gramSample ??= this.sampleGrams();
    const { chunks, counts } = this.gramSample;
    if (chunks === 0) return 0;
    const seen = counts.get(gram);
    return seen === undefined ? total / chunks / 2 : (seen * total) / chunks;
  }

  /** The grams of GRAM_SAMPLE_CHUNKS chunks picked at random by rowid, each counted once a chunk. */
  private sampleGrams(): { chunks: number; counts: Map<string, number> } {
    const { low, high } = this.database
      .prepare('SELECT MIN(rowid) AS low, MAX(rowid) AS high FROM knowledge_chunks')
      .get() as { low: number | null; high: number | null };
    if (low === null || high === null) return { chunks: 0, counts: new Map() };
    const picked = new Set<number>();
    for (let attempt = 0; attempt < GRAM_SAMPLE_CHUNKS * 2 && picked.size < GRAM_SAMPLE_CHUNKS; attempt += 1)
      picked.add(low + Math.floor(Math.random() * (high - low + 1)));
    const texts = inSlices(
      [...picked],
      (rowids) =>
        this.database
          .prepare(
            `SELECT text FROM knowledge_chunks WHERE duplicate_of IS NULL AND rowid IN (${rowids.map(() => '?').join(', ')})`,
          )
          .pluck()
          .all(...rowids) as string[],
    );
    const counts = new Map<string, number>();
    for (const text of texts)
      for (const gram of new Set(chunkGrams(text))) counts.set(gram, (counts.get(gram) ?? 0) + 1);
    return { chunks: texts.length, counts };
  }

  /** Counts (into the frequency cache) the documents of the terms it does not know yet. */
  private countDocuments(terms: readonly string[]): void {
    const missing = [...new Set(terms.filter((term) => !this.frequencyCache.has(term)))];
    if (missing.length === 0) return;
    const lookup = this.database.prepare(
      `SELECT term, doc FROM knowledge_fts_vocabulary WHERE term IN (${missing.map(() => '?').join(', ')})`,
    );
    for (const term of missing) this.frequencyCache.set(term, 0);
    for (const row of lookup.all(...missing) as Array<{ term: string; doc: number }>)
      this.frequencyCache.set(row.term, row.doc);
  }

  /** The chunks' number of documents containing `term` (as of `selectiveTerms`), and the chunk count. */
  termStatistics(term: string): { documents: number; total: number } {
    return { documents: this.frequencyCache.get(term) ?? 0, total: this.lexicalChunkCount() };
  }

  private averageChunkLength: number | undefined;

  /** Mean length of a chunk's text in characters (BM25's length normalisation); cached like the counts. */
  meanChunkLength(): number {
    if (this.averageChunkLength === undefined) {
      const { mean } = this.database
        .prepare('SELECT AVG(LENGTH(text)) AS mean FROM knowledge_chunks WHERE duplicate_of IS NULL')
        .get() as { mean: number | null };
      this.averageChunkLength = mean ?? 1;
    }
    return this.averageChunkLength;
  }

  /**
   * Index entries that belong to nothing, across the database: lexical or vector rows without a
   * stored chunk, chunks without a document. All three are 0 unless something is broken.
   */
  orphanCounts(): { lexicalRows: number; vectorRows: number; chunks: number } {
    const count = (sql: string) => (this.database.prepare(sql).get() as { n: number }).n;
    let vectorRows = 0;
    for (const dimension of this.vectorDimensions())
      for (const table of [vectorTable(dimension), bitTable(dimension)])
        if (table)
          vectorRows += count(
            `SELECT COUNT(*) AS n FROM ${table} v
             WHERE NOT EXISTS (SELECT 1 FROM knowledge_chunks c WHERE c.rowid = v.rowid AND c.duplicate_of IS NULL)`,
          );
    return {
      lexicalRows: count(
        `SELECT COUNT(*) AS n FROM knowledge_fts f
         WHERE NOT EXISTS (SELECT 1 FROM knowledge_chunks c WHERE c.rowid = f.rowid AND c.duplicate_of IS NULL)`,
      ),
      vectorRows,
      chunks: count(
        `SELECT COUNT(*) AS n FROM knowledge_chunks c
         WHERE NOT EXISTS (SELECT 1 FROM knowledge_documents d WHERE d.id = c.document_id)`,
      ),
    };
  }

  /**
   * The workspaces whose sources are due for a scheduled re-sync (for the scheduler), with the
   * sources due. The one cross-workspace read here; each entry is then handled through `forWorkspace`.
   */
  dueForSync(now = this.now()): Array<{ workspaceId: string; sourceId: string }> {
    return (
      this.database
        .prepare(
          `SELECT workspace_id AS workspaceId, id AS sourceId, last_synced_at, sync_every_hours
           FROM knowledge_sources WHERE sync_every_hours IS NOT NULL AND status != 'syncing'`,
        )
        .all() as Array<{
        workspaceId: string;
        sourceId: string;
        last_synced_at: string | null;
        sync_every_hours: number;
      }>
    )
      .filter(
        (row) =>
          row.last_synced_at === null ||
          Date.parse(row.last_synced_at) + row.sync_every_hours * 3_600_000 <= now.getTime(),
      )
      .map(({ workspaceId, sourceId }) => ({ workspaceId, sourceId }));
  }
}

/** One workspace's knowledge: every statement binds its workspace id. */
export class WorkspaceKnowledge {
  private readonly database: Database;
  private readonly statements: Record<string, Statement>;
  /** FTS5's ranking query, prepared on the first search (a table created later would not be in it otherwise). */
  private rankedStatement: Statement | undefined;

  constructor(
    private readonly store: SqliteKnowledgeStore,
    readonly workspaceId: string,
  ) {
    this.database = store.database;
    const prepare = (sql: string) => this.database.prepare(sql);
    this.statements = {
      collectionByName: prepare('SELECT id FROM knowledge_collections WHERE workspace_id = ? AND name = ?'),
      insertCollection: prepare(
        'INSERT INTO knowledge_collections (id, workspace_id, name, created_at) VALUES (?, ?, ?, ?)',
      ),
      documentByUri: prepare(
        'SELECT id, content_hash FROM knowledge_documents WHERE workspace_id = ? AND source_id = ? AND uri = ?',
      ),
      chunksOfDocument: prepare(
        'SELECT * FROM knowledge_chunks WHERE workspace_id = ? AND document_id = ? ORDER BY ordinal',
      ),
      canonicalByNear: prepare(
        `SELECT rowid FROM knowledge_chunks
         WHERE workspace_id = ? AND collection_id = ? AND near_hash = ? AND duplicate_of IS NULL LIMIT 1`,
      ),
      insertChunk: prepare(
        `INSERT INTO knowledge_chunks (id, workspace_id, document_id, source_id, collection_id, ordinal, text,
           heading_path, location, token_count, content_hash, near_hash, duplicate_of, language,
           embedding_model, embedding_dimension)
         VALUES (@id, @workspaceId, @documentId, @sourceId, @collectionId, @ordinal, @text, @headingPath,
           @location, @tokenCount, @contentHash, @nearHash, @duplicateOf, @language, @embeddingModel,
           @embeddingDimension)`,
      ),
      updateChunkPlace: prepare(
        `UPDATE knowledge_chunks SET ordinal = ?, location = ?, language = ?
         WHERE workspace_id = ? AND rowid = ?`,
      ),
      insertLexical: prepare(
        'INSERT INTO knowledge_fts (rowid, title, headings, body, parts, grams, scope) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      deleteLexical: prepare('DELETE FROM knowledge_fts WHERE rowid = ?'),
      duplicatesOf: prepare(
        'SELECT rowid FROM knowledge_chunks WHERE workspace_id = ? AND duplicate_of = ? ORDER BY rowid',
      ),
      deleteChunk: prepare('DELETE FROM knowledge_chunks WHERE workspace_id = ? AND rowid = ?'),
      titleOfDocument: prepare('SELECT title FROM knowledge_documents WHERE workspace_id = ? AND id = ?'),
    };
  }

  get analyzer(): SwedishAnalyzer {
    return this.store.analyzer;
  }

  // ---- Collections ----

  /** The id of a collection by name, created on first use. */
  collectionId(name: string = DEFAULT_COLLECTION): string {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 64 || /[\r\n]/.test(trimmed)) throw invalidCollectionError(name);
    const existing = this.statements.collectionByName!.get(this.workspaceId, trimmed) as
      { id: string } | undefined;
    if (existing) return existing.id;
    const id = randomUUID();
    this.statements.insertCollection!.run(id, this.workspaceId, trimmed, this.store.now().toISOString());
    return id;
  }

  collections(): Array<{ id: string; name: string; sources: number; documents: number }> {
    return this.database
      .prepare(
        `SELECT c.id, c.name,
           (SELECT COUNT(*) FROM knowledge_sources s WHERE s.collection_id = c.id) AS sources,
           (SELECT COUNT(*) FROM knowledge_documents d WHERE d.collection_id = c.id) AS documents
         FROM knowledge_collections c WHERE c.workspace_id = ? ORDER BY c.name`,
      )
      .all(this.workspaceId) as Array<{ id: string; name: string; sources: number; documents: number }>;
  }

  // ---- Sources ----

  private sourceSelect = `SELECT s.*, c.name AS collection_name FROM knowledge_sources s
    JOIN knowledge_collections c ON c.id = s.collection_id`;

  createSource(input: NewSource): SourceRecord {
    const now = this.store.now().toISOString();
    const id = randomUUID();
    const collectionId = this.collectionId(input.collection);
    this.database
      .prepare(
        `INSERT INTO knowledge_sources (id, workspace_id, collection_id, kind, location, name, tags, options,
           status, sync_every_hours, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
      )
      .run(
        id,
        this.workspaceId,
        collectionId,
        input.kind,
        input.location,
        input.name ?? input.location,
        JSON.stringify(input.tags ?? []),
        JSON.stringify(input.options ?? {}),
        input.syncEveryHours ?? null,
        now,
        now,
      );
    return this.getSource(id)!;
  }

  getSource(sourceId: string): SourceRecord | undefined {
    // Read for every document indexed: prepared once, not per call.
    this.statements.sourceById ??= this.database.prepare(
      `${this.sourceSelect} WHERE s.workspace_id = ? AND s.id = ?`,
    );
    const row = this.statements.sourceById.get(this.workspaceId, sourceId) as SourceRow | undefined;
    return row ? sourceFromRow(row) : undefined;
  }

  requireSource(sourceId: string): SourceRecord {
    const source = this.getSource(sourceId);
    if (!source) throw sourceNotFoundError(sourceId);
    return source;
  }

  listSources(): SourceRecord[] {
    return (
      this.database
        .prepare(`${this.sourceSelect} WHERE s.workspace_id = ? ORDER BY s.created_at, s.rowid`)
        .all(this.workspaceId) as SourceRow[]
    ).map(sourceFromRow);
  }

  /** Where an upload's files were stored (known only once the source exists). */
  setSourceLocation(sourceId: string, location: string): void {
    this.database
      .prepare('UPDATE knowledge_sources SET location = ?, updated_at = ? WHERE workspace_id = ? AND id = ?')
      .run(location, this.store.now().toISOString(), this.workspaceId, sourceId);
  }

  /** Records a sync's state; `finished` also recounts documents and chunks. */
  updateSourceStatus(
    sourceId: string,
    update: {
      status: SourceStatus;
      error?: SourceRecord['error'];
      jobId?: string;
      failedCount?: number;
      finished?: boolean;
    },
  ): void {
    const now = this.store.now().toISOString();
    this.database
      .prepare(
        `UPDATE knowledge_sources SET status = @status, error = @error,
           last_job_id = COALESCE(@jobId, last_job_id),
           failed_count = COALESCE(@failedCount, failed_count),
           last_synced_at = CASE WHEN @finished THEN @now ELSE last_synced_at END,
           document_count = (SELECT COUNT(*) FROM knowledge_documents d WHERE d.source_id = @id),
           chunk_count = (SELECT COUNT(*) FROM knowledge_chunks k WHERE k.source_id = @id),
           updated_at = @now
         WHERE workspace_id = @workspaceId AND id = @id`,
      )
      .run({
        status: update.status,
        error: update.error ? JSON.stringify(update.error) : null,
        jobId: update.jobId ?? null,
        failedCount: update.failedCount ?? null,
        finished: update.finished ? 1 : 0,
        now,
        id: sourceId,
        workspaceId: this.workspaceId,
      });
  }

  /** Removes a source with all its documents and every index entry, in one transaction. */
  removeSource(sourceId: string): boolean {
    this.store.writeVersion += 1;
    return this.database.transaction(() => {
      const source = this.getSource(sourceId);
      if (!source) return false;
      for (const document of this.listDocuments(sourceId)) this.deleteDocumentInTransaction(document.id);
      this.database
        .prepare('DELETE FROM knowledge_sources WHERE workspace_id = ? AND id = ?')
        .run(this.workspaceId, sourceId);
      return true;
    })();
  }

  // ---- Documents ----

  listDocuments(sourceId?: string): DocumentRecord[] {
    const rows = this.database
      .prepare(
        `SELECT d.*, c.name AS collection_name FROM knowledge_documents d
         JOIN knowledge_collections c ON c.id = d.collection_id
         WHERE d.workspace_id = ? ${sourceId ? 'AND d.source_id = ?' : ''} ORDER BY d.uri`,
      )
      .all(...(sourceId ? [this.workspaceId, sourceId] : [this.workspaceId])) as DocumentRow[];
    return rows.map(documentFromRow);
  }

  chunksOfDocument(documentId: string): ChunkRecord[] {
    return (this.statements.chunksOfDocument!.all(this.workspaceId, documentId) as ChunkRow[]).map(
      chunkFromRow,
    );
  }

  /**
   * Chunks, hashes and embeds a parsed document: only chunks that are new (or lack an embedding
   * of the current model) are embedded, and none that repeats a chunk already stored.
   */
  async prepareDocument(
    sourceId: string,
    uri: string,
    document: ParsedDocument | AnalysedDocument,
    options: { embedder?: Embedder; signal?: AbortSignal } = {},
  ): Promise<PreparedDocument> {
    const source = this.requireSource(sourceId);
    const existing = this.statements.documentByUri!.get(this.workspaceId, sourceId, uri) as
      { id: string; content_hash: string } | undefined;
    const documentId = existing?.id ?? randomUUID();
    // The analysis (chunks, hashes, lexical terms) is most of indexing's CPU; a sync has it done
    // on another thread (document-analysis.ts), and in any case outside the write transaction.
    const analysed = isAnalysedDocument(document)
      ? document
      : analyseDocument(document, this.store.analyzer, this.store.options.chunking);
    const { title, language, contentHash } = analysed;
    const occurrences = new Map<string, number>();
    const prepared: PreparedChunk[] = analysed.chunks.map((chunk) => {
      const occurrence = occurrences.get(chunk.contentHash) ?? 0;
      occurrences.set(chunk.contentHash, occurrence + 1);
      return {
        id: sha256(`${documentId}\u0000${chunk.contentHash}\u0000${occurrence}`).slice(0, 32),
        ordinal: chunk.ordinal,
        text: chunk.text,
        headingPath: chunk.headingPath,
        location: chunk.location,
        tokenCount: chunk.tokenCount,
        contentHash: chunk.contentHash,
        nearHash: chunk.nearHash,
        lexical: chunk.lexical,
      };
    });

    const embedder = options.embedder;
    if (embedder && prepared.length > 0) {
      const stored = new Map(
        (existing
          ? (this.statements.chunksOfDocument!.all(this.workspaceId, existing.id) as ChunkRow[])
          : []
        ).map((row) => [row.id, row]),
      );
      const collectionId = this.collectionId(source.collection);
      const toEmbed = prepared.filter((chunk) => {
        const row = stored.get(chunk.id);
        if (row) return row.duplicate_of === null && row.embedding_model !== embedder.modelId;
        return (
          this.statements.canonicalByNear!.get(this.workspaceId, collectionId, chunk.nearHash) === undefined
        );
      });
      if (toEmbed.length > 0) {
        const vectors = await embedder.embed(
          toEmbed.map((chunk) => embeddingText({ ...chunk, title })),
          options.signal,
        );
        toEmbed.forEach((chunk, index) => {
          const vector = vectors[index];
          if (vector) chunk.embedding = vector;
        });
      }
    }
    return {
      sourceId,
      uri,
      documentId,
      title,
      format: analysed.format,
      language,
      contentHash,
      chunks: prepared,
      embeddingModel: embedder?.modelId ?? null,
    };
  }

  /**
   * Writes a prepared document in one transaction (nested as a savepoint inside a job's item
   * transaction): kept chunks stay, new ones are indexed (or stored as duplicates), vanished ones
   * leave every index.
   */
  writeDocument(prepared: PreparedDocument): IndexOutcome {
    this.store.writeVersion += 1;
    return this.database.transaction(() => this.writeDocumentInTransaction(prepared))();
  }

  /** How many chunks have a vector of this model (what a vector search chooses among); cached between writes. */
  embeddedChunkCount(modelId: string): number {
    const key = `${this.workspaceId}\u0000${modelId}`;
    const cached = this.store.embeddedCounts.get(key);
    if (cached && cached.version === this.store.writeVersion) return cached.count;
    const { n } = this.database
      .prepare(
        `SELECT COUNT(*) AS n FROM knowledge_chunks
         WHERE workspace_id = ? AND embedding_model = ? AND duplicate_of IS NULL`,
      )
      .get(this.workspaceId, modelId) as { n: number };
    this.store.embeddedCounts.set(key, { version: this.store.writeVersion, count: n });
    return n;
  }

  private writeDocumentInTransaction(prepared: PreparedDocument): IndexOutcome {
    const source = this.requireSource(prepared.sourceId);
    const collectionId = this.collectionId(source.collection);
    const now = this.store.now().toISOString();
    const existing = this.statements.documentByUri!.get(this.workspaceId, prepared.sourceId, prepared.uri) as
      { id: string; content_hash: string } | undefined;
    const outcome: IndexOutcome = {
      documentId: existing?.id ?? prepared.documentId,
      kept: 0,
      added: 0,
      removed: 0,
      duplicates: 0,
      embedded: 0,
      unchanged: false,
    };
    const documentId = outcome.documentId;
    const storedRows = existing
      ? (this.statements.chunksOfDocument!.all(this.workspaceId, documentId) as ChunkRow[])
      : [];
    const hasEmbeddings = prepared.chunks.some((chunk) => chunk.embedding);
    if (existing && existing.content_hash === prepared.contentHash && !hasEmbeddings) {
      outcome.unchanged = true;
      outcome.kept = storedRows.length;
      return outcome;
    }

    if (existing) {
      this.statements.updateDocument ??= this.database.prepare(
        `UPDATE knowledge_documents SET title = ?, format = ?, language = ?, content_hash = ?, chunk_count = ?,
           indexed_at = ? WHERE workspace_id = ? AND id = ?`,
      );
      this.statements.updateDocument.run(
        prepared.title,
        prepared.format,
        prepared.language,
        prepared.contentHash,
        prepared.chunks.length,
        now,
        this.workspaceId,
        documentId,
      );
    } else {
      this.statements.insertDocument ??= this.database.prepare(
        `INSERT INTO knowledge_documents (id, workspace_id, source_id, collection_id, uri, title, format, language,
           content_hash, chunk_count, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      this.statements.insertDocument.run(
        documentId,
        this.workspaceId,
        prepared.sourceId,
        collectionId,
        prepared.uri,
        prepared.title,
        prepared.format,
        prepared.language,
        prepared.contentHash,
        prepared.chunks.length,
        now,
      );
    }

    // Chunk ids were derived from the document id when prepared; a document created meanwhile
    // under another id (a concurrent sync) gets ids of its own.
    const stored = new Map(storedRows.map((row) => [row.id, row]));
    const wanted = new Set(prepared.chunks.map((chunk) => chunk.id));
    for (const row of storedRows) {
      if (wanted.has(row.id)) continue;
      this.deleteChunkInTransaction(row);
      outcome.removed += 1;
    }
    for (const chunk of prepared.chunks) {
      const row = stored.get(chunk.id);
      if (row) {
        this.statements.updateChunkPlace!.run(
          chunk.ordinal,
          JSON.stringify(chunk.location),
          prepared.language,
          this.workspaceId,
          row.rowid,
        );
        if (chunk.embedding && row.duplicate_of === null && prepared.embeddingModel) {
          this.writeVector(row.rowid, chunk.embedding, prepared.embeddingModel);
          outcome.embedded += 1;
        }
        outcome.kept += 1;
        continue;
      }
      const canonical = this.statements.canonicalByNear!.get(
        this.workspaceId,
        collectionId,
        chunk.nearHash,
      ) as { rowid: number } | undefined;
      const inserted = this.statements.insertChunk!.run({
        id: chunk.id,
        workspaceId: this.workspaceId,
        documentId,
        sourceId: prepared.sourceId,
        collectionId,
        ordinal: chunk.ordinal,
        text: chunk.text,
        headingPath: JSON.stringify(chunk.headingPath),
        location: JSON.stringify(chunk.location),
        tokenCount: chunk.tokenCount,
        contentHash: chunk.contentHash,
        nearHash: chunk.nearHash,
        duplicateOf: canonical?.rowid ?? null,
        language: prepared.language,
        embeddingModel: null,
        embeddingDimension: null,
      });
      if (canonical) {
        outcome.duplicates += 1;
        continue;
      }
      const rowid = Number(inserted.lastInsertRowid);
      this.writeLexical(
        rowid,
        chunk.lexical ?? { title: prepared.title, headingPath: chunk.headingPath, text: chunk.text },
        {
          workspaceId: this.workspaceId,
          collectionId,
          sourceId: prepared.sourceId,
          language: prepared.language,
          tags: source.tags,
        },
      );
      if (chunk.embedding && prepared.embeddingModel) {
        this.writeVector(rowid, chunk.embedding, prepared.embeddingModel);
        outcome.embedded += 1;
      }
      outcome.added += 1;
    }
    return outcome;
  }

  /** Writes a chunk's lexical entry from its analysed columns, or analyses the chunk now. */
  private writeLexical(
    rowid: number,
    chunk: AnalysedColumns | { title: string; headingPath: string[]; text: string },
    scope: LexicalScope,
  ): void {
    const columns =
      'grams' in chunk
        ? { ...chunk, scope: scopeColumn(scope) }
        : lexicalColumns(this.store.analyzer, chunk, scope);
    this.statements.insertLexical!.run(
      rowid,
      columns.title,
      columns.headings,
      columns.body,
      columns.parts,
      columns.grams,
      columns.scope,
    );
  }

  private writeVector(rowid: number, vector: number[] | Float32Array, model: string): void {
    const dimension = vector.length;
    const table = this.store.ensureVectorTable(dimension);
    // A chunk re-embedded by another model may have a row in another dimension's table.
    this.deleteVectors(rowid);
    this.database
      .prepare(`INSERT INTO ${table} (rowid, workspace_id, embedding) VALUES (?, ?, ?)`)
      .run(
        BigInt(rowid),
        this.workspaceId,
        vector instanceof Float32Array ? vector : new Float32Array(vector),
      );
    const bits = bitTable(dimension);
    if (bits)
      this.database
        .prepare(`INSERT INTO ${bits} (rowid, workspace_id, embedding) VALUES (?, ?, vec_quantize_binary(?))`)
        .run(
          BigInt(rowid),
          this.workspaceId,
          vector instanceof Float32Array ? vector : new Float32Array(vector),
        );
    this.database
      .prepare(
        'UPDATE knowledge_chunks SET embedding_model = ?, embedding_dimension = ? WHERE workspace_id = ? AND rowid = ?',
      )
      .run(model, dimension, this.workspaceId, rowid);
  }

  private deleteVectors(rowid: number): void {
    for (const dimension of this.store.vectorDimensions())
      for (const table of [vectorTable(dimension), bitTable(dimension)])
        if (table)
          this.database
            .prepare(`DELETE FROM ${table} WHERE rowid = ? AND workspace_id = ?`)
            .run(BigInt(rowid), this.workspaceId);
  }

  /**
   * Deletes a chunk from every index. When it is the stored copy of duplicates elsewhere, the first
   * duplicate takes its place (its lexical entry written, the vector moved), so that removing one
   * page never takes a passage away from another.
   */
  private deleteChunkInTransaction(row: ChunkRow): void {
    if (row.duplicate_of === null) {
      const duplicates = this.statements.duplicatesOf!.all(this.workspaceId, row.rowid) as Array<{
        rowid: number;
      }>;
      const [heir, ...others] = duplicates;
      if (heir) {
        const heirRow = this.database
          .prepare('SELECT * FROM knowledge_chunks WHERE workspace_id = ? AND rowid = ?')
          .get(this.workspaceId, heir.rowid) as ChunkRow;
        this.database
          .prepare('UPDATE knowledge_chunks SET duplicate_of = NULL WHERE workspace_id = ? AND rowid = ?')
          .run(this.workspaceId, heir.rowid);
        for (const other of others)
          this.database
            .prepare('UPDATE knowledge_chunks SET duplicate_of = ? WHERE workspace_id = ? AND rowid = ?')
            .run(heir.rowid, this.workspaceId, other.rowid);
        const title =
          (
            this.statements.titleOfDocument!.get(this.workspaceId, heirRow.document_id) as
              { title: string } | undefined
          )?.title ?? '';
        this.writeLexical(
          heir.rowid,
          { title, headingPath: JSON.parse(heirRow.heading_path) as string[], text: heirRow.text },
          {
            workspaceId: this.workspaceId,
            collectionId: heirRow.collection_id,
            sourceId: heirRow.source_id,
            language: heirRow.language,
            tags: this.getSource(heirRow.source_id)?.tags ?? [],
          },
        );
        if (row.embedding_dimension !== null && row.embedding_model !== null) {
          const vector = this.database
            .prepare(`SELECT embedding FROM ${vectorTable(row.embedding_dimension)} WHERE rowid = ?`)
            .get(BigInt(row.rowid)) as { embedding: Buffer } | undefined;
          if (vector) {
            const values = new Float32Array(
              vector.embedding.buffer.slice(
                vector.embedding.byteOffset,
                vector.embedding.byteOffset + vector.embedding.byteLength,
              ),
            );
            this.writeVector(heir.rowid, values, row.embedding_model);
          }
        }
      }
      this.statements.deleteLexical!.run(row.rowid);
      this.deleteVectors(row.rowid);
    }
    this.statements.deleteChunk!.run(this.workspaceId, row.rowid);
  }

  private deleteDocumentInTransaction(documentId: string): void {
    for (const row of this.statements.chunksOfDocument!.all(this.workspaceId, documentId) as ChunkRow[])
      this.deleteChunkInTransaction(row);
    this.database
      .prepare('DELETE FROM knowledge_documents WHERE workspace_id = ? AND id = ?')
      .run(this.workspaceId, documentId);
  }

  /** Removes one document and its chunks from every index, in one transaction. */
  removeDocument(documentId: string): boolean {
    this.store.writeVersion += 1;
    return this.database.transaction(() => {
      const found = this.database
        .prepare('SELECT 1 FROM knowledge_documents WHERE workspace_id = ? AND id = ?')
        .get(this.workspaceId, documentId);
      if (!found) return false;
      this.deleteDocumentInTransaction(documentId);
      return true;
    })();
  }

  /** Removes the source's documents whose URIs a sync no longer found; returns how many. */
  removeVanishedDocuments(sourceId: string, seenUris: ReadonlySet<string>): number {
    this.store.writeVersion += 1;
    return this.database.transaction(() => {
      let removed = 0;
      for (const document of this.listDocuments(sourceId)) {
        if (seenUris.has(document.uri)) continue;
        this.deleteDocumentInTransaction(document.id);
        removed += 1;
      }
      return removed;
    })();
  }

  // ---- Search ----

  private filterClause(filters: SearchFilters, parameters: unknown[]): string {
    const conditions: string[] = [];
    if (filters.collections && filters.collections.length > 0) {
      conditions.push(
        `c.collection_id IN (SELECT id FROM knowledge_collections WHERE workspace_id = ? AND name IN (${filters.collections.map(() => '?').join(', ')}))`,
      );
      parameters.push(this.workspaceId, ...filters.collections);
    }
    if (filters.sourceIds && filters.sourceIds.length > 0) {
      conditions.push(`c.source_id IN (${filters.sourceIds.map(() => '?').join(', ')})`);
      parameters.push(...filters.sourceIds);
    }
    if (filters.language) {
      conditions.push('c.language = ?');
      parameters.push(filters.language);
    }
    if (filters.tags && filters.tags.length > 0) {
      conditions.push(
        `EXISTS (SELECT 1 FROM knowledge_sources s, json_each(s.tags) t
           WHERE s.id = c.source_id AND t.value IN (${filters.tags.map(() => '?').join(', ')}))`,
      );
      parameters.push(...filters.tags);
    }
    return conditions.map((condition) => ` AND ${condition}`).join('');
  }

  /**
   * Chunks found by rowid. Queries through it say `+c.workspace_id` (no index on it): with a long
   * `rowid IN (…)` list SQLite's planner otherwise prefers the (workspace_id, …) index and reads
   * every chunk of the workspace, 30 ms at 100,000 chunks, instead of the few asked for.
   */
  private foundSelect = `SELECT c.*, d.title AS title, col.name AS collection_name FROM knowledge_chunks c
    JOIN knowledge_documents d ON d.id = c.document_id
    JOIN knowledge_collections col ON col.id = c.collection_id`;

  /**
   * Completes the BM25 score of the top rows with the query's common terms, which FTS5 was not
   * asked for: each adds what FTS5's bm25() would (IDF × the saturated, length-normalised
   * frequency, weighted by column), with the chunk's text length standing for its token count. A
   * common term adds at most 2.2 × its IDF (about 4.8), so a chunk below the rescored ones that
   * matched only common terms rarely belongs in the top ten; on the benchmark's 100,000 chunks the
   * top ten agree with asking FTS5 for every term in 97 % of places, at about half the time.
   */
  private withCommonTerms<Row extends ChunkRow & { title: string; rank: number }>(
    rows: Row[],
    common: string[],
  ): Row[] {
    const analyzer = this.store.analyzer;
    const wanted = new Set(common);
    const idf = new Map(
      common.map((term) => {
        const { documents, total } = this.store.termStatistics(term);
        return [term, Math.max(1e-6, Math.log((total - documents + 0.5) / (documents + 0.5)))];
      }),
    );
    const meanLength = this.store.meanChunkLength();
    const [titleWeight, headingsWeight, bodyWeight, partsWeight] = LEXICAL_COLUMN_WEIGHTS;
    const rescored = rows.slice(0, RESCORED_CANDIDATES).map((row) => {
      const frequency = new Map<string, number>();
      const count = (terms: string[], weight: number) => {
        for (const term of terms)
          if (wanted.has(term)) frequency.set(term, (frequency.get(term) ?? 0) + weight);
      };
      const title = analyzer.analyze(row.title);
      const headings = analyzer.analyze((JSON.parse(row.heading_path) as string[]).join('\n'));
      const body = analyzer.analyze(row.text);
      count(title.stems, titleWeight);
      count(headings.stems, headingsWeight);
      count(body.stems, bodyWeight);
      count([...title.compoundParts, ...headings.compoundParts, ...body.compoundParts], partsWeight);
      // BM25 with FTS5's k1 = 1.2 and b = 0.75; FTS5's rank is the negated score.
      const lengthNorm = 1.2 * (0.25 + 0.75 * (row.text.length / meanLength));
      let added = 0;
      for (const [term, weighted] of frequency)
        added += (idf.get(term)! * weighted * 2.2) / (weighted + lengthNorm);
      return { ...row, rank: row.rank - added };
    });
    return [...rescored, ...rows.slice(RESCORED_CANDIDATES)].sort((a, b) => a.rank - b.rank);
  }

  /**
   * Lexical search: BM25 over the analysed terms, best first; the query's word terms come with it.
   *
   * The work of an FTS5 query grows with the postings of its terms, so terms that cannot change
   * the ranking are left out first: a word term in more than half of all chunks (FTS5 gives it an
   * IDF of about zero), then the commonest 4-grams until the grams' postings fit a budget. Word
   * terms in more than a tenth of the chunks ("min", "tid") are not asked of FTS5 either, since
   * scoring every chunk that has one is most of the work; they complete the score of the top
   * candidates instead (`withCommonTerms`). A query over a hundred thousand chunks then reads a
   * few thousand postings, not millions, and ranks as before where it matters.
   */
  lexicalSearch(
    query: string,
    filters: SearchFilters = {},
    limit = 10,
  ): { terms: string[]; chunks: FoundChunk[] } {
    const analysed = analyseQuery(this.store.analyzer, query);
    if (analysed.terms.length === 0) return { terms: [], chunks: [] };
    const { terms, grams, common } = this.store.selectiveTerms(analysed);
    // Explicit filters are FTS5 terms of the scope column; the workspace is checked on the top rows,
    // since a workspace token would be in every row of a one-company installation.
    const scopes: string[][] = [];
    if (filters.collections && filters.collections.length > 0) {
      const ids = this.database
        .prepare(
          `SELECT id FROM knowledge_collections WHERE workspace_id = ? AND name IN (${filters.collections.map(() => '?').join(', ')})`,
        )
        .all(this.workspaceId, ...filters.collections) as Array<{ id: string }>;
      if (ids.length === 0) return { terms: analysed.terms, chunks: [] };
      scopes.push(ids.map((row) => scopeTokens.collection(row.id)));
    }
    if (filters.sourceIds && filters.sourceIds.length > 0)
      scopes.push(filters.sourceIds.map(scopeTokens.source));
    if (filters.language) scopes.push([scopeTokens.language(filters.language)]);
    if (filters.tags && filters.tags.length > 0) scopes.push(filters.tags.map(scopeTokens.tag));
    const match = matchExpression(terms, grams, scopes);
    if (!match) return { terms: analysed.terms, chunks: [] };
    // FTS5 ranks by itself (BM25 with the column weights) and hands over only its top rows; the
    // chunks are then read by rowid, a few, not every match. When other workspaces' chunks take
    // the top rows, it asks again for more.
    const ranked = (this.rankedStatement ??= this.database.prepare(
      `SELECT rowid, bm25(knowledge_fts, ${LEXICAL_COLUMN_WEIGHTS.join(', ')}) AS rank
       FROM knowledge_fts WHERE knowledge_fts MATCH ? ORDER BY rank LIMIT ?`,
    ));
    type Row = ChunkRow & { title: string; collection_name: string; rank: number };
    const rankedRows = (expression: string): Row[] => {
      let fetch = limit * 2 + 20;
      let rows: Row[] = [];
      for (;;) {
        const top = ranked.all(expression, fetch) as Array<{ rowid: number; rank: number }>;
        if (top.length > 0) {
          const rankOf = new Map(top.map((row) => [row.rowid, row.rank]));
          rows = inSlices(
            top.map((row) => row.rowid),
            (rowids) =>
              this.database
                .prepare(
                  `${this.foundSelect} WHERE +c.workspace_id = ? AND c.rowid IN (${rowids.map(() => '?').join(', ')})`,
                )
                .all(this.workspaceId, ...rowids) as Row[],
          )
            .map((row) => ({ ...row, rank: rankOf.get(row.rowid)! }))
            .sort((a, b) => a.rank - b.rank);
        }
        if (rows.length >= limit || top.length < fetch) return rows;
        fetch *= 8;
      }
    };
    let rows = rankedRows(match);
    if (common.length > 0 && rows.length < limit) {
      // Fewer rows than asked for without the common words (rare words in few chunks, or a small
      // workspace in a table whose statistics a larger one decides): the chunks that have only a
      // common word belong in the result, so FTS5 is asked for them too, and scores them itself.
      rows = rankedRows(matchExpression([...terms, ...common], grams, scopes));
    } else if (common.length > 0) rows = this.withCommonTerms(rows, common);
    return {
      terms: analysed.terms,
      chunks: rows.slice(0, limit).map((row) => ({
        ...chunkFromRow(row),
        title: row.title,
        collection: row.collection_name,
        score: -row.rank,
      })),
    };
  }

  /**
   * Vector search among the chunks embedded by `modelId`, by cosine similarity, best first.
   *
   * From `VECTOR_INDEX_FROM` vectors on, an in-memory int8 index scanned by a SIMD kernel picks
   * candidates (quantized-vector-index.ts; kept coherent with every write, vector-index-cache.ts)
   * and their exact cosine from sqlite-vec orders them; below that, or inside an open transaction,
   * sqlite-vec searches alone.
   */
  vectorSearch(vector: number[], modelId: string, filters: SearchFilters = {}, limit = 10): FoundChunk[] {
    const dimension = vector.length;
    if (!this.store.vectorDimensions().includes(dimension)) return [];
    const indexFrom = this.store.options.vectorIndexFrom ?? VECTOR_INDEX_FROM;
    const embedded = this.embeddedChunkCount(modelId);
    const index =
      embedded >= indexFrom
        ? vectorIndexCache(this.database).get(
            this.workspaceId,
            modelId,
            dimension,
            vectorTable(dimension),
            embedded,
          )
        : undefined;
    if (index) return this.indexedVectorSearch(index, new Float32Array(vector), modelId, filters, limit);
    return this.sqliteVectorSearch(vector, modelId, filters, limit);
  }

  /** The search of `vectorSearch` through the in-memory index. */
  private indexedVectorSearch(
    index: QuantizedVectorIndex,
    query: Float32Array,
    modelId: string,
    filters: SearchFilters,
    limit: number,
  ): FoundChunk[] {
    const filtered = Boolean(
      filters.collections?.length || filters.sourceIds?.length || filters.language || filters.tags?.length,
    );
    // The index holds this workspace's vectors of this model only; with filters, it is asked for
    // more until enough of its nearest pass them (or there are no more).
    let wanted = filtered ? limit * 4 + 16 : limit;
    for (;;) {
      const nearest = index.nearest(query, wanted);
      let passing = nearest;
      if (filtered && nearest.length > 0) {
        const parameters: unknown[] = [this.workspaceId];
        const filter = this.filterClause(filters, parameters);
        const allowed = new Set(
          inSlices(
            nearest.map((neighbour) => neighbour.rowid),
            (rowids) =>
              this.database
                .prepare(
                  `SELECT c.rowid FROM knowledge_chunks c WHERE +c.workspace_id = ?${filter}
                     AND c.rowid IN (${rowids.map(() => '?').join(', ')})`,
                )
                .pluck()
                .all(...parameters, ...rowids) as number[],
          ),
        );
        passing = nearest.filter((neighbour) => allowed.has(neighbour.rowid));
      }
      if (passing.length >= limit || nearest.length < wanted) {
        const top = passing.slice(0, limit);
        if (top.length === 0) return [];
        const similarity = new Map(top.map((neighbour) => [neighbour.rowid, neighbour.similarity]));
        const rows = this.database
          .prepare(
            `${this.foundSelect} WHERE +c.workspace_id = ? AND +c.embedding_model = ?
               AND c.rowid IN (${top.map(() => '?').join(', ')})`,
          )
          .all(this.workspaceId, modelId, ...top.map((neighbour) => neighbour.rowid)) as Array<
          ChunkRow & { title: string; collection_name: string }
        >;
        return rows
          .map((row) => ({
            ...chunkFromRow(row),
            title: row.title,
            collection: row.collection_name,
            score: similarity.get(row.rowid) ?? 0,
          }))
          .sort((a, b) => b.score - a.score);
      }
      wanted *= 8;
    }
  }

  /** The search of `vectorSearch` in sqlite-vec alone. */
  private sqliteVectorSearch(
    vector: number[],
    modelId: string,
    filters: SearchFilters,
    limit: number,
  ): FoundChunk[] {
    const dimension = vector.length;
    if (!this.store.vectorDimensions().includes(dimension)) return [];
    // sqlite-vec finds the nearest first; filters and the model check come after, so ask for more.
    const candidates = Math.min(4096, limit + 16);
    const query = new Float32Array(vector);
    const bits = bitTable(dimension);
    let nearest: Array<{ rowid: number; distance: number }>;
    if (bits && this.embeddedChunkCount(modelId) >= BINARY_PREFILTER_FROM) {
      // Hamming distance over 48 bytes a vector instead of cosine over 1,536: a first pass that
      // reads a thirty-second of the data; the exact cosine then orders its candidates.
      const rough = this.database
        .prepare(
          `SELECT rowid FROM ${bits} WHERE embedding MATCH vec_quantize_binary(?) AND k = ? AND workspace_id = ?`,
        )
        .all(query, candidates * BINARY_OVERSAMPLING, this.workspaceId) as Array<{ rowid: number }>;
      if (rough.length === 0) return [];
      nearest = (
        this.database
          .prepare(
            `SELECT rowid, vec_distance_cosine(embedding, ?) AS distance FROM ${vectorTable(dimension)}
             WHERE rowid IN (${rough.map(() => '?').join(', ')})`,
          )
          .all(query, ...rough.map((row) => row.rowid)) as Array<{ rowid: number; distance: number }>
      )
        .sort((a, b) => a.distance - b.distance)
        .slice(0, candidates);
    } else {
      nearest = this.database
        .prepare(
          `SELECT rowid, distance FROM ${vectorTable(dimension)}
           WHERE embedding MATCH ? AND k = ? AND workspace_id = ?`,
        )
        .all(query, candidates, this.workspaceId) as Array<{ rowid: number; distance: number }>;
    }
    if (nearest.length === 0) return [];
    const distances = new Map(nearest.map((row) => [Number(row.rowid), row.distance]));
    const parameters: unknown[] = [this.workspaceId, modelId];
    const filter = this.filterClause(filters, parameters);
    const rows = this.database
      .prepare(
        `${this.foundSelect}
         WHERE +c.workspace_id = ? AND +c.embedding_model = ?${filter}
           AND c.rowid IN (${nearest.map(() => '?').join(', ')})`,
      )
      .all(...parameters, ...nearest.map((row) => row.rowid)) as Array<
      ChunkRow & { title: string; collection_name: string }
    >;
    return rows
      .map((row) => ({
        ...chunkFromRow(row),
        title: row.title,
        collection: row.collection_name,
        score: 1 - (distances.get(row.rowid) ?? 1),
      }))
      .sort((a, b) => b.score - a.score)
      .slice(0, limit);
  }

  /** Row counts of the workspace's indexes (for checks that nothing is orphaned). */
  counts(): IndexCounts {
    const count = (sql: string, ...parameters: unknown[]) =>
      (this.database.prepare(sql).get(...parameters) as { n: number }).n;
    const lexicalRows = count(
      `SELECT COUNT(*) AS n FROM knowledge_fts WHERE rowid IN
         (SELECT rowid FROM knowledge_chunks WHERE workspace_id = ?)`,
      this.workspaceId,
    );
    let vectorRows = 0;
    for (const dimension of this.store.vectorDimensions())
      vectorRows += count(
        `SELECT COUNT(*) AS n FROM ${vectorTable(dimension)} WHERE workspace_id = ?`,
        this.workspaceId,
      );
    return {
      documents: count(
        'SELECT COUNT(*) AS n FROM knowledge_documents WHERE workspace_id = ?',
        this.workspaceId,
      ),
      chunks: count('SELECT COUNT(*) AS n FROM knowledge_chunks WHERE workspace_id = ?', this.workspaceId),
      canonicalChunks: count(
        'SELECT COUNT(*) AS n FROM knowledge_chunks WHERE workspace_id = ? AND duplicate_of IS NULL',
        this.workspaceId,
      ),
      lexicalRows,
      vectorRows,
    };
  }
}

/** Opens the knowledge store on the storage's database (already migrated). */
export function openKnowledgeStore(database: Database, options: KnowledgeStoreOptions): SqliteKnowledgeStore {
  return new SqliteKnowledgeStore(database, options);
}
