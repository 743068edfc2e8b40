/**
 * Knowledge over HTTP: sources (uploaded files, a web page, a site) with their status, errors and
 * per-file report, sync and removal, and search with the explanation of every passage. Every
 * route sits under `/api/workspaces/{workspaceId}/knowledge/`, behind the workspace gate; writes
 * need `knowledge.write`, reads `read`.
 *
 * Files and folders on the server's own disk are added with the CLI only (`polett kb add`): over
 * HTTP a member could otherwise read any file the server may read.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { openKnowledge, type Knowledge, type SourceRecord } from '../../knowledge/index.js';
import {
  addedSourceSchema,
  addWebSourceRequestSchema,
  searchRequestSchema,
  searchResultSchema,
  sourceDetailSchema,
  sourceListSchema,
  sourceReportSchema,
  sourceSchema,
} from '../../knowledge/schemas.js';
import { sourceNotFoundError } from '../../knowledge/knowledge-errors.js';
import type { Permission } from '../../platform/index.js';
import { workspaceParamsSchema } from '../../platform/schemas.js';
import { SqliteStorage } from '../../storage/index.js';
import type { AppEnvironment, ServerDependencies } from '../context.js';
import { createRouter, errorResponses, jsonBody, jsonResponse, SIGNED_IN } from '../openapi.js';
import { requirePermission } from '../platform/workspace-access.js';
import { knowledgeUploadLimitBytes, receiveUpload, uploadUnreadableError } from './knowledge-upload.js';

export { KNOWLEDGE_UPLOAD_PATH } from './knowledge-upload.js';

const tags = ['Knowledge'];
const sourceParams = workspaceParamsSchema.extend({ sourceId: z.string().min(1) });

function route(permission: Permission) {
  return {
    tags,
    security: SIGNED_IN,
    middleware: requirePermission(permission),
    description: `Needs the \`${permission}\` permission in the workspace (see the roles table).`,
  };
}

function presentSource(source: SourceRecord) {
  return source;
}

/** The routes; mounted only where the storage is SQLite (the knowledge store's database). */
export function knowledgeRoutes(dependencies: ServerDependencies, given?: Knowledge) {
  const app = createRouter();
  const storage = dependencies.storage;
  const knowledge =
    given ??
    (storage instanceof SqliteStorage
      ? openKnowledge({
          database: storage.database,
          models: dependencies.models,
          ...(dependencies.jobs ? { jobs: dependencies.jobs } : {}),
          dataDir: dependencies.config.dataDir,
        })
      : undefined);
  if (!knowledge) return app;
  const scoped = (context: Context<AppEnvironment>) => knowledge.forWorkspace(context.get('workspace').id);
  const uploadLimitBytes = knowledgeUploadLimitBytes(dependencies.config.server.bodyLimitBytes);
  // Uploads stream here first, on the file system of the uploads folder, so that they are moved, not copied.
  const incomingFolder = path.join(dependencies.config.dataDir, 'knowledge', 'incoming');

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/knowledge/sources',
      summary: 'The sources of the knowledge base, with status, counts and errors',
      ...route('read'),
      request: { params: workspaceParamsSchema },
      responses: { 200: jsonResponse(sourceListSchema, 'Sources'), ...errorResponses(401, 403, 404) },
    }),
    async (context) => {
      const service = await scoped(context);
      return context.json(
        { sources: service.store.listSources().map(presentSource), collections: service.store.collections() },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/knowledge/sources',
      summary: 'Add a web page or a site (crawled from a page or a sitemap) and start its sync',
      ...route('knowledge.write'),
      request: { params: workspaceParamsSchema, body: jsonBody(addWebSourceRequestSchema) },
      responses: {
        202: jsonResponse(addedSourceSchema, 'The source and its sync job'),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (context) => {
      const body = context.req.valid('json');
      const service = await scoped(context);
      const { source, job } = await service.addSource({
        kind: body.kind,
        location: body.url,
        name: body.name ?? body.url,
        ...(body.collection ? { collection: body.collection } : {}),
        ...(body.tags ? { tags: body.tags } : {}),
        ...(body.syncEveryHours !== undefined ? { syncEveryHours: body.syncEveryHours } : {}),
        options: {
          ...(body.maxPages ? { maxPages: body.maxPages } : {}),
          ...(body.maxDepth !== undefined ? { maxDepth: body.maxDepth } : {}),
        },
      });
      return context.json({ source: presentSource(source), job: { id: job.id, state: job.state } }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/knowledge/uploads',
      summary: 'Upload files (multipart field `files`, repeatable) as one source and start its sync',
      ...route('knowledge.write'),
      description: `Needs the \`knowledge.write\` permission in the workspace (see the roles table). The body is streamed to disk; together the files may be at most ${knowledgeUploadLimitBytes(dependencies.config.server.bodyLimitBytes) / (1024 * 1024)} MB (or \`server.bodyLimitBytes\` when that is higher), each at most 50 MB to be indexed. Larger sets: \`polett kb add <path>\` on the server.`,
      request: {
        params: workspaceParamsSchema,
        body: {
          required: true,
          content: {
            'multipart/form-data': {
              // A plain OpenAPI schema, not zod: a zod schema here would make the validator read
              // the whole body into memory before the route could stream it to disk.
              schema: {
                type: 'object',
                properties: {
                  files: { type: 'array', items: { type: 'string', format: 'binary' } },
                  collection: { type: 'string' },
                  tags: { type: 'string', description: 'Comma-separated tags' },
                },
                required: ['files'],
              },
            },
          },
        },
      },
      responses: {
        202: jsonResponse(addedSourceSchema, 'The source and its sync job'),
        ...errorResponses(400, 401, 403, 404, 413),
      },
    }),
    async (context) => {
      const folder = path.join(incomingFolder, randomUUID());
      try {
        const { files, fields } = await receiveUpload(context.req.raw, {
          folder,
          limitBytes: uploadLimitBytes,
        });
        if (files.length === 0) throw uploadUnreadableError();
        const collection = fields.collection?.trim() || undefined;
        const tagList = (fields.tags ?? '')
          .split(',')
          .map((tag) => tag.trim())
          .filter(Boolean);
        const service = await scoped(context);
        const { source, job } = await service.addUpload(files, {
          ...(collection ? { collection } : {}),
          ...(tagList.length > 0 ? { tags: tagList } : {}),
        });
        return context.json({ source: presentSource(source), job: { id: job.id, state: job.state } }, 202);
      } finally {
        // Moved into the source's folder when stored; whatever is left here was not.
        await rm(folder, { recursive: true, force: true });
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/knowledge/sources/{sourceId}',
      summary: 'One source and its documents',
      ...route('read'),
      request: { params: sourceParams },
      responses: { 200: jsonResponse(sourceDetailSchema, 'The source'), ...errorResponses(401, 403, 404) },
    }),
    async (context) => {
      const { sourceId } = context.req.valid('param');
      const service = await scoped(context);
      const source = service.store.requireSource(sourceId);
      const documents = service.store.listDocuments(sourceId).map((document) => ({
        id: document.id,
        uri: document.uri,
        title: document.title,
        format: document.format,
        language: document.language,
        chunkCount: document.chunkCount,
        indexedAt: document.indexedAt,
      }));
      return context.json({ source: presentSource(source), documents }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/knowledge/sources/{sourceId}/report',
      summary: "The last sync's report: every file or page with its outcome or its error",
      ...route('read'),
      request: { params: sourceParams },
      responses: { 200: jsonResponse(sourceReportSchema, 'The report'), ...errorResponses(401, 403, 404) },
    }),
    async (context) => {
      const { sourceId } = context.req.valid('param');
      const service = await scoped(context);
      const source = service.store.requireSource(sourceId);
      if (!source.lastJobId || !dependencies.jobs) return context.json({ jobId: null, items: [] }, 200);
      const items = await dependencies.jobs.listItems(source.lastJobId, { limit: 5000 });
      return context.json(
        {
          jobId: source.lastJobId,
          items: items
            .filter((item) => !item.key.startsWith('\u0000'))
            .map((item) => ({
              uri: item.key,
              state: item.state,
              result: item.result ?? null,
              error: item.error ? { code: item.error.code, message: item.error.message } : null,
              finishedAt: item.finishedAt,
            })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/knowledge/sources/{sourceId}/sync',
      summary: 'Re-sync a source: only what changed is re-indexed, what vanished is removed',
      ...route('knowledge.write'),
      request: { params: sourceParams },
      responses: {
        202: jsonResponse(addedSourceSchema, 'The source and its sync job'),
        ...errorResponses(401, 403, 404, 409),
      },
    }),
    async (context) => {
      const { sourceId } = context.req.valid('param');
      const service = await scoped(context);
      const job = await service.sync(sourceId);
      return context.json(
        {
          source: presentSource(service.store.requireSource(sourceId)),
          job: { id: job.id, state: job.state },
        },
        202,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/workspaces/{workspaceId}/knowledge/sources/{sourceId}',
      summary: 'Remove a source, its documents, every index entry and its uploaded files',
      ...route('knowledge.write'),
      request: { params: sourceParams },
      responses: {
        200: jsonResponse(z.object({ removed: sourceSchema }), 'Removed'),
        ...errorResponses(401, 403, 404),
      },
    }),
    async (context) => {
      const { sourceId } = context.req.valid('param');
      const service = await scoped(context);
      const source = service.store.getSource(sourceId);
      if (!source || !(await service.removeSource(sourceId))) throw sourceNotFoundError(sourceId);
      return context.json({ removed: presentSource(source) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/knowledge/search',
      summary: 'Search: passages with score, source, location, matched terms and why they rank where they do',
      ...route('read'),
      request: { params: workspaceParamsSchema, body: jsonBody(searchRequestSchema) },
      responses: {
        200: jsonResponse(searchResultSchema, 'Passages, best first'),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (context) => {
      const { query, ...options } = context.req.valid('json');
      const service = await scoped(context);
      const signal = context.req.raw.signal;
      return context.json(await service.search(query, { ...options, signal }), 200);
    },
  );

  return app;
}
