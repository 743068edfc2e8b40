/**
 * Content over HTTP: brand profiles, templates, tier-1 drafts, rule checks and fixes, generation
 * (variants streamed as server-sent events), rewriting, texts with states, versions, comments and
 * export, and webhooks. Every route sits under `/api/workspaces/{workspaceId}/content/`, behind the
 * workspace gate; writes need `content.write`, reads `read`.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import {
  BUILT_IN_TEMPLATES,
  brandProfileSchema,
  chatModelMissingError,
  checkedTextSchema,
  checkRequestSchema,
  commentRequestSchema,
  createTextRequestSchema,
  draftRequestSchema,
  exportQuerySchema,
  exportText,
  fixRequestSchema,
  generateRequestSchema,
  openContentStudio,
  rewriteRequestSchema,
  stateChangeRequestSchema,
  storedProfileSchema,
  templateSchema,
  textListQuerySchema,
  textSchema,
  updateTextRequestSchema,
  userTemplateSchema,
  userTemplateToTemplate,
  webhookRequestSchema,
  type ContentStudioDependencies,
  type ContentTemplate,
} from '../../content/index.js';
import { platformErrors, type Permission } from '../../platform/index.js';
import { workspaceParamsSchema } from '../../platform/schemas.js';
import type { Knowledge } from '../../knowledge/index.js';
import { SqliteStorage } from '../../storage/index.js';
import type { ServerDependencies } from '../context.js';
import { createRouter, errorResponses, jsonBody, jsonResponse, SIGNED_IN } from '../openapi.js';
import { requirePermission } from '../platform/workspace-access.js';

const tags = ['Content'];
const profileParams = workspaceParamsSchema.extend({ profileId: z.string().min(1) });
const templateParams = workspaceParamsSchema.extend({ templateId: z.string().min(1) });
const textParams = workspaceParamsSchema.extend({ textId: z.string().min(1) });
const webhookParams = workspaceParamsSchema.extend({ webhookId: z.string().min(1) });
const localized = z.object({ sv: z.string(), en: z.string() });
const importParams = workspaceParamsSchema.extend({ importId: z.string().min(1) });
const bulkJobParams = workspaceParamsSchema.extend({ jobId: z.string().min(1) });
const bulkImportSchema = z
  .object({
    id: z.string(),
    fileName: z.string(),
    encoding: z.string(),
    columns: z.array(z.string()),
    rowCount: z.number().int(),
    brokenRows: z.number().int(),
    createdAt: z.string(),
    sample: z.array(
      z.object({
        rowNumber: z.number().int(),
        values: z.record(z.string(), z.string()),
        error: localized.optional(),
      }),
    ),
  })
  .meta({ id: 'ContentBulkImport' });
const bulkStartRequestSchema = z
  .object({
    profileId: z.string().min(1),
    templateId: z.string().min(1),
    /** Template field → column of the file. */
    mapping: z.record(z.string(), z.string()),
    language: z.enum(['sv', 'en']).optional(),
    maxOutputTokens: z.number().int().min(1).max(4000).optional(),
  })
  .meta({ id: 'ContentBulkStart' });

const statusSchema = z
  .object({ chatModel: z.boolean(), hint: localized.optional(), knowledge: z.boolean() })
  .meta({ id: 'ContentStatus' });
const versionSchema = z.object({
  version: z.number().int(),
  body: z.string(),
  state: z.string(),
  author: z.string().nullable(),
  note: z.string().nullable(),
  createdAt: z.string(),
});
const commentSchema = z.object({
  id: z.string(),
  author: z.string().nullable(),
  body: z.string(),
  createdAt: z.string(),
});
const webhookSchema = z.object({ id: z.string(), url: z.string(), createdAt: z.string() });
const rewriteResultSchema = checkedTextSchema.extend({ replacement: z.string() });

function route(permission: Permission) {
  return {
    tags,
    security: SIGNED_IN,
    middleware: requirePermission(permission),
    description: `Needs the \`${permission}\` permission in the workspace (see the roles table).`,
  };
}

function presentTemplate(template: ContentTemplate) {
  return {
    id: template.id,
    builtIn: template.builtIn,
    name: template.name,
    description: template.description,
    channel: template.channel,
    fields: template.fields,
    limits: template.limits,
  };
}

/**
 * Mounted only on SQLite storage (the content store's); facts come from `dependencies.knowledge`
 * when given, else from the app's Knowledge.
 */
export function contentRoutes(dependencies: ServerDependencies, knowledge?: Knowledge) {
  const app = createRouter();
  if (!(dependencies.storage instanceof SqliteStorage)) return app;
  const knowledgeFor: ContentStudioDependencies['knowledgeFor'] =
    dependencies.knowledge ?? (knowledge ? (workspaceId) => knowledge.searcherFor(workspaceId) : undefined);
  const studios = openContentStudio({
    database: dependencies.storage.database,
    models: dependencies.models,
    ...(dependencies.jobs ? { jobs: dependencies.jobs } : {}),
    ...(knowledgeFor ? { knowledgeFor } : {}),
  });
  const studioOf = (context: { get(key: 'workspace'): { id: string } }) =>
    studios.forWorkspace(context.get('workspace').id);
  const actorOf = (context: { get(key: 'workspace'): { acting: { actor: { label: string } } } }) =>
    context.get('workspace').acting.actor.label;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/content/status',
      summary: 'Whether generation has a chat model (tier 2) and the knowledge base is wired',
      ...route('read'),
      request: { params: workspaceParamsSchema },
      responses: { 200: jsonResponse(statusSchema, 'The status'), ...errorResponses(401, 403, 404) },
    }),
    (context) => {
      const studio = studioOf(context);
      const chatModel = studio.hasChatModel();
      return context.json(
        {
          chatModel,
          knowledge: studio.knowledge() !== undefined,
          ...(chatModel ? {} : { hint: chatModelMissingError().localized }),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/content/review-reply/{feedbackId}',
      summary: "The review-reply template's fields for a piece of feedback from Insights",
      ...route('read'),
      request: { params: workspaceParamsSchema.extend({ feedbackId: z.string().min(1) }) },
      responses: {
        200: jsonResponse(
          z.object({ templateId: z.string(), fields: z.record(z.string(), z.string()) }),
          'The template and its fields',
        ),
        ...errorResponses(401, 403, 404),
      },
    }),
    (context) =>
      context.json(studioOf(context).reviewReplyFields(context.req.valid('param').feedbackId), 200),
  );

  // ---- Profiles ----

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/content/profiles',
      summary: "The workspace's brand profiles",
      ...route('read'),
      request: { params: workspaceParamsSchema },
      responses: {
        200: jsonResponse(z.object({ profiles: z.array(storedProfileSchema) }), 'Profiles'),
        ...errorResponses(401, 403, 404),
      },
    }),
    (context) => context.json({ profiles: studioOf(context).store.listProfiles() }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/content/profiles',
      summary: 'Create a brand profile; contradictory rules are refused with one sentence',
      ...route('content.write'),
      request: { params: workspaceParamsSchema, body: jsonBody(brandProfileSchema) },
      responses: {
        201: jsonResponse(storedProfileSchema, 'The profile'),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    (context) => context.json(studioOf(context).store.createProfile(context.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/content/profiles/{profileId}',
      summary: 'One brand profile',
      ...route('read'),
      request: { params: profileParams },
      responses: { 200: jsonResponse(storedProfileSchema, 'The profile'), ...errorResponses(401, 403, 404) },
    }),
    (context) =>
      context.json(studioOf(context).store.requireProfile(context.req.valid('param').profileId), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/workspaces/{workspaceId}/content/profiles/{profileId}',
      summary: 'Replace a brand profile',
      ...route('content.write'),
      request: { params: profileParams, body: jsonBody(brandProfileSchema) },
      responses: {
        200: jsonResponse(storedProfileSchema, 'The profile'),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    (context) =>
      context.json(
        studioOf(context).store.updateProfile(
          context.req.valid('param').profileId,
          context.req.valid('json'),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/workspaces/{workspaceId}/content/profiles/{profileId}',
      summary: 'Delete a brand profile (its texts stay)',
      ...route('content.write'),
      request: { params: profileParams },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404) },
    }),
    (context) => {
      studioOf(context).store.removeProfile(context.req.valid('param').profileId);
      return context.body(null, 204);
    },
  );

  // ---- Templates ----

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/content/templates',
      summary: 'The built-in templates and the workspace’s own',
      ...route('read'),
      request: { params: workspaceParamsSchema },
      responses: {
        200: jsonResponse(z.object({ templates: z.array(templateSchema) }), 'Templates'),
        ...errorResponses(401, 403, 404),
      },
    }),
    (context) => {
      const own = studioOf(context)
        .store.listTemplates()
        .map((stored) => userTemplateToTemplate(stored.id, stored.definition));
      return context.json({ templates: [...BUILT_IN_TEMPLATES, ...own].map(presentTemplate) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/content/templates',
      summary: 'Add a template with named fields; a placeholder naming no field is refused',
      ...route('content.write'),
      request: { params: workspaceParamsSchema, body: jsonBody(userTemplateSchema) },
      responses: { 201: jsonResponse(templateSchema, 'The template'), ...errorResponses(400, 401, 403, 404) },
    }),
    (context) => {
      const stored = studioOf(context).store.createTemplate(context.req.valid('json'));
      return context.json(presentTemplate(userTemplateToTemplate(stored.id, stored.definition)), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/workspaces/{workspaceId}/content/templates/{templateId}',
      summary: 'Delete one of the workspace’s own templates',
      ...route('content.write'),
      request: { params: templateParams },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404) },
    }),
    (context) => {
      studioOf(context).store.removeTemplate(context.req.valid('param').templateId);
      return context.body(null, 204);
    },
  );

  // ---- Writing ----

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/content/draft',
      summary: "Tier 1: the template's draft with the fields filled in (no model needed)",
      ...route('read'),
      request: { params: workspaceParamsSchema, body: jsonBody(draftRequestSchema) },
      responses: {
        200: jsonResponse(z.object({ text: z.string() }), 'The draft'),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    (context) => context.json({ text: studioOf(context).draft(context.req.valid('json')) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/content/check',
      summary: 'Run the rule checks (and, with facts, the fact check) on a text; no model needed',
      ...route('read'),
      request: { params: workspaceParamsSchema, body: jsonBody(checkRequestSchema) },
      responses: {
        200: jsonResponse(checkedTextSchema, 'The findings'),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (context) => context.json(await studioOf(context).check(context.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/content/fix',
      summary: "Apply one finding's fix and check again",
      ...route('read'),
      description:
        'Needs the `read` permission in the workspace; a `rewrite` fix, which runs the chat model, needs `content.write`.',
      request: { params: workspaceParamsSchema, body: jsonBody(fixRequestSchema) },
      responses: {
        200: jsonResponse(checkedTextSchema, 'The fixed text'),
        ...errorResponses(400, 401, 403, 404, 409, 503),
      },
    }),
    async (context) => {
      const request = context.req.valid('json');
      // A rewriting fix spends the chat model as /rewrite does, so it needs the same permission.
      if (request.fix.kind === 'rewrite' && !context.get('workspace').permissions.includes('content.write'))
        throw platformErrors.permissionDenied('content.write');
      return context.json(await studioOf(context).fix(request), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/content/generate',
      summary:
        'Write variants with the chat model, streamed as server-sent events (sources, variant-start, text-delta, variant-end, variant-error, end)',
      ...route('content.write'),
      request: { params: workspaceParamsSchema, body: jsonBody(generateRequestSchema) },
      responses: {
        200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } },
        ...errorResponses(400, 401, 403, 404, 503),
      },
    }),
    (context) => {
      // Everything is checked before the stream opens, so a bad request is a plain error.
      const events = studioOf(context).prepareGeneration(context.req.valid('json'), context.req.raw.signal);
      return streamSSE(context, async (stream) => {
        let sequence = 0;
        for await (const event of events) {
          sequence += 1;
          await stream.writeSSE({ event: event.type, data: JSON.stringify(event), id: String(sequence) });
        }
      }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/content/rewrite',
      summary: 'Rewrite a selection: shorter, longer, formal, casual, for another audience, or translated',
      ...route('content.write'),
      request: { params: workspaceParamsSchema, body: jsonBody(rewriteRequestSchema) },
      responses: {
        200: jsonResponse(rewriteResultSchema, 'The new text'),
        ...errorResponses(400, 401, 403, 404, 503),
      },
    }),
    async (context) => context.json(await studioOf(context).rewrite(context.req.valid('json')), 200),
  );

  // ---- Texts ----

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/content/texts',
      summary: "The workspace's texts, newest first; `state=in_review` is the review queue",
      ...route('read'),
      request: { params: workspaceParamsSchema, query: textListQuerySchema },
      responses: {
        200: jsonResponse(z.object({ texts: z.array(textSchema) }), 'Texts'),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    (context) => {
      const query = context.req.valid('query');
      return context.json(
        {
          texts: studioOf(context).store.listTexts({
            ...(query.state ? { state: query.state } : {}),
            ...(query.bulkJobId ? { bulkJobId: query.bulkJobId } : {}),
          }),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/content/texts',
      summary: 'Save a text as a draft, checked against its profile and template',
      ...route('content.write'),
      request: { params: workspaceParamsSchema, body: jsonBody(createTextRequestSchema) },
      responses: { 201: jsonResponse(textSchema, 'The text'), ...errorResponses(400, 401, 403, 404) },
    }),
    (context) =>
      context.json(
        studioOf(context).createText({ ...context.req.valid('json'), author: actorOf(context) }),
        201,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/content/texts/{textId}',
      summary: 'One text',
      ...route('read'),
      request: { params: textParams },
      responses: { 200: jsonResponse(textSchema, 'The text'), ...errorResponses(401, 403, 404) },
    }),
    (context) => context.json(studioOf(context).store.requireText(context.req.valid('param').textId), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/workspaces/{workspaceId}/content/texts/{textId}',
      summary: 'Save a new version of the text (an approved text goes back to draft)',
      ...route('content.write'),
      request: { params: textParams, body: jsonBody(updateTextRequestSchema) },
      responses: { 200: jsonResponse(textSchema, 'The text'), ...errorResponses(400, 401, 403, 404) },
    }),
    (context) =>
      context.json(
        studioOf(context).updateText(context.req.valid('param').textId, {
          ...context.req.valid('json'),
          author: actorOf(context),
        }),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/content/texts/{textId}/state',
      summary:
        'Move the text to another state (draft → in_review → approved → published); signed webhooks hear of it',
      ...route('content.write'),
      request: { params: textParams, body: jsonBody(stateChangeRequestSchema) },
      responses: { 200: jsonResponse(textSchema, 'The text'), ...errorResponses(400, 401, 403, 404, 409) },
    }),
    async (context) =>
      context.json(
        await studioOf(context).changeState(
          context.req.valid('param').textId,
          context.req.valid('json').state,
          actorOf(context),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/content/texts/{textId}/versions',
      summary: "The text's versions, newest first",
      ...route('read'),
      request: { params: textParams },
      responses: {
        200: jsonResponse(z.object({ versions: z.array(versionSchema) }), 'Versions'),
        ...errorResponses(401, 403, 404),
      },
    }),
    (context) =>
      context.json(
        { versions: studioOf(context).store.listVersions(context.req.valid('param').textId) },
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/content/texts/{textId}/comments',
      summary: "The text's comments, oldest first",
      ...route('read'),
      request: { params: textParams },
      responses: {
        200: jsonResponse(z.object({ comments: z.array(commentSchema) }), 'Comments'),
        ...errorResponses(401, 403, 404),
      },
    }),
    (context) =>
      context.json(
        { comments: studioOf(context).store.listComments(context.req.valid('param').textId) },
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/content/texts/{textId}/comments',
      summary: 'Comment on a text',
      ...route('content.write'),
      request: { params: textParams, body: jsonBody(commentRequestSchema) },
      responses: { 201: jsonResponse(commentSchema, 'The comment'), ...errorResponses(400, 401, 403, 404) },
    }),
    (context) =>
      context.json(
        studioOf(context).store.addComment(
          context.req.valid('param').textId,
          context.req.valid('json').body,
          actorOf(context),
        ),
        201,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/content/texts/{textId}/export',
      summary: 'The text as Markdown, HTML or plain text, with its sources',
      ...route('read'),
      request: { params: textParams, query: exportQuerySchema },
      responses: {
        200: {
          description: 'The exported text',
          content: { 'text/markdown': { schema: z.string() }, 'text/html': { schema: z.string() } },
        },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    (context) => {
      const text = studioOf(context).store.requireText(context.req.valid('param').textId);
      const exported = exportText(text, context.req.valid('query').format);
      const fileName = `${
        text.title
          .replace(/[^\p{L}\p{N} _-]/gu, '')
          .trim()
          .slice(0, 80) || 'text'
      }.${exported.extension}`;
      context.header('Content-Type', exported.contentType);
      context.header('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`);
      return context.body(exported.body, 200) as never;
    },
  );

  // ---- Webhooks ----

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/content/webhooks',
      summary: 'The webhooks that hear of every change of state',
      // A receiver's address often carries its own secret (a Zapier or Slack hook): editors only.
      ...route('content.write'),
      request: { params: workspaceParamsSchema },
      responses: {
        200: jsonResponse(z.object({ webhooks: z.array(webhookSchema) }), 'Webhooks'),
        ...errorResponses(401, 403, 404),
      },
    }),
    (context) => context.json({ webhooks: studioOf(context).store.listWebhooks() }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/content/webhooks',
      summary: 'Add a webhook; its signing secret is shown once',
      ...route('content.write'),
      request: { params: workspaceParamsSchema, body: jsonBody(webhookRequestSchema) },
      responses: {
        201: jsonResponse(webhookSchema.extend({ secret: z.string() }), 'The webhook and its secret'),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    (context) => context.json(studioOf(context).store.createWebhook(context.req.valid('json').url), 201),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/workspaces/{workspaceId}/content/webhooks/{webhookId}',
      summary: 'Remove a webhook',
      ...route('content.write'),
      request: { params: webhookParams },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404) },
    }),
    (context) => {
      studioOf(context).store.removeWebhook(context.req.valid('param').webhookId);
      return context.body(null, 204);
    },
  );

  // ---- Bulk ----

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/content/bulk/imports',
      summary:
        'Upload a catalogue (CSV in any common encoding, or XLSX) as the raw body; answers its columns and broken rows',
      ...route('content.write'),
      request: {
        params: workspaceParamsSchema,
        query: z.object({ fileName: z.string().min(1).max(200).default('catalogue.csv') }),
        body: {
          required: true,
          content: {
            'text/csv': { schema: z.string() },
            'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string() },
            'application/octet-stream': { schema: z.string() },
          },
        },
      },
      responses: {
        201: jsonResponse(bulkImportSchema, 'The import'),
        ...errorResponses(400, 401, 403, 404, 413, 422),
      },
    }),
    async (context) => {
      const bytes = new Uint8Array(await context.req.arrayBuffer());
      return context.json(
        await studioOf(context).uploadBulk(bytes, context.req.valid('query').fileName),
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/content/bulk/imports/{importId}/start',
      summary: "Map the columns to the template's fields once and write one text per row, as a resumable job",
      ...route('content.write'),
      request: { params: importParams, body: jsonBody(bulkStartRequestSchema) },
      responses: {
        202: jsonResponse(z.object({ jobId: z.string() }), 'The job, queued'),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (context) => {
      const job = await studioOf(context).startBulk(
        context.req.valid('param').importId,
        context.req.valid('json'),
      );
      return context.json({ jobId: job.id }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/content/bulk/{jobId}/result',
      summary:
        "A bulk run's result as CSV or XLSX: every row with its text, findings, near-duplicate and error",
      ...route('read'),
      request: { params: bulkJobParams, query: z.object({ format: z.enum(['csv', 'xlsx']).default('csv') }) },
      responses: {
        200: { description: 'The result file', content: { 'text/csv': { schema: z.string() } } },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (context) => {
      const { format } = context.req.valid('query');
      const file = await studioOf(context).bulkResult(
        context.req.valid('param').jobId,
        format,
        context.get('locale'),
      );
      context.header(
        'Content-Type',
        format === 'csv'
          ? 'text/csv; charset=utf-8'
          : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      );
      context.header(
        'Content-Disposition',
        `attachment; filename="content-${context.req.valid('param').jobId}.${format}"`,
      );
      return context.body(file as unknown as ArrayBuffer, 200) as never;
    },
  );

  return app;
}
