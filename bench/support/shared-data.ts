/**
 * Reads the development data in `../shared/data/` (real Swedish text that may not be copied into
 * the repository). A fresh clone has no such folder: the callers then fall back to built-in text
 * and say so.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPOSITORY_ROOT } from '../../test-support/paths.js';

export const SHARED_DATA_DIR = path.resolve(REPOSITORY_ROOT, '..', 'shared', 'data');

/**
 * Parses RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks, which the
 * reviews do. Small and strict enough for these files; not a general CSV reader.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index]!;
    if (quoted) {
      if (character === '"') {
        if (text[index + 1] === '"') {
          field += '"';
          index += 1;
        } else {
          quoted = false;
        }
      } else {
        field += character;
      }
    } else if (character === '"') {
      quoted = true;
    } else if (character === ',') {
      record.push(field);
      field = '';
    } else if (character === '\n' || character === '\r') {
      if (character === '\r' && text[index + 1] === '\n') index += 1;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else {
      field += character;
    }
  }
  if (field.length > 0 || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** The `text` column of `reviews-sv.csv`, or undefined when the shared data folder is absent. */
export function readSwedishReviews(): string[] | undefined {
  const file = path.join(SHARED_DATA_DIR, 'reviews-sv.csv');
  if (!existsSync(file)) return undefined;
  const [header, ...records] = parseCsv(readFileSync(file, 'utf8'));
  const textColumn = header?.indexOf('text') ?? -1;
  if (textColumn < 0) throw new Error(`${file} has no "text" column`);
  return records.map((record) => record[textColumn] ?? '').filter((text) => text.length > 0);
}

/** Written for these benchmarks: everyday Swedish with å, ä, ö, compounds and numbers. */
export const BUILT_IN_SWEDISH_PARAGRAPH =
  'Vi beställde en ny diskmaskin i tisdags och leveransen kom redan på torsdagen, två dagar före utlovat datum. ' +
  'Montören var punktlig, skyddade golvet i köket och tog med sig förpackningen och den gamla maskinen. ' +
  'Tyvärr saknades en slangklämma, så vi fick ringa kundtjänsten, som svarade efter bara fem minuter i telefonkö. ' +
  'Helhetsintrycket är ändå mycket positivt och vi rekommenderar gärna företaget till vänner och grannar.';
