import { useState, type FormEvent } from 'react';
import { changePassword, signOutEverywhere } from '../../api/polett.ts';
import { Alert, FormField } from '../../components/form-field.tsx';
import { useLocale } from '../../i18n/locale-context.tsx';
import { useSession } from '../../session.tsx';
import { errorText } from '../../components/loaded-view.tsx';

/** The signed-in person's own password and sessions. */
export function AccountSection() {
  const { t } = useLocale();
  const { refresh } = useSession();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string }>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const { sessionsEnded } = await changePassword({ currentPassword, newPassword });
      setMessage({ kind: 'success', text: t('account.passwordChanged', { count: sessionsEnded }) });
      setCurrentPassword('');
      setNewPassword('');
    } catch (caught) {
      setMessage({ kind: 'error', text: t('form.failed', { message: errorText(caught) }) });
    }
  };

  const endEverySession = async () => {
    try {
      await signOutEverywhere();
    } finally {
      await refresh();
    }
  };

  return (
    <section className="card" aria-labelledby="account-heading">
      <h2 id="account-heading">{t('account.title')}</h2>
      <form onSubmit={(event) => void submit(event)} className="inline-form">
        <FormField
          label={t('account.currentPassword')}
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          value={currentPassword}
          onChange={(event) => setCurrentPassword(event.target.value)}
        />
        <FormField
          label={t('account.newPassword')}
          name="newPassword"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          value={newPassword}
          onChange={(event) => setNewPassword(event.target.value)}
        />
        <button type="submit">{t('account.changePassword')}</button>
      </form>
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      <div className="subsection">
        <p className="muted">{t('account.signOutEverywhereHint')}</p>
        <button type="button" className="danger" onClick={() => void endEverySession()}>
          {t('account.signOutEverywhere')}
        </button>
      </div>
    </section>
  );
}
