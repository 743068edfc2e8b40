import { useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { getUsage, jobEventsUrl, pullModel, testModel, type UsagePerDayAndTask } from '../api/polett.ts';
import { Alert, FormField } from '../components/form-field.tsx';
import { InlineCode } from '../components/inline-code.tsx';
import { JobProgress, type JobView } from '../components/job-progress.tsx';
import { ModelSetup, useHealth } from '../components/model-setup.tsx';
import { UsageChart, UsageTable } from '../components/usage-chart.tsx';
import { useLocale } from '../i18n/locale-context.tsx';
import { Link } from '../router.tsx';
import { useSignedIn } from '../session.tsx';

const USAGE_DAYS = 30;
const PULL_EXAMPLE = 'bartowski/Qwen2.5-0.5B-Instruct-GGUF/Qwen2.5-0.5B-Instruct-Q4_K_M.gguf';

/** The name a finished pull registered the model under (the job's result), when it says one. */
function pulledName(job: JobView): string | undefined {
  const result = job.result;
  if (result && typeof result === 'object' && 'name' in result && typeof result.name === 'string')
    return result.name;
  return undefined;
}

/**
 * Pulls a model from the hub as a background job and follows it live; once it has succeeded the
 * page re-reads /health, where the new model shows among the others.
 */
function PullModelSection({ onPulled }: { onPulled: () => void }) {
  const { t, locale } = useLocale();
  const { workspaceId } = useSignedIn();
  const [reference, setReference] = useState('');
  const [name, setName] = useState('');
  const [starting, setStarting] = useState(false);
  const [job, setJob] = useState<JobView>();
  const [outcome, setOutcome] = useState<{ kind: 'success' | 'error' | 'info'; text: string }>();
  const running = starting || (job !== undefined && outcome === undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setStarting(true);
    setJob(undefined);
    setOutcome(undefined);
    try {
      const trimmedName = name.trim();
      setJob(
        await pullModel(workspaceId, {
          reference: reference.trim(),
          ...(trimmedName ? { name: trimmedName } : {}),
        }),
      );
    } catch (caught) {
      setOutcome({ kind: 'error', text: caught instanceof Error ? caught.message : String(caught) });
    } finally {
      setStarting(false);
    }
  };

  const finished = (ended: JobView) => {
    if (ended.state === 'succeeded') {
      setOutcome({
        kind: 'success',
        text: t('models.pullDone', { name: pulledName(ended) ?? (name.trim() || reference.trim()) }),
      });
      onPulled();
    } else if (ended.state === 'failed') {
      setOutcome({
        kind: 'error',
        text: t('models.pullFailed', { message: ended.error?.message[locale] ?? ended.error?.code ?? '' }),
      });
    } else {
      setOutcome({ kind: 'info', text: t('models.pullCancelled') });
    }
  };

  return (
    <section className="card" aria-labelledby="pull-model-heading">
      <h2 id="pull-model-heading">{t('models.pullTitle')}</h2>
      <p>{t('models.pullIntro')}</p>
      <p className="hint">
        <InlineCode text={t('models.pullCatalogue')} />
      </p>
      <form onSubmit={(event) => void submit(event)} className="grid-form">
        <FormField
          label={t('models.pullReference')}
          hint={t('models.pullReferenceHint', { example: PULL_EXAMPLE })}
          name="reference"
          required
          minLength={3}
          autoComplete="off"
          spellCheck={false}
          value={reference}
          onChange={(event) => setReference(event.target.value)}
        />
        <FormField
          label={t('models.pullName')}
          hint={t('models.pullNameHint')}
          name="modelName"
          autoComplete="off"
          spellCheck={false}
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <div className="actions">
          <button type="submit" disabled={running}>
            {running ? t('models.pulling') : t('models.pullStart')}
          </button>
        </div>
      </form>
      {job ? (
        <JobProgress
          key={job.id}
          initial={job}
          eventsUrl={jobEventsUrl(workspaceId, job.id)}
          onFinished={finished}
        />
      ) : null}
      {outcome ? <Alert kind={outcome.kind}>{outcome.text}</Alert> : null}
    </section>
  );
}

/** The last `count` days as YYYY-MM-DD (UTC, as the ledger groups them), oldest first. */
function lastDays(count: number): string[] {
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  return Array.from({ length: count }, (_, index) =>
    new Date(today - (count - 1 - index) * 86_400_000).toISOString().slice(0, 10),
  );
}

export function ModelsPage() {
  const { t } = useLocale();
  const { workspaceId, membership } = useSignedIn();
  const { health, reload } = useHealth();
  const mayManageModels = membership?.permissions.includes('models.manage') ?? false;
  const [usage, setUsage] = useState<
    { rows: UsagePerDayAndTask[] } | { missing: true } | { error: string }
  >();
  const [testResults, setTestResults] = useState<Record<string, { kind: 'success' | 'error'; text: string }>>(
    {},
  );
  const days = lastDays(USAGE_DAYS);

  useEffect(() => {
    getUsage(workspaceId, days[0]!)
      .then((answer) => setUsage({ rows: answer.rows }))
      .catch((caught: unknown) =>
        setUsage(
          caught instanceof ApiError && caught.isMissingRoute
            ? { missing: true }
            : { error: caught instanceof Error ? caught.message : String(caught) },
        ),
      );
    // Days change once a day; the workspace is what the ledger depends on.
  }, [workspaceId]);

  const test = async (alias: string) => {
    try {
      const answer = await testModel(workspaceId, alias);
      setTestResults((current) => ({
        ...current,
        [alias]: {
          kind: 'success',
          text: t('provider.testOk', { milliseconds: Math.round(answer.milliseconds), text: answer.text }),
        },
      }));
    } catch (caught) {
      const text =
        caught instanceof ApiError && caught.isMissingRoute
          ? t('models.testMissing', { alias })
          : caught instanceof Error
            ? caught.message
            : String(caught);
      setTestResults((current) => ({ ...current, [alias]: { kind: 'error', text } }));
    }
  };

  return (
    <>
      <h1>{t('models.title')}</h1>
      <p>{t('models.intro')}</p>

      <section className="card" aria-labelledby="models-list-heading">
        <h2 id="models-list-heading">{t('models.list')}</h2>
        {health && health.models.length === 0 ? <p>{t('models.none')}</p> : null}
        {health && health.models.length > 0 ? (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('models.alias')}</th>
                <th scope="col">{t('models.provider')}</th>
                <th scope="col">{t('models.where')}</th>
                <th scope="col">{t('models.tasks')}</th>
                <th scope="col">{t('models.state')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('provider.test')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {health.models.map((model) => (
                <tr key={model.alias}>
                  <th scope="row">
                    <code>{model.alias}</code>
                  </th>
                  <td>
                    {model.provider} <span className="muted">({model.type})</span>
                  </td>
                  <td>{model.remote ? t('models.remote') : t('models.local')}</td>
                  <td>{model.tasks.join(', ')}</td>
                  <td>
                    {model.ready ? (
                      <span className="badge badge-ok">{t('models.ready')}</span>
                    ) : (
                      <span className="badge badge-missing">
                        <InlineCode text={model.problem ?? ''} />
                      </span>
                    )}
                    {testResults[model.alias] ? (
                      <Alert kind={testResults[model.alias]!.kind}>
                        <InlineCode text={testResults[model.alias]!.text} />
                      </Alert>
                    ) : null}
                  </td>
                  <td>
                    <button type="button" className="secondary small" onClick={() => void test(model.alias)}>
                      {t('models.test', { alias: model.alias })}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>

      {mayManageModels ? <PullModelSection onPulled={() => void reload()} /> : null}

      <section className="card" aria-labelledby="usage-heading">
        <h2 id="usage-heading">{t('usage.title')}</h2>
        <p>
          <Link href="/learn">{t('usage.learnLink')}</Link>
        </p>
        {usage === undefined ? <p>{t('app.loading')}</p> : null}
        {usage && 'missing' in usage ? <p>{t('usage.notAvailable')}</p> : null}
        {usage && 'error' in usage ? <Alert kind="error">{usage.error}</Alert> : null}
        {usage && 'rows' in usage && usage.rows.length === 0 ? <p>{t('usage.empty')}</p> : null}
        {usage && 'rows' in usage && usage.rows.length > 0 ? (
          <>
            <div className="charts">
              <UsageChart rows={usage.rows} days={days} measure="tokens" title={t('usage.tokensPerDay')} />
              <UsageChart rows={usage.rows} days={days} measure="cost" title={t('usage.costPerDay')} />
            </div>
            <UsageTable rows={usage.rows} />
          </>
        ) : null}
      </section>

      <section className="card" aria-labelledby="model-setup-heading">
        <h2 id="model-setup-heading">{t('setup.modelsTitle')}</h2>
        <ModelSetup />
      </section>
    </>
  );
}
