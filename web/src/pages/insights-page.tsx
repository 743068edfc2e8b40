import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import type { ChartConfiguration } from 'chart.js';
import {
  insightsApi,
  type AnalysedRow,
  type ColumnMappingInput,
  type ColumnRole,
  type Comparison,
  type ImportPreview,
  type ImportRecord,
  type InsightsAlert,
  type InsightsFilters,
  type InsightsSummary,
  type TrendPoint,
} from '../api/insights.ts';
import { ChartCanvas } from '../components/charts/chart-canvas.tsx';
import { Alert, FormField } from '../components/form-field.tsx';
import { JobProgress, type JobView } from '../components/job-progress.tsx';
import { errorText } from '../components/loaded-view.tsx';
import { useLocale } from '../i18n/locale-context.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { useSignedIn } from '../session.tsx';
import { InsightsSettingsSection } from './insights-settings.tsx';

const ROLES: ColumnRole[] = ['text', 'date', 'rating', 'source', 'author', 'id', 'label'];
const SENTIMENTS = ['positive', 'neutral', 'negative'] as const;
type Sentiment = (typeof SENTIMENTS)[number];
const SENTIMENT_COLORS: Record<Sentiment, string> = {
  positive: '#2e7d32',
  neutral: '#757575',
  negative: '#b3261e',
};
const SENTIMENT_KEYS: Record<Sentiment, MessageKey> = {
  positive: 'insights.sentiment.positive',
  neutral: 'insights.sentiment.neutral',
  negative: 'insights.sentiment.negative',
};
const DAY_MS = 86_400_000;
const isoDay = (time: number) => new Date(time).toISOString().slice(0, 10);

/** Import: upload, preview with the detected mapping to confirm once, the import job, then the analysis job. */
function ImportSection({ onAnalysed }: { onAnalysed: () => void }) {
  const { t, locale } = useLocale();
  const { workspaceId } = useSignedIn();
  const fileId = useId();
  const [file, setFile] = useState<File>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [preview, setPreview] = useState<ImportPreview>();
  const [mapping, setMapping] = useState<Partial<Record<ColumnRole, string>>>({});
  const [importJob, setImportJob] = useState<JobView>();
  const [report, setReport] = useState<ImportRecord['report']>(null);
  const [analysisJob, setAnalysisJob] = useState<JobView>();

  const upload = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(undefined);
    setPreview(undefined);
    setImportJob(undefined);
    setAnalysisJob(undefined);
    setReport(null);
    try {
      const answer = await insightsApi.upload(workspaceId, file, locale);
      setPreview(answer);
      setMapping(answer.mapping);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  };

  const confirm = async () => {
    if (!preview) return;
    if (!mapping.text) {
      setError(t('insights.import.needText'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const chosen = Object.fromEntries(
        Object.entries(mapping).filter(([, column]) => column),
      ) as ColumnMappingInput;
      const { jobId } = await insightsApi.confirm(workspaceId, preview.id, chosen);
      setImportJob(await insightsApi.job(workspaceId, jobId));
    } catch (caught) {
      setError(errorText(caught));
      setBusy(false);
    }
  };

  const imported = async (job: JobView) => {
    if (job.state !== 'succeeded' || !preview || analysisJob) {
      if (job.state !== 'succeeded') setBusy(false);
      return;
    }
    const record = await insightsApi.importRecord(workspaceId, preview.id);
    setReport(record.report);
    const { jobId } = await insightsApi.analyse(workspaceId);
    setAnalysisJob(await insightsApi.job(workspaceId, jobId));
  };

  return (
    <section className="card" aria-labelledby="insights-import-heading">
      <h2 id="insights-import-heading">{t('insights.import.title')}</h2>
      <form className="inline-form" onSubmit={(event) => void upload(event)}>
        <div className="field">
          <label htmlFor={fileId}>{t('insights.import.file')}</label>
          <input
            id={fileId}
            type="file"
            accept=".csv,.tsv,.txt,.json,.jsonl,.ndjson,.xlsx"
            onChange={(event) => setFile(event.target.files?.[0])}
          />
        </div>
        <button type="submit" disabled={!file || busy}>
          {busy && !preview ? t('insights.import.uploading') : t('insights.import.upload')}
        </button>
      </form>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {preview ? (
        <div className="subsection">
          <p>
            <strong>{preview.fileName}</strong>:{' '}
            {t('insights.import.detected', {
              format: preview.format.toUpperCase(),
              encoding: preview.encoding ?? 'XLSX',
            })}
          </p>
          <fieldset disabled={importJob !== undefined}>
            <legend>{t('insights.import.mapping')}</legend>
            <div className="grid-form">
              {ROLES.map((role) => (
                <MappingSelect
                  key={role}
                  role={role}
                  columns={preview.columns}
                  value={mapping[role] ?? ''}
                  onChange={(column) =>
                    setMapping((current) => ({ ...current, [role]: column || undefined }))
                  }
                />
              ))}
            </div>
          </fieldset>
          <table>
            <caption>{t('insights.import.sample')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('insights.import.line')}</th>
                <th scope="col">{t('insights.role.text')}</th>
              </tr>
            </thead>
            <tbody>
              {preview.sample.slice(0, 5).map((record) => (
                <tr key={record.line}>
                  <td>{record.line}</td>
                  <td>{mapping.text ? (record.fields[mapping.text] ?? '') : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {importJob ? null : (
            <button type="button" onClick={() => void confirm()} disabled={busy}>
              {t('insights.import.confirm')}
            </button>
          )}
        </div>
      ) : null}
      {importJob ? (
        <JobProgress
          initial={importJob}
          eventsUrl={insightsApi.jobEventsUrl(workspaceId, importJob.id)}
          onFinished={(job) => void imported(job)}
        />
      ) : null}
      {report ? (
        <div role="status">
          <p>
            {t('insights.import.report', {
              imported: report.imported,
              duplicates: report.duplicates,
              skipped: report.skipped,
            })}
          </p>
          {report.problems.length > 0 ? (
            <ul>
              {report.problems.slice(0, 10).map((problem) => (
                <li key={`${problem.line}-${problem.kind}`}>
                  {t('insights.import.problem', { line: problem.line, reason: problem.reason[locale] })}
                </li>
              ))}
            </ul>
          ) : null}
          {report.labelTypos.map((typo) => (
            <p key={typo.label}>{t('insights.import.typo', { label: typo.label, likely: typo.likely })}</p>
          ))}
        </div>
      ) : null}
      {analysisJob ? (
        <JobProgress
          initial={analysisJob}
          eventsUrl={insightsApi.jobEventsUrl(workspaceId, analysisJob.id)}
          onFinished={(job) => {
            setBusy(false);
            if (job.state === 'succeeded') onAnalysed();
          }}
        />
      ) : null}
    </section>
  );
}

function MappingSelect({
  role,
  columns,
  value,
  onChange,
}: {
  role: ColumnRole;
  columns: string[];
  value: string;
  onChange: (column: string) => void;
}) {
  const { t } = useLocale();
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{t(`insights.role.${role}` as MessageKey)}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">{t('insights.import.none')}</option>
        {columns.map((column) => (
          <option key={column} value={column}>
            {column}
          </option>
        ))}
      </select>
    </div>
  );
}

function FiltersForm({ onApply }: { onApply: (filters: InsightsFilters) => void }) {
  const { t } = useLocale();
  const [form, setForm] = useState({
    from: '',
    to: '',
    source: '',
    language: '',
    minimumRating: '',
    topic: '',
  });
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm((current) => ({ ...current, [key]: event.target.value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply({
      ...(form.from ? { from: form.from } : {}),
      ...(form.to ? { to: form.to } : {}),
      ...(form.source ? { source: form.source } : {}),
      ...(form.language ? { language: form.language } : {}),
      ...(form.minimumRating ? { minimumRating: Number(form.minimumRating) } : {}),
      ...(form.topic ? { topic: form.topic } : {}),
    });
  };
  return (
    <form className="grid-form" onSubmit={submit} aria-label={t('insights.filters.title')}>
      <FormField label={t('insights.filters.from')} type="date" value={form.from} onChange={set('from')} />
      <FormField label={t('insights.filters.to')} type="date" value={form.to} onChange={set('to')} />
      <FormField label={t('insights.filters.source')} value={form.source} onChange={set('source')} />
      <FormField label={t('insights.filters.language')} value={form.language} onChange={set('language')} />
      <FormField
        label={t('insights.filters.rating')}
        type="number"
        min={0}
        max={10}
        value={form.minimumRating}
        onChange={set('minimumRating')}
      />
      <FormField label={t('insights.filters.topic')} value={form.topic} onChange={set('topic')} />
      <div className="actions">
        <button type="submit">{t('insights.filters.apply')}</button>
        <button
          type="button"
          onClick={() => {
            setForm({ from: '', to: '', source: '', language: '', minimumRating: '', topic: '' });
            onApply({});
          }}
        >
          {t('insights.filters.clear')}
        </button>
      </div>
    </form>
  );
}

interface DashboardData {
  summary: InsightsSummary;
  weeks: TrendPoint[];
  aspects: Array<{ aspect: string } & Record<Sentiment, number>>;
  comparison: Comparison | undefined;
}

/** The charts, each drilling down to the quotes behind it. */
function Dashboard({
  filters,
  refreshKey,
  onDrill,
}: {
  filters: InsightsFilters;
  refreshKey: number;
  onDrill: (drill: { filters: InsightsFilters; label: string }) => void;
}) {
  const { t, formatNumber, formatDate } = useLocale();
  const { workspaceId } = useSignedIn();
  const [data, setData] = useState<DashboardData>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const [summary, weekly, byAspect] = await Promise.all([
          insightsApi.summary(workspaceId),
          insightsApi.trends(workspaceId, { ...filters, bucket: 'week' }),
          insightsApi.trends(workspaceId, { ...filters, bucket: 'month', groupBy: 'aspect' }),
        ]);
        const aspects = new Map<string, { aspect: string } & Record<Sentiment, number>>();
        for (const point of byAspect.points) {
          const name = point.group ?? '';
          const row = aspects.get(name) ?? { aspect: name, positive: 0, neutral: 0, negative: 0 };
          for (const sentiment of SENTIMENTS) row[sentiment] += point[sentiment];
          aspects.set(name, row);
        }
        let comparison: Comparison | undefined;
        const lastWeek = weekly.points.at(-1)?.period;
        if (lastWeek) {
          // "Now" is the end of the data, so an imported history compares its own last month.
          const end = Date.parse(`${lastWeek}T00:00:00Z`) + 7 * DAY_MS;
          comparison = await insightsApi.compare(workspaceId, {
            ...filters,
            beforeFrom: isoDay(end - 60 * DAY_MS),
            beforeTo: isoDay(end - 30 * DAY_MS),
            afterFrom: isoDay(end - 30 * DAY_MS),
            afterTo: isoDay(end),
          });
        }
        if (!cancelled) {
          setData({ summary, weeks: weekly.points, aspects: [...aspects.values()], comparison });
          setError(undefined);
        }
      } catch (caught) {
        if (!cancelled) setError(errorText(caught));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [workspaceId, filters, refreshKey]);

  const sentimentConfig = useMemo<ChartConfiguration | undefined>(
    () =>
      data && {
        type: 'line',
        data: {
          labels: data.weeks.map((point) => formatDate(point.period)),
          datasets: SENTIMENTS.map((sentiment) => ({
            label: t(SENTIMENT_KEYS[sentiment]),
            data: data.weeks.map((point) => point[sentiment]),
            borderColor: SENTIMENT_COLORS[sentiment],
            backgroundColor: SENTIMENT_COLORS[sentiment],
          })),
        },
        options: { scales: { y: { beginAtZero: true } } },
      },
    [data, t, formatDate],
  );
  const volumeConfig = useMemo<ChartConfiguration | undefined>(
    () =>
      data && {
        type: 'bar',
        data: {
          labels: data.aspects.map((row) => row.aspect),
          datasets: SENTIMENTS.map((sentiment) => ({
            label: t(SENTIMENT_KEYS[sentiment]),
            data: data.aspects.map((row) => row[sentiment]),
            backgroundColor: SENTIMENT_COLORS[sentiment],
          })),
        },
        options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
      },
    [data, t],
  );

  const topicConfig = useMemo<ChartConfiguration | undefined>(
    () =>
      data && data.summary.topics.length > 0
        ? {
            type: 'bar',
            data: {
              labels: data.summary.topics.map((topic) => topic.name),
              datasets: [
                {
                  label: t('insights.chart.count'),
                  data: data.summary.topics.map((topic) => topic.size),
                  backgroundColor: '#1d4e89',
                },
              ],
            },
            options: { indexAxis: 'y', plugins: { legend: { display: false } } },
          }
        : undefined,
    [data, t],
  );

  if (error) return <Alert kind="error">{error}</Alert>;
  if (!data) return <p>{t('app.loading')}</p>;
  const { summary } = data;
  if (summary.total === 0) return <p className="muted">{t('insights.dashboard.empty')}</p>;
  const analysed = Math.max(
    1,
    summary.sentiment.positive + summary.sentiment.neutral + summary.sentiment.negative,
  );
  const percent = (value: number) => formatNumber(Math.round((value / analysed) * 100));
  const maximum = Math.max(
    1,
    ...data.aspects.flatMap((row) => SENTIMENTS.map((sentiment) => row[sentiment])),
  );
  const drillWeek = (index: number, datasetIndex: number) => {
    const week = data.weeks[index];
    const sentiment = SENTIMENTS[datasetIndex];
    if (!week || !sentiment) return;
    const from = week.period;
    const to = isoDay(Date.parse(`${from}T00:00:00Z`) + 7 * DAY_MS);
    onDrill({
      filters: { ...filters, from, to, sentiment },
      label: `${t(SENTIMENT_KEYS[sentiment])}, ${formatDate(from)}`,
    });
  };
  const drillAspect = (aspect: string, sentiment: Sentiment) =>
    onDrill({
      filters: { ...filters, aspect, aspectSentiment: sentiment },
      label: `${aspect}: ${t(SENTIMENT_KEYS[sentiment]).toLowerCase()}`,
    });

  return (
    <>
      <p>
        {t('insights.dashboard.totals', {
          total: formatNumber(summary.total),
          positive: percent(summary.sentiment.positive),
          negative: percent(summary.sentiment.negative),
        })}
      </p>
      <section aria-labelledby="insights-alerts-heading" className="subsection">
        <h3 id="insights-alerts-heading">{t('insights.alerts.title')}</h3>
        <AlertsList alerts={summary.alerts} />
      </section>
      <div className="charts">
        {sentimentConfig ? (
          <ChartCanvas
            config={sentimentConfig}
            label={t('insights.chart.sentiment')}
            fileName="kansla-over-tid.png"
            onSelect={({ index, datasetIndex }) => drillWeek(index, datasetIndex)}
            table={
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('insights.chart.period')}</th>
                    {SENTIMENTS.map((sentiment) => (
                      <th scope="col" key={sentiment}>
                        {t(SENTIMENT_KEYS[sentiment])}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {data.weeks.map((point, index) => (
                    <tr key={point.period}>
                      <th scope="row">{formatDate(point.period)}</th>
                      {SENTIMENTS.map((sentiment, datasetIndex) => (
                        <td key={sentiment}>
                          <button
                            type="button"
                            className="link"
                            onClick={() => drillWeek(index, datasetIndex)}
                          >
                            {formatNumber(point[sentiment])}
                          </button>
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            }
          />
        ) : null}
        {volumeConfig ? (
          <ChartCanvas
            config={volumeConfig}
            label={t('insights.chart.volumes')}
            fileName="volym-per-aspekt.png"
            onSelect={({ index, datasetIndex }) => {
              const row = data.aspects[index];
              const sentiment = SENTIMENTS[datasetIndex];
              if (row && sentiment) drillAspect(row.aspect, sentiment);
            }}
            table={<AspectTable rows={data.aspects} maximum={maximum} onDrill={drillAspect} heat={false} />}
          />
        ) : null}
        {topicConfig ? (
          <ChartCanvas
            config={topicConfig}
            label={t('insights.chart.topics')}
            fileName="amnen.png"
            onSelect={({ index }) => {
              const topic = summary.topics[index];
              if (topic) onDrill({ filters: { ...filters, topic: topic.name }, label: topic.name });
            }}
            table={
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('insights.chart.topic')}</th>
                    <th scope="col">{t('insights.chart.count')}</th>
                    <th scope="col">{t('insights.chart.typical')}</th>
                  </tr>
                </thead>
                <tbody>
                  {summary.topics.map((topic) => (
                    <tr key={topic.name}>
                      <th scope="row">
                        <button
                          type="button"
                          className="link"
                          onClick={() =>
                            onDrill({ filters: { ...filters, topic: topic.name }, label: topic.name })
                          }
                        >
                          {topic.name}
                        </button>
                      </th>
                      <td>{formatNumber(topic.size)}</td>
                      <td>{topic.quotes.join(' · ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            }
          />
        ) : null}
      </div>
      <section aria-labelledby="insights-heatmap-heading" className="subsection">
        <h3 id="insights-heatmap-heading">{t('insights.chart.heatmap')}</h3>
        <AspectTable rows={data.aspects} maximum={maximum} onDrill={drillAspect} heat />
      </section>
      <section aria-labelledby="insights-movers-heading" className="subsection">
        <h3 id="insights-movers-heading">{t('insights.chart.movers')}</h3>
        {data.comparison && data.comparison.movers.length > 0 ? (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('insights.chart.aspect')}</th>
                <th scope="col">{t('insights.chart.change')}</th>
                <th scope="col">{t('insights.chart.volumeChange')}</th>
              </tr>
            </thead>
            <tbody>
              {data.comparison.movers.slice(0, 5).map((mover) => (
                <tr key={mover.key}>
                  <th scope="row">{mover.key.replace(/^[a-z]+:/, '')}</th>
                  <td>
                    {mover.negativeShareChange > 0 ? '+' : ''}
                    {formatNumber(mover.negativeShareChange)}
                  </td>
                  <td>
                    {mover.volumeChange > 0 ? '+' : ''}
                    {formatNumber(mover.volumeChange)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">{t('insights.chart.noMovers')}</p>
        )}
      </section>
      <p className="actions">
        <a href={insightsApi.exportUrl(workspaceId, 'csv', filters)} download>
          {t('insights.export.csv')}
        </a>
        <a href={insightsApi.exportUrl(workspaceId, 'xlsx', filters)} download>
          {t('insights.export.xlsx')}
        </a>
      </p>
    </>
  );
}

/** The spike alerts, each acknowledged once by an editor; an acknowledged one stays, marked with when. */
function AlertsList({ alerts }: { alerts: InsightsAlert[] }) {
  const { t, locale, formatDate } = useLocale();
  const { workspaceId, membership } = useSignedIn();
  const mayAcknowledge = membership?.permissions.includes('knowledge.write') ?? false;
  const [acknowledged, setAcknowledged] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  // Acknowledging removes the focused button: focus goes on to the next open alert's button, or,
  // with none left, to the count of open alerts, instead of falling to the page's top.
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const countRef = useRef<HTMLParagraphElement>(null);
  const [focusNext, setFocusNext] = useState<{ alertId?: string }>();
  useEffect(() => {
    if (!focusNext) return;
    const target = focusNext.alertId ? buttons.current.get(focusNext.alertId) : countRef.current;
    target?.focus();
    setFocusNext(undefined);
  }, [focusNext]);
  const acknowledgedAt = (alert: InsightsAlert) => alert.acknowledgedAt ?? acknowledged[alert.id];
  const acknowledge = async (alert: InsightsAlert) => {
    setError(undefined);
    try {
      await insightsApi.acknowledgeAlert(workspaceId, alert.id);
      const index = alerts.findIndex((entry) => entry.id === alert.id);
      const stillOpen = (entry: InsightsAlert) => entry.id !== alert.id && !acknowledgedAt(entry);
      const next =
        alerts.slice(index + 1).find(stillOpen) ?? alerts.slice(0, index).reverse().find(stillOpen);
      setAcknowledged((current) => ({ ...current, [alert.id]: new Date().toISOString() }));
      setFocusNext(next ? { alertId: next.id } : {});
    } catch (caught) {
      setError(errorText(caught));
    }
  };
  if (alerts.length === 0) return <p className="muted">{t('insights.alerts.none')}</p>;
  const open = alerts.filter((alert) => !acknowledgedAt(alert)).length;
  return (
    <>
      <p ref={countRef} tabIndex={-1} data-testid="insights-alerts-open">
        {t('insights.alerts.unacknowledged', { count: open })}
      </p>
      {error ? <Alert kind="error">{error}</Alert> : null}
      <ul className="insights-alerts" style={{ listStyle: 'none', paddingLeft: 0 }}>
        {alerts.map((alert) => {
          const at = acknowledgedAt(alert);
          return (
            <li key={alert.id} className={`alert ${at ? 'alert-success' : 'alert-info'}`}>
              <p>{alert.message[locale]}</p>
              {at ? (
                <p className="muted">{t('insights.alerts.acknowledged', { date: formatDate(at) })}</p>
              ) : mayAcknowledge ? (
                <button
                  type="button"
                  className="secondary small"
                  ref={(element) => {
                    if (element) buttons.current.set(alert.id, element);
                    else buttons.current.delete(alert.id);
                  }}
                  aria-label={t('insights.alerts.acknowledgeLabel', { message: alert.message[locale] })}
                  onClick={() => void acknowledge(alert)}
                >
                  {t('insights.alerts.acknowledge')}
                </button>
              ) : null}
            </li>
          );
        })}
      </ul>
    </>
  );
}

/** Aspects by sentiment: a heatmap whose cells are buttons that open the quotes behind them. */
function AspectTable({
  rows,
  maximum,
  heat,
  onDrill,
}: {
  rows: Array<{ aspect: string } & Record<Sentiment, number>>;
  maximum: number;
  heat: boolean;
  onDrill: (aspect: string, sentiment: Sentiment) => void;
}) {
  const { t, formatNumber } = useLocale();
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{t('insights.chart.aspect')}</th>
          {SENTIMENTS.map((sentiment) => (
            <th scope="col" key={sentiment}>
              {t(SENTIMENT_KEYS[sentiment])}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.aspect}>
            <th scope="row">{row.aspect}</th>
            {SENTIMENTS.map((sentiment) => {
              const value = row[sentiment];
              // Light enough at every level for the dark text to keep its contrast.
              const alpha = heat ? 0.08 + 0.35 * (value / maximum) : 0;
              const [red, green, blue] =
                sentiment === 'positive'
                  ? [46, 125, 50]
                  : sentiment === 'negative'
                    ? [179, 38, 30]
                    : [117, 117, 117];
              return (
                <td
                  key={sentiment}
                  style={
                    heat ? { background: `rgba(${red}, ${green}, ${blue}, ${alpha.toFixed(2)})` } : undefined
                  }
                >
                  <button
                    type="button"
                    className="link"
                    aria-label={`${row.aspect}, ${t(SENTIMENT_KEYS[sentiment]).toLowerCase()}: ${formatNumber(value)}. ${t('insights.chart.drill')}`}
                    onClick={() => onDrill(row.aspect, sentiment)}
                  >
                    {formatNumber(value)}
                  </button>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The quotes behind the chosen chart point or cell; a negative one can be handed to Content for a reply. */
function Quotes({ drill }: { drill: { filters: InsightsFilters; label: string } }) {
  const { t, formatDate } = useLocale();
  const { workspaceId } = useSignedIn();
  const [rows, setRows] = useState<AnalysedRow[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string>();
  const load = useCallback(
    async (offset: number) => {
      try {
        const page = await insightsApi.rows(workspaceId, { ...drill.filters, limit: 20, offset });
        setRows((current) => (offset === 0 ? page.rows : [...current, ...page.rows]));
        setTotal(page.total);
      } catch (caught) {
        setError(errorText(caught));
      }
    },
    [workspaceId, drill],
  );
  useEffect(() => {
    void load(0);
  }, [load]);
  return (
    <section className="card" aria-labelledby="insights-quotes-heading">
      <h2 id="insights-quotes-heading">{t('insights.rows.title')}</h2>
      <p role="status">{t('insights.rows.showing', { count: rows.length, total, filter: drill.label })}</p>
      {error ? <Alert kind="error">{error}</Alert> : null}
      <ul className="insights-quotes">
        {rows.map((row) => (
          <li key={row.id}>
            <blockquote>{row.text}</blockquote>
            <p className="muted">
              {[
                row.occurredAt ? formatDate(row.occurredAt) : null,
                row.source,
                row.sentiment
                  ? t(SENTIMENT_KEYS[row.sentiment as Sentiment] ?? 'insights.sentiment.neutral')
                  : null,
                row.aspects.map((aspect) => aspect.aspect).join(', ') || null,
              ]
                .filter(Boolean)
                .join(' · ')}
              {row.sentimentModel ? ` · ${t('insights.rows.model', { model: row.sentimentModel })}` : ''}
            </p>
            {row.sentiment === 'negative' ? (
              <a href={`/content?reply=${encodeURIComponent(row.id)}`}>{t('insights.rows.reply')}</a>
            ) : null}
          </li>
        ))}
      </ul>
      {rows.length < total ? (
        <button type="button" onClick={() => void load(rows.length)}>
          {t('insights.rows.more')}
        </button>
      ) : null}
    </section>
  );
}

export function InsightsPage() {
  const { t } = useLocale();
  const [filters, setFilters] = useState<InsightsFilters>({});
  const [refreshKey, setRefreshKey] = useState(0);
  const [drill, setDrill] = useState<{ filters: InsightsFilters; label: string }>();
  return (
    <div className="content">
      <h1>{t('insights.title')}</h1>
      <p className="muted">{t('insights.intro')}</p>
      <ImportSection onAnalysed={() => setRefreshKey((key) => key + 1)} />
      <section className="card" aria-labelledby="insights-dashboard-heading">
        <h2 id="insights-dashboard-heading">{t('insights.dashboard.title')}</h2>
        <FiltersForm
          onApply={(applied) => {
            setFilters(applied);
            setDrill(undefined);
          }}
        />
        <Dashboard filters={filters} refreshKey={refreshKey} onDrill={setDrill} />
      </section>
      {drill ? <Quotes drill={drill} /> : null}
      <InsightsSettingsSection />
    </div>
  );
}
