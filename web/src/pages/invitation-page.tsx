import { useState, type FormEvent } from 'react';
import { acceptInvitation } from '../api/polett.ts';
import { BrandLine } from '../components/brand-line.tsx';
import { Alert, FormField } from '../components/form-field.tsx';
import { LanguageSwitch } from '../components/language-switch.tsx';
import { useLocale } from '../i18n/locale-context.tsx';
import { useRouter } from '../router.tsx';
import { useSession } from '../session.tsx';
import { MINIMUM_PASSWORD_LENGTH } from './setup-page.tsx';

/**
 * Accepting an invitation. The token travels in the link's fragment (`/invitation#token`), which
 * browsers never send to a server: it stays out of access logs and Referer headers.
 */
export function InvitationPage() {
  const { t, locale } = useLocale();
  const { refresh } = useSession();
  const { navigate } = useRouter();
  const [token] = useState(() => window.location.hash.slice(1));
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await acceptInvitation({ token, name, password, locale });
      navigate('/assistant', { replace: true });
      await refresh();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
      setBusy(false);
    }
  };

  return (
    <main className="centered" id="main">
      <BrandLine />
      <div className="card narrow">
        <div className="card-header">
          <h1>{t('invitation.title')}</h1>
          <LanguageSwitch />
        </div>
        {token ? (
          <>
            <p>{t('invitation.intro')}</p>
            <form onSubmit={(event) => void submit(event)}>
              <FormField
                label={t('setup.ownerName')}
                name="name"
                autoComplete="name"
                required
                value={name}
                onChange={(event) => setName(event.target.value)}
              />
              <FormField
                label={t('setup.password')}
                hint={t('setup.passwordHint', { count: MINIMUM_PASSWORD_LENGTH })}
                type="password"
                name="password"
                autoComplete="new-password"
                required
                minLength={MINIMUM_PASSWORD_LENGTH}
                value={password}
                onChange={(event) => setPassword(event.target.value)}
              />
              {error ? <Alert kind="error">{error}</Alert> : null}
              <button type="submit" disabled={busy}>
                {t('invitation.submit')}
              </button>
            </form>
          </>
        ) : (
          <Alert kind="error">{t('invitation.missingToken')}</Alert>
        )}
      </div>
    </main>
  );
}
