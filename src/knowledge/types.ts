/** The records Knowledge stores, as the core, the routes and the CLI see them. */
import type { LocalizedText } from '../errors.js';
import type { PassageLocation } from './search-contract.js';

export type SourceKind = 'file' | 'folder' | 'upload' | 'page' | 'site';
export type SourceStatus = 'pending' | 'syncing' | 'ready' | 'failed';

/** How a site is crawled (a `site` source's options). */
export interface CrawlOptions {
  maxPages?: number;
  maxDepth?: number;
}

export interface SourceRecord {
  id: string;
  collection: string;
  kind: SourceKind;
  /** A path on the server, the folder of an upload, or a URL. */
  location: string;
  name: string;
  tags: string[];
  options: CrawlOptions;
  status: SourceStatus;
  /** Why the last sync failed as a whole (single files' errors are in its job's report). */
  error: { code: string; message: LocalizedText } | null;
  lastJobId: string | null;
  documentCount: number;
  chunkCount: number;
  /** Files or pages of the last sync that could not be indexed. */
  failedCount: number;
  /** Re-synced by the scheduler this often; null for by hand only. */
  syncEveryHours: number | null;
  lastSyncedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewSource {
  collection?: string;
  kind: SourceKind;
  location: string;
  name?: string;
  tags?: string[];
  options?: CrawlOptions;
  syncEveryHours?: number | null;
}

export interface DocumentRecord {
  id: string;
  sourceId: string;
  collection: string;
  uri: string;
  title: string;
  format: string;
  language: string | null;
  contentHash: string;
  chunkCount: number;
  indexedAt: string;
}

export interface ChunkRecord {
  rowid: number;
  id: string;
  documentId: string;
  sourceId: string;
  collectionId: string;
  ordinal: number;
  text: string;
  headingPath: string[];
  location: PassageLocation;
  tokenCount: number;
  contentHash: string;
  language: string | null;
}

/** What indexing one document did. */
export interface IndexOutcome {
  documentId: string;
  /** Chunks kept as they were (their embeddings too). */
  kept: number;
  /** New or changed chunks, indexed now. */
  added: number;
  /** Chunks that vanished, removed from every index. */
  removed: number;
  /** New chunks that repeat a chunk already in the collection, stored once. */
  duplicates: number;
  /** Chunks embedded now. */
  embedded: number;
  /** Whether the document's content was the same as last time (nothing was written). */
  unchanged: boolean;
}

/** Filters shared by lexical, vector and hybrid search. */
export interface SearchFilters {
  collections?: string[];
  sourceIds?: string[];
  language?: string;
  tags?: string[];
}

/** Row counts of the indexes, for checks that nothing is left behind. */
export interface IndexCounts {
  documents: number;
  chunks: number;
  /** Chunks that are the one stored copy (the others are duplicates of them). */
  canonicalChunks: number;
  lexicalRows: number;
  vectorRows: number;
}
