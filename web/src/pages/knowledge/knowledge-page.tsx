/**
 * The Knowledge page: add files (drag and drop, or the file input for keyboard users), add a web
 * page or a whole site, see the sources with their status, errors and per-file report, and try
 * searches that show the passages, their scores and why they matched.
 */
import { useCallback, useState, type DragEvent, type FormEvent, type ReactNode } from 'react';
import {
  addWebSource,
  getJob,
  getSourceReport,
  listSources,
  removeSource,
  searchKnowledge,
  syncSource,
  uploadFiles,
  type AddedSourceDto,
  type ExplainedPassageDto,
  type SearchResultDto,
  type SourceDto,
  type SourceListDto,
  type SourceReportDto,
} from '../../api/knowledge.ts';
import { ApiError } from '../../api/client.ts';
import { jobEventsUrl } from '../../api/polett.ts';
import { Alert, FormField } from '../../components/form-field.tsx';
import { JobProgress, type JobView } from '../../components/job-progress.tsx';
import { errorText, LoadedView, useLoaded } from '../../components/loaded-view.tsx';
import { useLocale } from '../../i18n/locale-context.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { useSignedIn } from '../../session.tsx';
import './knowledge.css';

type Outcome = { kind: 'success' | 'error' | 'info'; text: string } | undefined;

/** A sync job that was just started, followed live until it ends. */
function useStartedJob(onEnded: () => void) {
  const { t, locale } = useLocale();
  const { workspaceId } = useSignedIn();
  const [job, setJob] = useState<JobView>();
  const [outcome, setOutcome] = useState<Outcome>();
  const start = async (started: Promise<AddedSourceDto>) => {
    setJob(undefined);
    setOutcome(undefined);
    try {
      const added = await started;
      setJob(await getJob(workspaceId, added.job.id));
    } catch (caught) {
      setOutcome({ kind: 'error', text: errorText(caught) });
    }
  };
  const finished = (ended: JobView) => {
    const result = (ended.result ?? {}) as { documents?: number; failed?: number };
    if (ended.state === 'succeeded')
      setOutcome({
        kind: (result.failed ?? 0) > 0 ? 'info' : 'success',
        text: t('knowledge.jobDone', { documents: result.documents ?? 0, failed: result.failed ?? 0 }),
      });
    else if (ended.state === 'failed')
      setOutcome({ kind: 'error', text: ended.error?.message[locale] ?? ended.error?.code ?? '' });
    onEnded();
  };
  const view = (
    <>
      {job ? (
        <JobProgress
          key={job.id}
          initial={job}
          eventsUrl={jobEventsUrl(workspaceId, job.id)}
          onFinished={finished}
        />
      ) : null}
      {outcome ? <Alert kind={outcome.kind}>{outcome.text}</Alert> : null}
    </>
  );
  return { start, view, running: job !== undefined && outcome === undefined };
}

function AddFilesSection({ onChanged }: { onChanged: () => void }) {
  const { t, locale } = useLocale();
  const { workspaceId } = useSignedIn();
  const [files, setFiles] = useState<File[]>([]);
  const [collection, setCollection] = useState('');
  const [dragging, setDragging] = useState(false);
  const [uploading, setUploading] = useState(false);
  const job = useStartedJob(onChanged);

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    const dropped = [...event.dataTransfer.files];
    if (dropped.length > 0) setFiles((current) => [...current, ...dropped]);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (files.length === 0) return;
    setUploading(true);
    const chosen = collection.trim();
    await job.start(
      uploadFiles(workspaceId, files, { locale, ...(chosen ? { collection: chosen } : {}) }).catch(
        (caught: unknown) => {
          // The server answers every refusal in words (ApiError); anything else is a connection
          // cut mid-upload, which is what a very large upload through a proxy ends in.
          if (caught instanceof ApiError) throw caught;
          throw new Error(t('knowledge.files.interrupted'));
        },
      ),
    );
    setUploading(false);
    setFiles([]);
  };

  return (
    <section className="card" aria-labelledby="knowledge-files-heading">
      <h2 id="knowledge-files-heading">{t('knowledge.files.title')}</h2>
      <form onSubmit={(event) => void submit(event)} className="grid-form">
        <div
          className={`knowledge-dropzone${dragging ? ' knowledge-dropzone-active' : ''}`}
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
          data-testid="knowledge-dropzone"
        >
          <p>{dragging ? t('knowledge.files.dropActive') : t('knowledge.files.drop')}</p>
          <div className="field">
            <label htmlFor="knowledge-file-input">{t('knowledge.files.choose')}</label>
            <input
              id="knowledge-file-input"
              type="file"
              multiple
              aria-describedby="knowledge-file-formats"
              onChange={(event) => setFiles([...(event.target.files ?? [])])}
            />
            <p className="hint" id="knowledge-file-formats">
              {t('knowledge.files.formats')}
            </p>
          </div>
        </div>
        {files.length > 0 ? (
          <p aria-live="polite">
            {t('knowledge.files.selected', { names: files.map((file) => file.name).join(', ') })}
          </p>
        ) : null}
        <FormField
          label={t('knowledge.collection')}
          hint={t('knowledge.collectionHint')}
          name="collection"
          autoComplete="off"
          maxLength={64}
          value={collection}
          onChange={(event) => setCollection(event.target.value)}
        />
        <div className="actions">
          <button type="submit" disabled={files.length === 0 || uploading || job.running}>
            {uploading ? t('knowledge.files.uploading') : t('knowledge.files.upload')}
          </button>
        </div>
      </form>
      {job.view}
    </section>
  );
}

function AddSiteSection({ onChanged }: { onChanged: () => void }) {
  const { t } = useLocale();
  const { workspaceId } = useSignedIn();
  const [url, setUrl] = useState('');
  const [kind, setKind] = useState<'page' | 'site'>('page');
  const [maxPages, setMaxPages] = useState('50');
  const [collection, setCollection] = useState('');
  const job = useStartedJob(onChanged);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const chosen = collection.trim();
    await job.start(
      addWebSource(workspaceId, {
        kind,
        url: url.trim(),
        ...(chosen ? { collection: chosen } : {}),
        ...(kind === 'site' ? { maxPages: Number(maxPages) || 50 } : {}),
      }),
    );
  };

  return (
    <section className="card" aria-labelledby="knowledge-web-heading">
      <h2 id="knowledge-web-heading">{t('knowledge.web.title')}</h2>
      <form onSubmit={(event) => void submit(event)} className="grid-form">
        <FormField
          label={t('knowledge.web.url')}
          hint={t('knowledge.web.urlHint')}
          name="url"
          type="url"
          required
          placeholder="https://"
          value={url}
          onChange={(event) => setUrl(event.target.value)}
        />
        <fieldset className="knowledge-choice">
          <legend>{t('knowledge.web.kind')}</legend>
          <label>
            <input type="radio" name="web-kind" checked={kind === 'page'} onChange={() => setKind('page')} />{' '}
            {t('knowledge.web.page')}
          </label>
          <label>
            <input type="radio" name="web-kind" checked={kind === 'site'} onChange={() => setKind('site')} />{' '}
            {t('knowledge.web.site')}
          </label>
        </fieldset>
        {kind === 'site' ? (
          <FormField
            label={t('knowledge.web.maxPages')}
            name="maxPages"
            type="number"
            min={1}
            max={10000}
            value={maxPages}
            onChange={(event) => setMaxPages(event.target.value)}
          />
        ) : null}
        <FormField
          label={t('knowledge.collection')}
          hint={t('knowledge.collectionHint')}
          name="webCollection"
          autoComplete="off"
          maxLength={64}
          value={collection}
          onChange={(event) => setCollection(event.target.value)}
        />
        <div className="actions">
          <button type="submit" disabled={job.running}>
            {t('knowledge.web.add')}
          </button>
        </div>
      </form>
      {job.view}
    </section>
  );
}

const STATUS_KEYS: Record<SourceDto['status'], MessageKey> = {
  pending: 'knowledge.status.pending',
  syncing: 'knowledge.status.syncing',
  ready: 'knowledge.status.ready',
  failed: 'knowledge.status.failed',
};
const KIND_KEYS: Record<SourceDto['kind'], MessageKey> = {
  file: 'knowledge.kind.file',
  folder: 'knowledge.kind.folder',
  upload: 'knowledge.kind.upload',
  page: 'knowledge.kind.page',
  site: 'knowledge.kind.site',
};

function SourceReport({ source, report }: { source: SourceDto; report: SourceReportDto }) {
  const { t, locale } = useLocale();
  return (
    <div className="subsection" aria-live="polite">
      <h3>{t('knowledge.sources.reportTitle', { name: source.name })}</h3>
      {report.items.length === 0 ? (
        <p className="muted">{t('knowledge.sources.reportEmpty')}</p>
      ) : (
        <ul className="knowledge-report">
          {report.items.map((item) => {
            const result = (item.result ?? {}) as { chunks?: number; unchanged?: boolean };
            return (
              <li key={item.uri} className={item.state === 'failed' ? 'error' : undefined}>
                <code>{item.uri}</code>:{' '}
                {item.state === 'failed'
                  ? (item.error?.message[locale] ?? '')
                  : result.unchanged
                    ? t('knowledge.sources.itemUnchanged')
                    : t('knowledge.sources.itemDone', { chunks: result.chunks ?? 0 })}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

function SourcesSection({
  list,
  mayWrite,
  onChanged,
}: {
  list: SourceListDto;
  mayWrite: boolean;
  onChanged: () => void;
}) {
  const { t, locale, formatNumber, formatDateTime } = useLocale();
  const { workspaceId } = useSignedIn();
  const [report, setReport] = useState<{ source: SourceDto; report: SourceReportDto }>();
  const [outcome, setOutcome] = useState<Outcome>();
  const job = useStartedJob(onChanged);

  const act = async (action: () => Promise<unknown>) => {
    setOutcome(undefined);
    try {
      await action();
    } catch (caught) {
      setOutcome({ kind: 'error', text: errorText(caught) });
    }
  };

  if (list.sources.length === 0) return <p className="muted">{t('knowledge.sources.empty')}</p>;
  return (
    <>
      <div className="knowledge-table">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('knowledge.sources.name')}</th>
              <th scope="col">{t('knowledge.collection')}</th>
              <th scope="col">{t('knowledge.sources.status')}</th>
              <th scope="col">{t('knowledge.sources.documents')}</th>
              <th scope="col">{t('knowledge.sources.chunks')}</th>
              <th scope="col">{t('knowledge.sources.errors')}</th>
              <th scope="col">{t('knowledge.sources.synced')}</th>
              <th scope="col">{t('knowledge.sources.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.sources.map((source) => (
              <tr key={source.id}>
                <th scope="row">
                  {source.name}
                  <div className="hint">{t(KIND_KEYS[source.kind])}</div>
                </th>
                <td>{source.collection}</td>
                <td>
                  <span className={`badge ${source.status === 'failed' ? 'badge-missing' : 'badge-ok'}`}>
                    {t(STATUS_KEYS[source.status])}
                  </span>
                  {source.error ? <div className="error">{source.error.message[locale]}</div> : null}
                </td>
                <td>{formatNumber(source.documentCount)}</td>
                <td>{formatNumber(source.chunkCount)}</td>
                <td>{formatNumber(source.failedCount)}</td>
                <td>
                  {source.lastSyncedAt ? formatDateTime(source.lastSyncedAt) : t('knowledge.sources.never')}
                </td>
                <td>
                  <div className="knowledge-actions">
                    <button
                      type="button"
                      className="secondary"
                      aria-label={t('knowledge.sources.reportLabel', { name: source.name })}
                      onClick={() =>
                        void act(async () =>
                          setReport({ source, report: await getSourceReport(workspaceId, source.id) }),
                        )
                      }
                    >
                      {t('knowledge.sources.report')}
                    </button>
                    {mayWrite ? (
                      <>
                        <button
                          type="button"
                          className="secondary"
                          aria-label={t('knowledge.sources.syncLabel', { name: source.name })}
                          onClick={() => void job.start(syncSource(workspaceId, source.id))}
                        >
                          {t('knowledge.sources.sync')}
                        </button>
                        <button
                          type="button"
                          className="secondary"
                          aria-label={t('knowledge.sources.removeLabel', { name: source.name })}
                          onClick={() => {
                            if (!window.confirm(t('knowledge.sources.confirmRemove', { name: source.name })))
                              return;
                            void act(async () => {
                              await removeSource(workspaceId, source.id);
                              setOutcome({
                                kind: 'success',
                                text: t('knowledge.sources.removed', { name: source.name }),
                              });
                              if (report?.source.id === source.id) setReport(undefined);
                              onChanged();
                            });
                          }}
                        >
                          {t('knowledge.sources.remove')}
                        </button>
                      </>
                    ) : null}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {job.view}
      {outcome ? <Alert kind={outcome.kind}>{outcome.text}</Alert> : null}
      {report ? <SourceReport source={report.source} report={report.report} /> : null}
    </>
  );
}

/** The passage's text with the matched words marked. */
function Highlighted({ text, words }: { text: string; words: string[] }): ReactNode {
  if (words.length === 0) return text;
  const escaped = words
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(${escaped.join('|')})(?![\\p{L}\\p{N}])`, 'gu');
  const parts = text.split(pattern);
  return parts.map((part, index) => (index % 2 === 1 ? <mark key={index}>{part}</mark> : part));
}

function PassageView({ passage, rank }: { passage: ExplainedPassageDto; rank: number }) {
  const { t, formatNumber } = useLocale();
  const number = (value: number | null, digits = 3) =>
    value === null ? '' : formatNumber(value, { maximumSignificantDigits: digits });
  const where = [
    passage.location.page !== undefined ? t('knowledge.search.page', { page: passage.location.page }) : '',
    passage.location.sheet
      ? t('knowledge.search.row', { sheet: passage.location.sheet, row: passage.location.row ?? '' })
      : '',
  ].filter(Boolean);
  const { explanation } = passage;
  return (
    <li className="knowledge-passage">
      <h3>
        {rank}. {[passage.title, ...passage.headingPath].filter(Boolean).join(' › ')}
      </h3>
      <p className="muted">
        {t('knowledge.search.score', { score: number(passage.score) })} · {passage.collection}
        {where.length > 0 ? ` · ${where.join(' · ')}` : ''}
        {passage.location.url ? (
          <>
            {' · '}
            <a href={passage.location.url} rel="noreferrer noopener" target="_blank">
              {passage.location.url}
            </a>
          </>
        ) : null}
      </p>
      <p className="knowledge-passage-text">
        <Highlighted text={passage.text} words={passage.matchedTerms} />
      </p>
      <details>
        <summary>{t('knowledge.search.why')}</summary>
        <ul>
          {explanation.lexicalRank !== null ? (
            <li>
              {t('knowledge.search.lexical', {
                rank: explanation.lexicalRank,
                score: number(explanation.lexicalScore),
              })}
            </li>
          ) : null}
          {explanation.vectorRank !== null ? (
            <li>
              {t('knowledge.search.vector', {
                rank: explanation.vectorRank,
                score: number(explanation.vectorScore),
                weight: number(explanation.vectorWeight),
              })}
            </li>
          ) : null}
          {explanation.rerankScore !== null ? (
            <li>{t('knowledge.search.rerank', { score: number(explanation.rerankScore) })}</li>
          ) : null}
          {passage.matchedTerms.length > 0 ? (
            <li>{t('knowledge.search.matched', { words: passage.matchedTerms.join(', ') })}</li>
          ) : null}
        </ul>
      </details>
    </li>
  );
}

function SearchSection() {
  const { t } = useLocale();
  const { workspaceId } = useSignedIn();
  const [query, setQuery] = useState('');
  const [searching, setSearching] = useState(false);
  const [result, setResult] = useState<SearchResultDto>();
  const [error, setError] = useState<string>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSearching(true);
    setError(undefined);
    try {
      setResult(await searchKnowledge(workspaceId, { query, limit: 10 }));
    } catch (caught) {
      setResult(undefined);
      setError(errorText(caught));
    } finally {
      setSearching(false);
    }
  };

  return (
    <section className="card" aria-labelledby="knowledge-search-heading">
      <h2 id="knowledge-search-heading">{t('knowledge.search.title')}</h2>
      <form onSubmit={(event) => void submit(event)} className="grid-form" role="search">
        <FormField
          label={t('knowledge.search.query')}
          hint={t('knowledge.search.queryHint')}
          name="query"
          type="search"
          required
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
        <div className="actions">
          <button type="submit" disabled={searching}>
            {searching ? t('knowledge.search.searching') : t('knowledge.search.submit')}
          </button>
        </div>
      </form>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {result ? (
        <div aria-live="polite">
          <p className="hint">
            {t(result.mode === 'hybrid' ? 'knowledge.search.mode.hybrid' : 'knowledge.search.mode.lexical')}{' '}
            {result.terms.length > 0 ? t('knowledge.search.terms', { terms: result.terms.join(', ') }) : null}
          </p>
          {result.passages.length === 0 ? (
            <p>{t('knowledge.search.none')}</p>
          ) : (
            <ol className="knowledge-results" aria-label={t('knowledge.search.results')}>
              {result.passages.map((passage, index) => (
                <PassageView key={passage.chunkId} passage={passage} rank={index + 1} />
              ))}
            </ol>
          )}
        </div>
      ) : null}
    </section>
  );
}

export function KnowledgePage() {
  const { t } = useLocale();
  const { workspaceId, membership } = useSignedIn();
  const mayWrite = membership?.permissions.includes('knowledge.write') ?? false;
  const load = useCallback(() => listSources(workspaceId), [workspaceId]);
  const { loaded, reload } = useLoaded(load);
  const changed = () => void reload();

  return (
    <>
      <h1>{t('knowledge.title')}</h1>
      <p>{t('knowledge.intro')}</p>
      {mayWrite ? (
        <div className="knowledge-add">
          <AddFilesSection onChanged={changed} />
          <AddSiteSection onChanged={changed} />
        </div>
      ) : null}
      <section className="card" aria-labelledby="knowledge-sources-heading">
        <h2 id="knowledge-sources-heading">{t('knowledge.sources.title')}</h2>
        <LoadedView loaded={loaded}>
          {(list) => <SourcesSection list={list} mayWrite={mayWrite} onChanged={changed} />}
        </LoadedView>
      </section>
      <SearchSection />
    </>
  );
}
