/**
 * `polett insights …`: the Insights capability in the terminal: import (preview, the mapping
 * confirmed once, then a job with a progress bar), analyze, train and report. `eval` trains the tier-1
 * classifier and the TF-IDF + logistic regression baseline on the same rows and prints both
 * scores, so a user can see on their own labels what the classifier is worth.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PolettError } from '../../errors.js';
import {
  ColumnMapping,
  detectColumns,
  evaluateClassifier,
  importJobHandler,
  INSIGHTS_ANALYZE_JOB,
  INSIGHTS_IMPORT_JOB,
  openInsightsStore,
  previewRecords,
  readLabelledFile,
  renderHtmlReport,
  renderMarkdownReport,
  summariseInsights,
  TextClassifier,
  type EvaluationInput,
  type EvaluationReport,
  type ImportReport,
} from '../../insights/index.js';
import {
  followJobWithProgressBar,
  parseJobInput,
  workspaceJobQueue,
  type JobRecord,
} from '../../jobs/index.js';
import { openPlatform } from '../../platform/index.js';
import { openPolett, type Polett } from '../../polett.js';
import { cliLocale, say } from '../output.js';

export interface InsightsEvalOptions {
  train?: string;
  test?: string;
  data?: string;
  trainSize?: string;
  seed?: string;
  textColumn?: string;
  labelColumn?: string;
  json?: boolean;
}

function positiveInteger(value: string, option: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new PolettError({
      code: 'cli_invalid_option',
      status: 400,
      field: option,
      message: {
        sv: `${option} ska vara ett positivt heltal, inte "${value}".`,
        en: `${option} must be a positive whole number, not "${value}".`,
      },
    });
  return number;
}

function evaluationInput(options: InsightsEvalOptions): EvaluationInput {
  const columns = {
    ...(options.textColumn ? { textColumn: options.textColumn } : {}),
    ...(options.labelColumn ? { labelColumn: options.labelColumn } : {}),
  };
  if (options.train && options.test) return { train: options.train, test: options.test, options: columns };
  if (options.data)
    return {
      data: options.data,
      trainSize: positiveInteger(options.trainSize ?? '1024', '--train-size'),
      seed: positiveInteger(options.seed ?? '1', '--seed'),
      options: columns,
    };
  throw new PolettError({
    code: 'cli_missing_option',
    status: 400,
    message: {
      sv: 'Ange --train <fil> och --test <fil>, eller --data <fil> (delas med --train-size och --seed).',
      en: 'Give --train <file> and --test <file>, or --data <file> (split by --train-size and --seed).',
    },
  });
}

function percent(value: number): string {
  return (value * 100).toFixed(1).padStart(6);
}

function table(report: EvaluationReport, locale: 'sv' | 'en'): string {
  const header =
    locale === 'sv'
      ? '| klassificerare | träffsäkerhet | makro-F1 | MCC |'
      : '| classifier | accuracy | macro-F1 | MCC |';
  const rows = [
    [locale === 'sv' ? 'nivå 1 (svensk)' : 'tier 1 (Swedish-aware)', report],
    [locale === 'sv' ? 'baslinje TF-IDF + LR' : 'baseline TF-IDF + LR', report.baseline],
  ] as const;
  return [
    header,
    '|---|---:|---:|---:|',
    ...rows.map(
      ([name, scores]) =>
        `| ${name} | ${percent(scores.accuracy)} | ${percent(scores.macroF1)} | ${percent(scores.mcc)} |`,
    ),
  ].join('\n');
}

/** `polett insights eval`. */
export async function runInsightsEval(options: InsightsEvalOptions): Promise<void> {
  const report = await evaluateClassifier(evaluationInput(options));
  if (options.json) {
    const { accuracy, macroF1, mcc, n, baseline, labels, trainSize, textsPerSecond, skipped, labelTypos } =
      report;
    process.stdout.write(
      `${JSON.stringify({ accuracy, macroF1, mcc, n, baseline, labels, trainSize, textsPerSecond, skipped, labelTypos })}\n`,
    );
    return;
  }
  const locale = cliLocale();
  for (const typo of report.labelTypos)
    process.stderr.write(
      say(
        {
          sv: `Etiketten "${typo.label}" (${typo.count} rader) ser ut som en felstavning av "${typo.likely}"; de raderna är utelämnade. Rätta dem i filen.\n`,
          en: `The label "${typo.label}" (${typo.count} rows) looks like a typo of "${typo.likely}"; those rows are left out. Correct them in the file.\n`,
        },
        locale,
      ),
    );
  process.stdout.write(
    `${say(
      {
        sv: `Tränad på ${report.trainSize} rader, testad på ${report.n} (etiketter: ${report.labels.join(', ')}; ${report.skipped} rader utelämnade).`,
        en: `Trained on ${report.trainSize} rows, tested on ${report.n} (labels: ${report.labels.join(', ')}; ${report.skipped} rows left out).`,
      },
      locale,
    )}\n\n${table(report, locale)}\n\n${say(
      {
        sv: `MCC-skillnad: ${((report.mcc - report.baseline.mcc) * 100).toFixed(1)} punkter.`,
        en: `MCC difference: ${((report.mcc - report.baseline.mcc) * 100).toFixed(1)} points.`,
      },
      locale,
    )}\n`,
  );
}

// ---- import, analyze, train, report: over the workspace's store, jobs run in this process ----

export interface InsightsWorkspaceOptions {
  workspace?: string;
  json?: boolean;
}

export interface InsightsImportOptions extends InsightsWorkspaceOptions {
  textColumn?: string;
  dateColumn?: string;
  ratingColumn?: string;
  sourceColumn?: string;
  authorColumn?: string;
  idColumn?: string;
  labelColumn?: string;
  dateOrder?: string;
  yes?: boolean;
}

/** The workspace named by slug or id, or the only one there is. */
function resolveWorkspace(polett: Polett, wanted: string | undefined): string {
  const workspaces = openPlatform(polett.storage).workspaces.listAll();
  const found = wanted
    ? workspaces.find((workspace) => workspace.id === wanted || workspace.slug === wanted)
    : workspaces.length === 1
      ? workspaces[0]
      : undefined;
  if (found) return found.id;
  throw new PolettError({
    code: wanted ? 'workspace_not_found' : 'workspace_ambiguous',
    status: wanted ? 404 : 400,
    field: 'workspace',
    message: wanted
      ? {
          sv: `Arbetsytan "${wanted}" finns inte; se \`polett workspaces list\`.`,
          en: `The workspace "${wanted}" does not exist; see \`polett workspaces list\`.`,
        }
      : {
          sv: `Det finns ${workspaces.length} arbetsytor; välj en med --workspace (se \`polett workspaces list\`).`,
          en: `There are ${workspaces.length} workspaces; choose one with --workspace (see \`polett workspaces list\`).`,
        },
  });
}

/** Runs the job in this process's worker pool and follows it with a progress bar on stderr. */
async function runJob(polett: Polett, job: JobRecord, quiet: boolean): Promise<JobRecord> {
  polett.startWorkers({ concurrency: 1 });
  const queue = workspaceJobQueue(polett.jobs, job.workspaceId!);
  const final = quiet ? undefined : await followJobWithProgressBar(queue, job.id, { locale: cliLocale() });
  if (final) return final;
  for await (const event of queue.subscribe(job.id)) if (event.type === 'end') return event.job;
  return (await queue.get(job.id))!;
}

function failedJob(job: JobRecord): PolettError {
  const message = job.error?.message ?? { sv: 'Jobbet misslyckades.', en: 'The job failed.' };
  return new PolettError({ code: job.error?.code ?? 'job_failed', status: 400, message });
}

async function confirm(question: string): Promise<boolean> {
  const readline = await import('node:readline/promises');
  const prompt = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^(j|ja|y|yes)$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

/** `polett insights import <file>`: preview, the column mapping confirmed once, then the import job. */
export async function runInsightsImport(file: string, options: InsightsImportOptions): Promise<void> {
  const locale = cliLocale();
  const target = path.resolve(file);
  const polett = openPolett();
  try {
    const workspaceId = resolveWorkspace(polett, options.workspace);
    const preview = await previewRecords(target);
    const detected = detectColumns(preview.columns, preview.records);
    const chosen = {
      ...detected,
      ...(options.textColumn ? { text: options.textColumn } : {}),
      ...(options.dateColumn ? { date: options.dateColumn } : {}),
      ...(options.ratingColumn ? { rating: options.ratingColumn } : {}),
      ...(options.sourceColumn ? { source: options.sourceColumn } : {}),
      ...(options.authorColumn ? { author: options.authorColumn } : {}),
      ...(options.idColumn ? { id: options.idColumn } : {}),
      ...(options.labelColumn ? { label: options.labelColumn } : {}),
    };
    const unknown = Object.entries(chosen).find(
      ([, column]) => column !== undefined && !preview.columns.includes(column),
    );
    if (!chosen.text || unknown)
      throw new PolettError({
        code: 'insights_column_missing',
        status: 400,
        field: '--text-column',
        message: {
          sv: unknown
            ? `Kolumnen "${unknown[1]}" finns inte i filen (kolumner: ${preview.columns.join(', ')}).`
            : `Hittar ingen textkolumn (kolumner: ${preview.columns.join(', ')}); ange den med --text-column.`,
          en: unknown
            ? `The column "${unknown[1]}" is not in the file (columns: ${preview.columns.join(', ')}).`
            : `No text column found (columns: ${preview.columns.join(', ')}); name it with --text-column.`,
        },
      });
    const mapping = ColumnMapping.parse(chosen);
    if (!options.json) {
      process.stderr.write(
        `${say(
          {
            sv: `${path.basename(target)}: ${preview.sniff.format.toUpperCase()}, ${preview.sniff.encoding ?? 'xlsx'}; kolumner: ${preview.columns.join(', ')}`,
            en: `${path.basename(target)}: ${preview.sniff.format.toUpperCase()}, ${preview.sniff.encoding ?? 'xlsx'}; columns: ${preview.columns.join(', ')}`,
          },
          locale,
        )}\n${Object.entries(mapping)
          .map(([role, column]) => `  ${role} ← ${column}`)
          .join('\n')}\n${preview.records
          .slice(0, 3)
          .map(
            (record) =>
              `  ${record.line}: ${(record.fields[mapping.text] ?? '').slice(0, 70).replace(/\s+/g, ' ')}`,
          )
          .join('\n')}\n`,
      );
    }
    if (!options.yes) {
      if (!process.stdin.isTTY)
        throw new PolettError({
          code: 'insights_mapping_unconfirmed',
          status: 400,
          message: {
            sv: 'Bekräfta kolumnindelningen ovan med --yes (eller rätta den med --text-column, --date-column …).',
            en: 'Confirm the column mapping above with --yes (or correct it with --text-column, --date-column …).',
          },
        });
      if (!(await confirm(say({ sv: 'Importera så här? [j/N] ', en: 'Import like this? [y/N] ' }, locale))))
        return;
    }
    const scope = openInsightsStore(polett.storage.database).forWorkspace(workspaceId);
    const record = scope.createImport({
      fileName: path.basename(target),
      filePath: target,
      format: preview.sniff.format,
      encoding: preview.sniff.encoding ?? null,
    });
    const input = {
      importId: record.id,
      mapping,
      ...(options.dateOrder ? { dateOrder: options.dateOrder as 'day-first' | 'month-first' } : {}),
    };
    const job = await workspaceJobQueue(polett.jobs, workspaceId).enqueue({
      type: INSIGHTS_IMPORT_JOB,
      input: parseJobInput(importJobHandler({ database: polett.storage.database }), input),
    });
    const final = await runJob(polett, job, Boolean(options.json));
    if (final.state !== 'succeeded') throw failedJob(final);
    const report = final.result as ImportReport;
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ importId: record.id, ...report })}\n`);
      return;
    }
    process.stdout.write(
      `${say(
        {
          sv: `${report.imported} rader importerade, ${report.duplicates} dubbletter hoppades över, ${report.skipped} felaktiga rader, ${report.warnings} varningar.`,
          en: `${report.imported} rows imported, ${report.duplicates} duplicates skipped, ${report.skipped} bad rows, ${report.warnings} warnings.`,
        },
        locale,
      )}\n${report.problems
        .slice(0, 20)
        .map(
          (problem) =>
            `  ${say({ sv: 'rad', en: 'line' }, locale)} ${problem.line}: ${problem.reason[locale]}`,
        )
        .join('\n')}${report.problems.length > 0 ? '\n' : ''}${report.labelTypos
        .map((typo) =>
          say(
            {
              sv: `  Etiketten "${typo.label}" ser ut som en felstavning av "${typo.likely}" (${typo.count} rader).`,
              en: `  The label "${typo.label}" looks like a typo of "${typo.likely}" (${typo.count} rows).`,
            },
            locale,
          ),
        )
        .join('\n')}${report.labelTypos.length > 0 ? '\n' : ''}`,
    );
  } finally {
    await polett.close();
  }
}

/** `polett insights analyze`: language, sentiment and aspects of every text, as a resumable job. */
export async function runInsightsAnalyze(
  options: InsightsWorkspaceOptions & { classifier?: string; modelSentiment?: boolean; emotions?: boolean },
): Promise<void> {
  const locale = cliLocale();
  const polett = openPolett();
  try {
    const workspaceId = resolveWorkspace(polett, options.workspace);
    const job = await workspaceJobQueue(polett.jobs, workspaceId).enqueue({
      type: INSIGHTS_ANALYZE_JOB,
      input: {
        ...(options.classifier ? { classifier: options.classifier } : {}),
        ...(options.modelSentiment ? { sentimentBy: 'model' } : {}),
        ...(options.emotions ? { emotions: true } : {}),
      },
    });
    const final = await runJob(polett, job, Boolean(options.json));
    if (final.state !== 'succeeded') throw failedJob(final);
    const result = final.result as { analysedNow: number; total: number; alertsRaised: number };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    process.stdout.write(
      `${say(
        {
          sv: `${result.analysedNow} av ${result.total} texter analyserade; ${result.alertsRaised} nya larm.`,
          en: `${result.analysedNow} of ${result.total} texts analysed; ${result.alertsRaised} new alerts.`,
        },
        locale,
      )}\n`,
    );
  } finally {
    await polett.close();
  }
}

/** `polett insights train <file>`: the tier-1 classifier from labelled examples, stored by name. */
export async function runInsightsTrain(
  file: string,
  options: InsightsWorkspaceOptions & { name?: string; textColumn?: string; labelColumn?: string },
): Promise<void> {
  const locale = cliLocale();
  const labelled = await readLabelledFile(path.resolve(file), {
    ...(options.textColumn ? { textColumn: options.textColumn } : {}),
    ...(options.labelColumn ? { labelColumn: options.labelColumn } : {}),
  });
  const classifier = TextClassifier.train(labelled.examples);
  const name = options.name ?? 'sentiment';
  const polett = openPolett();
  try {
    const scope = openInsightsStore(polett.storage.database).forWorkspace(
      resolveWorkspace(polett, options.workspace),
    );
    const counts = Object.fromEntries(
      classifier.labels.map((label) => [
        label,
        labelled.examples.filter((example) => example.label === label).length,
      ]),
    );
    scope.saveClassifier(name, {
      kind: classifier.kind,
      labels: classifier.labels,
      model: classifier.serialise(),
      metrics: {
        examples: labelled.examples.length,
        counts,
        inverseRegularisation: classifier.inverseRegularisation,
      },
    });
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ name, labels: classifier.labels, examples: labelled.examples.length, counts, skipped: labelled.skipped.length, labelTypos: labelled.labelTypos })}\n`,
      );
      return;
    }
    for (const typo of labelled.labelTypos)
      process.stderr.write(
        say(
          {
            sv: `Etiketten "${typo.label}" (${typo.count} rader) ser ut som en felstavning av "${typo.likely}"; de raderna är utelämnade.\n`,
            en: `The label "${typo.label}" (${typo.count} rows) looks like a typo of "${typo.likely}"; those rows are left out.\n`,
          },
          locale,
        ),
      );
    process.stdout.write(
      `${say(
        {
          sv: `Klassificeraren "${name}" tränad på ${labelled.examples.length} exempel (${Object.entries(
            counts,
          )
            .map(([label, count]) => `${label} ${count}`)
            .join(', ')}). Använd den med: polett insights analyze --classifier ${name}`,
          en: `Classifier "${name}" trained on ${labelled.examples.length} examples (${Object.entries(counts)
            .map(([label, count]) => `${label} ${count}`)
            .join(', ')}). Use it with: polett insights analyze --classifier ${name}`,
        },
        locale,
      )}\n`,
    );
  } finally {
    await polett.close();
  }
}

/** `polett insights report [--format html|markdown|json]`. */
export async function runInsightsReport(
  options: InsightsWorkspaceOptions & { format?: string; output?: string },
): Promise<void> {
  const locale = cliLocale();
  const format = options.json ? 'json' : (options.format ?? 'markdown');
  if (!['markdown', 'html', 'json'].includes(format))
    throw new PolettError({
      code: 'cli_invalid_option',
      status: 400,
      field: '--format',
      message: {
        sv: `--format ska vara markdown, html eller json, inte "${format}".`,
        en: `--format must be markdown, html or json, not "${format}".`,
      },
    });
  const polett = openPolett();
  try {
    const scope = openInsightsStore(polett.storage.database).forWorkspace(
      resolveWorkspace(polett, options.workspace),
    );
    const summary = summariseInsights(scope);
    const text =
      format === 'json'
        ? `${JSON.stringify(summary)}\n`
        : format === 'html'
          ? renderHtmlReport(summary, locale)
          : renderMarkdownReport(summary, locale);
    if (options.output) {
      await writeFile(options.output, text);
      process.stderr.write(
        `${say({ sv: 'Rapporten sparad i', en: 'Report saved to' }, locale)} ${options.output}\n`,
      );
    } else process.stdout.write(text);
  } finally {
    await polett.close();
  }
}
