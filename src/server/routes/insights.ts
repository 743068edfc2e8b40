/**
 * Insights over HTTP: import (upload → preview → confirm the mapping → a job), feedback pushed by
 * the API or a signed webhook, analysis jobs, trends, period comparison, alerts, the analysed rows
 * with filters, their export (CSV, XLSX), a summary for the dashboard, and settings. Workspace
 * routes live under `/api/workspaces/{workspaceId}/insights/`, behind the workspace gate: reads
 * need `read`; imports, pushes and analyses `knowledge.write` (the editors' permission for the
 * company's own data); settings `workspace.manage`. The inbound webhook,
 * `/hooks/insights/{workspaceId}`, is authenticated by its HMAC signature instead.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createRoute, z } from '@hono/zod-openapi';
import { PolettError } from '../../errors.js';
import {
  alertWebhookMissing,
  checkAlertWebhookAddress,
  comparePeriods,
  DEFAULT_ASPECTS,
  detectColumns,
  exportCsv,
  exportXlsx,
  FeedbackPushRequest,
  importJobHandler,
  INSIGHTS_ANALYZE_JOB,
  INSIGHTS_IMPORT_JOB,
  listAnalysedRows,
  openInsightsStore,
  previewRecords,
  pushFeedback,
  sendTestAlert,
  summariseInsights,
  timeSeries,
  verifyInboundSignature,
  type AspectDefinition,
  type FeedbackFilters,
  type ImportRecord,
  type InsightsScope,
} from '../../insights/index.js';
import {
  alertSchema,
  analysisRequestSchema,
  compareQuerySchema,
  comparisonSchema,
  exportQuerySchema,
  importConfirmSchema,
  importPreviewSchema,
  importSchema,
  pushResultSchema,
  rowsQuerySchema,
  rowsSchema,
  secretSchema,
  settingsSchema,
  settingsUpdateSchema,
  summarySchema,
  testDeliverySchema,
  trendsQuerySchema,
  trendsSchema,
} from '../../insights/schemas.js';
import { parseJobInput, workspaceJobQueue } from '../../jobs/index.js';
import type { Permission } from '../../platform/index.js';
import { workspaceParamsSchema } from '../../platform/schemas.js';
import { SqliteStorage } from '../../storage/index.js';
import type { ServerDependencies } from '../context.js';
import {
  createRouter,
  errorResponses,
  invalidRequest,
  jsonBody,
  jsonResponse,
  SIGNED_IN,
} from '../openapi.js';
import { requirePermission } from '../platform/workspace-access.js';
import { insightsUploadLimitBytes, receiveFeedbackFile } from './insights-upload.js';

export { INSIGHTS_UPLOAD_PATH } from './insights-upload.js';

const tags = ['Insights'];
const BASE = '/api/workspaces/{workspaceId}/insights';
const importParams = workspaceParamsSchema.extend({ importId: z.string().min(1) });
const alertParams = workspaceParamsSchema.extend({ alertId: z.string().min(1) });

function route(permission: Permission) {
  return {
    tags,
    security: SIGNED_IN,
    middleware: requirePermission(permission),
    description: `Needs the \`${permission}\` permission in the workspace (see the roles table).`,
  };
}

function notFound(what: 'import' | 'alert', id: string): PolettError {
  return new PolettError({
    code: `insights_${what}_not_found`,
    status: 404,
    message: {
      sv: `${what === 'import' ? 'Importen' : 'Larmet'} ${id} finns inte i arbetsytan.`,
      en: `The ${what} ${id} does not exist in the workspace.`,
    },
  });
}

function presentImport(record: ImportRecord) {
  return {
    id: record.id,
    fileName: record.fileName,
    format: record.format,
    encoding: record.encoding,
    state: record.state,
    jobId: record.jobId,
    report: (record.report ?? null) as z.infer<typeof importSchema>['report'],
    createdAt: record.createdAt,
  };
}

function filtersOf(query: Record<string, unknown>): FeedbackFilters {
  const keys = [
    'from',
    'to',
    'source',
    'language',
    'minimumRating',
    'maximumRating',
    'topic',
    'sentiment',
    'aspect',
    'aspectSentiment',
  ] as const;
  return Object.fromEntries(
    keys.filter((key) => query[key] !== undefined).map((key) => [key, query[key]]),
  ) as FeedbackFilters;
}

/** Two aspects of one name would merge in every chart: refused with the name to change. */
function assertDistinctAspectNames(aspects: readonly AspectDefinition[]): void {
  const seen = new Set<string>();
  for (const aspect of aspects) {
    const key = aspect.name.trim().toLocaleLowerCase('sv');
    if (seen.has(key))
      throw new PolettError({
        code: 'insights_aspect_duplicate',
        status: 400,
        field: 'aspects',
        message: {
          sv: `Aspekten "${aspect.name}" finns två gånger; ge den ena ett annat namn eller slå ihop deras nyckelord.`,
          en: `The aspect "${aspect.name}" is listed twice; rename one or merge their keywords.`,
        },
      });
    seen.add(key);
  }
}

export function insightsRoutes(dependencies: ServerDependencies) {
  const app = createRouter();
  if (!(dependencies.storage instanceof SqliteStorage)) return app;
  const { database } = dependencies.storage;
  const store = openInsightsStore(database);
  const uploadsDirectory = path.join(dependencies.config.dataDir, 'insights', 'uploads');
  const uploadLimitBytes = insightsUploadLimitBytes(dependencies.config.server);
  const uploadLimitMegabytes = Math.round(uploadLimitBytes / (1024 * 1024));
  const scopeOf = (context: { get(key: 'workspace'): { id: string } }): InsightsScope =>
    store.forWorkspace(context.get('workspace').id);
  const jobsOf = (workspaceId: string) => {
    if (!dependencies.jobs)
      throw new PolettError({
        code: 'jobs_unavailable',
        status: 503,
        message: { sv: 'Jobbkön är inte igång.', en: 'The job queue is not running.' },
      });
    return workspaceJobQueue(dependencies.jobs, workspaceId);
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: `${BASE}/imports`,
      summary:
        'Upload a feedback file (CSV, TSV, JSON, JSONL or XLSX, any common encoding) as the raw body; answers its columns, a sample and the detected mapping',
      ...route('knowledge.write'),
      description: `Needs the \`knowledge.write\` permission in the workspace (see the roles table). The body is streamed to disk, outside the server's general body limit; the file may be at most ${uploadLimitMegabytes} MB (1 GB unless \`server.bodyLimitBytes\` is higher, or as set by \`server.feedbackUploadLimitBytes\`). Larger files: \`polett insights import <file>\` on the server.`,
      request: {
        params: workspaceParamsSchema,
        query: z.object({ fileName: z.string().min(1).max(200).default('feedback.csv') }),
        body: {
          required: true,
          content: {
            'text/csv': { schema: z.string() },
            'application/octet-stream': { schema: z.string() },
          },
        },
      },
      responses: {
        201: jsonResponse(importPreviewSchema, 'The preview'),
        ...errorResponses(400, 401, 403, 404, 413),
      },
    }),
    async (context) => {
      const scope = scopeOf(context);
      const fileName = path.basename(context.req.valid('query').fileName).replace(/[^\p{L}\p{N}._-]/gu, '_');
      await mkdir(uploadsDirectory, { recursive: true });
      const target = path.join(uploadsDirectory, `${randomUUID()}-${fileName}`);
      // Streamed to disk under the upload's own limit: the file is never held in memory whole, and
      // a file over the limit, or one that broke off, leaves nothing behind.
      await receiveFeedbackFile(context.req.raw, { target, limitBytes: uploadLimitBytes });
      let preview: Awaited<ReturnType<typeof previewRecords>>;
      try {
        preview = await previewRecords(target);
      } catch (error) {
        // An empty, binary or unreadable file has no import to come back to: it is not kept.
        await rm(target, { force: true });
        throw error;
      }
      const record = scope.createImport({
        fileName,
        filePath: target,
        format: preview.sniff.format,
        encoding: preview.sniff.encoding ?? null,
      });
      return context.json(
        {
          id: record.id,
          fileName,
          format: preview.sniff.format,
          encoding: preview.sniff.encoding ?? null,
          columns: preview.columns,
          mapping: detectColumns(preview.columns, preview.records),
          sample: preview.records.slice(0, 10),
        },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${BASE}/imports/{importId}/confirm`,
      summary: 'Confirm the column mapping once and import the file as a resumable job',
      ...route('knowledge.write'),
      request: { params: importParams, body: jsonBody(importConfirmSchema) },
      responses: {
        202: jsonResponse(z.object({ jobId: z.string() }), 'The job, queued'),
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (context) => {
      const scope = scopeOf(context);
      const { importId } = context.req.valid('param');
      const record = scope.getImport(importId);
      if (!record) throw notFound('import', importId);
      if (record.state !== 'previewed')
        throw new PolettError({
          code: 'insights_import_started',
          status: 409,
          message: {
            sv: 'Importen är redan startad; följ dess jobb i stället.',
            en: 'The import has already started; follow its job instead.',
          },
        });
      const body = context.req.valid('json');
      const input = parseJobInput(importJobHandler({ database }), { importId, ...body });
      const job = await jobsOf(scope.workspaceId).enqueue({ type: INSIGHTS_IMPORT_JOB, input });
      scope.updateImport(importId, { state: 'importing', mapping: body.mapping, jobId: job.id });
      return context.json({ jobId: job.id }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${BASE}/imports/{importId}`,
      summary: 'An import, its state and its report (rows in, duplicates, bad rows by line)',
      ...route('read'),
      request: { params: importParams },
      responses: { 200: jsonResponse(importSchema, 'The import'), ...errorResponses(401, 403, 404) },
    }),
    (context) => {
      const { importId } = context.req.valid('param');
      const record = scopeOf(context).getImport(importId);
      if (!record) throw notFound('import', importId);
      return context.json(presentImport(record), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${BASE}/feedback`,
      summary: 'Push feedback as it arrives (up to 1,000 items); duplicates by id or content are skipped',
      ...route('knowledge.write'),
      request: { params: workspaceParamsSchema, body: jsonBody(FeedbackPushRequest) },
      responses: {
        200: jsonResponse(pushResultSchema, 'What went in'),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    (context) => context.json(pushFeedback(scopeOf(context), context.req.valid('json').items), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${BASE}/analyses`,
      summary: 'Analyse every text (language, sentiment, aspects) as a resumable job; spikes raise alerts',
      ...route('knowledge.write'),
      request: { params: workspaceParamsSchema, body: jsonBody(analysisRequestSchema) },
      responses: {
        202: jsonResponse(z.object({ jobId: z.string() }), 'The job, queued'),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (context) => {
      const workspaceId = context.get('workspace').id;
      const job = await jobsOf(workspaceId).enqueue({
        type: INSIGHTS_ANALYZE_JOB,
        input: context.req.valid('json'),
      });
      return context.json({ jobId: job.id }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${BASE}/summary`,
      summary: 'Totals, sentiment, aspects by sentiment, months, alerts and the most negative quotes',
      ...route('read'),
      request: { params: workspaceParamsSchema },
      responses: { 200: jsonResponse(summarySchema, 'The summary'), ...errorResponses(401, 403, 404) },
    }),
    (context) => context.json(summariseInsights(scopeOf(context)), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${BASE}/trends`,
      summary: 'Volume and sentiment by day, week or month, optionally per source, language, aspect or topic',
      ...route('read'),
      request: { params: workspaceParamsSchema, query: trendsQuerySchema },
      responses: { 200: jsonResponse(trendsSchema, 'The series'), ...errorResponses(400, 401, 403, 404) },
    }),
    (context) => {
      const query = context.req.valid('query');
      const points = timeSeries(scopeOf(context), {
        bucket: query.bucket,
        groupBy: query.groupBy,
        filters: filtersOf(query),
      });
      return context.json({ points }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${BASE}/compare`,
      summary: 'Two periods side by side, with the aspects, topics and sources that moved most',
      ...route('read'),
      request: { params: workspaceParamsSchema, query: compareQuerySchema },
      responses: {
        200: jsonResponse(comparisonSchema, 'The comparison'),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    (context) => {
      const query = context.req.valid('query');
      return context.json(
        comparePeriods(
          scopeOf(context),
          { from: query.beforeFrom, to: query.beforeTo },
          { from: query.afterFrom, to: query.afterTo },
          filtersOf(query),
        ),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${BASE}/alerts`,
      summary: 'Spike alerts, newest first',
      ...route('read'),
      request: { params: workspaceParamsSchema },
      responses: {
        200: jsonResponse(z.object({ alerts: z.array(alertSchema) }), 'The alerts'),
        ...errorResponses(401, 403, 404),
      },
    }),
    (context) => context.json({ alerts: scopeOf(context).listAlerts() }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${BASE}/alerts/{alertId}/acknowledge`,
      summary: 'Mark an alert as seen',
      ...route('knowledge.write'),
      request: { params: alertParams },
      responses: { 204: { description: 'Acknowledged' }, ...errorResponses(401, 403, 404) },
    }),
    (context) => {
      const { alertId } = context.req.valid('param');
      const scope = scopeOf(context);
      if (!scope.listAlerts(10_000).some((alert) => alert.id === alertId)) throw notFound('alert', alertId);
      scope.acknowledgeAlert(alertId);
      return context.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${BASE}/rows`,
      summary: 'The analysed texts behind a chart, filtered by date, source, language, rating, topic, aspect',
      ...route('read'),
      request: { params: workspaceParamsSchema, query: rowsQuerySchema },
      responses: { 200: jsonResponse(rowsSchema, 'A page of rows'), ...errorResponses(400, 401, 403, 404) },
    }),
    (context) => {
      const query = context.req.valid('query');
      return context.json(
        listAnalysedRows(scopeOf(context), filtersOf(query), { limit: query.limit, offset: query.offset }),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${BASE}/export`,
      summary: 'The analysed rows (with the same filters) as CSV or XLSX, streamed',
      ...route('read'),
      request: { params: workspaceParamsSchema, query: exportQuerySchema },
      responses: {
        200: {
          description: 'The file',
          content: {
            'text/csv': { schema: z.string() },
            'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string() },
          },
        },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    (context) => {
      const query = context.req.valid('query');
      const scope = scopeOf(context);
      const xlsx = query.format === 'xlsx';
      const stream = xlsx ? exportXlsx(scope, filtersOf(query)) : exportCsv(scope, filtersOf(query));
      return new Response(Readable.toWeb(stream) as ReadableStream, {
        status: 200,
        headers: {
          'content-type': xlsx
            ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
            : 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="feedback.${query.format}"`,
          'cache-control': 'no-store',
        },
      });
    },
  );

  /** `seesWebhookPath`: a receiver's address often carries its own secret (a Slack or Zapier hook), so readers get its origin only. */
  const presentSettings = (scope: InsightsScope, seesWebhookPath = true) => {
    const settings = scope.settings();
    return {
      aspects: (settings.aspects as AspectDefinition[] | null) ?? DEFAULT_ASPECTS,
      alertWebhookUrl:
        settings.alertWebhookUrl && !seesWebhookPath
          ? new URL(settings.alertWebhookUrl).origin
          : settings.alertWebhookUrl,
      inboundWebhook: settings.inboundWebhookSecret !== null,
    };
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: `${BASE}/settings`,
      summary: 'The aspect list, the alert webhook and whether feedback can be pushed by webhook',
      ...route('read'),
      request: { params: workspaceParamsSchema },
      responses: { 200: jsonResponse(settingsSchema, 'The settings'), ...errorResponses(401, 403, 404) },
    }),
    (context) =>
      context.json(
        presentSettings(scopeOf(context), context.get('workspace').permissions.includes('workspace.manage')),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: `${BASE}/settings`,
      summary:
        'Edit the aspect list or the alert webhook; a new alert webhook answers its signing secret once',
      ...route('workspace.manage'),
      request: { params: workspaceParamsSchema, body: jsonBody(settingsUpdateSchema) },
      responses: {
        200: jsonResponse(
          settingsSchema.extend({ alertWebhookSecret: z.string().optional() }),
          'The settings',
        ),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    (context) => {
      const scope = scopeOf(context);
      const update = context.req.valid('json');
      if (update.aspects) assertDistinctAspectNames(update.aspects);
      if (update.alertWebhookUrl) checkAlertWebhookAddress(update.alertWebhookUrl);
      const current = scope.settings();
      const newSecret =
        update.alertWebhookUrl && update.alertWebhookUrl !== current.alertWebhookUrl
          ? `whsec_${randomBytes(24).toString('base64url')}`
          : undefined;
      scope.updateSettings({
        ...(update.aspects ? { aspects: update.aspects } : {}),
        ...(update.alertWebhookUrl !== undefined
          ? {
              alertWebhookUrl: update.alertWebhookUrl,
              alertWebhookSecret: newSecret ?? (update.alertWebhookUrl ? current.alertWebhookSecret : null),
            }
          : {}),
      });
      return context.json(
        { ...presentSettings(scope), ...(newSecret ? { alertWebhookSecret: newSecret } : {}) },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${BASE}/settings/alert-secret`,
      summary:
        'Replace the secret that signs alert webhooks (when the old one leaked or was lost); the new one is shown once',
      ...route('workspace.manage'),
      request: { params: workspaceParamsSchema },
      responses: { 201: jsonResponse(secretSchema, 'The new secret'), ...errorResponses(401, 403, 404, 409) },
    }),
    (context) => {
      const scope = scopeOf(context);
      if (!scope.settings().alertWebhookUrl) throw alertWebhookMissing();
      const secret = `whsec_${randomBytes(24).toString('base64url')}`;
      scope.updateSettings({ alertWebhookSecret: secret });
      return context.json({ secret }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${BASE}/settings/alert-test`,
      summary:
        'Send one signed test alert (`type: insights.test`) to the alert webhook now and answer how the receiver took it',
      ...route('workspace.manage'),
      request: { params: workspaceParamsSchema },
      responses: {
        200: jsonResponse(testDeliverySchema, 'The receiver accepted it'),
        ...errorResponses(400, 401, 403, 404, 409, 502),
      },
    }),
    async (context) => {
      const { status, eventId } = await sendTestAlert(scopeOf(context), { signal: context.req.raw.signal });
      return context.json({ status, eventId }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${BASE}/settings/inbound-secret`,
      summary:
        'Create (or replace) the secret that signs feedback pushed to /hooks/insights/{workspaceId}; shown once',
      ...route('workspace.manage'),
      request: { params: workspaceParamsSchema },
      responses: { 201: jsonResponse(secretSchema, 'The secret'), ...errorResponses(401, 403, 404) },
    }),
    (context) => {
      const secret = `whsec_${randomBytes(24).toString('base64url')}`;
      scopeOf(context).updateSettings({ inboundWebhookSecret: secret });
      return context.json({ secret }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/hooks/insights/{workspaceId}',
      summary:
        'Push feedback by signed webhook: the body as for …/insights/feedback, with x-polett-timestamp (seconds) and x-polett-signature (sha256=HMAC-SHA256 of `<timestamp>.<body>` with the inbound secret)',
      tags,
      // The body is checked after the signature, so that an unsigned caller learns nothing.
      request: { params: workspaceParamsSchema },
      responses: { 200: jsonResponse(pushResultSchema, 'What went in'), ...errorResponses(400, 403) },
    }),
    async (context) => {
      const { workspaceId } = context.req.valid('param');
      const scope = store.forWorkspace(workspaceId);
      const body = await context.req.text();
      // A workspace that does not exist has no secret: the same refusal, so ids cannot be probed.
      verifyInboundSignature({
        secret: scope.settings().inboundWebhookSecret,
        timestamp: context.req.header('x-polett-timestamp'),
        signature: context.req.header('x-polett-signature'),
        body,
      });
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = undefined;
      }
      const request = FeedbackPushRequest.safeParse(parsed);
      if (!request.success) throw invalidRequest(request.error);
      return context.json(pushFeedback(scope, request.data.items), 200);
    },
  );

  return app;
}
