/**
 * Which parser a file goes to. The bytes decide first (a PDF is a PDF whatever it is called, and a
 * binary file named `.txt` is not text), then the extension, then the Content-Type a server sent,
 * then a look at the text itself.
 */
import { looksBinary } from '../../text/index.js';
import { corruptFile, encryptedFile, unsupportedFormat } from './parse-errors.js';
import type { ParserInput } from './types.js';
import { isZip, listZipEntries } from './zip-guard.js';

export type DocumentFormat = 'pdf' | 'docx' | 'xlsx' | 'html' | 'markdown' | 'text' | 'csv';

/** Extensions Polett reads, by format: for picking files out of a folder. */
export const EXTENSIONS_BY_FORMAT: Record<DocumentFormat, readonly string[]> = {
  pdf: ['.pdf'],
  docx: ['.docx', '.docm', '.dotx'],
  xlsx: ['.xlsx', '.xlsm'],
  html: ['.html', '.htm', '.xhtml'],
  markdown: ['.md', '.markdown', '.mdown', '.mkd'],
  csv: ['.csv', '.tsv'],
  text: ['.txt', '.text', '.log', '.rst', '.asc'],
};

/** Every extension in `EXTENSIONS_BY_FORMAT`. */
export const SUPPORTED_EXTENSIONS: readonly string[] = Object.values(EXTENSIONS_BY_FORMAT).flat();

const CONTENT_TYPES: Record<string, DocumentFormat> = {
  'application/pdf': 'pdf',
  'application/x-pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/csv': 'csv',
  'text/tab-separated-values': 'csv',
  'application/csv': 'csv',
  'text/plain': 'text',
};

/** Formats Polett does not read, with what to do instead. */
const KNOWN_UNSUPPORTED: Record<string, { sv: string; en: string }> = {
  '.doc': { sv: 'ett äldre Word-format; spara som DOCX', en: 'an old Word format; save it as DOCX' },
  '.xls': { sv: 'ett äldre Excel-format; spara som XLSX', en: 'an old Excel format; save it as XLSX' },
  '.ppt': { sv: 'en presentation', en: 'a presentation' },
  '.pptx': { sv: 'en presentation', en: 'a presentation' },
  '.odt': { sv: 'ett OpenDocument-format; spara som DOCX', en: 'an OpenDocument format; save it as DOCX' },
  '.ods': { sv: 'ett OpenDocument-format; spara som XLSX', en: 'an OpenDocument format; save it as XLSX' },
  '.rtf': { sv: 'RTF; spara som DOCX', en: 'RTF; save it as DOCX' },
  '.zip': { sv: 'ett zip-arkiv; packa upp det först', en: 'a zip archive; unpack it first' },
};

/** Magic numbers of common binary files, to say what a misnamed file really is. */
const BINARY_SIGNATURES: { bytes: number[]; what: { sv: string; en: string } }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: { sv: 'en PNG-bild', en: 'a PNG image' } },
  { bytes: [0xff, 0xd8, 0xff], what: { sv: 'en JPEG-bild', en: 'a JPEG image' } },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: { sv: 'en GIF-bild', en: 'a GIF image' } },
  { bytes: [0x1f, 0x8b], what: { sv: 'ett gzip-arkiv', en: 'a gzip archive' } },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: { sv: 'ett program', en: 'a program' } },
  { bytes: [0x4d, 0x5a], what: { sv: 'ett program', en: 'a program' } },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf], what: { sv: 'ett 7z-arkiv', en: 'a 7z archive' } },
  { bytes: [0x52, 0x61, 0x72, 0x21], what: { sv: 'ett RAR-arkiv', en: 'a RAR archive' } },
  { bytes: [0x7b, 0x5c, 0x72, 0x74, 0x66], what: { sv: 'RTF; spara som DOCX', en: 'RTF; save it as DOCX' } },
];

/** Word and Excel put password-protected files in an OLE compound file, as they did .doc/.xls. */
const COMPOUND_FILE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

function startsWith(bytes: Uint8Array, prefix: number[], offset = 0): boolean {
  return prefix.every((byte, index) => bytes[offset + index] === byte);
}

/** `.pdf` from a file name or the path of a URL; '' when there is none. */
export function extensionOf(name: string): string {
  let path = name;
  try {
    const url = new URL(name);
    if (url.protocol === 'http:' || url.protocol === 'https:') path = url.pathname;
  } catch {
    // A file name.
  }
  const match = /\.([a-z0-9]{1,8})$/i.exec(path.split(/[\\/]/).pop() ?? '');
  return match ? `.${match[1]!.toLowerCase()}` : '';
}

function formatOfExtension(extension: string): DocumentFormat | undefined {
  for (const [format, extensions] of Object.entries(EXTENSIONS_BY_FORMAT)) {
    if (extensions.includes(extension)) return format as DocumentFormat;
  }
  return undefined;
}

/** The format of a Content-Type header value (parameters ignored), when Polett reads it. */
export function formatOfContentType(contentType: string | undefined): DocumentFormat | undefined {
  const essence = contentType?.split(';')[0]?.trim().toLowerCase();
  return essence ? CONTENT_TYPES[essence] : undefined;
}

function isPdf(bytes: Uint8Array): boolean {
  // The header may follow some junk; readers accept it within the first kilobyte.
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  return head.includes('%PDF-');
}

/** Sniffs HTML from the text's start, for inputs with neither extension nor Content-Type. */
function looksLikeHtml(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 512)).toString('latin1').trimStart().toLowerCase();
  return /^(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:!doctype html|html[\s>]|head[\s>]|body[\s>])/.test(
    head,
  );
}

/**
 * The format to parse an input as; throws `unsupported_format` (with what the file really is),
 * `encrypted_file` (a password-protected Office file) or `corrupt_file` (a file whose name
 * promises a format its bytes do not have).
 */
export async function detectFormat(input: ParserInput): Promise<DocumentFormat> {
  const { bytes, name } = input;
  const extension = extensionOf(name);
  const byExtension = formatOfExtension(extension);
  const byContentType = formatOfContentType(input.contentType);
  const claimed = byExtension ?? byContentType;

  if (isPdf(bytes)) return 'pdf';
  if (isZip(bytes)) {
    if (claimed === 'docx' || claimed === 'xlsx') return claimed;
    const entries = await listZipEntries(bytes, name, 'zip');
    if (entries.includes('word/document.xml')) return 'docx';
    if (entries.includes('xl/workbook.xml')) return 'xlsx';
    throw unsupportedFormat(name, KNOWN_UNSUPPORTED[extension] ?? KNOWN_UNSUPPORTED['.zip']);
  }
  if (startsWith(bytes, COMPOUND_FILE)) {
    if (claimed === 'docx' || claimed === 'xlsx') throw encryptedFile(name);
    throw unsupportedFormat(
      name,
      KNOWN_UNSUPPORTED[extension] ?? {
        sv: 'ett äldre Office-format; spara som DOCX eller XLSX',
        en: 'an old Office format; save it as DOCX or XLSX',
      },
    );
  }
  if (claimed === 'pdf' || claimed === 'docx' || claimed === 'xlsx') {
    throw corruptFile(name, claimed.toUpperCase());
  }
  const signature = BINARY_SIGNATURES.find((candidate) => startsWith(bytes, candidate.bytes));
  if (signature) throw unsupportedFormat(name, signature.what);
  if (looksBinary(bytes)) {
    throw unsupportedFormat(name, {
      sv: 'den innehåller binära data, inte text',
      en: 'it holds binary data, not text',
    });
  }
  if (KNOWN_UNSUPPORTED[extension]) throw unsupportedFormat(name, KNOWN_UNSUPPORTED[extension]);
  if (claimed) return claimed;
  if (looksLikeHtml(bytes)) return 'html';
  return 'text';
}
