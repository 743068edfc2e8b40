/**
 * XLSX with exceljs: each visible sheet becomes a heading followed by one block a row, located by
 * sheet and row. The zip is checked against the unpacking limits before exceljs opens it.
 */
import ExcelJS from 'exceljs';
import { BlockList, finishDocument } from './document-builder.js';
import { corruptFile } from './parse-errors.js';
import { addRows, type SheetRow } from './table-rows.js';
import type { ParsedDocument, ParserInput } from './types.js';
import { checkZip, type ZipLimits } from './zip-guard.js';

export async function parseXlsx(input: ParserInput, limits: ZipLimits): Promise<ParsedDocument> {
  await checkZip(input.bytes, input.name, 'XLSX', limits);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(
      Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength) as never,
    );
  } catch (error) {
    throw corruptFile(input.name, 'XLSX', error);
  }
  const blocks = new BlockList();
  for (const sheet of workbook.worksheets) {
    if (sheet.state === 'hidden' || sheet.state === 'veryHidden') continue;
    const rows: SheetRow[] = [];
    sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      const cells: string[] = [];
      for (let column = 1; column <= row.cellCount; column += 1)
        cells.push(cellText(row.getCell(column).value));
      rows.push({ row: rowNumber, cells });
    });
    if (rows.length === 0) continue;
    blocks.add('heading', sheet.name, { sheet: sheet.name }, 1);
    addRows(blocks, rows, sheet.name);
  }
  return finishDocument({
    name: input.name,
    format: 'xlsx',
    title: workbook.title || undefined,
    blocks: blocks.blocks,
  });
}

/** A cell's value as a reader sees it: formula results, rich text and links as their text. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 16).replace('T', ' ');
  }
  if (typeof value !== 'object') return String(value);
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('formula' in value || 'sharedFormula' in value) {
    return cellText((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
  }
  if ('text' in value && typeof value.text === 'string') return value.text;
  if ('error' in value) return '';
  return '';
}
