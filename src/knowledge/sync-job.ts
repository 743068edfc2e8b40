/**
 * Synchronising a source is a durable job: every file or page of the source is one item, parsed
 * and embedded outside any transaction and written in one transaction with its checkpoint, so a
 * job killed half-way resumes without indexing anything twice and leaves nothing half-indexed.
 * One file failing (corrupt, encrypted, too large, a 404) is recorded as a failed item with its
 * own error, and the rest go on; the job's items are the per-file report. At the end, documents
 * the source no longer has are removed from every index.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { isPolettError, PolettError, toPolettError } from '../errors.js';
import { defineJobHandler, type JobContext } from '../jobs/index.js';
import { documentAnalyserFor, startedAhead, type AnalysedDocument } from './document-analysis.js';
import type { ParsedDocument, ParserInput } from './parsing/types.js';
import type { Embedder, SqliteKnowledgeStore, WorkspaceKnowledge } from './sqlite-knowledge-store.js';
import type { SourceRecord } from './types.js';

export const KNOWLEDGE_SYNC_JOB = 'knowledge.sync';

export const knowledgeSyncJobInput = z.object({ sourceId: z.string().min(1) });

/** One file or page of a source, and how to read it. */
interface SourceItem {
  uri: string;
  load: (signal: AbortSignal) => Promise<ParsedDocument>;
}

/** A page the crawler or fetcher could not read: recorded as the item's error. */
interface FailedItem {
  uri: string;
  error: PolettError;
}

export interface WebReader {
  fetchPage(url: string, signal: AbortSignal): Promise<ParsedDocument>;
  crawlSite(
    options: { startUrl?: string; sitemapUrl?: string; maxPages?: number; maxDepth?: number },
    signal: AbortSignal,
  ): AsyncIterable<{ url: string; document: ParsedDocument } | { url: string; error: PolettError }>;
}

export interface KnowledgeSyncDependencies {
  store: () => Promise<SqliteKnowledgeStore>;
  parseDocument: (input: ParserInput) => Promise<ParsedDocument>;
  web: () => Promise<WebReader>;
  /** The embedding model for a workspace's chunks; lexical only when undefined. */
  embedder: (workspaceId: string) => Embedder | undefined;
}

/** Errors that mean the file or page is gone, so its old document is removed rather than kept. */
const GONE_CODES = new Set(['page_not_found', 'file_not_found']);

function fileMissing(location: string, cause: unknown): PolettError {
  return new PolettError({
    code: 'knowledge_path_not_found',
    status: 400,
    field: 'location',
    message: {
      sv: `Sökvägen ${location} finns inte eller kan inte läsas på servern; kontrollera sökvägen och försök igen.`,
      en: `The path ${location} does not exist or cannot be read on the server; check the path and try again.`,
    },
    cause,
  });
}

/** Every regular file under a folder, hidden ones and symbolic links left out, in a stable order. */
async function filesUnder(folder: string, signal: AbortSignal): Promise<string[]> {
  const found: string[] = [];
  const walk = async (directory: string) => {
    signal.throwIfAborted();
    const entries = await readdir(directory, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) found.push(full);
    }
  };
  await walk(folder);
  return found;
}

async function* itemsOfSource(
  source: SourceRecord,
  dependencies: KnowledgeSyncDependencies,
  signal: AbortSignal,
): AsyncGenerator<SourceItem | FailedItem> {
  const fileItem = (file: string, uri: string): SourceItem => ({
    uri,
    load: async () => {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(file);
      } catch (error) {
        throw new PolettError({
          code: 'file_not_found',
          status: 404,
          message: {
            sv: `Filen ${uri} kunde inte läsas (${(error as NodeJS.ErrnoException).code ?? 'fel'}); kontrollera att den finns och är läsbar.`,
            en: `The file ${uri} could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); check that it exists and is readable.`,
          },
          cause: error,
        });
      }
      return dependencies.parseDocument({ bytes, name: path.basename(file) });
    },
  });

  switch (source.kind) {
    case 'file': {
      try {
        await lstat(source.location);
      } catch (error) {
        throw fileMissing(source.location, error);
      }
      yield fileItem(source.location, path.basename(source.location));
      return;
    }
    case 'folder':
    case 'upload': {
      let files: string[];
      try {
        files = await filesUnder(source.location, signal);
      } catch (error) {
        if (signal.aborted) throw error;
        // An upload whose files were all removed is an empty source, not an error.
        if (source.kind === 'upload' && (error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw fileMissing(source.location, error);
      }
      for (const file of files)
        yield fileItem(file, path.relative(source.location, file).split(path.sep).join('/'));
      return;
    }
    case 'page': {
      const web = await dependencies.web();
      yield { uri: source.location, load: (itemSignal) => web.fetchPage(source.location, itemSignal) };
      return;
    }
    case 'site': {
      const web = await dependencies.web();
      const isSitemap = /\.xml(\.gz)?($|\?)/i.test(source.location);
      for await (const result of web.crawlSite(
        {
          ...(isSitemap ? { sitemapUrl: source.location } : { startUrl: source.location }),
          ...(source.options.maxPages ? { maxPages: source.options.maxPages } : {}),
          ...(source.options.maxDepth !== undefined ? { maxDepth: source.options.maxDepth } : {}),
        },
        signal,
      )) {
        if ('error' in result) yield { uri: result.url, error: result.error };
        else {
          const document = result.document;
          yield { uri: result.url, load: async () => document };
        }
      }
      return;
    }
  }
}

/** What one item of the report holds when it was indexed. */
export interface SyncItemResult {
  uri: string;
  title: string;
  chunks: number;
  added: number;
  kept: number;
  removed: number;
  duplicates: number;
  embedded: number;
  unchanged: boolean;
}

export interface SyncReport {
  sourceId: string;
  documents: number;
  failed: number;
  /** Documents removed because the source no longer has them. */
  vanished: number;
}

/** Documents read and analysed ahead of the one being written: the second core's share of a sync. */
const DOCUMENTS_AHEAD = 2;

async function runSync(
  knowledge: WorkspaceKnowledge,
  source: SourceRecord,
  dependencies: KnowledgeSyncDependencies,
  context: JobContext,
  analyse: (parsed: ParsedDocument) => Promise<ParsedDocument | AnalysedDocument>,
): Promise<SyncReport> {
  const embedder = dependencies.embedder(knowledge.workspaceId);
  const seen = new Set<string>();
  let failed = 0;
  let documents = 0;
  context.reportProgress({ message: source.name });
  async function* distinctItems(): AsyncGenerator<SourceItem | FailedItem> {
    for await (const item of itemsOfSource(source, dependencies, context.signal)) {
      // A page reached twice (a redirect to one already read) is one document.
      if (seen.has(item.uri)) continue;
      seen.add(item.uri);
      yield item;
    }
  }
  // The next documents are read, parsed and analysed (on the analysis thread) while this one is
  // written; an item finished by an earlier attempt is not read at all.
  const ahead = startedAhead(
    distinctItems(),
    async (item) => {
      if ('error' in item || (await context.isItemFinished(item.uri))) return undefined;
      return analyse(await item.load(context.signal));
    },
    DOCUMENTS_AHEAD,
  );
  for await (const { item, started } of ahead) {
    context.throwIfAborted();
    if ('error' in item) {
      if (GONE_CODES.has(item.error.code)) seen.delete(item.uri);
      failed += 1;
      await context.failItem(item.uri, item.error);
      continue;
    }
    try {
      await context.processItem<Awaited<ReturnType<WorkspaceKnowledge['prepareDocument']>>, SyncItemResult>(
        item.uri,
        {
          compute: async (signal) => {
            const parsed = (await started) ?? (await analyse(await item.load(signal)));
            try {
              return await knowledge.prepareDocument(
                source.id,
                item.uri,
                parsed,
                embedder ? { embedder, signal } : {},
              );
            } catch (error) {
              if (signal.aborted || !embedder) throw error;
              // The embedding model failing must not keep a document out of lexical search.
              return knowledge.prepareDocument(source.id, item.uri, parsed);
            }
          },
          write: (_transaction, prepared) => {
            const outcome = knowledge.writeDocument(prepared);
            return {
              uri: item.uri,
              title: prepared.title,
              chunks: prepared.chunks.length,
              added: outcome.added,
              kept: outcome.kept,
              removed: outcome.removed,
              duplicates: outcome.duplicates,
              embedded: outcome.embedded,
              unchanged: outcome.unchanged,
            };
          },
        },
      );
      documents += 1;
    } catch (error) {
      if (context.signal.aborted) throw error;
      const polettError = toPolettError(error);
      if (isPolettError(error) && GONE_CODES.has(error.code)) seen.delete(item.uri);
      failed += 1;
      await context.failItem(item.uri, polettError);
    }
  }
  // Once per job, even when resumed: the same checkpoint as any item.
  const vanished = await context.processItem('\u0000vanished', () =>
    knowledge.removeVanishedDocuments(source.id, seen),
  );
  return {
    sourceId: source.id,
    documents,
    failed,
    vanished: vanished.written ? vanished.value : 0,
  };
}

/** The job handler that synchronises one source (`{ sourceId }`). */
export function knowledgeSyncJobHandler(dependencies: KnowledgeSyncDependencies) {
  return defineJobHandler({
    type: KNOWLEDGE_SYNC_JOB,
    input: knowledgeSyncJobInput,
    async run(input, context) {
      if (!context.workspaceId) throw new Error('A knowledge sync job needs a workspace');
      const store = await dependencies.store();
      const knowledge = store.forWorkspace(context.workspaceId);
      const source = knowledge.requireSource(input.sourceId);
      knowledge.updateSourceStatus(source.id, { status: 'syncing', error: null, jobId: context.jobId });
      try {
        const report = await runSync(
          knowledge,
          source,
          dependencies,
          context,
          await documentAnalyserFor(store),
        );
        const nothingIndexed = report.documents === 0 && report.failed > 0;
        knowledge.updateSourceStatus(source.id, {
          status: nothingIndexed ? 'failed' : 'ready',
          failedCount: report.failed,
          finished: true,
          error: nothingIndexed
            ? {
                code: 'knowledge_nothing_indexed',
                message: {
                  sv: `Inget av källans ${report.failed} dokument kunde läsas; se felen i rapporten.`,
                  en: `None of the source's ${report.failed} documents could be read; see the errors in the report.`,
                },
              }
            : null,
        });
        return report;
      } catch (error) {
        if (!knowledge.getSource(source.id)) throw error;
        if (context.signal.aborted) {
          knowledge.updateSourceStatus(source.id, { status: 'pending', error: null });
          throw error;
        }
        const polettError = toPolettError(error);
        knowledge.updateSourceStatus(source.id, {
          status: 'failed',
          error: { code: polettError.code, message: polettError.localized },
        });
        throw error;
      }
    },
  });
}
