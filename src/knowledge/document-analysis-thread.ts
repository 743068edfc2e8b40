/**
 * The worker thread of `DocumentAnalysisThread`: analyses parsed documents with the default Swedish
 * analyser and chunking, one message each, and posts the result back (an error as its message: the
 * parent then analyses that document itself).
 */
import { parentPort } from 'node:worker_threads';
import { swedishAnalyzer } from '../text/swedish.js';
import { analyseDocument } from './document-analysis.js';
import type { ParsedDocument } from './parsing/types.js';

const analyzer = await swedishAnalyzer();
parentPort?.on('message', ({ id, parsed }: { id: number; parsed: ParsedDocument }) => {
  try {
    parentPort?.postMessage({ id, document: analyseDocument(parsed, analyzer) });
  } catch (error) {
    parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
// Ready once the dictionary is loaded: the parent sends nothing before.
parentPort?.postMessage('ready');
