/**
 * The request and response schemas of Insights' REST API, shared by the server (validation and the
 * OpenAPI document), the web app (types) and the CLI.
 */
import { z } from 'zod';
import { AspectDefinition } from './analysis/aspects.js';
import { ColumnMapping } from './import/column-detection.js';

export const localizedSchema = z.object({ sv: z.string(), en: z.string() });

export const importPreviewSchema = z
  .object({
    id: z.string(),
    fileName: z.string(),
    format: z.string(),
    encoding: z.string().nullable(),
    columns: z.array(z.string()),
    /** The detected mapping, for the user to confirm or correct once. */
    mapping: ColumnMapping.partial(),
    sample: z.array(z.object({ line: z.number().int(), fields: z.record(z.string(), z.string()) })),
  })
  .meta({ id: 'InsightsImportPreview' });

export const importConfirmSchema = z
  .object({ mapping: ColumnMapping, dateOrder: z.enum(['day-first', 'month-first']).optional() })
  .meta({ id: 'InsightsImportConfirm' });

export const importProblemSchema = z.object({
  line: z.number().int(),
  kind: z.enum(['skipped', 'warning']),
  reason: localizedSchema,
});

export const importReportSchema = z
  .object({
    rowsRead: z.number().int(),
    imported: z.number().int(),
    duplicates: z.number().int(),
    skipped: z.number().int(),
    warnings: z.number().int(),
    problems: z.array(importProblemSchema),
    labelTypos: z.array(z.object({ label: z.string(), likely: z.string(), count: z.number().int() })),
    dateOrder: z.enum(['day-first', 'month-first']),
  })
  .meta({ id: 'InsightsImportReport' });

export const importSchema = z
  .object({
    id: z.string(),
    fileName: z.string(),
    format: z.string(),
    encoding: z.string().nullable(),
    state: z.enum(['previewed', 'importing', 'done', 'failed']),
    jobId: z.string().nullable(),
    report: importReportSchema.nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'InsightsImport' });

export const analysisRequestSchema = z
  .object({
    classifier: z.string().min(1).optional(),
    sentimentBy: z.enum(['lexicon', 'model']).optional(),
    emotions: z.boolean().optional(),
    categories: z
      .array(z.object({ name: z.string().min(1).max(60), description: z.string().max(300).optional() }))
      .min(2)
      .max(20)
      .optional(),
    aspects: z.array(AspectDefinition).max(50).optional(),
  })
  .meta({ id: 'InsightsAnalysisRequest' });

export const filtersQuerySchema = z.object({
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  source: z.string().max(200).optional(),
  language: z.string().max(10).optional(),
  minimumRating: z.coerce.number().optional(),
  maximumRating: z.coerce.number().optional(),
  topic: z.string().max(200).optional(),
  sentiment: z.string().max(40).optional(),
  aspect: z.string().max(60).optional(),
  aspectSentiment: z.enum(['positive', 'neutral', 'negative']).optional(),
});

export const trendsQuerySchema = filtersQuerySchema.extend({
  bucket: z.enum(['day', 'week', 'month']).default('week'),
  groupBy: z.enum(['none', 'source', 'language', 'aspect', 'topic', 'sentiment']).default('none'),
});

export const trendPointSchema = z.object({
  period: z.string(),
  group: z.string().nullable(),
  count: z.number().int(),
  positive: z.number().int(),
  neutral: z.number().int(),
  negative: z.number().int(),
  averageScore: z.number().nullable(),
});

export const trendsSchema = z.object({ points: z.array(trendPointSchema) }).meta({ id: 'InsightsTrends' });

export const compareQuerySchema = filtersQuerySchema.extend({
  beforeFrom: z.string().min(1).max(40),
  beforeTo: z.string().min(1).max(40),
  afterFrom: z.string().min(1).max(40),
  afterTo: z.string().min(1).max(40),
});

const periodSummarySchema = z.object({
  count: z.number().int(),
  negativeShare: z.number(),
  positiveShare: z.number(),
  averageScore: z.number().nullable(),
});

export const comparisonSchema = z
  .object({
    before: periodSummarySchema,
    after: periodSummarySchema,
    movers: z.array(
      z.object({
        key: z.string(),
        before: periodSummarySchema,
        after: periodSummarySchema,
        negativeShareChange: z.number(),
        volumeChange: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'InsightsComparison' });

export const alertSchema = z
  .object({
    id: z.string(),
    metric: z.string(),
    periodStart: z.string(),
    value: z.number(),
    expected: z.number(),
    robustZ: z.number(),
    message: localizedSchema,
    createdAt: z.string(),
    acknowledgedAt: z.string().nullable(),
  })
  .meta({ id: 'InsightsAlert' });

export const rowsQuerySchema = filtersQuerySchema.extend({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const analysedRowSchema = z.object({
  id: z.string(),
  text: z.string(),
  occurredAt: z.string().nullable(),
  source: z.string().nullable(),
  author: z.string().nullable(),
  rating: z.number().nullable(),
  language: z.string().nullable(),
  sentiment: z.string().nullable(),
  sentimentScore: z.number().nullable(),
  sentimentModel: z.string().nullable(),
  topic: z.string().nullable(),
  aspects: z.array(z.object({ aspect: z.string(), sentiment: z.string() })),
});

export const rowsSchema = z
  .object({ rows: z.array(analysedRowSchema), total: z.number().int() })
  .meta({ id: 'InsightsRows' });

export const exportQuerySchema = filtersQuerySchema.extend({
  format: z.enum(['csv', 'xlsx']).default('csv'),
});

export const summarySchema = z
  .object({
    total: z.number().int(),
    analysed: z.number().int(),
    sentiment: z.object({
      positive: z.number().int(),
      neutral: z.number().int(),
      negative: z.number().int(),
    }),
    aspects: z.array(
      z.object({ aspect: z.string(), positive: z.number(), neutral: z.number(), negative: z.number() }),
    ),
    months: z.array(trendPointSchema),
    alerts: z.array(alertSchema),
    topics: z.array(z.object({ name: z.string(), size: z.number().int(), quotes: z.array(z.string()) })),
    negativeQuotes: z.array(
      z.object({
        id: z.string(),
        text: z.string(),
        occurredAt: z.string().nullable(),
        source: z.string().nullable(),
        score: z.number(),
      }),
    ),
  })
  .meta({ id: 'InsightsSummary' });

export const settingsSchema = z
  .object({
    aspects: z.array(AspectDefinition),
    alertWebhookUrl: z.string().nullable(),
    /** Whether a secret for pushing feedback by webhook exists (the secret is shown once). */
    inboundWebhook: z.boolean(),
  })
  .meta({ id: 'InsightsSettings' });

export const settingsUpdateSchema = z
  .object({
    aspects: z.array(AspectDefinition).max(50).optional(),
    alertWebhookUrl: z.url().max(2000).nullable().optional(),
  })
  .meta({ id: 'InsightsSettingsUpdate' });

export const secretSchema = z.object({ secret: z.string() }).meta({ id: 'InsightsSecret' });

export const testDeliverySchema = z
  .object({
    /** The receiver's HTTP status. */
    status: z.number().int(),
    /** The `x-polett-event-id` it was sent with. */
    eventId: z.string(),
  })
  .meta({ id: 'InsightsTestDelivery' });

export const pushResultSchema = z
  .object({
    received: z.number().int(),
    inserted: z.number().int(),
    duplicates: z.number().int(),
    problems: z.array(importProblemSchema),
  })
  .meta({ id: 'InsightsPushResult' });
