/**
 * One ingestion run in its own process, so that its peak memory is its own: generates pages of
 * Swedish text on the fly (never holding the corpus in memory) and indexes them, then prints one
 * JSON line. `polett` mode is Knowledge's pipeline as the sync job runs it (parse the file,
 * chunk, Swedish analysis, FTS5; one transaction a document); `fts5` is the named alternative: the
 * same pages into a plain FTS5 table with SQLite's own unicode61 tokenizer, one row a page.
 *
 *   node --import tsx bench/knowledge-ingest-child.ts <polett|fts5> <megabytes> <folder>
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { parseDocument } from '../src/knowledge/parsing/index.js';
import { openScratchKnowledge } from '../src/knowledge/scratch-database.js';
import { BUILT_IN_SWEDISH_PARAGRAPH, readSwedishReviews } from './support/shared-data.js';

const [mode = 'polett', megabytesText = '10', folder = '.'] = process.argv.slice(2);
const targetBytes = Number(megabytesText) * 1024 * 1024;
const CHARACTERS_PER_PAGE = 3000;

const pool = readSwedishReviews() ?? [BUILT_IN_SWEDISH_PARAGRAPH];
let cursor = 0;
/** A page of about 3,000 characters: consecutive reviews under a heading, numbered so each differs. */
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
const started = performance.now();
if (mode === 'polett') {
  const scratch = await openScratchKnowledge({ path: path.join(folder, 'polett.sqlite') });
  const source = scratch.knowledge.createSource({ kind: 'folder', location: '/bench' });
  while (bytes < targetBytes) {
    const page = encoder.encode(nextPage(pages));
    const document = await parseDocument({ bytes: page, name: `sida-${pages}.md` });
    const prepared = await scratch.knowledge.prepareDocument(source.id, `sida-${pages}.md`, document);
    scratch.knowledge.writeDocument(prepared);
    bytes += page.byteLength;
    pages += 1;
    // Let the sampler run now and then, as the job's awaits would.
    if (pages % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  scratch.close();
} else {
  const database = new BetterSqlite3(path.join(folder, 'fts5.sqlite'));
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.exec("CREATE VIRTUAL TABLE pages USING fts5(body, tokenize = 'unicode61 remove_diacritics 0')");
  const insert = database.prepare('INSERT INTO pages (body) VALUES (?)');
  while (bytes < targetBytes) {
    const text = nextPage(pages);
    insert.run(text);
    bytes += encoder.encode(text).byteLength;
    pages += 1;
    if (pages % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  database.close();
}
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
process.stdout.write(
  `${JSON.stringify({ mode, pages, megabytes: bytes / 1024 / 1024, seconds, pagesPerSecond: pages / seconds, peakRssMegabytes: peakRss / 1024 / 1024 })}\n`,
);
