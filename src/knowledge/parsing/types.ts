/**
 * The contract between the parsers (files, web pages, crawls) and the indexer (chunking, search).
 * A parser turns bytes into a `ParsedDocument` of structural blocks; the indexer never looks at the
 * original format. Change it only together with both sides.
 */
import type { PassageLocation } from '../search-contract.js';

export type BlockKind = 'heading' | 'paragraph' | 'list' | 'table' | 'code';

export interface Block {
  kind: BlockKind;
  /**
   * Plain text. A list has one item a line ("- item"); a table one row a line, cells separated by
   * " | ", with its header row first.
   */
  text: string;
  /** For a heading: 1 (outermost) to 6. */
  level?: number;
  /** Where the block stands: page, URL with the anchor of its section, sheet and row. */
  location: PassageLocation;
}

export interface ParsedDocument {
  /** The document's title: its own (PDF metadata, <title>, first heading) or the file name. */
  title: string;
  blocks: Block[];
  /** ISO 639-1 code detected from the text (such as `sv` or `en`); undefined when unsure. */
  language?: string;
  /** The format it was parsed as, such as `pdf`, `docx`, `html`, `markdown`, `text`, `csv`, `xlsx`. */
  format: string;
}

/** What a parser is given. */
export interface ParserInput {
  bytes: Uint8Array;
  /** File name or URL, for the title and the format. */
  name: string;
  /** The Content-Type a server sent, when the input came over HTTP. */
  contentType?: string;
  /** For a web page, its URL: links and locations are made absolute with it. */
  url?: string;
}

/**
 * Turns any supported input into a document, or throws a PolettError with code
 * `unsupported_format`, `corrupt_file`, `encrypted_file`, `file_too_large` or `empty_document`
 * and one sentence saying what to do.
 */
export type ParseDocument = (input: ParserInput) => Promise<ParsedDocument>;
