/**
 * The contract between Knowledge and the capabilities that answer from it (Assistant, Content).
 * Knowledge implements `KnowledgeSearcher`; the others depend on this file only, so that they can
 * be built and tested beside Knowledge. Change it only together with its users.
 */

/** Where in its source a passage stands, precisely enough for a citation to link to it. */
export interface PassageLocation {
  /** 1-based page of a PDF. */
  page?: number;
  /** A web page's URL, with the anchor of the nearest heading when it has one. */
  url?: string;
  /** A spreadsheet's sheet and 1-based row. */
  sheet?: string;
  row?: number;
}

export interface Passage {
  /** The chunk's id: stable while its text is unchanged, so that a citation keeps working. */
  chunkId: string;
  documentId: string;
  sourceId: string;
  collection: string;
  /** The document's title (file name, page title). */
  title: string;
  /** The headings above the passage, outermost first. */
  headingPath: string[];
  text: string;
  location: PassageLocation;
  /** Higher is better; comparable only within one result list. */
  score: number;
  /** The query terms (as they appear in `text`) that matched, for highlighting. */
  matchedTerms: string[];
  /** Detected language of the document (ISO 639-1, such as `sv` or `en`), when known. */
  language?: string;
}

export interface KnowledgeSearchOptions {
  /** Only these collections (by name); all of the workspace's when absent or empty. */
  collections?: string[];
  sourceIds?: string[];
  language?: string;
  tags?: string[];
  /** How many passages to return; 10 by default. */
  limit?: number;
  /** Whether to run the reranker when one is configured; true by default. */
  rerank?: boolean;
}

/** The knowledge of one workspace, as the answering capabilities see it. */
export interface KnowledgeSearcher {
  search(query: string, options?: KnowledgeSearchOptions): Promise<Passage[]>;
}
