/**
 * The request and response shapes of Knowledge over HTTP, shared by the routes (and so the
 * OpenAPI document), the web app and the CLI.
 */
import { z } from 'zod';

const localizedSchema = z.object({ sv: z.string(), en: z.string() });

export const passageLocationSchema = z
  .object({
    page: z.number().int().optional(),
    url: z.string().optional(),
    sheet: z.string().optional(),
    row: z.number().int().optional(),
  })
  .meta({ id: 'PassageLocation' });

export const sourceSchema = z
  .object({
    id: z.string(),
    collection: z.string(),
    kind: z.enum(['file', 'folder', 'upload', 'page', 'site']),
    location: z.string(),
    name: z.string(),
    tags: z.array(z.string()),
    options: z.object({ maxPages: z.number().int().optional(), maxDepth: z.number().int().optional() }),
    status: z.enum(['pending', 'syncing', 'ready', 'failed']),
    error: z.object({ code: z.string(), message: localizedSchema }).nullable(),
    lastJobId: z.string().nullable(),
    documentCount: z.number().int(),
    chunkCount: z.number().int(),
    failedCount: z.number().int(),
    syncEveryHours: z.number().int().nullable(),
    lastSyncedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'KnowledgeSource' });

export const sourceListSchema = z
  .object({
    sources: z.array(sourceSchema),
    collections: z.array(
      z.object({ id: z.string(), name: z.string(), sources: z.number(), documents: z.number() }),
    ),
  })
  .meta({ id: 'KnowledgeSourceList' });

export const documentSchema = z
  .object({
    id: z.string(),
    uri: z.string(),
    title: z.string(),
    format: z.string(),
    language: z.string().nullable(),
    chunkCount: z.number().int(),
    indexedAt: z.string(),
  })
  .meta({ id: 'KnowledgeDocument' });

export const sourceDetailSchema = z
  .object({ source: sourceSchema, documents: z.array(documentSchema) })
  .meta({ id: 'KnowledgeSourceDetail' });

/** A web source added over HTTP: one page, or a site crawled from a page or a sitemap. */
export const addWebSourceRequestSchema = z
  .object({
    kind: z.enum(['page', 'site']),
    url: z.url({ protocol: /^https?$/ }),
    collection: z.string().trim().min(1).max(64).optional(),
    name: z.string().trim().min(1).max(200).optional(),
    tags: z.array(z.string().trim().min(1).max(64)).max(20).optional(),
    maxPages: z.number().int().min(1).max(10_000).optional(),
    maxDepth: z.number().int().min(0).max(10).optional(),
    syncEveryHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 365)
      .nullable()
      .optional(),
  })
  .meta({ id: 'KnowledgeAddWebSource' });

const jobRefSchema = z.object({ id: z.string(), state: z.string() });

export const addedSourceSchema = z
  .object({ source: sourceSchema, job: jobRefSchema })
  .meta({ id: 'KnowledgeAddedSource' });

export const reportItemSchema = z
  .object({
    uri: z.string(),
    state: z.enum(['done', 'failed']),
    result: z.unknown().nullable(),
    error: z.object({ code: z.string(), message: localizedSchema }).nullable(),
    finishedAt: z.string(),
  })
  .meta({ id: 'KnowledgeReportItem' });

export const sourceReportSchema = z
  .object({ jobId: z.string().nullable(), items: z.array(reportItemSchema) })
  .meta({ id: 'KnowledgeSourceReport' });

export const searchRequestSchema = z
  .object({
    query: z.string().min(1).max(2000),
    collections: z.array(z.string()).optional(),
    sourceIds: z.array(z.string()).optional(),
    language: z.string().min(2).max(8).optional(),
    tags: z.array(z.string()).optional(),
    limit: z.number().int().min(1).max(100).optional(),
    rerank: z.boolean().optional(),
  })
  .meta({ id: 'KnowledgeSearchRequest' });

export const explainedPassageSchema = z
  .object({
    chunkId: z.string(),
    documentId: z.string(),
    sourceId: z.string(),
    collection: z.string(),
    title: z.string(),
    headingPath: z.array(z.string()),
    text: z.string(),
    location: passageLocationSchema,
    score: z.number(),
    matchedTerms: z.array(z.string()),
    language: z.string().optional(),
    explanation: z.object({
      lexicalRank: z.number().nullable(),
      lexicalScore: z.number().nullable(),
      vectorRank: z.number().nullable(),
      vectorScore: z.number().nullable(),
      rerankScore: z.number().nullable(),
      vectorWeight: z.number(),
      rerankWeight: z.number(),
    }),
  })
  .meta({ id: 'KnowledgePassage' });

export const searchResultSchema = z
  .object({
    passages: z.array(explainedPassageSchema),
    terms: z.array(z.string()),
    mode: z.enum(['lexical', 'hybrid']),
    reranked: z.boolean(),
  })
  .meta({ id: 'KnowledgeSearchResult' });

export type SourceDto = z.infer<typeof sourceSchema>;
export type SourceListDto = z.infer<typeof sourceListSchema>;
export type SourceDetailDto = z.infer<typeof sourceDetailSchema>;
export type AddWebSourceRequest = z.infer<typeof addWebSourceRequestSchema>;
export type AddedSourceDto = z.infer<typeof addedSourceSchema>;
export type SourceReportDto = z.infer<typeof sourceReportSchema>;
export type SearchRequest = z.infer<typeof searchRequestSchema>;
export type SearchResultDto = z.infer<typeof searchResultSchema>;
export type ExplainedPassageDto = z.infer<typeof explainedPassageSchema>;
