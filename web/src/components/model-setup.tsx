import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { getHealth, saveProvider, testModel, type Health } from '../api/polett.ts';
import { useLocale } from '../i18n/locale-context.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { useSignedIn } from '../session.tsx';
import { Alert, FormField } from './form-field.tsx';
import { InlineCode } from './inline-code.tsx';

const TASK_NAMES: Record<string, MessageKey> = {
  chat: 'tasks.chat',
  embed: 'tasks.embed',
  rerank: 'tasks.rerank',
  classify: 'tasks.classify',
};

/** `/health`, re-read on demand (after a provider is added or a model pulled). */
export function useHealth() {
  const [health, setHealth] = useState<Health>();
  const [error, setError] = useState<string>();
  const reload = useCallback(async () => {
    try {
      setHealth(await getHealth());
      setError(undefined);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { health, error, reload };
}

/** Which task has a model, and for each without one, the server's hint on what to pull or configure. */
export function TaskTable({ health }: { health: Health }) {
  const { t } = useLocale();
  return (
    <table>
      <caption>{t('tasks.title')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('tasks.task')}</th>
          <th scope="col">{t('tasks.status')}</th>
          <th scope="col">{t('tasks.models')}</th>
        </tr>
      </thead>
      <tbody>
        {health.tasks.map((task) => (
          <tr key={task.task}>
            <th scope="row">
              {TASK_NAMES[task.task] ? t(TASK_NAMES[task.task]!) : task.task} <code>{task.task}</code>
            </th>
            <td>
              <span className={`badge ${task.ready ? 'badge-ok' : 'badge-missing'}`}>
                {task.ready ? t('tasks.ready') : t('tasks.missing')}
              </span>
              {task.hint ? (
                <p className="hint">
                  <InlineCode text={task.hint} />
                </p>
              ) : null}
            </td>
            <td>{task.models.length ? task.models.join(' → ') : t('tasks.none')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The polett.json fragment that adds the provider the user typed in, as the README documents it. */
function configSnippet(input: { name: string; baseURL: string; model: string; hasKey: boolean }): string {
  const provider: Record<string, unknown> = { type: 'openai-compatible', baseURL: input.baseURL };
  if (input.hasKey) provider.apiKey = { secret: input.name };
  return JSON.stringify(
    {
      providers: { [input.name]: provider },
      models: { [`${input.name}-chat`]: { provider: input.name, model: input.model } },
      tasks: { chat: [`${input.name}-chat`] },
    },
    null,
    2,
  );
}

/** The onboarding's model step, also on the Models page: task status, add a provider, test. */
export function ModelSetup() {
  const { t } = useLocale();
  const { workspaceId } = useSignedIn();
  const { health, error, reload } = useHealth();
  const [provider, setProvider] = useState({
    name: 'openai',
    baseURL: 'https://api.openai.com/v1',
    apiKey: '',
    model: 'gpt-4o-mini',
  });
  const [saveResult, setSaveResult] = useState<
    { kind: 'saved' } | { kind: 'missing' } | { kind: 'error'; message: string }
  >();
  const [testResult, setTestResult] = useState<{ kind: 'success' | 'error' | 'info'; text: string }>();
  const [testing, setTesting] = useState(false);

  const update = (field: keyof typeof provider) => (event: { target: { value: string } }) =>
    setProvider((current) => ({ ...current, [field]: event.target.value }));

  const save = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await saveProvider(workspaceId, {
        name: provider.name,
        baseURL: provider.baseURL,
        model: provider.model,
        ...(provider.apiKey ? { apiKey: provider.apiKey } : {}),
      });
      setSaveResult({ kind: 'saved' });
      await reload();
    } catch (caught) {
      if (caught instanceof ApiError && caught.isMissingRoute) setSaveResult({ kind: 'missing' });
      else
        setSaveResult({ kind: 'error', message: caught instanceof Error ? caught.message : String(caught) });
    }
  };

  const test = async () => {
    setTesting(true);
    setTestResult(undefined);
    try {
      const answer = await testModel(workspaceId, 'chat');
      setTestResult({
        kind: 'success',
        text: t('provider.testOk', { milliseconds: Math.round(answer.milliseconds), text: answer.text }),
      });
    } catch (caught) {
      if (caught instanceof ApiError && caught.isMissingRoute) {
        // No test route on this server: re-read /health, which checks files and keys for each model.
        await reload();
        const chat = (await getHealth()).tasks.find((task) => task.task === 'chat');
        setTestResult({
          kind: chat?.ready ? 'success' : 'info',
          text: `${t('tasks.chat')}: ${chat?.ready ? t('tasks.ready') : (chat?.hint ?? t('tasks.missing'))}`,
        });
      } else {
        setTestResult({ kind: 'error', text: caught instanceof Error ? caught.message : String(caught) });
      }
    } finally {
      setTesting(false);
    }
  };

  return (
    <div className="model-setup">
      {error ? <Alert kind="error">{error}</Alert> : null}
      {health ? <TaskTable health={health} /> : <p>{t('app.loading')}</p>}
      <div className="actions">
        <button type="button" className="secondary" onClick={() => void test()} disabled={testing}>
          {testing ? t('provider.testing') : t('provider.testChat')}
        </button>
      </div>
      {testResult ? <Alert kind={testResult.kind}>{testResult.text}</Alert> : null}

      <section className="subsection" aria-labelledby="provider-heading">
        <h2 id="provider-heading">{t('provider.title')}</h2>
        <p>{t('provider.intro')}</p>
        <form onSubmit={(event) => void save(event)} className="grid-form">
          <FormField
            label={t('provider.name')}
            name="providerName"
            required
            pattern="[a-z0-9-]+"
            value={provider.name}
            onChange={update('name')}
          />
          <FormField
            label={t('provider.baseUrl')}
            name="baseURL"
            type="url"
            required
            value={provider.baseURL}
            onChange={update('baseURL')}
          />
          <FormField
            label={t('provider.apiKey')}
            hint={t('provider.apiKeyHint')}
            name="apiKey"
            type="password"
            autoComplete="off"
            value={provider.apiKey}
            onChange={update('apiKey')}
          />
          <FormField
            label={t('provider.model')}
            name="model"
            required
            value={provider.model}
            onChange={update('model')}
          />
          <div className="actions">
            <button type="submit">{t('provider.save')}</button>
          </div>
        </form>
        {saveResult?.kind === 'saved' ? <Alert kind="success">{t('provider.saved')}</Alert> : null}
        {saveResult?.kind === 'error' ? (
          <Alert kind="error">{t('form.failed', { message: saveResult.message })}</Alert>
        ) : null}
        {saveResult?.kind === 'missing' ? (
          <Alert kind="info">
            <p>{t('provider.noRoute')}</p>
            <pre tabIndex={0}>
              <code>{configSnippet({ ...provider, hasKey: provider.apiKey !== '' })}</code>
            </pre>
            {provider.apiKey ? <p>{t('provider.secretHint', { name: provider.name })}</p> : null}
          </Alert>
        ) : null}
      </section>
    </div>
  );
}
