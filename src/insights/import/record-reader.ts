/**
 * Reads feedback files as a stream of records, never the whole file at once: CSV and TSV through
 * csv-parse, JSON arrays through @streamparser/json, JSON Lines line by line, XLSX through
 * ExcelJS's streaming workbook reader. Text files are decoded line by line so that a UTF-8 export
 * with rows pasted in from a Windows program (Windows-1252) keeps its å, ä and ö; UTF-16 and
 * Windows-1252 files are decoded whole-stream. Each record carries the line (or sheet row) it came
 * from, for the import report.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { JSONParser } from '@streamparser/json';
import { parse as parseCsv } from 'csv-parse';
import ExcelJS from 'exceljs';
import { PolettError } from '../../errors.js';
import {
  detectEncoding,
  ENCODING_SAMPLE_BYTES,
  looksBinary,
  type TextEncodingLabel,
} from '../../text/index.js';

export type FeedbackFileFormat = 'csv' | 'tsv' | 'json' | 'jsonl' | 'xlsx';

export interface SourceRecord {
  /** 1-based line of a text file (where the record starts) or row of a sheet. */
  line: number;
  fields: Record<string, string>;
}

export interface FileSniff {
  format: FeedbackFileFormat;
  /** Undefined for XLSX, which carries its own encoding. */
  encoding: TextEncodingLabel | undefined;
  /** CSV only: the separator found in the header line. */
  delimiter: string | undefined;
}

function importError(code: string, sv: string, en: string): PolettError {
  return new PolettError({ code, status: 400, message: { sv, en } });
}

async function readStart(path: string): Promise<{ sample: Uint8Array; size: number }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = new Uint8Array(Math.min(size, ENCODING_SAMPLE_BYTES));
    await handle.read(buffer, 0, buffer.length, 0);
    return { sample: buffer, size };
  } finally {
    await handle.close();
  }
}

function hasUtf8Line(sample: Uint8Array): boolean {
  const strict = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  while (start < sample.length) {
    let end = sample.indexOf(0x0a, start);
    end = end === -1 ? sample.length : end + 1;
    const line = sample.subarray(start, end);
    if (line.some((byte) => byte >= 0x80))
      try {
        strict.decode(line);
        return true;
      } catch {
        // this line is not UTF-8; look further
      }
    start = end;
  }
  return false;
}

const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];

/**
 * Finds a file's format (from its content first, its extension second) and encoding, and refuses
 * empty and binary files with one clear sentence.
 */
export async function sniffFile(path: string): Promise<FileSniff> {
  const { sample, size } = await readStart(path);
  if (size === 0)
    throw importError(
      'insights_empty_file',
      'Filen är tom. Välj en fil med en rubrikrad och minst en rad feedback.',
      'The file is empty. Choose a file with a header line and at least one row of feedback.',
    );
  const extension = extname(path).toLowerCase().replace('.', '');
  if (ZIP_SIGNATURE.every((byte, index) => sample[index] === byte)) {
    if (extension === 'xlsx' || extension === 'xlsm' || extension === '')
      return { format: 'xlsx', encoding: undefined, delimiter: undefined };
  }
  if (looksBinary(sample))
    throw importError(
      'insights_binary_file',
      `Filen ser ut att vara binär och inte text${extension ? ` fast den heter .${extension}` : ''}. Exportera som CSV, TSV, JSON, JSONL eller XLSX och försök igen.`,
      `The file looks binary, not text${extension ? `, although it is named .${extension}` : ''}. Export it as CSV, TSV, JSON, JSONL or XLSX and try again.`,
    );
  const detected = detectEncoding(sample, size <= sample.length);
  const { bomLength } = detected;
  // A file that is mostly UTF-8 with some lines from a Windows program reads as Windows-1252 as a
  // whole; when any line is valid UTF-8 with letters beyond ASCII, it is UTF-8 with mixed lines.
  const encoding = detected.encoding === 'windows-1252' && hasUtf8Line(sample) ? 'utf-8' : detected.encoding;
  const start = new TextDecoder(encoding).decode(sample.subarray(bomLength, Math.min(sample.length, 8192)));
  const trimmed = start.trimStart();
  let format: FeedbackFileFormat;
  if (extension === 'jsonl' || extension === 'ndjson') format = 'jsonl';
  else if (trimmed.startsWith('[')) format = 'json';
  else if (trimmed.startsWith('{'))
    format = extension === 'json' && !/}\s*\r?\n\s*{/.test(trimmed) ? 'json' : 'jsonl';
  else if (extension === 'tsv' || extension === 'tab') format = 'tsv';
  else format = 'csv';
  let delimiter: string | undefined;
  if (format === 'csv' || format === 'tsv') {
    const header = trimmed.split(/\r?\n/, 1)[0] ?? '';
    const counts = ['\t', ';', ',', '|'].map((candidate) => ({
      candidate,
      count: header.split(candidate).length - 1,
    }));
    counts.sort((a, b) => b.count - a.count);
    delimiter = counts[0]!.count > 0 ? counts[0]!.candidate : ',';
    if (delimiter === '\t') format = 'tsv';
  }
  return { format, encoding, delimiter };
}

/**
 * Decodes a byte stream into text chunks. UTF-8 files are cut at line ends and each line that is
 * not valid UTF-8 is read as Windows-1252 (mixed encodings); other encodings stream through one
 * decoder.
 */
async function* decodeStream(path: string, encoding: TextEncodingLabel): AsyncGenerator<string> {
  const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
  if (encoding !== 'utf-8') {
    const decoder = new TextDecoder(encoding);
    let first = true;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let text = decoder.decode(chunk, { stream: true });
      if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
      yield text;
    }
    yield decoder.decode();
    return;
  }
  const strict = new TextDecoder('utf-8', { fatal: true });
  const legacy = new TextDecoder('windows-1252');
  let carry: Buffer = Buffer.alloc(0);
  let first = true;
  const decodeLines = (bytes: Buffer): string => {
    try {
      return strict.decode(bytes);
    } catch {
      // Some line is not UTF-8: decode line by line, each on its own merits.
      const parts: string[] = [];
      let start = 0;
      while (start < bytes.length) {
        let end = bytes.indexOf(0x0a, start);
        end = end === -1 ? bytes.length : end + 1;
        const line = bytes.subarray(start, end);
        try {
          parts.push(strict.decode(line));
        } catch {
          parts.push(legacy.decode(line));
        }
        start = end;
      }
      return parts.join('');
    }
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let bytes = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    if (first && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    first = false;
    const lastNewline = bytes.lastIndexOf(0x0a);
    if (lastNewline === -1) {
      carry = bytes;
      continue;
    }
    carry = Buffer.from(bytes.subarray(lastNewline + 1));
    yield decodeLines(bytes.subarray(0, lastNewline + 1));
  }
  if (carry.length > 0) yield decodeLines(carry);
}

/** A JSON value as a field string: strings as they are, numbers and booleans printed, objects as JSON. */
function fieldText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

function objectFields(value: unknown): Record<string, string> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, fieldText(field)]));
}

/** A record that is not an object (a bare string or number in a JSON array) has no fields. */
export const NOT_AN_OBJECT = '__polett_not_an_object__';

async function* readDelimited(path: string, sniff: FileSniff): AsyncGenerator<SourceRecord> {
  const parser = parseCsv({
    delimiter: sniff.delimiter ?? ',',
    columns: (header: string[]) => header.map((name, index) => name.trim() || `column_${index + 1}`),
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    info: true,
    bom: true,
  });
  const feed = (async () => {
    try {
      for await (const text of decodeStream(path, sniff.encoding ?? 'utf-8')) {
        // The reader stopped early (a preview): stop reading the file too.
        if (parser.destroyed) return;
        if (!parser.write(text)) await new Promise((resolve) => parser.once('drain', resolve));
      }
      parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string | undefined>;
    info: { lines: number; invalid_field_length: number };
  }>) {
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(record)) fields[key] = value ?? '';
    // info.lines is where the record ends; a multi-line quoted text starts earlier.
    const newlines = Object.values(fields).reduce((sum, value) => sum + (value.match(/\n/g)?.length ?? 0), 0);
    yield { line: info.lines - newlines, fields };
  }
  await feed;
}

async function* readJsonLines(path: string, sniff: FileSniff): AsyncGenerator<SourceRecord> {
  let buffered = '';
  let line = 0;
  const handle = (text: string): SourceRecord | undefined => {
    line += 1;
    if (text.trim() === '') return undefined;
    try {
      return { line, fields: objectFields(JSON.parse(text)) ?? { [NOT_AN_OBJECT]: text.slice(0, 80) } };
    } catch {
      return { line, fields: { [NOT_AN_OBJECT]: text.slice(0, 80) } };
    }
  };
  for await (const text of decodeStream(path, sniff.encoding ?? 'utf-8')) {
    buffered += text;
    let newline = buffered.indexOf('\n');
    while (newline !== -1) {
      const record = handle(buffered.slice(0, newline));
      if (record) yield record;
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
  }
  const last = handle(buffered);
  if (last) yield last;
}

async function* readJsonArray(path: string, sniff: FileSniff): AsyncGenerator<SourceRecord> {
  // paths ['$.*'] emits each element of the top-level array as it completes, then forgets it.
  const parser = new JSONParser({ paths: ['$.*'], keepStack: false });
  const ready: SourceRecord[] = [];
  let index = 0;
  parser.onValue = ({ value }) => {
    index += 1;
    ready.push({
      line: index,
      fields: objectFields(value) ?? { [NOT_AN_OBJECT]: fieldText(value).slice(0, 80) },
    });
  };
  for await (const text of decodeStream(path, sniff.encoding ?? 'utf-8')) {
    try {
      parser.write(text);
    } catch (error) {
      throw importError(
        'insights_invalid_json',
        `JSON-filen är trasig efter post ${index}: ${(error as Error).message}. Rätta filen eller exportera den på nytt.`,
        `The JSON file is broken after record ${index}: ${(error as Error).message}. Fix the file or export it again.`,
      );
    }
    while (ready.length > 0) yield ready.shift()!;
  }
  while (ready.length > 0) yield ready.shift()!;
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    return '';
  }
  return String(value);
}

async function* readWorkbook(path: string): AsyncGenerator<SourceRecord> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    entries: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    // Styles tell a date cell from a number cell.
    styles: 'cache',
    worksheets: 'emit',
  });
  // Only the first sheet: feedback exports have one, and a second is usually a summary.
  for await (const worksheet of reader) {
    let header: string[] | undefined;
    for await (const row of worksheet as AsyncIterable<ExcelJS.Row>) {
      const values = (row.values as ExcelJS.CellValue[]).slice(1).map(cellText);
      if (!header) {
        header = values.map((name, index) => name.trim() || `column_${index + 1}`);
        continue;
      }
      if (values.every((value) => value.trim() === '')) continue;
      yield {
        line: row.number,
        fields: Object.fromEntries(header.map((name, index) => [name, values[index] ?? ''])),
      };
    }
    break;
  }
}

/** Every record of a feedback file, streamed. */
export async function* readRecords(path: string, sniff?: FileSniff): AsyncGenerator<SourceRecord> {
  const found = sniff ?? (await sniffFile(path));
  switch (found.format) {
    case 'csv':
    case 'tsv':
      yield* readDelimited(path, found);
      return;
    case 'jsonl':
      yield* readJsonLines(path, found);
      return;
    case 'json':
      yield* readJsonArray(path, found);
      return;
    case 'xlsx':
      yield* readWorkbook(path);
      return;
  }
}

/** The column names of a file and its first records, for the preview step. */
export async function previewRecords(
  path: string,
  limit = 20,
): Promise<{ sniff: FileSniff; columns: string[]; records: SourceRecord[] }> {
  const sniff = await sniffFile(path);
  const records: SourceRecord[] = [];
  const columns = new Set<string>();
  for await (const record of readRecords(path, sniff)) {
    records.push(record);
    for (const name of Object.keys(record.fields)) if (name !== NOT_AN_OBJECT) columns.add(name);
    if (records.length >= limit) break;
  }
  if (records.length === 0)
    throw importError(
      'insights_no_rows',
      'Filen har bara en rubrikrad och inga rader feedback. Lägg till rader under rubriken och försök igen.',
      'The file has only a header line and no rows of feedback. Add rows below the header and try again.',
    );
  return { sniff, columns: [...columns], records };
}
