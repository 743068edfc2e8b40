/**
 * What indexing a document costs in CPU, with no database: chunking (token counts), hashes,
 * language detection and the Swedish lexical analysis. `analyseDocument` does it in the calling
 * thread; `DocumentAnalysisThread` does the same in a worker thread, so that a sync analyses the
 * next document on the second core while this one is written (`sync-job.ts`). Both give the same
 * result: the worker runs this very function with the default analyser and chunking.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { detectLanguage } from '../text/index.js';
import { foldSwedish, swedishAnalyzer, type SwedishAnalyzer } from '../text/swedish.js';
import { chunkDocument, type ChunkOptions } from './chunker.js';
import { documentLexicalColumns, type AnalysedColumns } from './lexical-analysis.js';
import type { ParsedDocument } from './parsing/types.js';
import type { PassageLocation } from './search-contract.js';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The hash two chunks share when they differ only in case, punctuation and spacing. */
export function nearDuplicateHash(text: string): string {
  return sha256(
    foldSwedish(text)
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim(),
  );
}

/** A chunk with its hashes and lexical terms: all it needs but an id and a place in the database. */
export interface AnalysedChunk {
  ordinal: number;
  text: string;
  headingPath: string[];
  location: PassageLocation;
  tokenCount: number;
  contentHash: string;
  nearHash: string;
  lexical: AnalysedColumns;
}

/** A parsed document chunked, hashed and analysed, ready for `WorkspaceKnowledge.prepareDocument`. */
export interface AnalysedDocument {
  kind: 'analysed';
  title: string;
  format: string;
  language: string | null;
  /** Changes when the title, format, language or any chunk does: an unchanged document is skipped. */
  contentHash: string;
  chunks: AnalysedChunk[];
}

export function isAnalysedDocument(
  document: ParsedDocument | AnalysedDocument,
): document is AnalysedDocument {
  return (document as AnalysedDocument).kind === 'analysed';
}

/** Chunks, hashes, detects the language of and analyses a parsed document. */
export function analyseDocument(
  parsed: ParsedDocument,
  analyzer: SwedishAnalyzer,
  chunking?: Partial<ChunkOptions>,
): AnalysedDocument {
  const title = parsed.title.trim();
  const chunks = chunkDocument(parsed, chunking);
  const lexical = documentLexicalColumns(analyzer, title, chunks);
  const analysed: AnalysedChunk[] = chunks.map((chunk, index) => ({
    ordinal: chunk.ordinal,
    text: chunk.text,
    headingPath: chunk.headingPath,
    location: chunk.location,
    tokenCount: chunk.tokenCount,
    // The title and headings belong to the hash: a passage under a new heading is a new passage.
    contentHash: sha256(JSON.stringify([title, chunk.headingPath, chunk.text])),
    nearHash: nearDuplicateHash(chunk.text),
    lexical: lexical[index]!,
  }));
  const sample = chunks
    .slice(0, 8)
    .map((chunk) => chunk.text)
    .join('\n');
  const language = parsed.language ?? detectLanguage(sample)?.language ?? null;
  return {
    kind: 'analysed',
    title,
    format: parsed.format,
    language,
    contentHash: sha256(JSON.stringify([title, parsed.format, language, analysed.map((c) => c.contentHash)])),
    chunks: analysed,
  };
}

/** The analysis thread's old-generation heap, in MB: the dictionary and the caches need about 100. */
const ANALYSIS_THREAD_MEMORY_MB = 256;

/** The worker's script: the compiled `.js` beside this file, or the `.ts` source through tsx (tests, `tsx` runs). */
function startWorker(): Worker {
  const compiled = import.meta.url.endsWith('.js');
  const script = new URL(`./document-analysis-thread.${compiled ? 'js' : 'ts'}`, import.meta.url);
  // A bounded heap makes V8 collect sooner (without a bound it lets a busy thread's heap grow by
  // hundreds of MB first); a document too large to analyse in it is analysed by the caller instead.
  const resourceLimits = { maxOldGenerationSizeMb: ANALYSIS_THREAD_MEMORY_MB };
  if (compiled) return new Worker(script, { resourceLimits });
  return new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(script.href)}); });`,
    { eval: true, resourceLimits },
  );
}

interface Pending {
  resolve: (document: AnalysedDocument) => void;
  reject: (error: Error) => void;
}

/**
 * A worker thread that analyses documents with the default Swedish analyser and chunking, in the
 * order they are given. It loads its own dictionary (some tens of MB) on first use; an idle thread
 * does not keep the process alive. When the thread fails, every waiting document is analysed
 * here instead, so a sync never fails for it.
 */
export class DocumentAnalysisThread {
  private worker: Promise<Worker> | undefined;
  private readonly pending = new Map<number, Pending & { parsed: ParsedDocument }>();
  private nextId = 1;

  constructor(private readonly fallback: (parsed: ParsedDocument) => AnalysedDocument) {}

  analyse(parsed: ParsedDocument): Promise<AnalysedDocument> {
    return new Promise<AnalysedDocument>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject, parsed });
      this.started().then(
        (worker) => {
          worker.ref();
          worker.postMessage({ id, parsed });
        },
        () => this.failAll(),
      );
    });
  }

  /** Stops the thread (documents still waiting are analysed here). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await (await worker.catch(() => undefined))?.terminate();
    this.failAll();
  }

  private started(): Promise<Worker> {
    if (this.worker) return this.worker;
    const starting = new Promise<Worker>((resolve, reject) => {
      const worker = startWorker();
      worker.unref();
      worker.once('error', reject);
      worker.once('message', () => {
        worker.on('message', (response: { id: number; document?: AnalysedDocument; error?: string }) => {
          const waiting = this.pending.get(response.id);
          if (!waiting) return;
          this.pending.delete(response.id);
          if (this.pending.size === 0) worker.unref();
          if (response.document) waiting.resolve(response.document);
          else this.analyseHere(waiting);
        });
        resolve(worker);
      });
      worker.on('error', () => this.failAll());
      worker.once('exit', () => {
        if (this.worker === starting) this.worker = undefined;
        this.failAll();
      });
    });
    this.worker = starting;
    return starting;
  }

  private analyseHere(waiting: Pending & { parsed: ParsedDocument }): void {
    try {
      waiting.resolve(this.fallback(waiting.parsed));
    } catch (error) {
      waiting.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** The thread is gone: what it was given is analysed here. */
  private failAll(): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const entry of waiting) this.analyseHere(entry);
  }
}

let sharedThread: DocumentAnalysisThread | undefined;

/**
 * How a store's documents are best analysed: on the shared analysis thread when the store uses
 * the default analyser and chunking (what the thread uses), else as the store would itself
 * (the parsed document is handed on, and `prepareDocument` analyses it).
 */
export async function documentAnalyserFor(store: {
  analyzer: SwedishAnalyzer;
  options: { chunking?: Partial<ChunkOptions> };
}): Promise<(parsed: ParsedDocument) => Promise<ParsedDocument | AnalysedDocument>> {
  if (store.options.chunking !== undefined || store.analyzer !== (await swedishAnalyzer()))
    return async (parsed) => parsed;
  sharedThread ??= new DocumentAnalysisThread((parsed) => analyseDocument(parsed, store.analyzer));
  const thread = sharedThread;
  return (parsed) => thread.analyse(parsed);
}

/**
 * Runs `start` on up to `depth` items ahead of the one handed out, so that the next documents are
 * read and analysed while this one is written. Yields each item with its started work, in order.
 */
export async function* startedAhead<Item, Started>(
  items: AsyncIterable<Item> | Iterable<Item>,
  start: (item: Item) => Promise<Started>,
  depth: number,
): AsyncGenerator<{ item: Item; started: Promise<Started> }> {
  const queue: Array<{ item: Item; started: Promise<Started> }> = [];
  for await (const item of items) {
    const started = start(item);
    // Awaited when its turn comes; a failure before then is not an unhandled rejection.
    started.catch(() => undefined);
    queue.push({ item, started });
    if (queue.length > depth) yield queue.shift()!;
  }
  while (queue.length > 0) yield queue.shift()!;
}
