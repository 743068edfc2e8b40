/**
 * Jobs and models of a workspace over HTTP: the workspace's jobs, a job's live progress as
 * server-sent events, cancelling, starting a model pull as a job, and testing a model.
 * Every route sits under `/api/workspaces/{workspaceId}/`, behind the workspace gate (app.ts).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { embedMany, generateText } from 'ai';
import { streamSSE } from 'hono/streaming';
import { jobListQuerySchema, jobListSchema, jobSchema } from '../../jobs/schemas.js';
import { jobNotFoundError, workspaceJobQueue, type JobQueue, type JobRecord } from '../../jobs/index.js';
import { CONTENT_BULK_JOB } from '../../content/bulk/bulk-run.js';
import { INSIGHTS_ANALYZE_JOB, INSIGHTS_IMPORT_JOB } from '../../insights/insights-jobs.js';
import { KNOWLEDGE_RESYNC_JOB } from '../../knowledge/resync-job.js';
import { KNOWLEDGE_SYNC_JOB } from '../../knowledge/sync-job.js';
import { MODEL_PULL_JOB, modelPullJobInput } from '../../models/local-models.js';
import { MODEL_TASKS, type ModelRegistry, type ModelTask } from '../../models/index.js';
import type { Permission } from '../../platform/index.js';
import { permissionDenied } from '../../platform/platform-errors.js';
import { workspaceParamsSchema } from '../../platform/schemas.js';
import { createRouter, errorResponses, jsonBody, jsonResponse, SIGNED_IN } from '../openapi.js';
import { requirePermission } from '../platform/workspace-access.js';

const jobParamsSchema = workspaceParamsSchema.extend({ jobId: z.string().min(1) });
const modelParamsSchema = workspaceParamsSchema.extend({ alias: z.string().min(1) });
const modelTestResultSchema = z
  .object({ alias: z.string(), text: z.string(), milliseconds: z.number() })
  .meta({ id: 'ModelTestResult' });

/** Who may cancel a job: whoever may start one of its type; unknown types need `workspace.manage`. */
const JOB_TYPE_PERMISSIONS: Record<string, Permission> = {
  [MODEL_PULL_JOB]: 'models.manage',
  [KNOWLEDGE_SYNC_JOB]: 'knowledge.write',
  [KNOWLEDGE_RESYNC_JOB]: 'knowledge.write',
  [CONTENT_BULK_JOB]: 'content.write',
  // Insights' imports and analyses are started with `knowledge.write` (see routes/insights.ts).
  [INSIGHTS_IMPORT_JOB]: 'knowledge.write',
  [INSIGHTS_ANALYZE_JOB]: 'knowledge.write',
};

function route(permission: Permission, tags: string[]) {
  return {
    tags,
    security: SIGNED_IN,
    middleware: requirePermission(permission),
    description: `Needs the \`${permission}\` permission in the workspace (see the roles table).`,
  };
}

/** What a client sees of a job: no lease internals, no input (it may hold a token). */
function presentJob(job: JobRecord) {
  return {
    id: job.id,
    type: job.type,
    state: job.state,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    progress: job.progress,
    result: job.result,
    error: job.error,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
}

export function jobAndModelRoutes(dependencies: { jobs: JobQueue; models: ModelRegistry }) {
  const app = createRouter();
  const scoped = (workspaceId: string) => workspaceJobQueue(dependencies.jobs, workspaceId);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/jobs',
      summary: "The workspace's jobs, newest first",
      ...route('read', ['Jobs']),
      request: { params: workspaceParamsSchema, query: jobListQuerySchema },
      responses: { 200: jsonResponse(jobListSchema, 'Jobs'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (context) => {
      const { limit, state } = context.req.valid('query');
      const jobs = await scoped(context.get('workspace').id).list({
        limit,
        ...(state ? { states: [state] } : {}),
      });
      return context.json({ jobs: jobs.map(presentJob) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/jobs/{jobId}',
      summary: 'One job',
      ...route('read', ['Jobs']),
      request: { params: jobParamsSchema },
      responses: { 200: jsonResponse(jobSchema, 'The job'), ...errorResponses(401, 403, 404) },
    }),
    async (context) => {
      const { jobId } = context.req.valid('param');
      const job = await scoped(context.get('workspace').id).get(jobId);
      if (!job) throw jobNotFoundError(jobId);
      return context.json(presentJob(job), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/jobs/{jobId}/events',
      summary: "A job's progress, live, as server-sent events (snapshot, state-change, progress-update, end)",
      ...route('read', ['Jobs']),
      request: { params: jobParamsSchema },
      responses: {
        200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (context) => {
      const { jobId } = context.req.valid('param');
      const queue = scoped(context.get('workspace').id);
      // Refuse before the stream opens, so that a wrong id is a plain 404 rather than an empty stream.
      const job = await queue.get(jobId);
      if (!job) throw jobNotFoundError(jobId);
      return streamSSE(context, async (stream) => {
        let sequence = 0;
        for await (const event of queue.subscribe(jobId, { signal: context.req.raw.signal })) {
          sequence += 1;
          const data =
            event.type === 'end' || event.type === 'snapshot'
              ? { ...event, job: presentJob(event.job) }
              : event;
          await stream.writeSSE({ event: event.type, data: JSON.stringify(data), id: String(sequence) });
        }
      }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/jobs/{jobId}/cancel',
      summary: 'Cancel a job: at once when it waits, at its next step when it runs',
      ...route('read', ['Jobs']),
      description: 'Needs the permission that starts a job of that type (`models.manage` for model pulls).',
      request: { params: jobParamsSchema },
      responses: { 200: jsonResponse(jobSchema, 'The job'), ...errorResponses(401, 403, 404) },
    }),
    async (context) => {
      const access = context.get('workspace');
      const queue = scoped(access.id);
      const { jobId } = context.req.valid('param');
      const job = await queue.get(jobId);
      if (!job) throw jobNotFoundError(jobId);
      const needed = JOB_TYPE_PERMISSIONS[job.type] ?? 'workspace.manage';
      if (!access.permissions.includes(needed)) throw permissionDenied(needed);
      return context.json(presentJob(await queue.cancel(jobId)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/models/pull',
      summary: 'Pull a model from the Hugging Face hub (or HF_ENDPOINT) as a job',
      ...route('models.manage', ['Models']),
      request: { params: workspaceParamsSchema, body: jsonBody(modelPullJobInput) },
      responses: {
        202: jsonResponse(jobSchema, 'The pull job, queued'),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (context) => {
      const job = await scoped(context.get('workspace').id).enqueue({
        type: MODEL_PULL_JOB,
        input: context.req.valid('json'),
        maxAttempts: 3,
      });
      return context.json(presentJob(job), 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/models/{alias}/test',
      summary:
        'Load a model (an alias, or a task name for its chain) and run one call; says how long it took',
      ...route('models.manage', ['Models']),
      request: { params: modelParamsSchema },
      responses: {
        200: jsonResponse(modelTestResultSchema, 'The answer and the time'),
        ...errorResponses(401, 403, 404, 503),
      },
    }),
    async (context) => {
      const { alias } = context.req.valid('param');
      const workspaceId = context.get('workspace').id;
      // A task name (`chat`, `embed`...) tests that task's chain, as model ids do on /v1; an alias is
      // tested in the first task it serves (or chat).
      const task: ModelTask = (MODEL_TASKS as readonly string[]).includes(alias)
        ? (alias as ModelTask)
        : (dependencies.models.describe().find((model) => model.alias === alias)?.tasks[0] ??
          (dependencies.models.describe().find((model) => model.alias === alias)?.providerType ===
          'local-onnx'
            ? 'embed'
            : 'chat'));
      const chosen = (MODEL_TASKS as readonly string[]).includes(alias) ? {} : { alias };
      const sample = 'Hur lång är leveranstiden till Göteborg?';
      const startedAt = performance.now();
      let text: string;
      if (task === 'embed') {
        const { embeddings } = await embedMany({
          model: dependencies.models.embeddingModel({ ...chosen, workspaceId }),
          values: [sample],
          maxRetries: 0,
        });
        text = `${embeddings[0]?.length ?? 0} dimensions`;
      } else if (task === 'rerank') {
        const { ranking } = await dependencies.models.rerankingModel({ ...chosen, workspaceId }).doRerank({
          query: sample,
          documents: { type: 'text', values: ['Leveransen tar 2–4 dagar.', 'Öppettider'] },
        });
        text = ranking.map((entry) => `${entry.index}: ${entry.relevanceScore.toFixed(3)}`).join(', ');
      } else if (task === 'classify') {
        const { scores } = await dependencies.models
          .classificationModel({ ...chosen, workspaceId })
          .doClassify({ text: sample, labels: ['leverans', 'pris', 'kvalitet'] });
        text = scores.map((score) => `${score.label} ${score.score.toFixed(2)}`).join(', ');
      } else {
        const result = await generateText({
          model: dependencies.models.languageModel({ ...chosen, workspaceId }),
          prompt: 'Säg hej på svenska.',
          maxOutputTokens: 16,
          maxRetries: 0,
        });
        text = result.text;
      }
      return context.json({ alias, text, milliseconds: Math.round(performance.now() - startedAt) }, 200);
    },
  );

  return app;
}
