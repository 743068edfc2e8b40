/**
 * PDF, DOCX and XLSX are parsed in a worker thread with V8 heap limits (`resourceLimits`), one
 * file at a time: their libraries (pdf.js, mammoth, exceljs) build a whole object model of the
 * file, and a file made to exhaust memory would otherwise take the server's. Past the limit the
 * thread dies, the file gets its own error (`file_too_large`, naming the limit), and the next
 * file starts a fresh thread; a parse that does not end in time is stopped the same way. The
 * light formats (text, Markdown, HTML, CSV) stay in the calling thread, where they cost less than
 * a copy to another thread would.
 */
import { Worker } from 'node:worker_threads';
import { PolettError } from '../../errors.js';
import { corruptFile, parserOutOfMemory, parserTimedOut } from './parse-errors.js';
import type { WorkerParseRequest, WorkerParseResponse } from './parse-worker-thread.js';
import type { ParsedDocument, ParserInput } from './types.js';
import type { ZipLimits } from './zip-guard.js';

/** The parser thread's old-generation heap, in MB: a 50 MB PDF or workbook parses well within it. */
export const DEFAULT_PARSER_MEMORY_MB = 512;
/** How long one file may take to parse. */
export const DEFAULT_PARSER_TIMEOUT_MS = 120_000;

export type IsolatedFormat = WorkerParseRequest['format'];

const FORMAT_NAMES: Record<IsolatedFormat, string> = { pdf: 'PDF', docx: 'DOCX', xlsx: 'XLSX' };

export interface IsolationLimits {
  memoryMegabytes: number;
  timeoutMs: number;
}

/** The worker's script: the compiled `.js` beside this file, or the `.ts` source through tsx (tests, `tsx` runs). */
function startWorker(memoryMegabytes: number): Worker {
  const compiled = import.meta.url.endsWith('.js');
  const script = new URL(`./parse-worker-thread.${compiled ? 'js' : 'ts'}`, import.meta.url);
  const resourceLimits = {
    maxOldGenerationSizeMb: memoryMegabytes,
    maxYoungGenerationSizeMb: Math.min(64, Math.max(4, Math.floor(memoryMegabytes / 8))),
  };
  if (compiled) return new Worker(script, { resourceLimits });
  return new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(script.href)}); });`,
    { eval: true, resourceLimits },
  );
}

/** One parser thread, started on first use and again after it dies; parses one file at a time. */
class ParserThread {
  private worker: Promise<Worker> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;

  constructor(private readonly memoryMegabytes: number) {}

  parse(request: Omit<WorkerParseRequest, 'id'>, timeoutMs: number): Promise<ParsedDocument> {
    const run = this.queue.then(() => this.parseNow(request, timeoutMs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private started(): Promise<Worker> {
    if (this.worker) return this.worker;
    const starting = new Promise<Worker>((resolve, reject) => {
      const worker = startWorker(this.memoryMegabytes);
      worker.once('message', () => resolve(worker));
      worker.once('error', reject);
      worker.once('exit', () => {
        // A thread that died is replaced on the next parse (unless one already was).
        if (this.worker === starting) this.worker = undefined;
      });
    });
    this.worker = starting;
    return starting;
  }

  private async parseNow(
    request: Omit<WorkerParseRequest, 'id'>,
    timeoutMs: number,
  ): Promise<ParsedDocument> {
    const format = FORMAT_NAMES[request.format];
    let worker: Worker;
    try {
      worker = await this.started();
    } catch (error) {
      this.worker = undefined;
      throw this.failure(error, request.input.name, format);
    }
    const id = this.nextId++;
    worker.ref();
    try {
      return await new Promise<ParsedDocument>((resolve, reject) => {
        const timer = setTimeout(() => {
          cleanUp();
          this.worker = undefined;
          void worker.terminate();
          reject(parserTimedOut(request.input.name, format, Math.max(1, Math.round(timeoutMs / 1000))));
        }, timeoutMs);
        const onMessage = (response: WorkerParseResponse) => {
          if (typeof response !== 'object' || response.id !== id) return;
          cleanUp();
          if ('document' in response) resolve(response.document);
          else if (response.error.kind === 'polett') reject(new PolettError(response.error));
          else reject(corruptFile(request.input.name, format, new Error(response.error.message)));
        };
        const onError = (error: unknown) => {
          cleanUp();
          this.worker = undefined;
          reject(this.failure(error, request.input.name, format));
        };
        const onExit = () => onError(new Error('The parser thread stopped'));
        const cleanUp = () => {
          clearTimeout(timer);
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onExit);
        };
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onExit);
        worker.postMessage({ ...request, id } satisfies WorkerParseRequest);
      });
    } finally {
      // An idle parser thread does not keep the process alive.
      worker.unref();
    }
  }

  private failure(error: unknown, name: string, format: string): PolettError {
    if ((error as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY')
      return parserOutOfMemory(name, format, this.memoryMegabytes);
    return corruptFile(name, format, error);
  }
}

const threads = new Map<number, ParserThread>();

/** Parses a PDF, DOCX or XLSX in the parser thread of that memory limit. */
export function parseIsolated(
  format: IsolatedFormat,
  input: ParserInput,
  limits: { zip: ZipLimits; maxPdfPages: number } & IsolationLimits,
): Promise<ParsedDocument> {
  let thread = threads.get(limits.memoryMegabytes);
  if (!thread) {
    thread = new ParserThread(limits.memoryMegabytes);
    threads.set(limits.memoryMegabytes, thread);
  }
  return thread.parse(
    {
      format,
      // A copy of the bytes goes to the thread; the caller keeps its own.
      input: {
        bytes: input.bytes,
        name: input.name,
        ...(input.contentType ? { contentType: input.contentType } : {}),
        ...(input.url ? { url: input.url } : {}),
      },
      zip: limits.zip,
      maxPdfPages: limits.maxPdfPages,
    },
    limits.timeoutMs,
  );
}
