/**
 * Bulk writing: a catalogue (CSV or XLSX) becomes one text per row, as a durable job. The rows are
 * stored when the file is uploaded; the columns are mapped to the template's fields once, when the
 * run starts; then each row is one job item, so that a run killed in the middle resumes after the
 * last row it finished and never writes a row twice (the item checkpoint and the text commit in one
 * transaction, and `UNIQUE (bulk_job_id, bulk_row)` would refuse a second text anyway).
 *
 * With a chat model each row is generated with the whole profile; without one (tier 1) each row is
 * the template's draft with the row's fields filled in, ready for a person to finish. Either way
 * the rule checks run, and a text that nearly repeats an earlier one of the run is flagged.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { generateText } from 'ai';
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { PolettError, toPolettError, type LocalizedText } from '../../errors.js';
import { defineJobHandler, type JobItemRecord } from '../../jobs/index.js';
import type { KnowledgeSearcher } from '../../knowledge/search-contract.js';
import type { ModelRegistry } from '../../models/index.js';
import { WorkspaceContentStore, type ContentText } from '../content-store.js';
import { checkGeneratedText, retrievalQuery, retrievePassages } from '../generation.js';
import { assembleGenerationPrompt } from '../prompt-assembly.js';
import {
  checkTemplateFields,
  fillTemplateDraft,
  type ContentLanguage,
  type ContentTemplate,
} from '../templates.js';
import type { BulkFile } from './bulk-file.js';
import { NearDuplicateIndex } from './near-duplicates.js';

export const CONTENT_BULK_JOB = 'content.bulk';

export interface BulkImport {
  id: string;
  fileName: string;
  encoding: string;
  columns: string[];
  rowCount: number;
  brokenRows: number;
  createdAt: string;
}

interface StoredRow {
  rowNumber: number;
  values: Record<string, string>;
  error: LocalizedText | null;
}

function bulkError(code: string, field: string, sv: string, en: string, status = 400): PolettError {
  return new PolettError({ code, status, field, message: { sv, en } });
}

/** Bulk imports of one workspace: every statement binds workspace_id, as the content store does. */
export class BulkImports {
  constructor(
    private readonly database: Database,
    private readonly workspaceId: string,
  ) {}

  /** Stores the file's rows (broken ones with their error) in one transaction. */
  create(file: BulkFile, fileName: string): BulkImport {
    const id = randomUUID();
    const at = new Date().toISOString();
    this.database.transaction(() => {
      this.database
        .prepare(
          `INSERT INTO content_bulk_imports (id, workspace_id, profile_id, template_id, language, file_name, encoding, mapping, row_count, created_at)
           VALUES (?, ?, NULL, '', 'sv', ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          this.workspaceId,
          fileName,
          file.encoding,
          JSON.stringify({ columns: file.columns }),
          file.rows.length,
          at,
        );
      const insert = this.database.prepare(
        'INSERT INTO content_bulk_rows (import_id, workspace_id, row_number, fields, error) VALUES (?, ?, ?, ?, ?)',
      );
      for (const row of file.rows)
        insert.run(
          id,
          this.workspaceId,
          row.rowNumber,
          JSON.stringify(row.values),
          row.error ? JSON.stringify(row.error) : null,
        );
    })();
    return this.require(id);
  }

  require(id: string): BulkImport & {
    profileId: string | null;
    templateId: string;
    language: ContentLanguage;
    mapping: Record<string, string>;
    maxOutputTokens: number | undefined;
  } {
    const row = this.database
      .prepare('SELECT * FROM content_bulk_imports WHERE workspace_id = ? AND id = ?')
      .get(this.workspaceId, id) as
      | {
          id: string;
          profile_id: string | null;
          template_id: string;
          language: ContentLanguage;
          file_name: string;
          encoding: string;
          mapping: string;
          row_count: number;
          created_at: string;
        }
      | undefined;
    if (!row)
      throw bulkError(
        'content_not_found',
        'importId',
        `Importen ${id} finns inte i arbetsytan; ladda upp filen igen.`,
        `The import ${id} does not exist in the workspace; upload the file again.`,
        404,
      );
    const stored = JSON.parse(row.mapping) as {
      columns: string[];
      fields?: Record<string, string>;
      maxOutputTokens?: number;
    };
    const broken = this.database
      .prepare(
        'SELECT COUNT(*) AS count FROM content_bulk_rows WHERE workspace_id = ? AND import_id = ? AND error IS NOT NULL',
      )
      .get(this.workspaceId, id) as { count: number };
    return {
      id: row.id,
      fileName: row.file_name,
      encoding: row.encoding,
      columns: stored.columns,
      rowCount: row.row_count,
      brokenRows: broken.count,
      createdAt: row.created_at,
      profileId: row.profile_id,
      templateId: row.template_id,
      language: row.language,
      mapping: stored.fields ?? {},
      maxOutputTokens: stored.maxOutputTokens,
    };
  }

  rows(id: string): StoredRow[] {
    const rows = this.database
      .prepare(
        'SELECT row_number, fields, error FROM content_bulk_rows WHERE workspace_id = ? AND import_id = ? ORDER BY row_number',
      )
      .all(this.workspaceId, id) as Array<{ row_number: number; fields: string; error: string | null }>;
    return rows.map((row) => ({
      rowNumber: row.row_number,
      values: JSON.parse(row.fields) as Record<string, string>,
      error: row.error ? (JSON.parse(row.error) as LocalizedText) : null,
    }));
  }

  /**
   * Maps the columns to the template's fields, once: every required field needs a column, and
   * every named column and field must exist. Stored with the import, so that a resumed run maps
   * the same way.
   */
  map(
    id: string,
    run: {
      template: ContentTemplate;
      profileId: string;
      language: ContentLanguage;
      mapping: Record<string, string>;
      /** The longest text per row in tokens; the generation default when absent. */
      maxOutputTokens?: number | undefined;
    },
  ): void {
    const bulkImport = this.require(id);
    const fieldNames = run.template.fields.map((field) => field.name);
    for (const [field, column] of Object.entries(run.mapping)) {
      if (!fieldNames.includes(field))
        throw bulkError(
          'content_template_unknown_field',
          `mapping.${field}`,
          `Mallen "${run.template.name.sv}" har inget fält "${field}"; dess fält är ${fieldNames.join(', ')}.`,
          `The template "${run.template.name.en}" has no field "${field}"; its fields are ${fieldNames.join(', ')}.`,
        );
      if (!bulkImport.columns.includes(column))
        throw bulkError(
          'content_bulk_column_missing',
          `mapping.${field}`,
          `Filen har ingen kolumn "${column}"; dess kolumner är ${bulkImport.columns.join(', ')}.`,
          `The file has no column "${column}"; its columns are ${bulkImport.columns.join(', ')}.`,
        );
    }
    for (const field of run.template.fields) {
      if (field.required && !run.mapping[field.name])
        throw bulkError(
          'content_bulk_column_missing',
          `mapping.${field.name}`,
          `Fältet "${field.label.sv}" behövs men ingen kolumn är kopplad till det; välj en kolumn.`,
          `The field "${field.label.en}" is needed but no column is mapped to it; choose a column.`,
        );
    }
    this.database
      .prepare(
        'UPDATE content_bulk_imports SET profile_id = ?, template_id = ?, language = ?, mapping = ? WHERE workspace_id = ? AND id = ?',
      )
      .run(
        run.profileId,
        run.template.id,
        run.language,
        JSON.stringify({
          columns: bulkImport.columns,
          fields: run.mapping,
          maxOutputTokens: run.maxOutputTokens,
        }),
        this.workspaceId,
        id,
      );
  }
}

export const bulkJobInputSchema = z.object({ importId: z.string().min(1) });

export interface BulkJobDependencies {
  database: Database;
  models: ModelRegistry;
  knowledgeFor?: (workspaceId: string) => KnowledgeSearcher | undefined;
}

export function contentBulkJobHandler(dependencies: BulkJobDependencies) {
  return defineJobHandler({
    type: CONTENT_BULK_JOB,
    input: bulkJobInputSchema,
    async run(input, context) {
      const workspaceId = context.workspaceId;
      if (!workspaceId) throw new Error('a bulk content job needs its workspace');
      const store = new WorkspaceContentStore(dependencies.database, workspaceId);
      const imports = new BulkImports(dependencies.database, workspaceId);
      const bulkImport = imports.require(input.importId);
      const template = store.requireTemplate(bulkImport.templateId);
      const profile = store.requireProfile(bulkImport.profileId ?? '').profile;
      const rows = imports.rows(input.importId);
      const chatReady =
        dependencies.models.taskStatus().find((status) => status.task === 'chat')?.ready ?? false;
      const model = chatReady ? dependencies.models.languageModel({ task: 'chat', workspaceId }) : undefined;
      const knowledge = dependencies.knowledgeFor?.(workspaceId);
      const language = bulkImport.language;

      // A resumed run compares new texts with those the killed attempt already wrote.
      const duplicates = new NearDuplicateIndex<{ id: string; row: number }>();
      for (const text of store.listTexts({ bulkJobId: context.jobId, limit: 1_000_000 }))
        duplicates.add({ id: text.id, row: text.bulkRow ?? 0 }, text.body);

      context.reportProgress({ total: rows.length, message: chatReady ? 'generating' : 'filling drafts' });
      for (const row of rows) {
        context.throwIfAborted();
        const key = `row-${row.rowNumber}`;
        if (row.error) {
          await context.failItem(
            key,
            new PolettError({ code: 'content_bulk_row_invalid', status: 400, message: row.error }),
          );
          continue;
        }
        let fields: Record<string, string>;
        try {
          const mapped: Record<string, string> = {};
          for (const [field, column] of Object.entries(bulkImport.mapping))
            mapped[field] = row.values[column] ?? '';
          fields = checkTemplateFields(template, mapped);
        } catch (error) {
          await context.failItem(key, error);
          continue;
        }
        try {
          await context.processItem(key, {
            compute: async (signal) => {
              let body: string;
              let passages: Awaited<ReturnType<typeof retrievePassages>> = [];
              if (model) {
                passages = await retrievePassages(
                  knowledge,
                  retrievalQuery(template, fields),
                  profile,
                  language,
                );
                const prompt = assembleGenerationPrompt({ profile, template, fields, language, passages });
                const result = await generateText({
                  model,
                  system: prompt.system,
                  prompt: prompt.prompt,
                  maxOutputTokens: bulkImport.maxOutputTokens ?? 800,
                  maxRetries: 0,
                  abortSignal: signal,
                });
                body = result.text.trim();
              } else {
                body = fillTemplateDraft(template, fields, language);
              }
              return checkGeneratedText(body, {
                profile,
                template,
                language,
                ...(model ? { passages } : {}),
              });
            },
            write: (transaction, checked) => {
              const near = duplicates.findNear(checked.text);
              const text = new WorkspaceContentStore(transaction, workspaceId).createText({
                profileId: bulkImport.profileId,
                templateId: template.id,
                title: `${bulkImport.fileName} #${row.rowNumber}`,
                language,
                body: checked.text,
                findings: checked.findings,
                citations: checked.citations,
                origin: 'bulk',
                author: null,
                bulkJobId: context.jobId,
                bulkRow: row.rowNumber,
                nearDuplicateOf: near?.key.id ?? null,
              });
              duplicates.add({ id: text.id, row: row.rowNumber }, text.body);
              return text.id;
            },
          });
        } catch (error) {
          // A row the model cannot write (not a passing outage) is reported; an outage retries the job.
          const polettError = toPolettError(error);
          if (polettError.isRetryable || context.signal.aborted) throw error;
          await context.failItem(key, polettError);
        }
      }
      const written = store.listTexts({ bulkJobId: context.jobId, limit: 1_000_000 });
      return {
        texts: written.length,
        failed: rows.length - written.length,
        nearDuplicates: written.filter((text) => text.nearDuplicateOf !== null).length,
        generated: chatReady,
      };
    },
  });
}

// ---- The result, as a file ----

export interface BulkResultRow {
  row: number;
  values: Record<string, string>;
  text: ContentText | undefined;
  error: string | undefined;
}

/** Every row of the import with its text or its error, in row order. */
export function bulkResultRows(
  database: Database,
  workspaceId: string,
  importId: string,
  jobId: string,
  failedItems: readonly JobItemRecord[],
  locale: 'sv' | 'en',
): { columns: string[]; rows: BulkResultRow[] } {
  const imports = new BulkImports(database, workspaceId);
  const bulkImport = imports.require(importId);
  const texts = new Map(
    new WorkspaceContentStore(database, workspaceId)
      .listTexts({ bulkJobId: jobId, limit: 1_000_000 })
      .map((text) => [text.bulkRow, text]),
  );
  const errors = new Map(failedItems.map((item) => [item.key, item.error?.message[locale]]));
  return {
    columns: bulkImport.columns,
    rows: imports.rows(importId).map((row) => ({
      row: row.rowNumber,
      values: row.values,
      text: texts.get(row.rowNumber),
      error: errors.get(`row-${row.rowNumber}`),
    })),
  };
}

const RESULT_HEADINGS = {
  sv: {
    row: 'rad',
    text: 'text',
    findings: 'anmärkningar',
    duplicate: 'nästan dubblett av rad',
    error: 'fel',
  },
  en: { row: 'row', text: 'text', findings: 'findings', duplicate: 'near duplicate of row', error: 'error' },
};

/**
 * A cell Excel would read as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return first)
 * gets a leading apostrophe, so it opens as text: catalogue cells and a model's texts are
 * untrusted, and a formula such as HYPERLINK can send the sheet's data away.
 */
function asCsvText(cell: string | number): string | number {
  return typeof cell === 'string' && /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export async function bulkResultFile(
  result: { columns: string[]; rows: BulkResultRow[] },
  format: 'csv' | 'xlsx',
  locale: 'sv' | 'en',
): Promise<Uint8Array> {
  const headings = RESULT_HEADINGS[locale];
  const rowOfText = new Map(result.rows.filter((row) => row.text).map((row) => [row.text!.id, row.row]));
  const header = [
    headings.row,
    ...result.columns,
    headings.text,
    headings.findings,
    headings.duplicate,
    headings.error,
  ];
  const records = result.rows.map((row) => [
    row.row,
    ...result.columns.map((column) => row.values[column] ?? ''),
    row.text?.body ?? '',
    row.text ? row.text.findings.map((finding) => finding.message[locale]).join(' | ') : '',
    row.text?.nearDuplicateOf ? (rowOfText.get(row.text.nearDuplicateOf) ?? '') : '',
    row.error ?? '',
  ]);
  if (format === 'csv') {
    // A BOM, so that Excel opens å, ä and ö right.
    const cells = [header, ...records].map((record) => record.map(asCsvText));
    return new TextEncoder().encode(`\uFEFF${stringify(cells)}`);
  }
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(locale === 'sv' ? 'Texter' : 'Texts');
  sheet.addRow(header);
  sheet.getRow(1).font = { bold: true };
  for (const record of records) sheet.addRow(record);
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}
