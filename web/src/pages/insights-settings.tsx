/**
 * Insights settings on the Insights page: the aspects the analysis looks for (a list the user
 * edits) and the webhook that spike alerts are posted to (its address, its signing secret shown
 * once when set or replaced, and a test delivery). Everyone in the workspace can read them; only
 * those with `workspace.manage` can change them, as the server enforces.
 */
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { insightsApi, type InsightsSettings } from '../api/insights.ts';
import { Alert, FormField } from '../components/form-field.tsx';
import { errorText } from '../components/loaded-view.tsx';
import { useLocale } from '../i18n/locale-context.tsx';
import { useSignedIn } from '../session.tsx';

/** An aspect as edited: keywords as the comma-separated text the user types. */
interface AspectDraft {
  key: number;
  name: string;
  keywords: string;
}

let nextDraftKey = 0;
const draftOf = (aspect: { name: string; keywords: string[] }): AspectDraft => ({
  key: (nextDraftKey += 1),
  name: aspect.name,
  keywords: aspect.keywords.join(', '),
});
const keywordsOf = (draft: AspectDraft) =>
  [...new Set(draft.keywords.split(',').map((keyword) => keyword.trim()))].filter(Boolean);

export function InsightsSettingsSection() {
  const { t } = useLocale();
  const { workspaceId, membership } = useSignedIn();
  const mayManage = membership?.permissions.includes('workspace.manage') ?? false;
  const [settings, setSettings] = useState<InsightsSettings>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let cancelled = false;
    insightsApi.settings(workspaceId).then(
      (loaded) => !cancelled && setSettings(loaded),
      (caught: unknown) => !cancelled && setError(errorText(caught)),
    );
    return () => {
      cancelled = true;
    };
  }, [workspaceId]);

  return (
    <section className="card" aria-labelledby="insights-settings-heading">
      <h2 id="insights-settings-heading">{t('insights.settings.title')}</h2>
      {mayManage ? null : <p className="muted">{t('insights.settings.readOnly')}</p>}
      {error ? <Alert kind="error">{error}</Alert> : null}
      {settings ? (
        <>
          <AspectsForm initial={settings.aspects} disabled={!mayManage} onSaved={setSettings} />
          <WebhookForm initialUrl={settings.alertWebhookUrl} disabled={!mayManage} />
        </>
      ) : error ? null : (
        <p>{t('app.loading')}</p>
      )}
    </section>
  );
}

function AspectsForm({
  initial,
  disabled,
  onSaved,
}: {
  initial: InsightsSettings['aspects'];
  disabled: boolean;
  onSaved: (settings: InsightsSettings) => void;
}) {
  const { t } = useLocale();
  const { workspaceId } = useSignedIn();
  const [drafts, setDrafts] = useState<AspectDraft[]>(() => initial.map(draftOf));
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string }>();
  const [busy, setBusy] = useState(false);

  const change = (key: number, field: 'name' | 'keywords', value: string) =>
    setDrafts((current) =>
      current.map((draft) => (draft.key === key ? { ...draft, [field]: value } : draft)),
    );

  /** The first thing wrong with the list, said so that the user knows what to do; else undefined. */
  const problem = (): string | undefined => {
    if (drafts.length === 0) return t('insights.aspects.needOne');
    for (const [index, draft] of drafts.entries()) {
      if (!draft.name.trim()) return t('insights.aspects.needName', { number: index + 1 });
      const keywords = keywordsOf(draft);
      if (keywords.length === 0) return t('insights.aspects.needKeyword', { name: draft.name.trim() });
      const short = keywords.find((keyword) => keyword.length < 2);
      if (short) return t('insights.aspects.shortKeyword', { keyword: short, name: draft.name.trim() });
    }
    return undefined;
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const found = problem();
    if (found) {
      setMessage({ kind: 'error', text: found });
      return;
    }
    setBusy(true);
    setMessage(undefined);
    try {
      const saved = await insightsApi.updateSettings(workspaceId, {
        aspects: drafts.map((draft) => ({ name: draft.name.trim(), keywords: keywordsOf(draft) })),
      });
      setDrafts(saved.aspects.map(draftOf));
      onSaved(saved);
      setMessage({ kind: 'success', text: t('insights.aspects.saved') });
    } catch (caught) {
      setMessage({ kind: 'error', text: errorText(caught) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="subsection"
      onSubmit={(event) => void save(event)}
      aria-labelledby="insights-aspects-heading"
    >
      <h3 id="insights-aspects-heading">{t('insights.aspects.title')}</h3>
      <p className="muted">{t('insights.aspects.intro')}</p>
      <fieldset disabled={disabled || busy} className="insights-aspects">
        <legend className="visually-hidden">{t('insights.aspects.title')}</legend>
        {drafts.map((draft, index) => {
          const name = draft.name.trim() || t('insights.aspects.unnamed');
          return (
            <div className="grid-form insights-aspect" key={draft.key}>
              <FormField
                label={t('insights.aspects.name', { number: index + 1 })}
                value={draft.name}
                maxLength={60}
                onChange={(event) => change(draft.key, 'name', event.target.value)}
              />
              <FormField
                label={t('insights.aspects.keywords', { name })}
                hint={t('insights.aspects.keywordsHint')}
                value={draft.keywords}
                onChange={(event) => change(draft.key, 'keywords', event.target.value)}
              />
              <div className="actions">
                <button
                  type="button"
                  className="danger small"
                  onClick={() => setDrafts((current) => current.filter((entry) => entry.key !== draft.key))}
                >
                  {t('insights.aspects.remove', { name })}
                </button>
              </div>
            </div>
          );
        })}
        <div className="actions">
          <button
            type="button"
            className="secondary"
            onClick={() => setDrafts((current) => [...current, draftOf({ name: '', keywords: [] })])}
          >
            {t('insights.aspects.add')}
          </button>
          <button type="submit">{t('insights.aspects.save')}</button>
        </div>
      </fieldset>
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
    </form>
  );
}

function WebhookForm({ initialUrl, disabled }: { initialUrl: string | null; disabled: boolean }) {
  const { t } = useLocale();
  const { workspaceId } = useSignedIn();
  const secretId = useId();
  const [savedUrl, setSavedUrl] = useState(initialUrl);
  const [url, setUrl] = useState(initialUrl ?? '');
  const [urlError, setUrlError] = useState<string>();
  const [secret, setSecret] = useState<string>();
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string }>();
  const [busy, setBusy] = useState<'save' | 'remove' | 'rotate' | 'test'>();
  // Replacing the secret breaks the receiver until it has the new one: asked once more, inline.
  const [confirmingRotate, setConfirmingRotate] = useState(false);
  const confirmId = useId();
  const rotateButton = useRef<HTMLButtonElement>(null);
  const cancelRotateButton = useRef<HTMLButtonElement>(null);
  const secretBlock = useRef<HTMLDivElement>(null);
  const [focusAfter, setFocusAfter] = useState<'cancel' | 'rotate' | 'secret'>();
  useEffect(() => {
    // Not while busy: the fieldset's buttons are disabled then, and a disabled button takes no focus.
    if (!focusAfter || busy) return;
    const target = { cancel: cancelRotateButton, rotate: rotateButton, secret: secretBlock }[focusAfter];
    target.current?.focus();
    setFocusAfter(undefined);
  }, [focusAfter, busy]);

  const act = async (kind: NonNullable<typeof busy>, action: () => Promise<void>) => {
    setBusy(kind);
    setMessage(undefined);
    try {
      await action();
    } catch (caught) {
      setMessage({ kind: 'error', text: errorText(caught) });
    } finally {
      setBusy(undefined);
    }
  };

  const save = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = url.trim();
    if (!/^https?:\/\/[^\s/]+/i.test(trimmed)) {
      setUrlError(t('insights.webhook.invalidUrl'));
      return;
    }
    setUrlError(undefined);
    void act('save', async () => {
      const saved = await insightsApi.updateSettings(workspaceId, { alertWebhookUrl: trimmed });
      setSavedUrl(saved.alertWebhookUrl);
      // The server answers a secret only when the address changed: the old one still signs otherwise.
      if (saved.alertWebhookSecret) setSecret(saved.alertWebhookSecret);
      setMessage({ kind: 'success', text: t('insights.webhook.saved') });
    });
  };

  const remove = () =>
    act('remove', async () => {
      await insightsApi.updateSettings(workspaceId, { alertWebhookUrl: null });
      setSavedUrl(null);
      setConfirmingRotate(false);
      setUrl('');
      setSecret(undefined);
      setMessage({ kind: 'success', text: t('insights.webhook.removed') });
    });

  const askToRotate = () => {
    setConfirmingRotate(true);
    // The least harmful answer first, as a confirmation should.
    setFocusAfter('cancel');
  };

  const cancelRotate = () => {
    setConfirmingRotate(false);
    setFocusAfter('rotate');
  };

  const rotate = () =>
    act('rotate', async () => {
      setConfirmingRotate(false);
      try {
        setSecret((await insightsApi.rotateAlertSecret(workspaceId)).secret);
        setFocusAfter('secret');
      } catch (caught) {
        setFocusAfter('rotate');
        throw caught;
      }
    });

  const closeOnEscape = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    cancelRotate();
  };

  const test = () =>
    act('test', async () => {
      const { status } = await insightsApi.testAlertWebhook(workspaceId);
      setMessage({ kind: 'success', text: t('insights.webhook.tested', { status }) });
    });

  return (
    // noValidate: the page's own message, in the user's language, says what a valid address is.
    <form className="subsection" noValidate onSubmit={save} aria-labelledby="insights-webhook-heading">
      <h3 id="insights-webhook-heading">{t('insights.webhook.title')}</h3>
      <p className="muted">{t('insights.webhook.intro')}</p>
      <fieldset disabled={disabled || busy !== undefined} className="insights-webhook">
        <legend className="visually-hidden">{t('insights.webhook.title')}</legend>
        <FormField
          label={t('insights.webhook.url')}
          type="url"
          inputMode="url"
          autoComplete="off"
          value={url}
          error={urlError}
          onChange={(event) => setUrl(event.target.value)}
        />
        <div className="actions">
          <button type="submit">{t('insights.webhook.save')}</button>
          {savedUrl ? (
            <>
              <button type="button" className="secondary" onClick={() => void test()}>
                {busy === 'test' ? t('insights.webhook.testing') : t('insights.webhook.test')}
              </button>
              <button
                type="button"
                className="secondary"
                ref={rotateButton}
                aria-expanded={confirmingRotate}
                aria-controls={confirmingRotate ? confirmId : undefined}
                onClick={() => (confirmingRotate ? cancelRotate() : askToRotate())}
              >
                {t('insights.webhook.rotate')}
              </button>
              <button type="button" className="danger" onClick={() => void remove()}>
                {t('insights.webhook.remove')}
              </button>
            </>
          ) : null}
        </div>
        {savedUrl && confirmingRotate ? (
          <div
            id={confirmId}
            role="group"
            aria-labelledby={`${confirmId}-question`}
            className="alert alert-info"
            onKeyDown={closeOnEscape}
          >
            <p id={`${confirmId}-question`}>{t('insights.webhook.rotateQuestion')}</p>
            <div className="actions">
              <button type="button" className="danger" onClick={() => void rotate()}>
                {t('insights.webhook.rotateConfirm')}
              </button>
              <button type="button" className="secondary" ref={cancelRotateButton} onClick={cancelRotate}>
                {t('insights.webhook.rotateCancel')}
              </button>
            </div>
          </div>
        ) : null}
      </fieldset>
      {savedUrl ? null : <p className="muted">{t('insights.webhook.none')}</p>}
      {secret ? (
        <div className="alert alert-success created-key" role="status" tabIndex={-1} ref={secretBlock}>
          <p id={secretId}>{t('insights.webhook.secretShown')}</p>
          <code className="secret" aria-describedby={secretId} data-testid="insights-webhook-secret">
            {secret}
          </code>
        </div>
      ) : null}
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
    </form>
  );
}
