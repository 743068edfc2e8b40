/**
 * One side of the import benchmark, in its own process so that its peak memory is its own:
 * `tsx bench/insights-import-child.ts <polett|csv-parse> <file>` prints one JSON line with the rows,
 * the seconds and the process's peak resident memory.
 *
 * Each side loads only the modules it runs, after choosing its side: the csv-parse floor loads
 * csv-parse alone, and Polett's side the importer, its store and the storage, not the rest of
 * Insights (the analysis, its model runtimes), which an import never calls and which would count
 * in both sides' memory as if the import used it.
 */
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const [mode, file] = process.argv.slice(2);
if (!file || (mode !== 'polett' && mode !== 'csv-parse')) {
  process.stderr.write('usage: insights-import-child.ts <polett|csv-parse> <file>\n');
  process.exit(2);
}
const startedAt = performance.now();
let rows = 0;
if (mode === 'csv-parse') {
  const { parse } = await import('csv-parse');
  for await (const record of createReadStream(file).pipe(parse({ columns: true }))) if (record) rows += 1;
} else {
  const { importFeedbackFile } = await import('../src/insights/import/feedback-import.js');
  const { sniffFile } = await import('../src/insights/import/record-reader.js');
  const { openInsightsStore } = await import('../src/insights/feedback-store.js');
  const { buildInsightsWorkspace } = await import('../src/insights/testing/insights-builders.js');
  const { openStorage } = await import('../src/storage/index.js');
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
