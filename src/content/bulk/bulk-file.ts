/**
 * Reading a catalogue for bulk writing: CSV in any common encoding (detected, as Excel on Windows
 * still saves Windows-1252) with comma, semicolon (Swedish Excel's default) or tab, or the first
 * sheet of an XLSX workbook. A broken row is kept with its error, not dropped and not fatal: the
 * job reports it beside the texts of the good rows.
 */
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { PolettError, type LocalizedText } from '../../errors.js';
import { checkZip } from '../../knowledge/parsing/zip-guard.js';
import { decodeText, looksBinary } from '../../text/index.js';

export interface BulkRow {
  /** 1-based, counting data rows after the header, as a spreadsheet user sees them (minus the header). */
  rowNumber: number;
  values: Record<string, string>;
  /** Why the row could not be read; such a row is reported, never written. */
  error?: LocalizedText;
}

export interface BulkFile {
  format: 'csv' | 'xlsx';
  encoding: string;
  columns: string[];
  rows: BulkRow[];
}

export const BULK_ROW_LIMIT = 10_000;

/**
 * The most an XLSX may unpack to: ten thousand rows of a catalogue are a few megabytes of XML,
 * and exceljs holds it all in memory, so a zip bomb of a few megabytes must be refused first.
 */
export const BULK_XLSX_LIMITS = { maxUnpackedBytes: 100 * 1024 * 1024, maxEntries: 2_000 };

function fileError(sv: string, en: string): PolettError {
  return new PolettError({
    code: 'content_bulk_file_invalid',
    status: 400,
    field: 'file',
    message: { sv, en },
  });
}

function checkColumns(columns: string[]): string[] {
  const trimmed = columns.map((column) => column.trim());
  if (trimmed.length === 0 || trimmed.every((column) => column === ''))
    throw fileError(
      'Filen har ingen rubrikrad; första raden ska namnge kolumnerna.',
      'The file has no header row; the first row must name the columns.',
    );
  const seen = new Set<string>();
  for (const column of trimmed) {
    if (column !== '' && seen.has(column))
      throw fileError(
        `Kolumnen "${column}" finns två gånger i rubrikraden; ge kolumnerna olika namn.`,
        `The column "${column}" appears twice in the header row; give the columns different names.`,
      );
    seen.add(column);
  }
  return trimmed;
}

function checkSize(rows: BulkRow[]): BulkRow[] {
  if (rows.length === 0)
    throw fileError('Filen har inga rader under rubrikraden.', 'The file has no rows under the header row.');
  if (rows.length > BULK_ROW_LIMIT)
    throw fileError(
      `Filen har ${rows.length} rader, högst ${BULK_ROW_LIMIT} går i en körning; dela upp den.`,
      `The file has ${rows.length} rows; at most ${BULK_ROW_LIMIT} fit in one run; split it.`,
    );
  return rows;
}

export function readCsv(bytes: Uint8Array): BulkFile {
  if (looksBinary(bytes.subarray(0, 8192)))
    throw fileError(
      'Filen ser inte ut som text; ladda upp en CSV- eller XLSX-fil.',
      'The file does not look like text; upload a CSV or XLSX file.',
    );
  const { text, encoding } = decodeText(bytes);
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  // The header decides the delimiter: the one it holds most of.
  const delimiter = [';', '\t', ','].sort(
    (a, b) => firstLine.split(b).length - firstLine.split(a).length,
  )[0]!;
  const skipped = new Map<number, string>();
  const records = parse(text, {
    delimiter,
    relax_column_count: true,
    skip_empty_lines: true,
    bom: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      if (error) skipped.set((error as unknown as { lines?: number }).lines ?? skipped.size, error.message);
    },
    info: true,
  }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  const [header, ...body] = records;
  if (!header) throw fileError('Filen är tom.', 'The file is empty.');
  const columns = checkColumns(header.record);
  const rows: BulkRow[] = body.map((entry, index) => {
    const values: Record<string, string> = {};
    columns.forEach((column, position) => (values[column] = (entry.record[position] ?? '').trim()));
    const row: BulkRow = { rowNumber: index + 1, values };
    if (entry.record.length !== columns.length)
      row.error = {
        sv: `Rad ${entry.info.lines} har ${entry.record.length} fält men rubrikraden har ${columns.length}; rätta raden i filen.`,
        en: `Line ${entry.info.lines} has ${entry.record.length} fields but the header has ${columns.length}; correct the line in the file.`,
      };
    return row;
  });
  // Rows csv-parse could not read at all (a quote never closed) are kept as errors at the end.
  for (const [line, message] of skipped)
    rows.push({
      rowNumber: rows.length + 1,
      values: {},
      error: {
        sv: `Rad ${line} går inte att läsa (${message}); rätta citattecknen i filen.`,
        en: `Line ${line} cannot be read (${message}); correct the quotes in the file.`,
      },
    });
  return { format: 'csv', encoding, columns, rows: checkSize(rows) };
}

export async function readXlsx(
  bytes: Uint8Array,
  fileName = 'catalogue.xlsx',
  limits = BULK_XLSX_LIMITS,
): Promise<BulkFile> {
  await checkZip(bytes, fileName, 'XLSX', limits);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  } catch (error) {
    throw new PolettError({
      code: 'content_bulk_file_invalid',
      status: 400,
      field: 'file',
      message: {
        sv: `XLSX-filen går inte att läsa (${(error as Error).message}); spara den på nytt i Excel eller som CSV.`,
        en: `The XLSX file cannot be read (${(error as Error).message}); save it again in Excel or as CSV.`,
      },
      cause: error,
    });
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw fileError('Arbetsboken har inget blad.', 'The workbook has no sheet.');
  const headerRow = sheet.getRow(1);
  const headers: string[] = [];
  for (let column = 1; column <= headerRow.cellCount; column += 1)
    headers.push(headerRow.getCell(column).text);
  const columns = checkColumns(headers);
  const rows: BulkRow[] = [];
  for (let rowIndex = 2; rowIndex <= sheet.rowCount; rowIndex += 1) {
    const row = sheet.getRow(rowIndex);
    if (!row.hasValues) continue;
    const values: Record<string, string> = {};
    columns.forEach((column, position) => (values[column] = row.getCell(position + 1).text.trim()));
    rows.push({ rowNumber: rows.length + 1, values });
  }
  return { format: 'xlsx', encoding: 'xlsx', columns, rows: checkSize(rows) };
}

/** Reads by content: an XLSX is a ZIP (PK), anything else is taken for CSV. */
export async function readBulkFile(bytes: Uint8Array, fileName?: string): Promise<BulkFile> {
  return bytes[0] === 0x50 && bytes[1] === 0x4b ? readXlsx(bytes, fileName) : readCsv(bytes);
}
