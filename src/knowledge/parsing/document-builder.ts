/**
 * What every parser does at the end: drop empty blocks, refuse a document without text, detect the
 * language and pick a title. Kept in one place so that the formats agree.
 */
import { detectLanguage } from '../../text/index.js';
import type { PassageLocation } from '../search-contract.js';
import { emptyDocument } from './parse-errors.js';
import type { Block, BlockKind, ParsedDocument } from './types.js';

/** How much text (from the start) language detection looks at. */
const LANGUAGE_SAMPLE_CHARACTERS = 4000;

/**
 * Collapses runs of spaces and tabs within lines, trims each line and drops blank lines at the
 * ends; line breaks inside a block are kept (addresses, lists, table rows).
 */
export function tidyText(text: string, keepIndent = false): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => {
      const indent = keepIndent ? (/^ */.exec(line)?.[0] ?? '') : '';
      const tidy = line.replace(/[\s\u00a0]+/g, ' ').trim();
      return tidy ? indent + tidy : '';
    })
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Collects blocks in reading order, skipping the ones without text. */
export class BlockList {
  readonly blocks: Block[] = [];

  add(kind: BlockKind, text: string, location: PassageLocation, level?: number): void {
    // Code keeps its layout; a list keeps the indentation of its nested items.
    const tidy =
      kind === 'code' ? text.replace(/\s+$/, '').replace(/^\n+/, '') : tidyText(text, kind === 'list');
    if (tidy.trim().length === 0) return;
    const block: Block = { kind, text: tidy, location: { ...location } };
    if (kind === 'heading') block.level = Math.min(6, Math.max(1, level ?? 1));
    this.blocks.push(block);
  }

  /** The text of the first heading of a level, for a title when the format has none of its own. */
  firstHeading(level = 1): string | undefined {
    return this.blocks.find((block) => block.kind === 'heading' && block.level === level)?.text;
  }
}

/** The file name without its folder and extension, or a URL's last path segment, for a title. */
export function titleFromName(name: string): string {
  let base = name;
  try {
    const url = new URL(name);
    if (url.protocol === 'http:' || url.protocol === 'https:') {
      const segments = url.pathname.split('/').filter(Boolean);
      base = segments.length > 0 ? decodeURIComponent(segments[segments.length - 1]!) : url.hostname;
    }
  } catch {
    // Not a URL: a file name or path.
  }
  base = base.split(/[\\/]/).pop() ?? base;
  const withoutExtension = base.replace(/\.[a-z0-9]{1,5}$/i, '');
  return (withoutExtension || base || name).trim();
}

export interface FinishOptions {
  name: string;
  format: string;
  /** The format's own title, when it has one; otherwise the first heading, then the name. */
  title?: string | undefined;
  blocks: Block[];
  /** Said in the empty-document error, such as "a scanned PDF needs OCR first". */
  emptyHint?: { sv: string; en: string };
}

/** Builds the `ParsedDocument`, or throws `empty_document` when no block has any text. */
export function finishDocument(options: FinishOptions): ParsedDocument {
  const blocks = options.blocks.filter((block) => /[\p{L}\p{N}]/u.test(block.text));
  if (blocks.length === 0) throw emptyDocument(options.name, options.emptyHint);
  const firstHeading = blocks.find((block) => block.kind === 'heading')?.text;
  const title = cleanTitle(options.title) ?? cleanTitle(firstHeading) ?? titleFromName(options.name);
  const document: ParsedDocument = { title, blocks, format: options.format };
  const language = detectLanguage(languageSample(blocks));
  if (language) document.language = language.language;
  return document;
}

function cleanTitle(title: string | undefined): string | undefined {
  const tidy = title?.replace(/\s+/g, ' ').trim();
  if (!tidy) return undefined;
  return tidy.length > 200 ? `${tidy.slice(0, 197)}…` : tidy;
}

/** Prose first: code and tables say little about the language a document is written in. */
function languageSample(blocks: Block[]): string {
  const parts: string[] = [];
  let length = 0;
  for (const kinds of [
    ['paragraph', 'list', 'heading'],
    ['table', 'code'],
  ]) {
    for (const block of blocks) {
      if (!kinds.includes(block.kind)) continue;
      parts.push(block.text);
      length += block.text.length + 1;
      if (length >= LANGUAGE_SAMPLE_CHARACTERS) return parts.join('\n');
    }
  }
  return parts.join('\n');
}
