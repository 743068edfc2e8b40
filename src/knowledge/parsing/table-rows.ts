/**
 * Spreadsheet rows (CSV, XLSX) to blocks: one block a row, each cell prefixed by its column's
 * header ("Pris: 149 kr | Färg: Blå"), so that a row found on its own still says what its values
 * mean. The header is the first non-empty row when it looks like one (text, not numbers).
 */
import type { PassageLocation } from '../search-contract.js';
import { BlockList } from './document-builder.js';

export interface SheetRow {
  /** 1-based row number as the spreadsheet program shows it. */
  row: number;
  cells: string[];
}

/** Spreadsheet column letters (A, B, … Z, AA): a header-less column's name in any language. */
export function columnLetter(index: number): string {
  let letters = '';
  let remaining = index + 1;
  while (remaining > 0) {
    const modulo = (remaining - 1) % 26;
    letters = String.fromCharCode(65 + modulo) + letters;
    remaining = Math.floor((remaining - modulo) / 26);
  }
  return letters;
}

function looksLikeHeader(cells: string[]): boolean {
  const filled = cells.filter((cell) => cell.trim());
  if (filled.length === 0) return false;
  const unique = new Set(filled.map((cell) => cell.trim().toLowerCase()));
  return (
    unique.size === filled.length &&
    filled.every((cell) => /\p{L}/u.test(cell) && cell.length <= 80 && !/^[\d\s.,:%/+-]+$/.test(cell))
  );
}

/** Adds one paragraph block a row; `sheet` goes into each location when there is one. */
export function addRows(blocks: BlockList, rows: SheetRow[], sheet?: string): void {
  const filled = rows.filter((row) => row.cells.some((cell) => cell.trim()));
  if (filled.length === 0) return;
  const first = filled[0]!;
  const header =
    filled.length > 1 && looksLikeHeader(first.cells) ? first.cells.map((cell) => cell.trim()) : undefined;
  for (const row of header ? filled.slice(1) : filled) {
    const parts: string[] = [];
    row.cells.forEach((cell, index) => {
      const value = cell.replace(/\s+/g, ' ').trim();
      if (!value) return;
      if (!header) parts.push(value);
      else parts.push(`${header[index] || columnLetter(index)}: ${value}`);
    });
    const location: PassageLocation = { row: row.row };
    if (sheet !== undefined) location.sheet = sheet;
    blocks.add('paragraph', parts.join(' | '), location);
  }
}
