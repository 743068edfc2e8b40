/**
 * The import of a feedback file after the user has confirmed the column mapping: records are read
 * streamed, checked one by one, and written in batches, each batch in one transaction. A bad row
 * is reported with its line and reason and the rest go in; duplicates (same id, or the same text,
 * author and date) are skipped and counted. The batches are the checkpoints of a durable job: a
 * resumed import re-reads the file (to keep line numbers and the report) but writes no batch
 * twice, and the counts come from the database, so nothing is counted twice either.
 */
import type { Database } from 'better-sqlite3';
import type { LocalizedText } from '../../errors.js';
import { hashFeedbackContent, type InsightsScope, type NewFeedback } from '../feedback-store.js';
import type { ColumnMapping } from './column-detection.js';
import { decideNumericDateOrder, parseFeedbackDate, type NumericDateOrder } from './date-parsing.js';
import { findLabelTypos, type LabelTypo } from './label-typos.js';
import { NOT_AN_OBJECT, readRecords, type FileSniff, type SourceRecord } from './record-reader.js';

export const IMPORT_BATCH_SIZE = 1000;
/** The report lists this many problems; the counts cover them all. */
const REPORTED_PROBLEMS_LIMIT = 500;
/** Rows read to decide the column's numeric date order before the import starts. */
const DATE_ORDER_SAMPLE = 2000;

export interface ImportProblem {
  line: number;
  /** `skipped`: the row was not imported; `warning`: imported, with a field left empty. */
  kind: 'skipped' | 'warning';
  reason: LocalizedText;
}

export interface ImportReport {
  rowsRead: number;
  imported: number;
  duplicates: number;
  skipped: number;
  warnings: number;
  problems: ImportProblem[];
  labelTypos: LabelTypo[];
  dateOrder: NumericDateOrder;
}

export interface ImportOptions {
  importId: string;
  mapping: ColumnMapping;
  /** Fixed by the user; decided from the values otherwise. */
  dateOrder?: NumericDateOrder;
  signal?: AbortSignal;
  onProgress?: (progress: { rowsRead: number }) => void;
  /**
   * Writes one batch exactly once (a durable job's `processItem`); by default straight into the
   * store in one transaction.
   */
  writeBatch?: (key: string, write: (database: Database) => void) => Promise<void>;
}

function parseRating(raw: string): number | undefined {
  const match = /^(\d+(?:[.,]\d+)?)(?:\s*\/\s*\d+|\s*(?:av|of)\s*\d+|\s*stjärnor|\s*stars?)?$/i.exec(
    raw.trim(),
  );
  return match ? Number(match[1]!.replace(',', '.')) : undefined;
}

/** One record → a row to insert, or the reason it cannot be one. */
export function toFeedbackRow(
  record: SourceRecord,
  mapping: ColumnMapping,
  dateOrder: NumericDateOrder,
  importId: string | null,
): { row?: NewFeedback; problems: ImportProblem[] } {
  if (NOT_AN_OBJECT in record.fields)
    return {
      problems: [
        {
          line: record.line,
          kind: 'skipped',
          reason: {
            sv: 'Raden är inte ett objekt med fält (eller inte giltig JSON).',
            en: 'The row is not an object with fields (or not valid JSON).',
          },
        },
      ],
    };
  const value = (column: string | undefined) =>
    column === undefined ? '' : (record.fields[column] ?? '').trim();
  const text = value(mapping.text);
  if (text === '')
    return {
      problems: [
        {
          line: record.line,
          kind: 'skipped',
          reason: {
            sv: `Raden har ingen text i kolumnen "${mapping.text}".`,
            en: `The row has no text in the column "${mapping.text}".`,
          },
        },
      ],
    };
  const problems: ImportProblem[] = [];
  let occurredAt: string | null = null;
  const rawDate = value(mapping.date);
  if (rawDate !== '') {
    const date = parseFeedbackDate(rawDate, dateOrder);
    if (date) occurredAt = date.toISOString();
    else
      problems.push({
        line: record.line,
        kind: 'warning',
        reason: {
          sv: `Datumet "${rawDate.slice(0, 40)}" gick inte att tolka; raden importerades utan datum.`,
          en: `The date "${rawDate.slice(0, 40)}" could not be read; the row was imported without a date.`,
        },
      });
  }
  let rating: number | null = null;
  const rawRating = value(mapping.rating);
  if (rawRating !== '') {
    const parsed = parseRating(rawRating);
    if (parsed !== undefined) rating = parsed;
    else
      problems.push({
        line: record.line,
        kind: 'warning',
        reason: {
          sv: `Betyget "${rawRating.slice(0, 20)}" är inget tal; raden importerades utan betyg.`,
          en: `The rating "${rawRating.slice(0, 20)}" is not a number; the row was imported without a rating.`,
        },
      });
  }
  const mapped = new Set(Object.values(mapping).filter((column): column is string => column !== undefined));
  const fields = Object.fromEntries(Object.entries(record.fields).filter(([name]) => !mapped.has(name)));
  const author = value(mapping.author) || null;
  return {
    row: {
      externalId: value(mapping.id) || null,
      contentHash: hashFeedbackContent(text, author, occurredAt),
      text,
      occurredAt,
      rating,
      source: value(mapping.source) || null,
      author,
      label: value(mapping.label) || null,
      fields,
      importId,
      importLine: record.line,
    },
    problems,
  };
}

/** Imports a confirmed file into the workspace's store; returns the report. */
export async function importFeedbackFile(
  path: string,
  sniff: FileSniff,
  scope: InsightsScope,
  options: ImportOptions,
): Promise<ImportReport> {
  const { mapping, importId } = options;
  let dateOrder = options.dateOrder;
  if (!dateOrder && mapping.date) {
    const sample: string[] = [];
    for await (const record of readRecords(path, sniff)) {
      sample.push(record.fields[mapping.date] ?? '');
      if (sample.length >= DATE_ORDER_SAMPLE) break;
    }
    dateOrder = decideNumericDateOrder(sample);
  }
  const order = dateOrder ?? 'day-first';
  const writeBatch =
    options.writeBatch ??
    (async (_key: string, write: (database: Database) => void) =>
      scope.database.transaction(() => write(scope.database))());

  const problems: ImportProblem[] = [];
  let skipped = 0;
  let warnings = 0;
  let rowsRead = 0;
  let goodRows = 0;
  let batchIndex = 0;
  let batch: NewFeedback[] = [];
  const labelCounts = new Map<string, number>();
  const note = (problem: ImportProblem) => {
    if (problem.kind === 'skipped') skipped += 1;
    else warnings += 1;
    if (problems.length < REPORTED_PROBLEMS_LIMIT) problems.push(problem);
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    await writeBatch(`batch-${batchIndex}`, (database) => {
      scope.insertFeedback(rows, database);
    });
    batchIndex += 1;
  };
  for await (const record of readRecords(path, sniff)) {
    options.signal?.throwIfAborted();
    rowsRead += 1;
    const { row, problems: rowProblems } = toFeedbackRow(record, mapping, order, importId);
    rowProblems.forEach(note);
    if (!row) continue;
    goodRows += 1;
    if (row.label !== null) labelCounts.set(row.label, (labelCounts.get(row.label) ?? 0) + 1);
    batch.push(row);
    if (batch.length >= IMPORT_BATCH_SIZE) {
      await flush();
      options.onProgress?.({ rowsRead });
    }
  }
  await flush();
  options.onProgress?.({ rowsRead });
  const imported = scope.countFeedback({ importId });
  return {
    rowsRead,
    imported,
    duplicates: goodRows - imported,
    skipped,
    warnings,
    problems,
    labelTypos: findLabelTypos(labelCounts),
    dateOrder: order,
  };
}
