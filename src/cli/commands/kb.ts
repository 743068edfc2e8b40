/**
 * `polett kb …`: the knowledge base from the terminal, over the same core as the REST API.
 * `add` and `sync` run the sync job in this process with a progress bar on stderr and print each
 * file's outcome; `--json` prints one JSON object on stdout.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { PolettError, type Locale } from '../../errors.js';
import {
  followJobWithProgressBar,
  workspaceJobQueue,
  type JobItemRecord,
  type JobRecord,
} from '../../jobs/index.js';
import {
  openKnowledge,
  registryEmbedder,
  registryReranker,
  runEval,
  type Knowledge,
  type SourceKind,
  type SourceRecord,
} from '../../knowledge/index.js';
import { openPolett, type Polett } from '../../polett.js';
import { cliLocale, say } from '../output.js';
import { resolveWorkspace } from '../resolve-workspace.js';

export interface KbOptions {
  /** The data folder; the configured one when absent (tests pass their own). */
  dataDir?: string;
  workspace?: string;
  json?: boolean;
}

function write(text: string): void {
  process.stdout.write(text);
}

function open(options: KbOptions): Polett {
  return openPolett(options.dataDir ? { dataDir: options.dataDir } : {});
}

function knowledgeOf(polett: Polett): Knowledge {
  return openKnowledge({
    database: polett.storage.database,
    models: polett.models,
    jobs: polett.jobs,
    dataDir: polett.config.dataDir,
  });
}

/** Runs the job here (the worker pool of this process) and waits for its end with a progress bar. */
async function runJob(polett: Polett, job: JobRecord, locale: Locale, quiet: boolean): Promise<JobRecord> {
  polett.startWorkers({ concurrency: 1 });
  const queue = workspaceJobQueue(polett.jobs, job.workspaceId!);
  const final = quiet
    ? await waitForEnd(queue, job.id)
    : await followJobWithProgressBar(queue, job.id, { locale });
  return final ?? (await queue.get(job.id))!;
}

async function waitForEnd(
  queue: ReturnType<typeof workspaceJobQueue>,
  jobId: string,
): Promise<JobRecord | undefined> {
  for await (const event of queue.subscribe(jobId)) if (event.type === 'end') return event.job;
  return undefined;
}

interface ItemLine {
  uri: string;
  ok: boolean;
  detail: string;
}

function itemLines(items: JobItemRecord[], locale: Locale): ItemLine[] {
  return items
    .filter((item) => !item.key.startsWith('\u0000'))
    .map((item) => {
      if (item.state === 'failed')
        return { uri: item.key, ok: false, detail: item.error?.message[locale] ?? '' };
      const result = item.result as { chunks: number; added: number; kept: number; unchanged: boolean };
      const detail = result.unchanged
        ? say({ sv: 'oförändrad', en: 'unchanged' }, locale)
        : say(
            {
              sv: `${result.chunks} avsnitt (${result.added} nya, ${result.kept} behållna)`,
              en: `${result.chunks} chunks (${result.added} new, ${result.kept} kept)`,
            },
            locale,
          );
      return { uri: item.key, ok: true, detail };
    });
}

async function reportJob(
  polett: Polett,
  job: JobRecord,
  source: SourceRecord,
  options: KbOptions,
  locale: Locale,
) {
  const items = await polett.jobs.listItems(job.id);
  const lines = itemLines(items, locale);
  if (options.json) {
    write(
      `${JSON.stringify({ source, job: { id: job.id, state: job.state, result: job.result, error: job.error }, items: lines })}\n`,
    );
  } else {
    for (const line of lines) write(`${line.ok ? '✓' : '✗'} ${line.uri}: ${line.detail}\n`);
    if (job.state !== 'succeeded' && job.error) write(`${job.error.message[locale]}\n`);
    const failed = lines.filter((line) => !line.ok).length;
    write(
      say(
        {
          sv: `${source.name}: ${lines.length - failed} dokument indexerade, ${failed} fel (källa ${source.id}).\n`,
          en: `${source.name}: ${lines.length - failed} documents indexed, ${failed} errors (source ${source.id}).\n`,
        },
        locale,
      ),
    );
  }
  if (job.state !== 'succeeded') process.exitCode = 1;
}

/** What kind of source a target is: a URL (page, or site with --site), a folder or a file. */
async function sourceKindOf(target: string, site: boolean): Promise<{ kind: SourceKind; location: string }> {
  if (/^https?:\/\//i.test(target)) return { kind: site ? 'site' : 'page', location: target };
  const location = path.resolve(target);
  try {
    const info = await stat(location);
    return { kind: info.isDirectory() ? 'folder' : 'file', location };
  } catch {
    throw new PolettError({
      code: 'knowledge_path_not_found',
      status: 400,
      field: 'path',
      message: {
        sv: `${target} finns inte; ange en fil, en mapp eller en webbadress som börjar med http:// eller https://.`,
        en: `${target} does not exist; give a file, a folder or a web address starting with http:// or https://.`,
      },
    });
  }
}

/** `polett kb add <path|url> [--collection NAME] [--site] [--tag …] [--every-hours N]` */
export async function runKbAdd(
  target: string,
  options: KbOptions & {
    collection?: string;
    site?: boolean;
    tag?: string[];
    everyHours?: string;
    maxPages?: string;
  },
): Promise<void> {
  const locale = cliLocale();
  const polett = open(options);
  try {
    const workspaceId = resolveWorkspace(polett, options.workspace);
    const { kind, location } = await sourceKindOf(target, options.site ?? false);
    const service = await knowledgeOf(polett).forWorkspace(workspaceId);
    const { source, job } = await service.addSource({
      kind,
      location,
      name: kind === 'page' || kind === 'site' ? location : path.basename(location),
      ...(options.collection ? { collection: options.collection } : {}),
      ...(options.tag ? { tags: options.tag } : {}),
      ...(options.everyHours ? { syncEveryHours: Number(options.everyHours) } : {}),
      ...(options.maxPages ? { options: { maxPages: Number(options.maxPages) } } : {}),
    });
    const final = await runJob(polett, job, locale, options.json ?? false);
    await reportJob(polett, final, service.store.requireSource(source.id), options, locale);
  } finally {
    await polett.close();
  }
}

/** `polett kb sync [sourceId]`: re-syncs one source, or all of them. */
export async function runKbSync(sourceId: string | undefined, options: KbOptions): Promise<void> {
  const locale = cliLocale();
  const polett = open(options);
  try {
    const workspaceId = resolveWorkspace(polett, options.workspace);
    const service = await knowledgeOf(polett).forWorkspace(workspaceId);
    const sources = sourceId ? [service.store.requireSource(sourceId)] : service.store.listSources();
    for (const source of sources) {
      const job = await service.sync(source.id);
      const final = await runJob(polett, job, locale, options.json ?? false);
      await reportJob(polett, final, service.store.requireSource(source.id), options, locale);
    }
  } finally {
    await polett.close();
  }
}

/** `polett kb list [--json]`: the sources with their status. */
export async function runKbList(options: KbOptions): Promise<void> {
  const locale = cliLocale();
  const polett = open(options);
  try {
    const workspaceId = resolveWorkspace(polett, options.workspace);
    const service = await knowledgeOf(polett).forWorkspace(workspaceId);
    const sources = service.store.listSources();
    if (options.json) {
      write(`${JSON.stringify({ sources })}\n`);
      return;
    }
    if (sources.length === 0) {
      write(
        say(
          {
            sv: 'Kunskapsbanken är tom. Lägg till dokument med `polett kb add <sökväg|url>`.\n',
            en: 'The knowledge base is empty. Add documents with `polett kb add <path|url>`.\n',
          },
          locale,
        ),
      );
      return;
    }
    for (const source of sources) {
      const problem = source.error ? ` — ${source.error.message[locale]}` : '';
      write(
        `${source.id}  ${source.kind}  ${source.name}  [${source.collection}]  ${source.status}  ${say(
          {
            sv: `${source.documentCount} dokument, ${source.chunkCount} avsnitt, ${source.failedCount} fel`,
            en: `${source.documentCount} documents, ${source.chunkCount} chunks, ${source.failedCount} errors`,
          },
          locale,
        )}${problem}\n`,
      );
    }
  } finally {
    await polett.close();
  }
}

/** `polett kb search "<query>" [--json] [--collection NAME] [--limit N]` */
export async function runKbSearch(
  query: string,
  options: KbOptions & { collection?: string[]; limit?: string },
): Promise<void> {
  const locale = cliLocale();
  const polett = open(options);
  try {
    const workspaceId = resolveWorkspace(polett, options.workspace);
    const service = await knowledgeOf(polett).forWorkspace(workspaceId);
    const result = await service.search(query, {
      ...(options.collection ? { collections: options.collection } : {}),
      ...(options.limit ? { limit: Number(options.limit) } : {}),
    });
    if (options.json) {
      write(`${JSON.stringify(result)}\n`);
      return;
    }
    if (result.passages.length === 0) {
      write(say({ sv: 'Inga träffar.\n', en: 'No matches.\n' }, locale));
      return;
    }
    result.passages.forEach((passage, index) => {
      const where = [
        passage.location.page ? `s. ${passage.location.page}` : '',
        passage.location.url ?? '',
        passage.location.sheet ? `${passage.location.sheet}!${passage.location.row ?? ''}` : '',
      ]
        .filter(Boolean)
        .join(' ');
      const heading = [passage.title, ...passage.headingPath].filter(Boolean).join(' › ');
      let text = passage.text.replace(/\s+/g, ' ').slice(0, 300);
      // Matched words in bold on a terminal, as the web page highlights them.
      if (process.stdout.isTTY)
        for (const term of passage.matchedTerms) text = text.split(term).join(`\u001b[1m${term}\u001b[22m`);
      write(
        `${index + 1}. ${heading}${where ? ` (${where})` : ''}  [${passage.score.toFixed(4)}]\n   ${text}\n`,
      );
    });
  } finally {
    await polett.close();
  }
}

/** `polett kb remove <sourceId>`: the source, its documents and every index entry. */
export async function runKbRemove(sourceId: string, options: KbOptions): Promise<void> {
  const locale = cliLocale();
  const polett = open(options);
  try {
    const workspaceId = resolveWorkspace(polett, options.workspace);
    const service = await knowledgeOf(polett).forWorkspace(workspaceId);
    const source = service.store.requireSource(sourceId);
    await service.removeSource(sourceId);
    write(say({ sv: `Borttagen: ${source.name}.\n`, en: `Removed: ${source.name}.\n` }, locale));
  } finally {
    await polett.close();
  }
}

/**
 * `polett kb eval <file.jsonl> [--json]`: recall@1, recall@5, MRR and the number of questions; with
 * the embedding and reranking models of the configuration when there are any. The plain BM25
 * baseline is printed beside them (not in the JSON, whose keys are fixed).
 */
export async function runKbEval(file: string, options: { json?: boolean; dataDir?: string }): Promise<void> {
  const locale = cliLocale();
  const polett = open(options);
  try {
    const report = await runEval(file, {
      embedder: registryEmbedder(polett.models, null),
      reranker: registryReranker(polett.models, null),
    });
    if (options.json) {
      write(
        `${JSON.stringify({ recall1: report.recall1, recall5: report.recall5, mrr: report.mrr, n: report.n })}\n`,
      );
      return;
    }
    const format = (value: number) => value.toFixed(3);
    const mode =
      report.mode === 'hybrid'
        ? report.reranked
          ? 'hybrid + reranker'
          : 'hybrid'
        : say({ sv: 'lexikal', en: 'lexical' }, locale);
    write(
      [
        say(
          {
            sv: `Frågor: ${report.n}, dokument: ${report.documents}`,
            en: `Questions: ${report.n}, documents: ${report.documents}`,
          },
          locale,
        ),
        '',
        `| ${say({ sv: 'sökning', en: 'search' }, locale)} | recall@1 | recall@5 | MRR |`,
        '|---|---|---|---|',
        `| Polett (${mode}) | ${format(report.recall1)} | ${format(report.recall5)} | ${format(report.mrr)} |`,
        `| ${say({ sv: 'BM25 på gemena ord', en: 'BM25 over lower-cased words' }, locale)} | ${format(report.baseline.recall1)} | ${format(report.baseline.recall5)} | ${format(report.baseline.mrr)} |`,
        '',
      ].join('\n'),
    );
  } finally {
    await polett.close();
  }
}
