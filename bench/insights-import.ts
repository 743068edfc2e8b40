/**
 * Import of a million-row feedback CSV: Polett's whole import (encoding detection, streamed
 * parsing, checks, dates, duplicate keys, batched SQLite writes with their indexes) against
 * csv-parse alone reading the same file (the floor: parsing without storing anything), each in its
 * own process so that the peak memory measured is its own.
 *
 * Target: the import's peak resident memory under 500 MB (it streams; the file is never whole in
 * memory). Rows a second are reported against the parse-only floor.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { REPOSITORY_ROOT } from '../test-support/paths.js';
import { describeMachine, type BenchmarkReport } from './support/benchmark-report.js';

const MEMORY_TARGET_MB = 500;
const CHILD = path.join(REPOSITORY_ROOT, 'bench', 'insights-import-child.ts');
const OPENINGS = [
  'Snabb leverans och trevlig personal',
  'Leveransen var försenad, tråkigt',
  'Bra priser men lång kö i kassan',
  'Kundtjänsten svarade aldrig på mitt mejl',
  'Jättebra kvalitet, rekommenderas!',
  'Inget vidare, varan var trasig',
];
const SOURCES = ['Google', 'Trustpilot', 'Facebook', 'e-post'];

async function writeFile(target: string, rows: number): Promise<void> {
  const output = createWriteStream(target);
  output.write('id,text,date,rating,source\n');
  for (let index = 0; index < rows; index += 1) {
    const day = new Date(Date.UTC(2023, 0, 1) + (index % 700) * 86_400_000).toISOString().slice(0, 10);
    const line = `${index},"${OPENINGS[index % OPENINGS.length]!} (order ${index}, Göteborg)",${day},${(index % 5) + 1},${SOURCES[index % SOURCES.length]!}\n`;
    if (!output.write(line)) await once(output, 'drain');
  }
  output.end();
  await once(output, 'finish');
}

async function runChild(
  mode: 'polett' | 'csv-parse',
  file: string,
): Promise<{ rows: number; seconds: number; peakMegabytes: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, file], {
    cwd: REPOSITORY_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${mode} side exited with code ${code}`);
  return JSON.parse(output.trim().split('\n').at(-1)!) as {
    rows: number;
    seconds: number;
    peakMegabytes: number;
  };
}

export async function runInsightsImportBenchmark(options: { rows?: number } = {}): Promise<BenchmarkReport> {
  const rows = options.rows ?? Number(process.env.POLETT_BENCH_IMPORT_ROWS ?? 1_000_000);
  const folder = mkdtempSync(path.join(tmpdir(), 'polett-import-bench-file-'));
  const file = path.join(folder, 'feedback.csv');
  try {
    await writeFile(file, rows);
    const megabytes = statSync(file).size / 1024 / 1024;
    const floor = await runChild('csv-parse', file);
    const polett = await runChild('polett', file);
    return {
      name: 'insights-import',
      title: `Insights import of a ${rows.toLocaleString('en-US')}-row CSV: rows a second and peak memory`,
      setup: [
        describeMachine(),
        `File: ${rows.toLocaleString('en-US')} rows, ${megabytes.toFixed(0)} MB, UTF-8 with å, ä, ö; each side in its own process (tsx), loading only the modules it runs.`,
      ],
      columns: ['side', 'rows', 'seconds', 'rows/s', 'peak memory (MB)'],
      rows: [
        [
          'Polett import (parse, check, dedupe keys, SQLite)',
          polett.rows,
          polett.seconds,
          Math.round(polett.rows / polett.seconds),
          Math.round(polett.peakMegabytes),
        ],
        [
          'csv-parse alone (parse only, stores nothing)',
          floor.rows,
          floor.seconds,
          Math.round(floor.rows / floor.seconds),
          Math.round(floor.peakMegabytes),
        ],
      ],
      verdicts: [
        {
          target: `peak memory < ${MEMORY_TARGET_MB} MB`,
          measured: `${Math.round(polett.peakMegabytes)} MB`,
          passed: polett.peakMegabytes < MEMORY_TARGET_MB && polett.rows === rows,
        },
      ],
      notes: polett.rows === rows ? [] : [`Only ${polett.rows} of ${rows} rows were imported.`],
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
