/**
 * One side of the import benchmark, in its own process so that its peak memory is its own:
 * `tsx bench/insights-import-child.ts <polett|csv-parse> <file>` prints one JSON line with the rows,
 * the seconds and the process's peak resident memory.
 */
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse';
import { importFeedbackFile, openInsightsStore, sniffFile } from '../src/insights/index.js';
import { buildInsightsWorkspace } from '../src/insights/testing/insights-builders.js';
import { openStorage } from '../src/storage/index.js';

const [mode, file] = process.argv.slice(2);
if (!file || (mode !== 'polett' && mode !== 'csv-parse')) {
  process.stderr.write('usage: insights-import-child.ts <polett|csv-parse> <file>\n');
  process.exit(2);
}
const startedAt = performance.now();
let rows = 0;
if (mode === 'csv-parse') {
  for await (const record of createReadStream(file).pipe(parse({ columns: true }))) if (record) rows += 1;
} else {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'polett-import-bench-'));
  try {
    const storage = openStorage({ dataDir, env: {} });
    const workspace = buildInsightsWorkspace(storage, 'Bänk AB');
    const scope = openInsightsStore(storage.database).forWorkspace(workspace.id);
    const record = scope.createImport({
      fileName: 'bench.csv',
      filePath: file,
      format: 'csv',
      encoding: 'utf-8',
    });
    const report = await importFeedbackFile(file, await sniffFile(file), scope, {
      importId: record.id,
      mapping: { text: 'text', date: 'date', rating: 'rating', source: 'source', id: 'id' },
    });
    rows = report.imported;
    storage.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
const seconds = (performance.now() - startedAt) / 1000;
process.stdout.write(
  `${JSON.stringify({ rows, seconds, peakMegabytes: process.resourceUsage().maxRSS / 1024 })}\n`,
);
