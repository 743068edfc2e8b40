/**
 * PDF with Mozilla's pdf.js (the legacy build, which runs on Node 20 without a browser). Text comes
 * per page as positioned runs; they are joined into lines by position, lines into paragraphs by the
 * gaps between them, and lines set clearly larger than the body text become headings, so that a
 * chunk keeps its heading path. Every block carries its page number.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { BlockList, finishDocument } from './document-builder.js';
import { corruptFile, encryptedFile, fileTooLarge } from './parse-errors.js';
import type { ParsedDocument, ParserInput } from './types.js';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

let pdfjsModule: Promise<PdfJs> | undefined;
function loadPdfJs(): Promise<PdfJs> {
  pdfjsModule ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjsModule;
}

/** pdf.js reads character maps (for CJK and other non-Latin fonts) from files shipped in its package. */
function packageFolder(subfolder: string): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), subfolder) + path.sep;
}

interface TextLine {
  page: number;
  text: string;
  /** Font size, from the text matrix. */
  size: number;
  /** Baseline, in PDF units from the page's bottom. */
  y: number;
}

interface TextRun {
  str: string;
  transform: number[];
  hasEOL: boolean;
  height: number;
}

/** A larger font than this many times the body text's is a heading. */
const HEADING_SIZE_RATIO = 1.15;
/** A gap between lines larger than this many line heights starts a new paragraph. */
const PARAGRAPH_GAP_RATIO = 1.6;

export async function parsePdf(
  input: ParserInput,
  maxPages = Number.POSITIVE_INFINITY,
): Promise<ParsedDocument> {
  const pdfjs = await loadPdfJs();
  const task = pdfjs.getDocument({
    // pdf.js may take over the buffer it is given: hand it a copy.
    data: new Uint8Array(input.bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    cMapUrl: packageFolder('cmaps'),
    cMapPacked: true,
    standardFontDataUrl: packageFolder('standard_fonts'),
    verbosity: 0,
  });
  try {
    let pdf: Awaited<typeof task.promise>;
    try {
      pdf = await task.promise;
    } catch (error) {
      if (error instanceof Error && error.name === 'PasswordException')
        throw encryptedFile(input.name, error);
      throw corruptFile(input.name, 'PDF', error);
    }
    if (pdf.numPages > maxPages) throw fileTooLarge(input.name, maxPages, 'pages');
    const lines: TextLine[] = [];
    for (let pageNumber = 1; pageNumber <= pdf.numPages; pageNumber += 1) {
      const page = await pdf.getPage(pageNumber);
      const content = await page.getTextContent();
      lines.push(...pageLines(pageNumber, content.items.filter((item) => 'str' in item) as TextRun[]));
      page.cleanup();
    }
    const title = await metadataTitle(pdf);
    return finishDocument({
      name: input.name,
      format: 'pdf',
      title,
      blocks: linesToBlocks(lines),
      emptyHint: {
        sv: 'den består troligen av inskannade bilder; kör textigenkänning (OCR) på den först',
        en: 'it is probably scanned images; run text recognition (OCR) on it first',
      },
    });
  } finally {
    await task.destroy();
  }
}

async function metadataTitle(pdf: {
  getMetadata(): Promise<{ info: unknown; metadata: unknown }>;
}): Promise<string | undefined> {
  try {
    const { info, metadata } = await pdf.getMetadata();
    const xmpTitle = (metadata as { get?: (name: string) => unknown } | null)?.get?.('dc:title');
    if (typeof xmpTitle === 'string' && xmpTitle.trim()) return xmpTitle;
    const infoTitle = (info as { Title?: unknown } | null)?.Title;
    // Word and others write "Microsoft Word - file.docx" or "untitled": not a title.
    if (
      typeof infoTitle === 'string' &&
      infoTitle.trim() &&
      !/^(untitled|microsoft word - )/i.test(infoTitle)
    ) {
      return infoTitle;
    }
  } catch {
    // Broken metadata is no reason to lose the text.
  }
  return undefined;
}

/** Joins a page's runs into lines: a run ends its line when pdf.js says so or the baseline moves. */
function pageLines(page: number, runs: TextRun[]): TextLine[] {
  const lines: TextLine[] = [];
  let current: TextLine | undefined;
  for (const run of runs) {
    const size = Math.hypot(run.transform[2] ?? 0, run.transform[3] ?? 0) || run.height || 1;
    const y = run.transform[5] ?? 0;
    if (current && Math.abs(current.y - y) > Math.max(current.size, size) * 0.5) {
      lines.push(current);
      current = undefined;
    }
    if (!current) current = { page, text: '', size, y };
    current.text += run.str;
    if (run.str.trim()) current.size = Math.max(current.size, size);
    if (run.hasEOL) {
      lines.push(current);
      current = undefined;
    }
  }
  if (current) lines.push(current);
  return lines.filter((line) => line.text.trim());
}

/** The body text's font size: the size most characters are set in. */
function bodySize(lines: TextLine[]): number {
  const characters = new Map<number, number>();
  for (const line of lines) {
    const size = Math.round(line.size * 2) / 2;
    characters.set(size, (characters.get(size) ?? 0) + line.text.length);
  }
  let best = 0;
  let bestCount = -1;
  for (const [size, count] of characters) {
    if (count > bestCount) {
      best = size;
      bestCount = count;
    }
  }
  return best;
}

/** A list item's bullet at a line's start: "• ", "◦ ", "▪ ", "– " and the like. */
const BULLET = /^\s*[•◦▪▫●○■□➢►‣⁃–-]\s+/u;

/** A table of contents' dot leaders ("Inledning . . . . 3"): an entry, not a heading. */
const DOT_LEADER = /(?:\.\s?){4,}/;
/** A page number on its own: "12", "- 12 -", "Sida 3 av 9", "Page 3", "iv". */
const PAGE_NUMBER =
  /^(?:[-–—\s]*\d{1,4}[-–—\s]*|(?:sida|page|s\.)\s*\d{1,4}(?:\s*(?:av|of|\/)\s*\d{1,4})?|[ivxlc]{1,6})$/i;

/**
 * Running headers and footers (the document's title, "Kapitel 2", page numbers) repeat on every
 * page and would be indexed once per page: the first and last lines of pages are dropped when the
 * same text, digits aside, stands there on at least three pages, and lone page numbers are dropped
 * wherever they stand at a page's top or bottom; lines set larger than the body text are headings
 * and stay.
 */
function withoutRunningHeaders(lines: TextLine[], body: number): TextLine[] {
  const byPage = new Map<number, TextLine[]>();
  for (const line of lines) {
    const pageLines = byPage.get(line.page) ?? [];
    pageLines.push(line);
    byPage.set(line.page, pageLines);
  }
  // By position, not by order: a footer may come first in the page's content stream.
  const edgeLines = (pageLines: TextLine[]): TextLine[] => {
    if (pageLines.length <= 2) return pageLines;
    const top = pageLines.reduce((best, line) => (line.y > best.y ? line : best));
    const bottom = pageLines.reduce((best, line) => (line.y < best.y ? line : best));
    return [top, bottom];
  };
  const shape = (line: TextLine): string => line.text.trim().toLowerCase().replace(/\d+/g, '#');
  const pagesWithShape = new Map<string, number>();
  for (const pageLines of byPage.values()) {
    for (const text of new Set(edgeLines(pageLines).map(shape))) {
      pagesWithShape.set(text, (pagesWithShape.get(text) ?? 0) + 1);
    }
  }
  // Three pages: a chapter's running header ("Kapitel 2: Priser") repeats only within its chapter.
  const repeatedAt = 3;
  const dropped = new Set<TextLine>();
  for (const pageLines of byPage.values()) {
    for (const line of edgeLines(pageLines)) {
      // Set larger than the body, it is a heading ("Kapitel 3" atop each chapter's page), not chrome.
      if (line.size >= body * HEADING_SIZE_RATIO) continue;
      if (PAGE_NUMBER.test(line.text.trim()) || (pagesWithShape.get(shape(line)) ?? 0) >= repeatedAt) {
        dropped.add(line);
      }
    }
  }
  return lines.filter((line) => !dropped.has(line));
}

function linesToBlocks(allLines: TextLine[]): BlockList['blocks'] {
  const blocks = new BlockList();
  const body = bodySize(allLines);
  const lines = withoutRunningHeaders(allLines, body);
  const isHeading = (line: TextLine): boolean =>
    line.size >= body * HEADING_SIZE_RATIO &&
    line.text.trim().length <= 120 &&
    !/[.,;]$/.test(line.text.trim()) &&
    !DOT_LEADER.test(line.text);
  // Larger headings are outer: rank the distinct heading sizes, largest first.
  const headingSizes = [...new Set(lines.filter(isHeading).map((line) => Math.round(line.size)))].sort(
    (a, b) => b - a,
  );
  const levelOf = (line: TextLine): number => Math.min(6, headingSizes.indexOf(Math.round(line.size)) + 1);

  let paragraph: string[] = [];
  let paragraphPage = 1;
  let previous: TextLine | undefined;
  /** Whether the last block is a list that the next bulleted paragraph continues. */
  let listOpen = false;
  const flush = (): void => {
    if (paragraph.length === 0) return;
    const text = joinLines(paragraph);
    const bullet = BULLET.exec(text);
    const last = blocks.blocks[blocks.blocks.length - 1];
    if (bullet && listOpen && last?.kind === 'list' && last.location.page === paragraphPage) {
      last.text += `\n- ${text.slice(bullet[0].length)}`;
    } else if (bullet) {
      blocks.add('list', `- ${text.slice(bullet[0].length)}`, { page: paragraphPage });
    } else {
      blocks.add('paragraph', text, { page: paragraphPage });
    }
    listOpen = bullet !== null;
    paragraph = [];
  };
  for (const line of lines) {
    if (isHeading(line)) {
      flush();
      // A heading set over two lines arrives as two lines of the same size: keep it one heading.
      const last = blocks.blocks[blocks.blocks.length - 1];
      if (
        previous &&
        isHeading(previous) &&
        previous.page === line.page &&
        previous.y - line.y <= line.size * PARAGRAPH_GAP_RATIO &&
        last?.kind === 'heading' &&
        last.text.length + line.text.length <= 160 &&
        levelOf(previous) === levelOf(line)
      ) {
        last.text = `${last.text} ${line.text.trim()}`;
      } else {
        blocks.add('heading', line.text, { page: line.page }, levelOf(line));
      }
      previous = line;
      continue;
    }
    const gap = previous && previous.page === line.page ? previous.y - line.y : 0;
    const newParagraph =
      !previous ||
      previous.page !== line.page ||
      isHeading(previous) ||
      gap > line.size * PARAGRAPH_GAP_RATIO ||
      gap < 0 ||
      BULLET.test(line.text.trim());
    if (newParagraph) {
      flush();
      paragraphPage = line.page;
    }
    paragraph.push(line.text);
    previous = line;
  }
  flush();
  return blocks.blocks;
}

/** Lines of one paragraph as flowing text; a word hyphenated at a line's end is joined again. */
function joinLines(lines: string[]): string {
  let text = '';
  for (const raw of lines) {
    const line = raw.trim();
    if (!text) text = line;
    else if (/\p{L}-$/u.test(text) && /^\p{Ll}/u.test(line)) text = text.slice(0, -1) + line;
    else text = `${text} ${line}`;
  }
  return text;
}
