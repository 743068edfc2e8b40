/**
 * Insights' durable jobs: the import of a confirmed file, and the analysis of a workspace's texts.
 * Both checkpoint through `processItem` — the import per batch of rows, the analysis per page of
 * texts — so a process killed with SIGKILL resumes at restart without writing anything twice, and
 * every text ends with exactly one result per analysis (the results' primary key makes sure too).
 */
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { PolettError } from '../errors.js';
import { defineJobHandler, type JobHandler, type JobQueue } from '../jobs/index.js';
import type { LanguageModel } from 'ai';
import type { ClassificationModel } from '../models/index.js';
import { detectLanguage } from '../text/index.js';
import { alertWebhookJobHandler, checkForSpikes, enqueueAlertDeliveries } from './alerts.js';
import { chatModelMissingForEmotions, readEmotions } from './analysis/emotions.js';
import { AspectDefinition, compileAspects, DEFAULT_ASPECTS, findAspects } from './analysis/aspects.js';
import { bestLabels } from './analysis/tier2-classification.js';
import { LEXICON_MODEL, lexiconSentiment } from './analysis/lexicon-sentiment.js';
import { findTopics, TOPIC_MODEL, type TopicInput } from './analysis/topics.js';
import { openInsightsStore, type InsightsScope } from './feedback-store.js';
import { ColumnMapping } from './import/column-detection.js';
import { importFeedbackFile } from './import/feedback-import.js';
import { sniffFile } from './import/record-reader.js';
import { TextClassifier, type SerialisedTextClassifier } from './text-classifier.js';

export { INSIGHTS_ALERT_WEBHOOK_JOB } from './alerts.js';
export const INSIGHTS_IMPORT_JOB = 'insights.import';
export const INSIGHTS_ANALYZE_JOB = 'insights.analyze';

/** Texts analysed per checkpoint: large enough to amortise the commit, small enough to lose little. */
const DEFAULT_PAGE_SIZE = 200;
const LANGUAGE_MODEL = 'tinyld';
/** Texts clustered into topics at most (the first ones by arrival); the rest keep no topic for now. */
const TOPIC_TEXT_LIMIT = 200_000;

export const ImportJobInput = z.object({
  importId: z.string().min(1),
  mapping: ColumnMapping,
  dateOrder: z.enum(['day-first', 'month-first']).optional(),
});

export const AnalyzeJobInput = z.object({
  /** A trained classifier's name: its labels become the sentiment (or category) of each text. */
  classifier: z.string().min(1).optional(),
  /**
   * Tier 2: sentiment by the registry's `classify` model (a local ONNX zero-shot or classification
   * model, or a chat model with a JSON schema) instead of the lexicon.
   */
  sentimentBy: z.enum(['lexicon', 'model']).optional(),
  /** Emotions of each text, read by the registry's chat model (tier 2 only). */
  emotions: z.boolean().optional(),
  /** Custom categories, zero-shot by the `classify` model from their names and descriptions. */
  categories: z
    .array(z.object({ name: z.string().min(1).max(60), description: z.string().max(300).optional() }))
    .min(2)
    .max(20)
    .optional(),
  aspects: z.array(AspectDefinition).max(50).optional(),
  pageSize: z.number().int().min(1).max(5000).optional(),
});
export type AnalyzeJobInput = z.infer<typeof AnalyzeJobInput>;

function scopeFor(database: Database, workspaceId: string | null): InsightsScope {
  if (workspaceId === null)
    throw new PolettError({
      code: 'insights_job_without_workspace',
      status: 400,
      message: {
        sv: 'Insights-jobb hör alltid till en arbetsyta; starta det från arbetsytan.',
        en: 'Insights jobs always belong to a workspace; start it from the workspace.',
      },
    });
  return openInsightsStore(database).forWorkspace(workspaceId);
}

/** A trained classifier of the workspace, by name. */
export function loadClassifier(scope: InsightsScope, name: string): TextClassifier {
  const row = scope.database
    .prepare('SELECT model FROM insights_classifiers WHERE workspace_id = ? AND name = ?')
    .get(scope.workspaceId, name) as { model: string } | undefined;
  if (!row)
    throw new PolettError({
      code: 'insights_classifier_not_found',
      status: 404,
      field: 'classifier',
      message: {
        sv: `Det finns ingen tränad klassificerare som heter "${name}"; träna en med polett insights train.`,
        en: `There is no trained classifier named "${name}"; train one with polett insights train.`,
      },
    });
  return TextClassifier.deserialise(JSON.parse(row.model) as SerialisedTextClassifier);
}

export function importJobHandler(dependencies: { database: Database }) {
  return defineJobHandler({
    type: INSIGHTS_IMPORT_JOB,
    input: ImportJobInput,
    async run(input, context) {
      const scope = scopeFor(dependencies.database, context.workspaceId);
      const record = scope.getImport(input.importId);
      if (!record)
        throw new PolettError({
          code: 'insights_import_not_found',
          status: 404,
          message: { sv: 'Importen finns inte längre.', en: 'The import no longer exists.' },
        });
      scope.updateImport(record.id, { state: 'importing', mapping: input.mapping, jobId: context.jobId });
      try {
        const sniff = await sniffFile(record.filePath);
        const report = await importFeedbackFile(record.filePath, sniff, scope, {
          importId: record.id,
          mapping: input.mapping,
          ...(input.dateOrder ? { dateOrder: input.dateOrder } : {}),
          signal: context.signal,
          // The count of rows is the message: a number reads the same in Swedish and English.
          onProgress: ({ rowsRead }) => context.reportProgress({ message: String(rowsRead) }),
          writeBatch: async (key, write) => {
            await context.processItem(key, (transaction) => write(transaction));
          },
        });
        scope.updateImport(record.id, { state: 'done', report });
        return report;
      } catch (error) {
        if (!context.signal.aborted) scope.updateImport(record.id, { state: 'failed' });
        throw error;
      }
    },
  });
}

/** The workspace's `classify` model (tier 2), or undefined when none is configured and ready. */
export type ClassificationModelSource = (workspaceId: string) => ClassificationModel | undefined;

function classifyModelMissing(): PolettError {
  return new PolettError({
    code: 'insights_classify_model_missing',
    status: 400,
    field: 'sentimentBy',
    message: {
      sv: 'Modellbaserad känsla och egna kategorier behöver en klassificeringsmodell (uppgiften classify): hämta en med `polett models catalogue classify`, eller analysera utan modell (nivå 1).',
      en: 'Model-based sentiment and custom categories need a classification model (the classify task): pull one from `polett models catalogue classify`, or analyse without a model (tier 1).',
    },
  });
}

const SENTIMENT_LABELS = ['positive', 'neutral', 'negative'] as const;

/** The workspace's chat model (tier 2), or undefined when none is configured and ready. */
export type ChatModelSource = (workspaceId: string) => LanguageModel | undefined;

export function analyzeJobHandler(dependencies: {
  database: Database;
  jobs?: Pick<JobQueue, 'enqueue'>;
  classificationModel?: ClassificationModelSource;
  chatModel?: ChatModelSource;
}) {
  return defineJobHandler({
    type: INSIGHTS_ANALYZE_JOB,
    input: AnalyzeJobInput,
    async run(input, context) {
      const scope = scopeFor(dependencies.database, context.workspaceId);
      const classifier = input.classifier ? loadClassifier(scope, input.classifier) : undefined;
      const wantsModel = input.sentimentBy === 'model' || input.categories !== undefined;
      const model = wantsModel ? dependencies.classificationModel?.(scope.workspaceId) : undefined;
      if (wantsModel && !model) throw classifyModelMissing();
      const modelName = model ? `${model.provider}/${model.modelId}` : undefined;
      const sentimentModel = input.classifier
        ? `classifier:${input.classifier}`
        : input.sentimentBy === 'model' && modelName
          ? modelName
          : LEXICON_MODEL;
      const chat = input.emotions ? dependencies.chatModel?.(scope.workspaceId) : undefined;
      if (input.emotions && !chat) throw chatModelMissingForEmotions();
      const chatName =
        chat === undefined ? undefined : typeof chat === 'string' ? chat : `${chat.provider}/${chat.modelId}`;
      const categoryNames = input.categories?.map((category) => category.name) ?? [];
      // Zero-shot reads the description when there is one: "leverans: paket, frakt och väntetid".
      const categoryLabels = input.categories?.map((category) =>
        category.description ? `${category.name}: ${category.description}` : category.name,
      );
      const aspects = compileAspects(
        input.aspects ?? (scope.settings().aspects as AspectDefinition[] | null) ?? DEFAULT_ASPECTS,
      );
      const pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE;
      const total = scope.countFeedback();
      // Progress counts pages, the job's items.
      context.reportProgress({ total: Math.ceil(total / pageSize) });
      let afterRowId = 0;
      let analysed = 0;
      for (;;) {
        context.throwIfAborted();
        const page = scope.feedbackPage(afterRowId, pageSize);
        if (page.length === 0) break;
        // The page's key is the row it starts after: the same pages come back on a resumed run.
        const outcome = await context.processItem(`after-${afterRowId}`, {
          compute: async (signal) => {
            const computed = [];
            // Tier 2 takes the whole page at once: a local encoder classifies it in batches.
            const texts = page.map((feedback) => feedback.text);
            const modelSentiments =
              !classifier && input.sentimentBy === 'model' && model
                ? await bestLabels(model, {
                    texts,
                    labels: [...SENTIMENT_LABELS],
                    hypothesisTemplate: 'Känslan i texten är {}.',
                    abortSignal: signal,
                  })
                : undefined;
            const modelCategories =
              model && categoryLabels
                ? await bestLabels(model, { texts, labels: categoryLabels, abortSignal: signal })
                : undefined;
            for (const [index, feedback] of page.entries()) {
              const language = detectLanguage(feedback.text);
              let sentiment: { label: string; score: number };
              if (classifier) {
                const prediction = classifier.predict(feedback.text);
                sentiment = { label: prediction.label, score: prediction.confidence };
              } else sentiment = modelSentiments?.[index] ?? lexiconSentiment(feedback.text);
              const best = modelCategories?.[index];
              const category = best && {
                label: categoryNames[categoryLabels!.indexOf(best.label)] ?? best.label,
                score: best.score,
              };
              const emotions = chat ? await readEmotions(chat, feedback.text, signal) : undefined;
              computed.push({
                id: feedback.id,
                language,
                sentiment,
                category,
                emotions,
                aspects: findAspects(feedback.text, aspects),
              });
            }
            return computed;
          },
          write: (transaction, computed) => {
            const clearAspects = transaction.prepare(
              'DELETE FROM insights_aspects WHERE workspace_id = ? AND feedback_id = ?',
            );
            const insertAspect = transaction.prepare(
              `INSERT INTO insights_aspects (workspace_id, feedback_id, aspect, sentiment, score, model)
               SELECT ?, id, ?, ?, ?, ? FROM insights_feedback WHERE workspace_id = ? AND id = ?`,
            );
            for (const result of computed) {
              scope.writeResult(
                {
                  feedbackId: result.id,
                  analysis: 'language',
                  label: result.language?.language ?? null,
                  score: result.language?.confidence ?? null,
                  detail: null,
                  model: LANGUAGE_MODEL,
                },
                context.jobId,
                transaction,
              );
              scope.writeResult(
                {
                  feedbackId: result.id,
                  analysis: 'sentiment',
                  label: result.sentiment.label,
                  score: result.sentiment.score,
                  detail: null,
                  model: sentimentModel,
                },
                context.jobId,
                transaction,
              );
              if (result.emotions)
                scope.writeResult(
                  {
                    feedbackId: result.id,
                    analysis: 'emotions',
                    label: result.emotions.emotions[0] ?? null,
                    score: result.emotions.intensity,
                    // An answer that was not the schema's JSON is kept as such, not as "no emotion".
                    detail: result.emotions.unreadable ? { unreadable: true } : result.emotions.emotions,
                    model: chatName!,
                  },
                  context.jobId,
                  transaction,
                );
              if (result.category)
                scope.writeResult(
                  {
                    feedbackId: result.id,
                    analysis: 'category',
                    label: result.category.label,
                    score: result.category.score,
                    detail: null,
                    model: modelName!,
                  },
                  context.jobId,
                  transaction,
                );
              clearAspects.run(scope.workspaceId, result.id);
              for (const aspect of result.aspects)
                insertAspect.run(
                  scope.workspaceId,
                  aspect.aspect,
                  aspect.label,
                  aspect.score,
                  LEXICON_MODEL,
                  scope.workspaceId,
                  result.id,
                );
            }
            return computed.length;
          },
        });
        if (outcome.written) analysed += outcome.value;
        afterRowId = page.at(-1)!.rowId;
      }
      // Topics need every text at once: one item, computed after the pages, written in one transaction.
      await context.processItem('topics', {
        compute: async () => {
          const inputs: TopicInput[] = [];
          let after = 0;
          while (inputs.length < TOPIC_TEXT_LIMIT) {
            const page = scope.feedbackPage(after, 5000);
            if (page.length === 0) break;
            for (const feedback of page) inputs.push({ id: feedback.id, text: feedback.text });
            after = page.at(-1)!.rowId;
          }
          return findTopics(inputs);
        },
        write: (transaction, { topics, assignments }) => {
          transaction
            .prepare("DELETE FROM insights_results WHERE workspace_id = ? AND analysis = 'topic'")
            .run(scope.workspaceId);
          const seen = new Map<string, number>();
          const names = topics.map((topic) => {
            const count = (seen.get(topic.name) ?? 0) + 1;
            seen.set(topic.name, count);
            return count === 1 ? topic.name : `${topic.name} (${count})`;
          });
          for (const assignment of assignments)
            scope.writeResult(
              {
                feedbackId: assignment.id,
                analysis: 'topic',
                label: names[assignment.topic] ?? null,
                score: assignment.similarity,
                detail: null,
                model: TOPIC_MODEL,
              },
              context.jobId,
              transaction,
            );
          return topics.length;
        },
      });
      // Spikes are judged on the whole workspace once its texts are analysed; an alert is stored
      // once per metric and day, so a resumed or repeated analysis raises nothing twice.
      const alerts = checkForSpikes(scope);
      if (dependencies.jobs) await enqueueAlertDeliveries(dependencies.jobs, scope, alerts);
      return { analysedNow: analysed, total: scope.countFeedback(), alertsRaised: alerts.length };
    },
  });
}

/** Insights' job handlers, for the worker pool (src/polett.ts). */
export function insightsJobHandlers(dependencies: {
  database: Database;
  jobs?: Pick<JobQueue, 'enqueue'>;
  fetch?: typeof fetch;
  classificationModel?: ClassificationModelSource;
  chatModel?: ChatModelSource;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the worker pool's own element type
}): Array<JobHandler<any, unknown>> {
  return [
    importJobHandler(dependencies),
    analyzeJobHandler(dependencies),
    alertWebhookJobHandler(dependencies),
  ];
}
