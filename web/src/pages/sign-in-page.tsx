import { useState, type FormEvent } from 'react';
import { signIn } from '../api/polett.ts';
import { BrandLine } from '../components/brand-line.tsx';
import { Alert, FormField } from '../components/form-field.tsx';
import { LanguageSwitch } from '../components/language-switch.tsx';
import { useLocale } from '../i18n/locale-context.tsx';
import { useSession } from '../session.tsx';

export function SignInPage() {
  const { t } = useLocale();
  const { refresh } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn({ email, password });
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
          <h1>{t('signIn.title')}</h1>
          <LanguageSwitch />
        </div>
        <form onSubmit={(event) => void submit(event)} noValidate={false}>
          <FormField
            label={t('signIn.email')}
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
          <FormField
            label={t('signIn.password')}
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
          {error ? <Alert kind="error">{error}</Alert> : null}
          <button type="submit" disabled={busy}>
            {busy ? t('signIn.submitting') : t('signIn.submit')}
          </button>
        </form>
      </div>
    </main>
  );
}
