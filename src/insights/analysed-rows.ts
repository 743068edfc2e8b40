/**
 * The analysed rows behind every chart: texts with their sentiment, language, topic and aspects,
 * filtered like the dashboard (date, source, language, rating, topic, aspect), paged for the
 * drill-down and streamed for the CSV and XLSX export so that a large workspace never sits in
 * memory whole.
 */
import { PassThrough, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import type { InsightsScope } from './feedback-store.js';
import { filterClauses, type FeedbackFilters } from './trends.js';

export interface AnalysedRow {
  id: string;
  text: string;
  occurredAt: string | null;
  source: string | null;
  author: string | null;
  rating: number | null;
  language: string | null;
  sentiment: string | null;
  sentimentScore: number | null;
  sentimentModel: string | null;
  topic: string | null;
  aspects: Array<{ aspect: string; sentiment: string }>;
}

interface Row {
  id: string;
  text: string;
  occurred_at: string | null;
  source: string | null;
  author: string | null;
  rating: number | null;
  language: string | null;
  sentiment: string | null;
  sentiment_score: number | null;
  sentiment_model: string | null;
  topic: string | null;
  aspects: string | null;
}

const SELECT = `SELECT f.id, f.text, f.occurred_at, f.source, f.author, f.rating,
    (SELECT l.label FROM insights_results l WHERE l.feedback_id = f.id AND l.analysis = 'language') AS language,
    s.label AS sentiment, s.score AS sentiment_score, s.model AS sentiment_model,
    (SELECT t.label FROM insights_results t WHERE t.feedback_id = f.id AND t.analysis = 'topic') AS topic,
    (SELECT json_group_array(json_object('aspect', a.aspect, 'sentiment', a.sentiment))
       FROM insights_aspects a WHERE a.feedback_id = f.id) AS aspects
  FROM insights_feedback f
  LEFT JOIN insights_results s ON s.feedback_id = f.id AND s.analysis = 'sentiment'
  WHERE f.workspace_id = ?`;

function toRow(row: Row): AnalysedRow {
  return {
    id: row.id,
    text: row.text,
    occurredAt: row.occurred_at,
    source: row.source,
    author: row.author,
    rating: row.rating,
    language: row.language,
    sentiment: row.sentiment,
    sentimentScore: row.sentiment_score,
    sentimentModel: row.sentiment_model,
    topic: row.topic,
    aspects: row.aspects ? (JSON.parse(row.aspects) as AnalysedRow['aspects']) : [],
  };
}

/** One page of rows, newest first, and how many match in all. */
export function listAnalysedRows(
  scope: InsightsScope,
  filters: FeedbackFilters,
  page: { limit: number; offset: number },
): { rows: AnalysedRow[]; total: number } {
  const { sql, parameters } = filterClauses(filters);
  const rows = scope.database
    .prepare(
      `${SELECT}${sql} ORDER BY COALESCE(f.occurred_at, f.received_at) DESC, f.rowid DESC LIMIT ? OFFSET ?`,
    )
    .all(scope.workspaceId, ...parameters, page.limit, page.offset) as Row[];
  const { total } = scope.database
    .prepare(
      `SELECT COUNT(*) AS total FROM insights_feedback f
       LEFT JOIN insights_results s ON s.feedback_id = f.id AND s.analysis = 'sentiment'
       WHERE f.workspace_id = ?${sql}`,
    )
    .get(scope.workspaceId, ...parameters) as { total: number };
  return { rows: rows.map(toRow), total };
}

/**
 * Every matching row, a page of 1,000 at a time by rowid: an open iterator would keep the shared
 * connection busy while the export streams, so each page is its own short query.
 */
export function* iterateAnalysedRows(scope: InsightsScope, filters: FeedbackFilters): Generator<AnalysedRow> {
  const { sql, parameters } = filterClauses(filters);
  const statement = scope.database.prepare(
    `SELECT f.rowid AS row_id, ${SELECT.slice('SELECT '.length)}${sql} AND f.rowid > ? ORDER BY f.rowid LIMIT 1000`,
  );
  let after = 0;
  for (;;) {
    const page = statement.all(scope.workspaceId, ...parameters, after) as Array<Row & { row_id: number }>;
    if (page.length === 0) return;
    for (const row of page) yield toRow(row);
    after = page.at(-1)!.row_id;
  }
}

export const EXPORT_COLUMNS = [
  'id',
  'text',
  'date',
  'source',
  'author',
  'rating',
  'language',
  'sentiment',
  'sentiment_score',
  'sentiment_model',
  'topic',
  'aspects',
] as const;

function exportValues(row: AnalysedRow): Array<string | number> {
  return [
    row.id,
    row.text,
    row.occurredAt ?? '',
    row.source ?? '',
    row.author ?? '',
    row.rating ?? '',
    row.language ?? '',
    row.sentiment ?? '',
    row.sentimentScore ?? '',
    row.sentimentModel ?? '',
    row.topic ?? '',
    row.aspects.map((aspect) => `${aspect.aspect}:${aspect.sentiment}`).join('; '),
  ];
}

/** The rows as a CSV stream (UTF-8 with a BOM, so that Excel shows å, ä and ö). */
export function exportCsv(scope: InsightsScope, filters: FeedbackFilters): Readable {
  const rows = iterateAnalysedRows(scope, filters);
  const source = Readable.from(
    (function* () {
      for (const row of rows) yield exportValues(row);
    })(),
  );
  const output = new PassThrough();
  output.write('\uFEFF');
  return source.pipe(stringify({ header: true, columns: [...EXPORT_COLUMNS] })).pipe(output);
}

/** The rows as an XLSX stream, written row by row by ExcelJS's streaming writer. */
export function exportXlsx(scope: InsightsScope, filters: FeedbackFilters): Readable {
  const output = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useSharedStrings: false });
  const sheet = workbook.addWorksheet('Feedback');
  sheet.columns = EXPORT_COLUMNS.map((key) => ({ header: key, key, width: key === 'text' ? 80 : 16 }));
  void (async () => {
    try {
      for (const row of iterateAnalysedRows(scope, filters)) sheet.addRow(exportValues(row)).commit();
      sheet.commit();
      await workbook.commit();
    } catch (error) {
      output.destroy(error as Error);
    }
  })();
  return output;
}
