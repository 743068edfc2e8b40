/**
 * CSV and TSV with csv-parse. Swedish Excel writes semicolons (the comma is the decimal sign), other
 * programs commas or tabs: the delimiter is the one that splits the first lines most consistently.
 */
import { parse } from 'csv-parse/sync';
import { decodeText } from '../../text/index.js';
import { BlockList, finishDocument } from './document-builder.js';
import { corruptFile } from './parse-errors.js';
import { addRows, type SheetRow } from './table-rows.js';
import type { ParsedDocument, ParserInput } from './types.js';

const CANDIDATE_DELIMITERS = [';', ',', '\t', '|'];

/** Counts a delimiter outside double quotes on each of the first lines; the most regular wins. */
export function guessDelimiter(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .filter((line) => line.trim())
    .slice(0, 20);
  let best = ',';
  let bestScore = 0;
  for (const delimiter of CANDIDATE_DELIMITERS) {
    const counts = lines.map((line) => {
      let count = 0;
      let quoted = false;
      for (const character of line) {
        if (character === '"') quoted = !quoted;
        else if (character === delimiter && !quoted) count += 1;
      }
      return count;
    });
    const first = counts[0] ?? 0;
    if (first === 0) continue;
    const consistent = counts.filter((count) => count === first).length;
    const score = consistent * 1000 + first;
    if (score > bestScore) {
      best = delimiter;
      bestScore = score;
    }
  }
  return best;
}

export function parseCsv(input: ParserInput): ParsedDocument {
  const { text } = decodeText(input.bytes);
  const delimiter = input.name.toLowerCase().endsWith('.tsv') ? '\t' : guessDelimiter(text);
  let records: string[][];
  try {
    records = parse(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      bom: true,
    }) as string[][];
  } catch (error) {
    throw corruptFile(input.name, 'CSV', error);
  }
  const rows: SheetRow[] = records.map((cells, index) => ({ row: index + 1, cells }));
  const blocks = new BlockList();
  addRows(blocks, rows);
  return finishDocument({ name: input.name, format: 'csv', blocks: blocks.blocks });
}
