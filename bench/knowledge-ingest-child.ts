/**
 * One ingestion run in its own process, so that its peak memory is its own: generates pages of
 * Swedish text on the fly (never holding the corpus in memory) and indexes them, then prints one
 * JSON line. `polett` mode is Knowledge's pipeline as the sync job runs it (parse the file; chunk
 * and Swedish analysis on the analysis thread, two documents ahead; FTS5, one transaction a
 * document, on the main thread); `polett-one-thread` is the same with everything on one thread,
 * one document after the other, to show what the analysis thread buys; `fts5` is the named
 * alternative: the same pages into a plain FTS5 table with SQLite's own unicode61 tokenizer, one
 * row a page.
 *
 *   node --import tsx bench/knowledge-ingest-child.ts <polett|polett-one-thread|fts5> <megabytes> <folder>
 *
 * Peak memory is measured twice: RSS sampled every 100 ms (what a monitor would see), and the
 * kernel's maximum RSS of the process (`getrusage`), which no sampling interval can miss. Progress
 * goes to standard error every 30 s, so that a gigabyte's run can be followed.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { analyseDocument, documentAnalyserFor, startedAhead } from '../src/knowledge/document-analysis.js';
import { parseDocument, type ParsedDocument } from '../src/knowledge/parsing/index.js';
import { openScratchKnowledge } from '../src/knowledge/scratch-database.js';
import { BUILT_IN_SWEDISH_PARAGRAPH, readSwedishReviews } from './support/shared-data.js';

const [mode = 'polett', megabytesText = '10', folder = '.'] = process.argv.slice(2);
const targetBytes = Number(megabytesText) * 1024 * 1024;
const CHARACTERS_PER_PAGE = 3000;
const MEGABYTE = 1024 * 1024;

const pool = readSwedishReviews() ?? [BUILT_IN_SWEDISH_PARAGRAPH];
let cursor = 0;
/**
 * A page of about 3,000 characters: consecutive reviews under a heading, each numbered so that no
 * two chunks are near-duplicates (Polett would store a repeated passage once, and do less work).
 */
function nextPage(number: number): string {
  let text = `# Sida ${number}\n\n`;
  while (text.length < CHARACTERS_PER_PAGE) {
    text += `${pool[cursor % pool.length]} (${number}:${cursor})\n\n`;
    cursor += 1;
  }
  return text;
}

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);

const encoder = new TextEncoder();
let bytes = 0;
let pages = 0;
let lastReport = performance.now();
/** Lets the sampler run (as the sync job's awaits would) and reports progress now and then. */
async function breathe(started: number): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  const now = performance.now();
  if (now - lastReport < 30_000) return;
  lastReport = now;
  const seconds = (now - started) / 1000;
  process.stderr.write(
    `knowledge-ingest ${mode}: ${pages} pages, ${(bytes / MEGABYTE).toFixed(0)} MB in ${seconds.toFixed(0)} s (${(pages / seconds).toFixed(0)} pages/s), RSS ${(process.memoryUsage().rss / MEGABYTE).toFixed(0)} MB, peak ${(peakRss / MEGABYTE).toFixed(0)} MB\n`,
  );
}

const opened = performance.now();
let started: number;
let databaseFile: string;
if (mode === 'polett' || mode === 'polett-one-thread') {
  databaseFile = path.join(folder, `${mode}.sqlite`);
  const scratch = await openScratchKnowledge({ path: databaseFile });
  const source = scratch.knowledge.createSource({ kind: 'folder', location: '/bench' });
  const analyse =
    mode === 'polett'
      ? await documentAnalyserFor(scratch.store)
      : async (parsed: ParsedDocument) => analyseDocument(parsed, scratch.store.analyzer);
  let generated = 0;
  let generatedBytes = 0;
  /** Pages made as they are asked for: the corpus is never in memory whole. */
  function* pageFiles(): Generator<{ name: string; bytes: Uint8Array }> {
    while (generatedBytes < targetBytes) {
      const page = encoder.encode(nextPage(generated));
      generatedBytes += page.byteLength;
      yield { name: `sida-${generated}.md`, bytes: page };
      generated += 1;
    }
  }
  started = performance.now();
  // As the sync job does it (sync-job.ts): the next documents parsed and analysed while one is written.
  for await (const { item, started: analysed } of startedAhead(
    pageFiles(),
    async (file) => analyse(await parseDocument(file)),
    mode === 'polett' ? 2 : 0,
  )) {
    const prepared = await scratch.knowledge.prepareDocument(source.id, item.name, await analysed);
    scratch.knowledge.writeDocument(prepared);
    bytes += item.bytes.byteLength;
    pages += 1;
    if (pages % 20 === 0) await breathe(started);
  }
  scratch.close();
} else {
  databaseFile = path.join(folder, 'fts5.sqlite');
  const database = new BetterSqlite3(databaseFile);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.exec("CREATE VIRTUAL TABLE pages USING fts5(body, tokenize = 'unicode61 remove_diacritics 0')");
  const insert = database.prepare('INSERT INTO pages (body) VALUES (?)');
  started = performance.now();
  while (bytes < targetBytes) {
    const text = nextPage(pages);
    insert.run(text);
    bytes += encoder.encode(text).byteLength;
    pages += 1;
    if (pages % 20 === 0) await breathe(started);
  }
  database.close();
}
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
process.stdout.write(
  `${JSON.stringify({
    mode,
    pages,
    megabytes: bytes / MEGABYTE,
    seconds,
    pagesPerSecond: pages / seconds,
    peakRssMegabytes: peakRss / MEGABYTE,
    // getrusage's ru_maxrss, in kilobytes on Linux.
    maxRssMegabytes: process.resourceUsage().maxRSS / 1024,
    startupSeconds: (started - opened) / 1000,
    databaseMegabytes: statSync(databaseFile).size / MEGABYTE,
  })}\n`,
);
