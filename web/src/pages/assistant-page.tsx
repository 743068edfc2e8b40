import { useCallback, useId, useState, type FormEvent } from 'react';
import {
  askAssistant,
  createAssistant,
  createCuratedAnswer,
  deleteAssistant,
  deleteCuratedAnswer,
  getAssistant,
  getAssistantAnalytics,
  listAssistants,
  listCuratedAnswers,
  updateAssistant,
  type Assistant,
  type AssistantSettings,
  type ConversationMessage,
} from '../api/assistant.ts';
import { Alert, FormField } from '../components/form-field.tsx';
import { errorText, LoadedView, useLoaded } from '../components/loaded-view.tsx';
import { useLocale } from '../i18n/locale-context.tsx';
import { useSignedIn } from '../session.tsx';

/** Assistants: create and configure them, the script tag for the site, a test chat, curated answers. */
export function AssistantPage() {
  const { t } = useLocale();
  const { workspaceId } = useSignedIn();
  const load = useCallback(() => listAssistants(workspaceId), [workspaceId]);
  const { loaded, reload } = useLoaded(load);
  const [selected, setSelected] = useState<string>();

  return (
    <>
      <h1>{t('assistant.title')}</h1>
      <p>{t('assistant.intro')}</p>
      <section className="card" aria-labelledby="assistants-heading">
        <h2 id="assistants-heading">{t('assistant.title')}</h2>
        <LoadedView loaded={loaded}>
          {({ assistants }) =>
            assistants.length === 0 ? (
              <p className="muted">{t('assistant.none')}</p>
            ) : (
              <ul className="assistant-list">
                {assistants.map((assistant) => (
                  <li key={assistant.id}>
                    <button
                      type="button"
                      className={selected === assistant.id ? '' : 'secondary'}
                      aria-pressed={selected === assistant.id}
                      onClick={() => setSelected(assistant.id)}
                    >
                      {assistant.name}
                    </button>
                  </li>
                ))}
              </ul>
            )
          }
        </LoadedView>
      </section>
      {selected ? (
        <AssistantDetail
          key={selected}
          assistantId={selected}
          onChanged={reload}
          onDeleted={async () => {
            setSelected(undefined);
            await reload();
          }}
        />
      ) : null}
      <section className="card" aria-labelledby="create-assistant-heading">
        <h2 id="create-assistant-heading">{t('assistant.create')}</h2>
        <SettingsForm
          submitLabel={t('assistant.createButton')}
          successText={t('assistant.created')}
          save={async (settings) => {
            const created = await createAssistant(workspaceId, settings);
            await reload();
            setSelected(created.id);
          }}
        />
      </section>
      <CuratedAnswers />
      <Analytics />
    </>
  );
}

function Analytics() {
  const { t, formatNumber } = useLocale();
  const { workspaceId } = useSignedIn();
  const load = useCallback(() => getAssistantAnalytics(workspaceId, 30), [workspaceId]);
  const { loaded } = useLoaded(load);
  const percent = (share: number) => formatNumber(share, { style: 'percent', maximumFractionDigits: 1 });
  return (
    <section className="card" aria-labelledby="analytics-heading">
      <h2 id="analytics-heading">{t('assistant.analytics')}</h2>
      <LoadedView loaded={loaded}>
        {({ totals, unanswered }) => (
          <>
            <table>
              <tbody>
                <tr>
                  <th scope="row">{t('assistant.analyticsConversations')}</th>
                  <td>{formatNumber(totals.conversations)}</td>
                </tr>
                <tr>
                  <th scope="row">{t('assistant.analyticsAnswered')}</th>
                  <td>{percent(totals.answeredByAssistantShare)}</td>
                </tr>
                <tr>
                  <th scope="row">{t('assistant.analyticsHandedOver')}</th>
                  <td>{percent(totals.handedOverShare)}</td>
                </tr>
                <tr>
                  <th scope="row">{t('assistant.analyticsAbandoned')}</th>
                  <td>{percent(totals.abandonedShare)}</td>
                </tr>
                <tr>
                  <th scope="row">{t('assistant.analyticsFeedback')}</th>
                  <td>
                    {formatNumber(totals.thumbsUp)} / {formatNumber(totals.thumbsDown)}
                  </td>
                </tr>
                <tr>
                  <th scope="row">{t('assistant.analyticsFirstToken')}</th>
                  <td>
                    {totals.firstTokenMedianMs === null
                      ? '–'
                      : `${formatNumber(totals.firstTokenMedianMs)} ms`}
                  </td>
                </tr>
                <tr>
                  <th scope="row">{t('assistant.analyticsCost')}</th>
                  <td>
                    {totals.costPerConversation === null
                      ? '–'
                      : formatNumber(totals.costPerConversation, { maximumSignificantDigits: 3 })}
                  </td>
                </tr>
              </tbody>
            </table>
            <h3>{t('assistant.analyticsUnanswered')}</h3>
            <p className="hint">{t('assistant.analyticsUnansweredHint')}</p>
            {unanswered.length === 0 ? (
              <p className="muted">{t('assistant.analyticsNone')}</p>
            ) : (
              <ul>
                {unanswered.map((group) => (
                  <li key={group.question}>
                    {group.question}{' '}
                    <span className="muted">({t('assistant.analyticsTimes', { count: group.count })})</span>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </LoadedView>
    </section>
  );
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

function SettingsForm({
  initial,
  submitLabel,
  successText,
  save,
}: {
  initial?: Assistant;
  submitLabel: string;
  successText: string;
  save: (settings: AssistantSettings) => Promise<void>;
}) {
  const { t } = useLocale();
  const id = useId();
  const [name, setName] = useState(initial?.name ?? '');
  const [persona, setPersona] = useState(initial?.persona ?? '');
  const [tone, setTone] = useState(initial?.tone ?? '');
  const [boundaries, setBoundaries] = useState((initial?.boundaries ?? []).join('\n'));
  const [collections, setCollections] = useState((initial?.collections ?? []).join(', '));
  const [languagePolicy, setLanguagePolicy] = useState(initial?.languagePolicy ?? 'customer');
  const [threshold, setThreshold] = useState(String(initial?.confidenceThreshold ?? 0.5));
  const [origins, setOrigins] = useState((initial?.allowedOrigins ?? []).join('\n'));
  const [spendCap, setSpendCap] = useState(
    initial?.dailySpendCap === null || !initial ? '' : String(initial.dailySpendCap),
  );
  const [webhookUrl, setWebhookUrl] = useState(initial?.webhookUrl ?? '');
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string }>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await save({
        name,
        persona,
        tone,
        boundaries: lines(boundaries),
        collections: collections
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean),
        languagePolicy,
        confidenceThreshold: Number(threshold.replace(',', '.')),
        allowedOrigins: lines(origins),
        dailySpendCap: spendCap.trim() === '' ? null : Number(spendCap.replace(',', '.')),
        webhookUrl: webhookUrl.trim() === '' ? null : webhookUrl.trim(),
      });
      setMessage({ kind: 'success', text: successText });
      if (!initial) setName('');
    } catch (caught) {
      setMessage({ kind: 'error', text: t('form.failed', { message: errorText(caught) }) });
    }
  };

  return (
    <form className="grid-form" onSubmit={(event) => void submit(event)}>
      <FormField
        label={t('assistant.name')}
        value={name}
        onChange={(event) => setName(event.target.value)}
        required
      />
      <div className="field">
        <label htmlFor={`${id}-persona`}>{t('assistant.persona')}</label>
        <textarea
          id={`${id}-persona`}
          rows={3}
          value={persona}
          aria-describedby={`${id}-persona-hint`}
          onChange={(event) => setPersona(event.target.value)}
        />
        <p className="hint" id={`${id}-persona-hint`}>
          {t('assistant.personaHint')}
        </p>
      </div>
      <FormField
        label={t('assistant.tone')}
        hint={t('assistant.toneHint')}
        value={tone}
        onChange={(event) => setTone(event.target.value)}
      />
      <div className="field">
        <label htmlFor={`${id}-boundaries`}>{t('assistant.boundaries')}</label>
        <textarea
          id={`${id}-boundaries`}
          rows={2}
          value={boundaries}
          onChange={(event) => setBoundaries(event.target.value)}
        />
      </div>
      <FormField
        label={t('assistant.collections')}
        value={collections}
        onChange={(event) => setCollections(event.target.value)}
      />
      <div className="field">
        <label htmlFor={`${id}-language`}>{t('assistant.languagePolicy')}</label>
        <select
          id={`${id}-language`}
          value={languagePolicy}
          onChange={(event) => setLanguagePolicy(event.target.value as typeof languagePolicy)}
        >
          <option value="customer">{t('assistant.language.customer')}</option>
          <option value="sv">{t('assistant.language.sv')}</option>
          <option value="en">{t('assistant.language.en')}</option>
        </select>
      </div>
      <FormField
        label={t('assistant.threshold')}
        hint={t('assistant.thresholdHint')}
        inputMode="decimal"
        value={threshold}
        onChange={(event) => setThreshold(event.target.value)}
      />
      <div className="field">
        <label htmlFor={`${id}-origins`}>{t('assistant.origins')}</label>
        <textarea
          id={`${id}-origins`}
          rows={2}
          value={origins}
          aria-describedby={`${id}-origins-hint`}
          onChange={(event) => setOrigins(event.target.value)}
        />
        <p className="hint" id={`${id}-origins-hint`}>
          {t('assistant.originsHint')}
        </p>
      </div>
      <FormField
        label={t('assistant.spendCap')}
        inputMode="decimal"
        value={spendCap}
        onChange={(event) => setSpendCap(event.target.value)}
      />
      <FormField
        label={t('assistant.webhookUrl')}
        type="url"
        value={webhookUrl}
        onChange={(event) => setWebhookUrl(event.target.value)}
      />
      <div className="actions">
        <button type="submit">{submitLabel}</button>
      </div>
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
    </form>
  );
}

function AssistantDetail({
  assistantId,
  onChanged,
  onDeleted,
}: {
  assistantId: string;
  onChanged: () => Promise<void>;
  onDeleted: () => Promise<void>;
}) {
  const { t } = useLocale();
  const { workspaceId } = useSignedIn();
  const load = useCallback(() => getAssistant(workspaceId, assistantId), [workspaceId, assistantId]);
  const { loaded, reload } = useLoaded(load);
  const [error, setError] = useState<string>();

  return (
    <LoadedView loaded={loaded}>
      {(assistant) => {
        const snippet = `<script src="${window.location.origin}/widget.js" data-assistant="${assistant.id}" async></script>`;
        return (
          <>
            <section className="card" aria-labelledby="embed-heading">
              <h2 id="embed-heading">{t('assistant.embed')}</h2>
              <p>{t('assistant.embedHint')}</p>
              <pre className="snippet" tabIndex={0} aria-label={t('assistant.embed')}>
                <code>{snippet}</code>
              </pre>
              {assistant.webhookSecret ? (
                <p>
                  {t('assistant.webhookSecret')}: <code>{assistant.webhookSecret}</code>
                </p>
              ) : null}
            </section>
            <TestChat assistantId={assistant.id} />
            <section className="card" aria-labelledby="edit-assistant-heading">
              <h2 id="edit-assistant-heading">{t('assistant.edit', { name: assistant.name })}</h2>
              <SettingsForm
                key={assistant.updatedAt}
                initial={assistant}
                submitLabel={t('assistant.save')}
                successText={t('assistant.saved')}
                save={async (settings) => {
                  await updateAssistant(workspaceId, assistant.id, settings);
                  await reload();
                  await onChanged();
                }}
              />
              <div className="actions">
                <button
                  type="button"
                  className="secondary"
                  onClick={async () => {
                    if (!window.confirm(t('assistant.deleteConfirm', { name: assistant.name }))) return;
                    try {
                      await deleteAssistant(workspaceId, assistant.id);
                      await onDeleted();
                    } catch (caught) {
                      setError(errorText(caught));
                    }
                  }}
                >
                  {t('assistant.delete')}
                </button>
              </div>
              {error ? <Alert kind="error">{t('form.failed', { message: error })}</Alert> : null}
            </section>
          </>
        );
      }}
    </LoadedView>
  );
}

function TestChat({ assistantId }: { assistantId: string }) {
  const { t } = useLocale();
  const { workspaceId } = useSignedIn();
  const [question, setQuestion] = useState('');
  const [conversationId, setConversationId] = useState<string>();
  const [answers, setAnswers] = useState<Array<{ question: string; answer: ConversationMessage }>>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const ask = async (event: FormEvent) => {
    event.preventDefault();
    if (!question.trim()) return;
    setBusy(true);
    try {
      const result = await askAssistant(workspaceId, assistantId, question, conversationId);
      setConversationId(result.conversation.id);
      setAnswers((previous) => [...previous, { question, answer: result.answer }]);
      setQuestion('');
      setError(undefined);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="test-heading">
      <h2 id="test-heading">{t('assistant.test')}</h2>
      <div role="log" aria-live="polite" className="test-chat">
        {answers.map((entry) => (
          <div key={entry.answer.id} className="test-turn">
            <p>
              <strong>{t('inbox.role.customer')}:</strong> {entry.question}
            </p>
            <p className="answer-text">
              <strong>{t('inbox.role.assistant')}:</strong> {entry.answer.text}
            </p>
            <p className="muted">{t('assistant.kind', { kind: entry.answer.kind })}</p>
            {entry.answer.citations.length > 0 ? (
              <ol aria-label={t('assistant.sources')}>
                {entry.answer.citations.map((citation) => (
                  <li key={citation.marker} value={citation.marker}>
                    {citation.url ? (
                      <a href={citation.url} target="_blank" rel="noopener noreferrer">
                        {[citation.title, ...citation.headingPath].join(' › ')}
                      </a>
                    ) : (
                      [citation.title, ...citation.headingPath].join(' › ')
                    )}
                  </li>
                ))}
              </ol>
            ) : null}
          </div>
        ))}
      </div>
      <form className="inline-form" onSubmit={(event) => void ask(event)}>
        <FormField
          label={t('assistant.question')}
          value={question}
          onChange={(event) => setQuestion(event.target.value)}
        />
        <button type="submit" disabled={busy}>
          {t('assistant.ask')}
        </button>
      </form>
      {error ? <Alert kind="error">{t('form.failed', { message: error })}</Alert> : null}
    </section>
  );
}

function CuratedAnswers() {
  const { t } = useLocale();
  const { workspaceId } = useSignedIn();
  const id = useId();
  const load = useCallback(() => listCuratedAnswers(workspaceId), [workspaceId]);
  const { loaded, reload } = useLoaded(load);
  const [question, setQuestion] = useState('');
  const [answer, setAnswer] = useState('');
  const [error, setError] = useState<string>();

  const add = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await createCuratedAnswer(workspaceId, { assistantId: null, question, answer });
      setQuestion('');
      setAnswer('');
      setError(undefined);
      await reload();
    } catch (caught) {
      setError(errorText(caught));
    }
  };

  return (
    <section className="card" aria-labelledby="curated-heading">
      <h2 id="curated-heading">{t('assistant.curated')}</h2>
      <p>{t('assistant.curatedIntro')}</p>
      <LoadedView loaded={loaded}>
        {({ curatedAnswers }) =>
          curatedAnswers.length === 0 ? (
            <p className="muted">{t('assistant.curatedNone')}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('assistant.curatedQuestion')}</th>
                  <th scope="col">{t('assistant.curatedAnswer')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('assistant.remove')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {curatedAnswers.map((curated) => (
                  <tr key={curated.id}>
                    <td>{curated.question}</td>
                    <td>{curated.answer}</td>
                    <td>
                      <button
                        type="button"
                        className="secondary"
                        aria-label={`${t('assistant.remove')}: ${curated.question}`}
                        onClick={async () => {
                          await deleteCuratedAnswer(workspaceId, curated.id);
                          await reload();
                        }}
                      >
                        {t('assistant.remove')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </LoadedView>
      <form className="grid-form" onSubmit={(event) => void add(event)}>
        <FormField
          label={t('assistant.curatedQuestion')}
          value={question}
          onChange={(event) => setQuestion(event.target.value)}
          required
        />
        <div className="field">
          <label htmlFor={`${id}-answer`}>{t('assistant.curatedAnswer')}</label>
          <textarea
            id={`${id}-answer`}
            rows={3}
            value={answer}
            onChange={(event) => setAnswer(event.target.value)}
            required
          />
        </div>
        <div className="actions">
          <button type="submit">{t('assistant.curatedAdd')}</button>
        </div>
        {error ? <Alert kind="error">{t('form.failed', { message: error })}</Alert> : null}
      </form>
    </section>
  );
}
