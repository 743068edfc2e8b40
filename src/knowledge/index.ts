/**
 * Knowledge: the company's own documents as ground truth. Sources (files, folders, uploads, web
 * pages, sites) are synchronised by a durable job into chunks with a Swedish lexical index and,
 * when an embedding model is configured, vectors; search is hybrid with an optional reranker.
 *
 * ```ts
 * const knowledge = openKnowledge({ database: storage.database, models, jobs, dataDir });
 * const scoped = knowledge.forWorkspace(workspaceId);      // workspace from the request's membership
 * const { source, job } = await scoped.addSource({ kind: 'folder', location: '/srv/handbok' });
 * const passages = await scoped.searcher.search('returpolicy'); // KnowledgeSearcher
 * ```
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { embedMany, type RerankingModel } from 'ai';
import { workspaceJobQueue, type JobQueue, type JobRecord } from '../jobs/index.js';
import type { ModelRegistry } from '../models/index.js';
import { swedishAnalyzer } from '../text/swedish.js';
import { hybridSearch, ModelTrust, type HybridSearchResult } from './hybrid-search.js';
import { sourceBusyError } from './knowledge-errors.js';
import type { ParsedDocument, ParserInput } from './parsing/types.js';
import type { KnowledgeSearcher, KnowledgeSearchOptions } from './search-contract.js';
import {
  openKnowledgeStore,
  type Embedder,
  type SqliteKnowledgeStore,
  type WorkspaceKnowledge,
} from './sqlite-knowledge-store.js';
import { KNOWLEDGE_SYNC_JOB, knowledgeSyncJobHandler, type WebReader } from './sync-job.js';
import type { NewSource, SourceRecord } from './types.js';

export type * from './types.js';
export type {
  KnowledgeSearcher,
  KnowledgeSearchOptions,
  Passage,
  PassageLocation,
} from './search-contract.js';
export { chunkDocument, DEFAULT_CHUNK_OPTIONS, type Chunk, type ChunkOptions } from './chunker.js';
export {
  hybridSearch,
  createKnowledgeSearcher,
  type ExplainedPassage,
  type HybridSearchResult,
} from './hybrid-search.js';
export { runEval, type EvalReport } from './evaluation.js';
export { openScratchKnowledge, type ScratchKnowledge } from './scratch-database.js';
export {
  DEFAULT_COLLECTION,
  openKnowledgeStore,
  type Embedder,
  type SqliteKnowledgeStore,
  type WorkspaceKnowledge,
} from './sqlite-knowledge-store.js';
export {
  KNOWLEDGE_SYNC_JOB,
  knowledgeSyncJobHandler,
  type SyncItemResult,
  type SyncReport,
} from './sync-job.js';
export { KNOWLEDGE_RESYNC_JOB, knowledgeResyncJobHandler, KNOWLEDGE_RESYNC_EVERY_MS } from './resync-job.js';

/** The embedding model of the `embed` task (its first alias), for a workspace's ledger entries. */
export function registryEmbedder(models: ModelRegistry, workspaceId: string | null): Embedder | undefined {
  const alias = models.aliasesFor('embed')[0];
  if (!alias) return undefined;
  const model = models.embeddingModel({ alias, workspaceId });
  return {
    modelId: alias,
    async embed(values, signal) {
      const { embeddings } = await embedMany({
        model,
        values,
        maxRetries: 0,
        ...(signal ? { abortSignal: signal } : {}),
      });
      return embeddings;
    },
  };
}

/** The reranking model of the `rerank` task, when one is configured. */
export function registryReranker(
  models: ModelRegistry,
  workspaceId: string | null,
): RerankingModel | undefined {
  const alias = models.aliasesFor('rerank')[0];
  return alias ? models.rerankingModel({ alias, workspaceId }) : undefined;
}

export interface OpenKnowledgeOptions {
  database: Database;
  models?: ModelRegistry;
  jobs?: JobQueue;
  /** The data folder: uploads are kept under `knowledge/uploads/` in it. */
  dataDir: string;
  /** Replaces the parsers (tests); the real ones are loaded on first use. */
  parseDocument?: (input: ParserInput) => Promise<ParsedDocument>;
  web?: () => Promise<WebReader>;
}

/** The web reader of the parsers' `web/` folder, loaded on first use. */
async function defaultWebReader(): Promise<WebReader> {
  const [{ fetchPage }, { crawlSite }] = await Promise.all([
    import('./web/fetch-page.js'),
    import('./web/crawl-site.js'),
  ]);
  return {
    fetchPage: async (url, signal) => (await fetchPage(url, { signal })).document,
    async *crawlSite(options, signal) {
      for await (const result of crawlSite({ ...options, signal })) yield result;
    },
  };
}

async function defaultParseDocument(input: ParserInput): Promise<ParsedDocument> {
  const { parseDocument } = await import('./parsing/index.js');
  return parseDocument(input);
}

/** One workspace's knowledge, as routes and the CLI use it. */
export interface WorkspaceKnowledgeService {
  store: WorkspaceKnowledge;
  searcher: KnowledgeSearcher;
  /** Search with the explanation of every passage (the playground). */
  search(
    query: string,
    options?: KnowledgeSearchOptions & { signal?: AbortSignal },
  ): Promise<HybridSearchResult>;
  /** Creates a source and starts its first sync. */
  addSource(input: NewSource): Promise<{ source: SourceRecord; job: JobRecord }>;
  /**
   * Stores uploaded files as one source (a folder in the data folder) and starts its sync. A file
   * given by `path` (streamed to disk by the route, on the data folder's file system) is moved there.
   */
  addUpload(
    files: Array<{ name: string; bytes: Uint8Array } | { name: string; path: string }>,
    options?: { collection?: string; tags?: string[]; name?: string },
  ): Promise<{ source: SourceRecord; job: JobRecord }>;
  sync(sourceId: string): Promise<JobRecord>;
  /** Removes a source, its documents, every index entry and its uploaded files. */
  removeSource(sourceId: string): Promise<boolean>;
}

export interface Knowledge {
  store(): Promise<SqliteKnowledgeStore>;
  forWorkspace(workspaceId: string): Promise<WorkspaceKnowledgeService>;
  /**
   * A workspace's `KnowledgeSearcher`, at once (the store loads on its first search): what the
   * Assistant and Content take as `knowledge(workspaceId)`.
   */
  searcherFor(workspaceId: string): KnowledgeSearcher;
  /** The job handler that synchronises sources, for the worker pool. */
  syncJobHandler(): ReturnType<typeof knowledgeSyncJobHandler>;
}

/** A file name safe to write in the uploads folder: no folders, no hidden files. */
function safeFileName(name: string, index: number): string {
  const base = path
    .basename(name.replaceAll('\\', '/'))
    .replace(/[\p{Cc}<>:"|?*]/gu, '_')
    .trim();
  const cleaned = base.replace(/^\.+/, '');
  return cleaned || `file-${index + 1}`;
}

const storesByDatabase = new WeakMap<Database, Promise<SqliteKnowledgeStore>>();

export function openKnowledge(options: OpenKnowledgeOptions): Knowledge {
  let store: Promise<SqliteKnowledgeStore> | undefined;
  const getStore = () => {
    // One store a database in this process, so that the routes, the jobs and the searchers share
    // their caches and see each other's writes at once.
    store ??=
      storesByDatabase.get(options.database) ??
      swedishAnalyzer().then((analyzer) => openKnowledgeStore(options.database, { analyzer }));
    storesByDatabase.set(options.database, store);
    return store;
  };
  const embedder = (workspaceId: string) =>
    options.models ? registryEmbedder(options.models, workspaceId) : undefined;
  const reranker = (workspaceId: string) =>
    options.models ? registryReranker(options.models, workspaceId) : undefined;
  const uploadsFolder = path.join(options.dataDir, 'knowledge', 'uploads');
  // What each workspace's models have earned in the fusion, over its searches in this process.
  const trusts = new Map<string, { vector: ModelTrust; rerank: ModelTrust }>();
  const trustOf = (workspaceId: string) => {
    const key = `${workspaceId}\u0000${options.models?.aliasesFor('embed')[0] ?? ''}\u0000${options.models?.aliasesFor('rerank')[0] ?? ''}`;
    let trust = trusts.get(key);
    if (!trust) {
      trust = { vector: new ModelTrust(), rerank: new ModelTrust() };
      trusts.set(key, trust);
    }
    return trust;
  };

  const startSync = async (workspaceId: string, source: SourceRecord): Promise<JobRecord> => {
    if (!options.jobs) throw new Error('Knowledge needs the job queue to synchronise sources');
    const job = await workspaceJobQueue(options.jobs, workspaceId).enqueue({
      type: KNOWLEDGE_SYNC_JOB,
      input: { sourceId: source.id },
    });
    return job;
  };

  return {
    store: getStore,
    searcherFor: (workspaceId) => ({
      search: async (query, searchOptions) =>
        (
          await hybridSearch(
            {
              knowledge: (await getStore()).forWorkspace(workspaceId),
              embedder: embedder(workspaceId),
              reranker: reranker(workspaceId),
              trust: trustOf(workspaceId),
            },
            query,
            searchOptions,
          )
        ).passages,
    }),
    syncJobHandler: () =>
      knowledgeSyncJobHandler({
        store: getStore,
        parseDocument: options.parseDocument ?? defaultParseDocument,
        web: options.web ?? defaultWebReader,
        embedder,
      }),
    async forWorkspace(workspaceId) {
      const scoped = (await getStore()).forWorkspace(workspaceId);
      const search = (query: string, searchOptions: KnowledgeSearchOptions & { signal?: AbortSignal } = {}) =>
        hybridSearch(
          {
            knowledge: scoped,
            embedder: embedder(workspaceId),
            reranker: reranker(workspaceId),
            trust: trustOf(workspaceId),
          },
          query,
          searchOptions,
        );
      return {
        store: scoped,
        search,
        searcher: { search: async (query, searchOptions) => (await search(query, searchOptions)).passages },
        async addSource(input) {
          const source = scoped.createSource(input);
          return { source, job: await startSync(workspaceId, source) };
        },
        async addUpload(files, uploadOptions = {}) {
          const source = scoped.createSource({
            kind: 'upload',
            location: '',
            name: uploadOptions.name ?? (files.length === 1 ? files[0]!.name : `${files.length} files`),
            ...(uploadOptions.collection ? { collection: uploadOptions.collection } : {}),
            ...(uploadOptions.tags ? { tags: uploadOptions.tags } : {}),
          });
          const folder = path.join(uploadsFolder, workspaceId, source.id);
          await mkdir(folder, { recursive: true });
          const used = new Set<string>();
          for (const [index, file] of files.entries()) {
            let name = safeFileName(file.name, index);
            // Two files of one name in an upload keep both.
            while (used.has(name)) name = `${path.parse(name).name}-${index + 1}${path.parse(name).ext}`;
            used.add(name);
            if ('path' in file) await rename(file.path, path.join(folder, name));
            else await writeFile(path.join(folder, name), file.bytes);
          }
          scoped.setSourceLocation(source.id, folder);
          const stored = scoped.requireSource(source.id);
          return { source: stored, job: await startSync(workspaceId, stored) };
        },
        async sync(sourceId) {
          const source = scoped.requireSource(sourceId);
          if (source.status === 'syncing' && options.jobs && source.lastJobId) {
            const running = await workspaceJobQueue(options.jobs, workspaceId).get(source.lastJobId);
            if (running && (running.state === 'queued' || running.state === 'running'))
              throw sourceBusyError(sourceId);
          }
          return startSync(workspaceId, source);
        },
        async removeSource(sourceId) {
          const source = scoped.getSource(sourceId);
          if (!source) return false;
          if (source.lastJobId && options.jobs) {
            // A sync still running would write documents of a source that no longer exists.
            await workspaceJobQueue(options.jobs, workspaceId)
              .cancel(source.lastJobId)
              .catch(() => undefined);
          }
          const removed = scoped.removeSource(sourceId);
          if (source.kind === 'upload' && source.location.startsWith(uploadsFolder))
            await rm(source.location, { recursive: true, force: true });
          return removed;
        },
      };
    },
  };
}
