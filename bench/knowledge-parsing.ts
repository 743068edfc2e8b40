/**
 * Parsing throughput of Knowledge's file parsers, per format: Polett's `parseDocument` (format
 * detection, encoding, structure, boilerplate removal, zip-bomb guard, language detection) against
 * the same library used raw for plain text extraction (htmlparser2's textContent, marked's lexer
 * joined, pdf.js text runs joined, mammoth's extractRawText, exceljs cell values, csv-parse
 * records), on the same generated documents in the same run.
 *
 * A page is 3,000 characters of extracted text (about one printed page), so formats compare.
 * Target: at least 50 pages a second on every format on this machine, so that parsing never holds
 * back ingestion (chunking and indexing cost more than that). The raw side shows what the structure,
 * the guards and the language detection cost on top of the library.
 *
 * Then ingestion as a whole (parse, chunk, Swedish analysis, FTS5, one transaction a document),
 * in a child process of its own so that its memory is its own (`knowledge-ingest-child.ts`),
 * against the same pages put into a plain FTS5 table: pages a second, and peak memory. The pages
 * are generated as they are indexed, never held whole. Target: under 1 GB of memory while
 * ingesting 1 GB of text. The default size is small so that the benchmark takes a few minutes;
 * `POLETT_BENCH_INGEST_MB=1024 npm run bench -- parsing` runs the target's gigabyte (about an
 * hour on this machine), and `POLETT_BENCH_INGEST_MB=0` skips ingestion.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse as parseCsvRaw } from 'csv-parse/sync';
import { textContent } from 'domutils';
import ExcelJS from 'exceljs';
import { parseDocument as parseHtmlDom } from 'htmlparser2';
import mammoth from 'mammoth';
import { Lexer } from 'marked';
import { parseDocument, type ParsedDocument } from '../src/knowledge/parsing/index.js';
import {
  buildDocx,
  buildPdf,
  buildXlsx,
  type DocxContent,
} from '../src/knowledge/parsing/testing/document-fixtures.js';
import { describeMachine, type BenchmarkReport, type Cell } from './support/benchmark-report.js';
import { BUILT_IN_SWEDISH_PARAGRAPH, readSwedishReviews } from './support/shared-data.js';
import { median } from './support/statistics.js';
import { REPOSITORY_ROOT } from '../test-support/paths.js';

const CHARACTERS_PER_PAGE = 3000;
const TARGET_PAGES_PER_SECOND = 50;
/** Megabytes of text the ingestion part indexes unless `POLETT_BENCH_INGEST_MB` says otherwise. */
const DEFAULT_INGEST_MEGABYTES = 30;
const MEMORY_TARGET_MEGABYTES = 1024;

export interface ParsingBenchmarkOptions {
  /** Timed passes per side after one warm-up; the median counts. Default 5. */
  passes?: number;
  /** Sections of text in each generated document. Default 40 (about 12 pages). */
  sections?: number;
  /** Megabytes of text to ingest; `POLETT_BENCH_INGEST_MB`, else 30; 0 skips ingestion. */
  ingestMegabytes?: number;
}

type IngestMode = 'polett' | 'polett-one-thread' | 'fts5';

/** Up to this size the one-thread side runs too (it is there to show what the analysis thread buys). */
const ONE_THREAD_UP_TO_MEGABYTES = 100;

interface IngestResult {
  mode: IngestMode;
  pages: number;
  megabytes: number;
  seconds: number;
  pagesPerSecond: number;
  peakRssMegabytes: number;
  maxRssMegabytes: number;
  startupSeconds: number;
  databaseMegabytes: number;
}

/** Runs one side of the ingestion in a process of its own and reads the JSON line it prints. */
function runIngestChild(mode: IngestMode, megabytes: number, folder: string): Promise<IngestResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bench/knowledge-ingest-child.ts', mode, String(megabytes), folder],
      { cwd: REPOSITORY_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`knowledge-ingest-child ${mode} exited with ${code}`));
      else resolve(JSON.parse(output.trim().split('\n').at(-1)!) as IngestResult);
    });
  });
}

const INGEST_LABELS: Record<IngestMode, string> = {
  polett:
    'Polett sync pipeline: parse Markdown; chunk, Swedish stems + compounds + 4-grams on the analysis thread, 2 pages ahead; FTS5, one transaction a page',
  'polett-one-thread': 'Polett, the same work on one thread, one page after the other',
  fts5: 'plain FTS5, unicode61 tokenizer, one row a page',
};

async function runIngestion(megabytes: number): Promise<IngestResult[]> {
  const folder = mkdtempSync(path.join(tmpdir(), 'polett-ingest-'));
  try {
    const results = [await runIngestChild('polett', megabytes, folder)];
    if (megabytes <= ONE_THREAD_UP_TO_MEGABYTES)
      results.push(await runIngestChild('polett-one-thread', megabytes, folder));
    results.push(await runIngestChild('fts5', megabytes, folder));
    return results;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

interface Corpus {
  format: string;
  name: string;
  bytes: Uint8Array;
  raw: { label: string; extract: (bytes: Uint8Array) => Promise<string> | string };
}

function paragraphs(count: number): string[] {
  const reviews = readSwedishReviews();
  const source = reviews && reviews.length > 0 ? reviews : [BUILT_IN_SWEDISH_PARAGRAPH];
  return Array.from({ length: count }, (_, index) => source[index % source.length]!);
}

async function buildCorpora(sections: number): Promise<Corpus[]> {
  const texts = paragraphs(sections * 3);
  const section = (index: number) => texts.slice(index * 3, index * 3 + 3);
  const indices = Array.from({ length: sections }, (_, index) => index);

  const html = `<!doctype html><html><head><title>Bench</title><script>${'var x = 1;'.repeat(200)}</script><style>p{}</style></head><body><nav><a href="/">Hem</a><a href="/om">Om</a></nav><main>${indices
    .map(
      (index) =>
        `<h2 id="s${index}">Avsnitt ${index}</h2>${section(index)
          .map((text) => `<p>${text.replace(/[<&]/g, ' ')}</p>`)
          .join(
            '',
          )}<ul><li>Punkt ett</li><li>Punkt två</li></ul><table><tr><th>Vara</th><th>Pris</th></tr><tr><td>Stol</td><td>499 kr</td></tr></table>`,
    )
    .join('')}</main><footer>© Bench AB</footer></body></html>`;
  const markdown = indices
    .map(
      (index) =>
        `## Avsnitt ${index}\n\n${section(index).join('\n\n')}\n\n- Punkt ett\n- Punkt två\n\n| Vara | Pris |\n|---|---|\n| Stol | 499 kr |\n`,
    )
    .join('\n');
  const plain = indices.map((index) => `Avsnitt ${index}\n\n${section(index).join('\n\n')}`).join('\n\n');
  const pdf = await buildPdf({
    title: 'Bench',
    pages: indices.map((index) => ({ heading: `Avsnitt ${index}`, paragraphs: section(index) })),
  });
  const docxContent: DocxContent[] = indices.flatMap((index): DocxContent[] => [
    { heading: `Avsnitt ${index}`, level: 2 },
    ...section(index).map((text) => ({ paragraph: text })),
    { bullets: ['Punkt ett', 'Punkt två'] },
  ]);
  const docx = await buildDocx({ title: 'Bench', content: docxContent });
  const rows = texts.map((text, index) => [index + 1, `Kund ${index}`, text]);
  const xlsx = await buildXlsx({ sheets: [{ name: 'Omdömen', rows: [['Nr', 'Kund', 'Omdöme'], ...rows] }] });
  const csv = [
    'Nr;Kund;Omdöme',
    ...rows.map((row) => row.map((cell) => `"${String(cell).replace(/"/g, '""')}"`).join(';')),
  ].join('\r\n');

  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  return [
    {
      format: 'text',
      name: 'bench.txt',
      bytes: encoder.encode(plain),
      raw: { label: 'TextDecoder', extract: (bytes) => decoder.decode(bytes) },
    },
    {
      format: 'markdown',
      name: 'bench.md',
      bytes: encoder.encode(markdown),
      raw: {
        label: 'marked lexer, raw token text',
        extract: (bytes) =>
          new Lexer()
            .lex(decoder.decode(bytes))
            .map((token) => ('text' in token ? String(token.text) : ''))
            .join('\n'),
      },
    },
    {
      format: 'html',
      name: 'bench.html',
      bytes: encoder.encode(html),
      raw: {
        label: 'htmlparser2 textContent',
        extract: (bytes) => textContent(parseHtmlDom(decoder.decode(bytes))),
      },
    },
    {
      format: 'pdf',
      name: 'bench.pdf',
      bytes: pdf,
      raw: { label: 'pdf.js text runs joined', extract: rawPdfText },
    },
    {
      format: 'docx',
      name: 'bench.docx',
      bytes: docx,
      raw: {
        label: 'mammoth extractRawText',
        extract: async (bytes) => (await mammoth.extractRawText({ buffer: Buffer.from(bytes) })).value,
      },
    },
    {
      format: 'xlsx',
      name: 'bench.xlsx',
      bytes: xlsx,
      raw: { label: 'exceljs cell values joined', extract: rawXlsxText },
    },
    {
      format: 'csv',
      name: 'bench.csv',
      bytes: encoder.encode(csv),
      raw: {
        label: 'csv-parse records joined',
        extract: (bytes) =>
          (parseCsvRaw(decoder.decode(bytes), { delimiter: ';', relax_column_count: true }) as string[][])
            .map((record) => record.join(' '))
            .join('\n'),
      },
    },
  ];
}

async function rawPdfText(bytes: Uint8Array): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = pdfjs.getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, verbosity: 0 });
  const pdf = await task.promise;
  const parts: string[] = [];
  for (let pageNumber = 1; pageNumber <= pdf.numPages; pageNumber += 1) {
    const page = await pdf.getPage(pageNumber);
    const content = await page.getTextContent();
    for (const item of content.items) if ('str' in item) parts.push(item.str);
  }
  await task.destroy();
  return parts.join(' ');
}

async function rawXlsxText(bytes: Uint8Array): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes) as never);
  const parts: string[] = [];
  for (const sheet of workbook.worksheets) {
    sheet.eachRow((row) => {
      parts.push(
        (row.values as unknown[])
          .filter((value) => value !== undefined && value !== null)
          .map(String)
          .join(' '),
      );
    });
  }
  return parts.join('\n');
}

function documentText(document: ParsedDocument): string {
  return document.blocks.map((block) => block.text).join('\n');
}

async function timePasses(passes: number, run: () => Promise<unknown>): Promise<number> {
  await run();
  const seconds: number[] = [];
  for (let pass = 0; pass < passes; pass += 1) {
    const startedAt = performance.now();
    await run();
    seconds.push((performance.now() - startedAt) / 1000);
  }
  return median(seconds);
}

export async function runParsingBenchmark(
  userOptions: ParsingBenchmarkOptions = {},
): Promise<BenchmarkReport> {
  const options = {
    passes: 5,
    sections: 40,
    ingestMegabytes: Number(process.env.POLETT_BENCH_INGEST_MB ?? DEFAULT_INGEST_MEGABYTES),
    ...userOptions,
  };
  const machine = describeMachine();
  const corpora = await buildCorpora(options.sections);
  const rows: Cell[][] = [];
  const rates: { format: string; rate: number }[] = [];
  for (const corpus of corpora) {
    const document = await parseDocument({ bytes: corpus.bytes, name: corpus.name });
    const pages = documentText(document).length / CHARACTERS_PER_PAGE;
    const rawText = await corpus.raw.extract(corpus.bytes);
    const rawPages = rawText.length / CHARACTERS_PER_PAGE;
    const polettSeconds = await timePasses(options.passes, () =>
      parseDocument({ bytes: corpus.bytes, name: corpus.name }),
    );
    const rawSeconds = await timePasses(options.passes, async () => corpus.raw.extract(corpus.bytes));
    const megabytes = corpus.bytes.byteLength / (1024 * 1024);
    // Both sides are credited with the same pages (Polett's text), so the rate compares time alone.
    const polettRate = pages / polettSeconds;
    const rawRate = pages / rawSeconds;
    rates.push({ format: corpus.format, rate: polettRate });
    rows.push(
      [
        corpus.format,
        'Polett parseDocument',
        round(pages),
        round(polettRate),
        round(megabytes / polettSeconds),
        document.blocks.length,
        Number((polettRate / rawRate).toPrecision(2)),
      ],
      [
        corpus.format,
        corpus.raw.label,
        round(rawPages),
        round(rawRate),
        round(megabytes / rawSeconds),
        '',
        '',
      ],
    );
  }
  const slowest = rates.reduce((lowest, entry) => (entry.rate < lowest.rate ? entry : lowest));
  const ingestion = options.ingestMegabytes > 0 ? await runIngestion(options.ingestMegabytes) : [];
  const polett = ingestion.find((result) => result.mode === 'polett');
  const fts5 = ingestion.find((result) => result.mode === 'fts5');
  const polettPeak = polett ? Math.max(polett.peakRssMegabytes, polett.maxRssMegabytes) : 0;
  return {
    name: 'parsing',
    title: 'Knowledge parsing throughput: Polett parseDocument against each library used raw',
    setup: [
      machine,
      `One generated document per format, ${options.sections} sections of Swedish text (${readSwedishReviews() ? '../shared/data/reviews-sv.csv' : 'built-in paragraph'}); a page is ${CHARACTERS_PER_PAGE.toLocaleString('en-US')} characters of Polett's extracted text, credited to both sides.`,
      `Median of ${options.passes} timed passes after one warm-up, one document at a time on one core.`,
      ...(polett
        ? [
            `Ingestion: ${options.ingestMegabytes.toLocaleString('en-US')} MB of text (POLETT_BENCH_INGEST_MB; 1024 for the target's gigabyte), Markdown pages of ~${CHARACTERS_PER_PAGE.toLocaleString('en-US')} characters generated as they are indexed from ${readSwedishReviews() ? 'reviews-sv.csv' : 'the built-in paragraph'}, each review numbered so that no two pages repeat; each side in a process of its own on a file database (WAL); seconds exclude opening the database and loading the dictionary (Polett: ${polett.startupSeconds.toFixed(1)} s).`,
          ]
        : []),
    ],
    columns: ['format', 'parser', 'pages in document', 'pages/s', 'MB/s', 'blocks', 'Polett ÷ raw'],
    rows,
    extraTables:
      ingestion.length === 0
        ? []
        : [
            {
              title:
                'Ingestion: parse, chunk and lexical indexing (no embedding), one process per side; peak RSS sampled every 100 ms, max RSS from the kernel (getrusage)',
              columns: [
                'pipeline',
                'pages',
                'MB of text',
                'seconds',
                'pages/s',
                'peak RSS MB (sampled)',
                'max RSS MB (kernel)',
                'database MB',
              ],
              rows: ingestion.map((result) => [
                INGEST_LABELS[result.mode],
                result.pages,
                round(result.megabytes),
                round(result.seconds),
                round(result.pagesPerSecond),
                Math.round(result.peakRssMegabytes),
                Math.round(result.maxRssMegabytes),
                Math.round(result.databaseMegabytes),
              ]),
            },
          ],
    verdicts: [
      {
        target: `parsing ≥ ${TARGET_PAGES_PER_SECOND} pages/s on every format`,
        measured: `slowest ${round(slowest.rate)} pages/s (${slowest.format})`,
        passed: slowest.rate >= TARGET_PAGES_PER_SECOND,
      },
      ...(polett
        ? [
            {
              target: `peak memory < 1 GB while ingesting 1 GB of text`,
              measured: `${Math.round(polettPeak)} MB over ${Math.round(polett.megabytes).toLocaleString('en-US')} MB of text${
                polett.megabytes < 1000
                  ? ' — a smaller run (POLETT_BENCH_INGEST_MB=1024 for the target), so no verdict on the gigabyte'
                  : ''
              }`,
              passed: polettPeak < MEMORY_TARGET_MEGABYTES && polett.megabytes >= 1000,
            },
          ]
        : []),
    ],
    notes: [
      ...(polett && fts5
        ? [
            `Polett ingests at ${((polett.pagesPerSecond / fts5.pagesPerSecond) * 100).toFixed(0)} % of plain FTS5's rate: it parses the Markdown, counts tokens to chunk, and indexes three kinds of terms (stems, compound parts, character 4-grams — about seven times the postings of unicode61 words), which is what makes Swedish search work.`,
          ]
        : []),
      'The raw sides extract text only: no structure (headings, lists, tables, locations), no boilerplate removal, no encoding detection, no zip-bomb check, no language detection.',
    ],
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
