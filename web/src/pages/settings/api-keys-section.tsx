import { useCallback, useRef, useState, type FormEvent } from 'react';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../../../src/platform/roles.ts';
import { createApiKey, listApiKeys, revokeApiKey, type WorkspaceApiKeyRecord } from '../../api/polett.ts';
import { Alert, FormField } from '../../components/form-field.tsx';
import { useLocale } from '../../i18n/locale-context.tsx';
import { useSignedIn } from '../../session.tsx';
import { useLoaded, LoadedView, errorText } from '../../components/loaded-view.tsx';

/** API keys: create (the key is shown once), list, revoke. */
export function ApiKeysSection({ onChanged }: { onChanged: () => void }) {
  const { t, formatDateTime } = useLocale();
  const { workspaceId } = useSignedIn();
  const load = useCallback(() => listApiKeys(workspaceId), [workspaceId]);
  const { loaded, reload } = useLoaded(load);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['inference']);
  const [created, setCreated] = useState<{ name: string; secret: string }>();
  const [copied, setCopied] = useState(false);
  const [message, setMessage] = useState<string>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const answer = await createApiKey(workspaceId, { name, scopes });
      setCreated({ name: answer.key.name, secret: answer.secret });
      setCopied(false);
      setName('');
      setMessage(undefined);
      await reload();
      onChanged();
    } catch (caught) {
      setMessage(t('form.failed', { message: errorText(caught) }));
    }
  };

  const revoke = async (key: WorkspaceApiKeyRecord) => {
    if (!window.confirm(t('settings.revokeConfirm', { name: key.name }))) return;
    try {
      await revokeApiKey(workspaceId, key.id);
      await reload();
      onChanged();
    } catch (caught) {
      setMessage(t('form.failed', { message: errorText(caught) }));
    }
  };

  const secretRef = useRef<HTMLElement>(null);

  const copy = async () => {
    if (!created) return;
    try {
      // The clipboard API exists only on HTTPS and localhost; elsewhere the key is selected instead.
      await navigator.clipboard.writeText(created.secret);
      setCopied(true);
    } catch {
      const selection = window.getSelection();
      if (secretRef.current && selection) {
        selection.selectAllChildren(secretRef.current);
      }
    }
  };

  return (
    <section className="card" aria-labelledby="keys-heading">
      <h2 id="keys-heading">{t('settings.apiKeys')}</h2>
      <p>{t('settings.apiKeysIntro')}</p>
      <form onSubmit={(event) => void submit(event)} className="inline-form">
        <FormField
          label={t('settings.keyName')}
          name="keyName"
          required
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <fieldset className="field">
          <legend>{t('settings.keyScopes')}</legend>
          {API_KEY_SCOPES.map((scope) => (
            <label key={scope} className="checkbox">
              <input
                type="checkbox"
                name="scopes"
                value={scope}
                checked={scopes.includes(scope)}
                onChange={(event) =>
                  setScopes((current) =>
                    event.target.checked ? [...current, scope] : current.filter((entry) => entry !== scope),
                  )
                }
              />
              <code>{scope}</code>
            </label>
          ))}
        </fieldset>
        <button type="submit">{t('settings.createKey')}</button>
      </form>
      {message ? <Alert kind="error">{message}</Alert> : null}
      {created ? (
        <div className="alert alert-success created-key" role="status">
          <p>
            <strong>{created.name}</strong>: {t('settings.keyCreated')}
          </p>
          <code className="secret" data-testid="created-key" ref={secretRef}>
            {created.secret}
          </code>{' '}
          <button type="button" className="secondary small" onClick={() => void copy()}>
            {copied ? t('settings.copied') : t('settings.copy')}
          </button>
        </div>
      ) : null}
      <LoadedView loaded={loaded}>
        {(value) =>
          value.keys.filter((key) => !key.revokedAt).length === 0 ? (
            <p className="muted">{t('settings.noKeys')}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('settings.keyName')}</th>
                  <th scope="col">{t('settings.keyPrefix')}</th>
                  <th scope="col">{t('settings.keyScopes')}</th>
                  <th scope="col">{t('settings.keyCreatedAt')}</th>
                  <th scope="col">{t('settings.keyLastUsed')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('settings.revoke', { name: '' })}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {value.keys
                  .filter((key) => !key.revokedAt)
                  .map((key) => (
                    <tr key={key.id}>
                      <th scope="row">{key.name}</th>
                      <td>
                        <code>{key.prefix}…</code>
                      </td>
                      <td>{key.scopes.join(', ')}</td>
                      <td>{formatDateTime(key.createdAt)}</td>
                      <td>{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : t('settings.never')}</td>
                      <td>
                        <button type="button" className="danger small" onClick={() => void revoke(key)}>
                          {t('settings.revoke', { name: key.name })}
                        </button>
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          )
        }
      </LoadedView>
    </section>
  );
}
