/**
 * The import as a user meets it: real files in every supported format and encoding, and the bad
 * inputs the issue lists, each with its clear sentence, the good rows in and nothing counted twice.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolettError } from '../../errors.js';
import { openInsightsStore, type InsightsScope } from '../feedback-store.js';
import { buildInsightsDatabase, buildInsightsWorkspace } from '../testing/insights-builders.js';
import { detectColumns } from './column-detection.js';
import { importFeedbackFile } from './feedback-import.js';
import { previewRecords, sniffFile } from './record-reader.js';

const folder = mkdtempSync(path.join(tmpdir(), 'polett-insights-import-'));
let built: ReturnType<typeof buildInsightsDatabase>;

beforeAll(() => {
  built = buildInsightsDatabase();
});
afterAll(() => {
  built.close();
  rmSync(folder, { recursive: true, force: true });
});

function file(name: string, content: string | Uint8Array): string {
  const target = path.join(folder, name);
  writeFileSync(target, content);
  return target;
}

function freshScope(): InsightsScope {
  return openInsightsStore(built.storage.database).forWorkspace(buildInsightsWorkspace(built.storage).id);
}

/** Preview, accept the detected mapping, import: what the web app and the CLI do. */
async function importAsDetected(target: string) {
  const scope = freshScope();
  const preview = await previewRecords(target);
  const mapping = detectColumns(preview.columns, preview.records);
  const record = scope.createImport({
    fileName: path.basename(target),
    filePath: target,
    format: preview.sniff.format,
    encoding: preview.sniff.encoding ?? null,
  });
  const report = await importFeedbackFile(target, preview.sniff, scope, {
    importId: record.id,
    mapping: { text: mapping.text!, ...mapping },
  });
  return { scope, preview, mapping, report, importId: record.id };
}

async function polettErrorOf(promise: Promise<unknown>): Promise<PolettError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PolettError) return error;
    throw error;
  }
  throw new Error('expected a PolettError');
}

describe('feedback import: bad input', () => {
  it('refuses an empty file, a header-only file and a binary file named .csv, each with one sentence in both languages', async () => {
    const empty = await polettErrorOf(previewRecords(file('tom.csv', '')));
    expect(empty.code).toBe('insights_empty_file');
    expect(empty.localized.sv).toMatch(/tom/);
    const headerOnly = await polettErrorOf(previewRecords(file('rubrik.csv', 'text,datum,betyg\n')));
    expect(headerOnly.code).toBe('insights_no_rows');
    expect(headerOnly.localized.en).toMatch(/only a header/);
    const binary = new Uint8Array(4096).map((_, index) => (index * 7919) % 256);
    const binaryError = await polettErrorOf(previewRecords(file('bild.csv', binary)));
    expect(binaryError.code).toBe('insights_binary_file');
    expect(binaryError.localized.sv).toMatch(/\.csv/);
  });

  it('imports the good rows and reports rows with no text by line, and duplicates by id and by content once', async () => {
    const { report, scope, importId } = await importAsDetected(
      file(
        'dubbletter.csv',
        [
          'id,text,datum',
          '1,Snabb leverans och trevlig personal,2024-03-05',
          '2,,2024-03-05',
          '3,"Kassan var långsam,',
          'men personalen hjälpsam",2024-03-06',
          '1,Samma id som rad 2,2024-03-07',
          '4,Snabb leverans och trevlig personal,2024-03-05',
          '5,   ,2024-03-08',
          '6,Bra pris!,2024-03-09',
        ].join('\n'),
      ),
    );
    expect(report.rowsRead).toBe(7);
    expect(report.imported).toBe(3);
    // Row id 1 again (by id) and row 4 (same text and date as row 1, by content).
    expect(report.duplicates).toBe(2);
    expect(report.skipped).toBe(2);
    expect(report.problems.map((problem) => [problem.line, problem.kind])).toEqual([
      [3, 'skipped'],
      [8, 'skipped'],
    ]);
    expect(report.problems[0]!.reason.en).toMatch(/no text in the column "text"/);
    const texts = scope.listFeedback({ importId }).map((row) => row.text);
    expect(texts).toEqual([
      'Snabb leverans och trevlig personal',
      'Kassan var långsam,\nmen personalen hjälpsam',
      'Bra pris!',
    ]);
    expect(scope.listFeedback({ importId })[1]!.importLine).toBe(4);
  });

  it('reads dates in five formats, deciding the numeric order from the column', async () => {
    const { report, scope, importId } = await importAsDetected(
      file(
        'datum.csv',
        [
          'text;datum',
          'ISO med tid;2024-03-05T14:02:00Z',
          'Svensk tid;2024-03-05 14:02',
          'Månadsnamn;5 mars 2024',
          'Europeisk;25/03/2024',
          'Epok;1709647320',
          'Trasigt datum;igår typ',
        ].join('\r\n'),
      ),
    );
    expect(report.dateOrder).toBe('day-first');
    const dates = scope.listFeedback({ importId }).map((row) => row.occurredAt);
    expect(dates).toEqual([
      '2024-03-05T14:02:00.000Z',
      '2024-03-05T14:02:00.000Z',
      '2024-03-05T00:00:00.000Z',
      '2024-03-25T00:00:00.000Z',
      '2024-03-05T14:02:00.000Z',
      null,
    ]);
    expect(report.warnings).toBe(1);
    expect(report.problems[0]).toMatchObject({ line: 7, kind: 'warning' });
  });

  it('says which label looks like a typo of which', async () => {
    const rows = ['text,label'];
    for (let index = 0; index < 12; index += 1) rows.push(`Bra ${index},positive`, `Dålig ${index},negative`);
    rows.push('Helt ok,postive', 'Inget vidare,negativ');
    const { report } = await importAsDetected(file('etiketter.csv', rows.join('\n')));
    expect(report.labelTypos).toEqual([
      { label: 'postive', likely: 'positive', count: 1 },
      { label: 'negativ', likely: 'negative', count: 1 },
    ]);
    expect(report.imported).toBe(26);
  });

  it('keeps å, ä and ö in a UTF-8 file with a Windows-1252 line pasted in (mixed encodings)', async () => {
    const utf8 = Buffer.from('text,betyg\nGöteborgs bästa kaffe,5\n', 'utf8');
    const legacy = Buffer.from('Väldigt långsam kö på lördagar,2\n', 'latin1');
    const { report, scope, importId } = await importAsDetected(
      file('blandat.csv', Buffer.concat([utf8, legacy])),
    );
    expect(report.imported).toBe(2);
    expect(scope.listFeedback({ importId }).map((row) => [row.text, row.rating])).toEqual([
      ['Göteborgs bästa kaffe', 5],
      ['Väldigt långsam kö på lördagar', 2],
    ]);
  });
});

describe('feedback import: formats and encodings', () => {
  it('reads UTF-16 TSV with a BOM, Windows-1252 CSV, JSON, JSON Lines and XLSX the same way', async () => {
    const tsv = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('kommentar\tkälla\nÅterkommer gärna\tGoogle\n', 'utf16le'),
    ]);
    const windows = Buffer.from('omdöme;datum\nFörsenad leverans, tråkigt;2024-01-02\n', 'latin1');
    const json = JSON.stringify([
      { text: 'Härlig service', rating: 5, extra: { shop: 'Malmö' } },
      'inte ett objekt',
    ]);
    const jsonl =
      '{"review":"Snabbt svar från kundtjänst","stars":4}\n\n{"review":"Ångrar köpet","stars":1}\n';
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Feedback');
    sheet.addRow(['Text', 'Datum', 'Betyg']);
    sheet.addRow(['Öppet länge på helgen', new Date(Date.UTC(2024, 4, 17)), 4]);
    const xlsxPath = path.join(folder, 'ark.xlsx');
    await workbook.xlsx.writeFile(xlsxPath);

    const cases = [
      { target: file('utf16.tsv', tsv), format: 'tsv', encoding: 'utf-16le', texts: ['Återkommer gärna'] },
      {
        target: file('windows.csv', windows),
        format: 'csv',
        encoding: 'windows-1252',
        texts: ['Försenad leverans, tråkigt'],
      },
      { target: file('lista.json', json), format: 'json', encoding: 'utf-8', texts: ['Härlig service'] },
      {
        target: file('rader.jsonl', jsonl),
        format: 'jsonl',
        encoding: 'utf-8',
        texts: ['Snabbt svar från kundtjänst', 'Ångrar köpet'],
      },
      { target: xlsxPath, format: 'xlsx', encoding: undefined, texts: ['Öppet länge på helgen'] },
    ];
    for (const { target, format, encoding, texts } of cases) {
      const sniff = await sniffFile(target);
      expect({ format: sniff.format, encoding: sniff.encoding }).toEqual({ format, encoding });
      const { scope, importId, report } = await importAsDetected(target);
      expect(scope.listFeedback({ importId }).map((row) => row.text)).toEqual(texts);
      if (format === 'json') {
        expect(report.skipped).toBe(1);
        expect(scope.listFeedback({ importId })[0]).toMatchObject({
          rating: 5,
          fields: { extra: '{"shop":"Malmö"}' },
        });
      }
      if (format === 'xlsx')
        expect(scope.listFeedback({ importId })[0]).toMatchObject({
          rating: 4,
          occurredAt: '2024-05-17T00:00:00.000Z',
        });
      if (format === 'tsv') expect(scope.listFeedback({ importId })[0]!.source).toBe('Google');
    }
  });
});
