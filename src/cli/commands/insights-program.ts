/**
 * Registers `polett insights` and its subcommands; each loads its implementation only when run,
 * like the rest of the CLI.
 */
import type { Command } from 'commander';
import type { InsightsEvalOptions, InsightsImportOptions, InsightsWorkspaceOptions } from './insights.js';

export function registerInsightsCommands(
  program: Command,
  action: <Arguments extends unknown[]>(
    run: (...parameters: Arguments) => Promise<void>,
  ) => (...parameters: Arguments) => Promise<void>,
): void {
  const insights = program
    .command('insights')
    .description('what customers feel and talk about: feedback analysis');
  insights
    .command('import <file>')
    .description(
      'import feedback (CSV, TSV, JSON, JSONL, XLSX; any common encoding): preview, confirm the columns, import',
    )
    .option('-w, --workspace <slug or id>', 'the workspace (default: the only one)')
    .option('--text-column <name>', 'the column holding the text (default: detected)')
    .option('--date-column <name>', 'the column holding the date')
    .option('--rating-column <name>', 'the column holding the rating')
    .option('--source-column <name>', 'the column holding the source')
    .option('--author-column <name>', 'the column holding the author')
    .option('--id-column <name>', 'the column holding the id (duplicates by id are skipped)')
    .option('--label-column <name>', 'the column holding a label')
    .option(
      '--date-order <order>',
      'numeric dates such as 03/05/2024: day-first or month-first (default: decided from the column)',
    )
    .option('-y, --yes', 'accept the column mapping shown without asking')
    .option('--json', 'print one JSON object (the import report)')
    .action(
      action(async (file: string, options: InsightsImportOptions) =>
        (await import('./insights.js')).runInsightsImport(file, options),
      ),
    );
  insights
    .command('analyze')
    .description('language, sentiment and aspects of every text, as a resumable job with a progress bar')
    .option('-w, --workspace <slug or id>', 'the workspace (default: the only one)')
    .option('--classifier <name>', 'use a classifier trained with `polett insights train` for the sentiment')
    .option('--model-sentiment', 'sentiment by the classify model (tier 2) instead of the lexicon')
    .option('--emotions', 'emotions of each text by the chat model (tier 2)')
    .option('--json', 'print one JSON object')
    .action(
      action(
        async (
          options: InsightsWorkspaceOptions & {
            classifier?: string;
            modelSentiment?: boolean;
            emotions?: boolean;
          },
        ) => (await import('./insights.js')).runInsightsAnalyze(options),
      ),
    );
  insights
    .command('train <file>')
    .description(
      'train the tier-1 classifier on a labelled file (any labels: sentiment, categories) and store it',
    )
    .option('-w, --workspace <slug or id>', 'the workspace (default: the only one)')
    .option('-n, --name <name>', 'the name to store it under (default: sentiment)')
    .option('--text-column <name>', 'the column holding the text (default: detected)')
    .option('--label-column <name>', 'the column holding the label (default: detected)')
    .option('--json', 'print one JSON object')
    .action(
      action(
        async (
          file: string,
          options: InsightsWorkspaceOptions & { name?: string; textColumn?: string; labelColumn?: string },
        ) => (await import('./insights.js')).runInsightsTrain(file, options),
      ),
    );
  insights
    .command('report')
    .description('a report of the analysed feedback: sentiment, aspects, months, alerts, quotes')
    .option('-w, --workspace <slug or id>', 'the workspace (default: the only one)')
    .option('-f, --format <format>', 'markdown (default), html or json')
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .option('--json', 'print one JSON object')
    .action(
      action(async (options: InsightsWorkspaceOptions & { format?: string; output?: string }) =>
        (await import('./insights.js')).runInsightsReport(options),
      ),
    );
  insights
    .command('eval')
    .description(
      'train the tier-1 classifier and a TF-IDF + logistic regression baseline on labelled rows and score both (accuracy, macro-F1, MCC)',
    )
    .option('--train <file>', 'labelled training file (CSV, TSV, JSON, JSONL, XLSX)')
    .option('--test <file>', 'labelled test file')
    .option('--data <file>', 'one labelled file, split stratified into training and test rows')
    .option('--train-size <rows>', 'with --data: rows to train on (default 1024)')
    .option('--seed <number>', 'with --data: seed of the split (default 1)')
    .option('--text-column <name>', 'the column holding the text (default: detected)')
    .option('--label-column <name>', 'the column holding the label (default: detected)')
    .option('--json', 'print one JSON object')
    .action(
      action(async (options: InsightsEvalOptions) =>
        (await import('./insights.js')).runInsightsEval(options),
      ),
    );
}
