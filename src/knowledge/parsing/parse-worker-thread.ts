/**
 * The worker thread of `isolated-parser.ts`: parses PDF, DOCX and XLSX files one at a time and
 * posts back the document or the error. It runs under the V8 heap limits its parent sets, so that
 * a file built to exhaust memory ends this thread, not the server.
 */
import { parentPort } from 'node:worker_threads';
import { PolettError } from '../../errors.js';
import type { ParsedDocument, ParserInput } from './types.js';
import type { ZipLimits } from './zip-guard.js';

/** A parse asked of the worker. */
export interface WorkerParseRequest {
  id: number;
  format: 'pdf' | 'docx' | 'xlsx';
  input: ParserInput;
  zip: ZipLimits;
  maxPdfPages: number;
}

/** Its answer: the document, or the error as plain data (an Error does not cross threads whole). */
export type WorkerParseResponse =
  | { id: number; document: ParsedDocument }
  | {
      id: number;
      error:
        | {
            kind: 'polett';
            code: string;
            status: number;
            message: { sv: string; en: string };
            field?: string;
          }
        | { kind: 'other'; message: string };
    };

async function parse(request: WorkerParseRequest): Promise<ParsedDocument> {
  switch (request.format) {
    case 'pdf':
      return (await import('./pdf-parser.js')).parsePdf(request.input, request.maxPdfPages);
    case 'docx':
      return (await import('./docx-parser.js')).parseDocx(request.input, request.zip);
    case 'xlsx':
      return (await import('./xlsx-parser.js')).parseXlsx(request.input, request.zip);
  }
}

parentPort?.on('message', (request: WorkerParseRequest) => {
  void parse(request).then(
    (document) => parentPort?.postMessage({ id: request.id, document } satisfies WorkerParseResponse),
    (error: unknown) =>
      parentPort?.postMessage({
        id: request.id,
        error:
          error instanceof PolettError
            ? {
                kind: 'polett',
                code: error.code,
                status: error.status,
                message: error.localized,
                ...(error.field === undefined ? {} : { field: error.field }),
              }
            : { kind: 'other', message: error instanceof Error ? error.message : String(error) },
      } satisfies WorkerParseResponse),
  );
});
// Ready: the parent sends nothing until the thread has started.
parentPort?.postMessage('ready');
