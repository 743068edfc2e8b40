/**
 * Knowledge's parsers: bytes of any supported file or web page in, a `ParsedDocument` of structural
 * blocks out (see `types.ts` for the contract). The indexer calls `parseDocument` and never looks
 * at the original format.
 */
import { PolettError } from '../../errors.js';
import { detectFormat, type DocumentFormat } from './detect-format.js';
import { parseHtmlPage, type HtmlPageInfo } from './html-parser.js';
import {
  DEFAULT_PARSER_MEMORY_MB,
  DEFAULT_PARSER_TIMEOUT_MS,
  parseIsolated,
  type IsolationLimits,
} from './isolated-parser.js';
import { parseMarkdown } from './markdown-parser.js';
import { corruptFile, emptyDocument, fileTooLarge } from './parse-errors.js';
import { parsePlainText } from './text-parser.js';
import type { ParsedDocument, ParserInput } from './types.js';
import type { ZipLimits } from './zip-guard.js';

export type { Block, BlockKind, ParseDocument, ParsedDocument, ParserInput } from './types.js';
export {
  detectFormat,
  extensionOf,
  formatOfContentType,
  EXTENSIONS_BY_FORMAT,
  SUPPORTED_EXTENSIONS,
  type DocumentFormat,
} from './detect-format.js';
export { parseHtmlPage, type HtmlPageInfo, type ParsedHtmlPage } from './html-parser.js';
export { PARSE_ERROR_CODES, isParseError, type ParseErrorCode } from './parse-errors.js';
export { titleFromName } from './document-builder.js';
export { DEFAULT_PARSER_MEMORY_MB, DEFAULT_PARSER_TIMEOUT_MS } from './isolated-parser.js';

/** 50 MB: larger files are refused before any parsing, with `file_too_large`. */
export const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024;
/** What a DOCX or XLSX may unpack to; more is taken for a zip bomb. */
export const DEFAULT_MAX_UNPACKED_BYTES = 300 * 1024 * 1024;
/** Entries a DOCX or XLSX may hold. */
export const DEFAULT_MAX_ZIP_ENTRIES = 10_000;
/**
 * Pages a PDF may have: a small file can declare a million empty pages, and reading them one by
 * one would hold an ingestion for hours.
 */
export const DEFAULT_MAX_PDF_PAGES = 10_000;

export interface ParseOptions {
  /** Largest input accepted, in bytes; `DEFAULT_MAX_FILE_BYTES` when absent. */
  maxFileBytes?: number;
  /** Largest total a DOCX or XLSX may unpack to; `DEFAULT_MAX_UNPACKED_BYTES` when absent. */
  maxUnpackedBytes?: number;
  /** Most entries in a DOCX or XLSX; `DEFAULT_MAX_ZIP_ENTRIES` when absent. */
  maxZipEntries?: number;
  /** Most pages in a PDF; `DEFAULT_MAX_PDF_PAGES` when absent. */
  maxPdfPages?: number;
  /** Heap of the thread that parses PDF, DOCX and XLSX, in MB; `DEFAULT_PARSER_MEMORY_MB` when absent. */
  parserMemoryMegabytes?: number;
  /** How long a PDF, DOCX or XLSX may take to parse; `DEFAULT_PARSER_TIMEOUT_MS` when absent. */
  parserTimeoutMs?: number;
}

/** Limits resolved from `ParseOptions`, passed to each format's parser. */
export interface ParseLimits {
  maxFileBytes: number;
  zip: ZipLimits;
  maxPdfPages: number;
  isolation: IsolationLimits;
}

type FormatParser = (input: ParserInput, limits: ParseLimits) => Promise<ParsedDocument> | ParsedDocument;

/** HTML is not here: it goes through `parseHtmlPage`, which also returns the page's links. */
const PARSERS: Record<Exclude<DocumentFormat, 'html'>, FormatParser> = {
  text: (input) => parsePlainText(input),
  markdown: (input) => parseMarkdown(input),
  csv: async (input) => (await import('./csv-parser.js')).parseCsv(input),
  // In the parser thread, under its memory and time limits (isolated-parser.ts).
  xlsx: (input, limits) => parseIsolated('xlsx', input, { ...limits, ...limits.isolation }),
  docx: (input, limits) => parseIsolated('docx', input, { ...limits, ...limits.isolation }),
  pdf: (input, limits) => parseIsolated('pdf', input, { ...limits, ...limits.isolation }),
};

/**
 * Parses any supported input into a document, or throws a PolettError with code
 * `unsupported_format`, `corrupt_file`, `encrypted_file`, `file_too_large` or `empty_document`
 * whose message (Swedish and English) names the file and says what to do. A parser library that
 * fails in a way of its own is reported as `corrupt_file`, so that one bad file never stops an
 * ingestion. The heavy parsers (PDF, DOCX, XLSX) run in a worker thread with memory and time
 * limits (`isolated-parser.ts`), so that a hostile file fails alone and the process goes on.
 */
export async function parseDocument(input: ParserInput, options: ParseOptions = {}): Promise<ParsedDocument> {
  return (await parseDocumentWithPageInfo(input, options)).document;
}

/**
 * `parseDocument`, plus, for HTML, what the page says beyond its text (links, canonical URL, meta
 * robots): what a crawler needs to go on.
 */
export async function parseDocumentWithPageInfo(
  input: ParserInput,
  options: ParseOptions = {},
): Promise<{ document: ParsedDocument; page?: HtmlPageInfo }> {
  const limits: ParseLimits = {
    maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    zip: {
      maxUnpackedBytes: options.maxUnpackedBytes ?? DEFAULT_MAX_UNPACKED_BYTES,
      maxEntries: options.maxZipEntries ?? DEFAULT_MAX_ZIP_ENTRIES,
    },
    maxPdfPages: options.maxPdfPages ?? DEFAULT_MAX_PDF_PAGES,
    isolation: {
      memoryMegabytes: options.parserMemoryMegabytes ?? DEFAULT_PARSER_MEMORY_MB,
      timeoutMs: options.parserTimeoutMs ?? DEFAULT_PARSER_TIMEOUT_MS,
    },
  };
  if (input.bytes.byteLength > limits.maxFileBytes) throw fileTooLarge(input.name, limits.maxFileBytes);
  if (input.bytes.byteLength === 0) throw emptyDocument(input.name);
  const format = await detectFormat(input);
  try {
    if (format === 'html') return parseHtmlPage(input);
    return { document: await PARSERS[format](input, limits) };
  } catch (error) {
    if (error instanceof PolettError) throw error;
    throw corruptFile(input.name, FORMAT_NAMES[format], error);
  }
}

/** A `ParseDocument` with fixed options, for code that takes the contract's function type. */
export function createDocumentParser(
  options: ParseOptions = {},
): (input: ParserInput) => Promise<ParsedDocument> {
  return (input) => parseDocument(input, options);
}

const FORMAT_NAMES: Record<DocumentFormat, string> = {
  pdf: 'PDF',
  docx: 'DOCX',
  xlsx: 'XLSX',
  html: 'HTML',
  markdown: 'Markdown',
  text: 'text',
  csv: 'CSV',
};
