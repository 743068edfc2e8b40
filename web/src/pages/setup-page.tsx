import { useState, type FormEvent } from 'react';
import { completeSetup } from '../api/polett.ts';
import { BrandLine } from '../components/brand-line.tsx';
import { Alert, FormField } from '../components/form-field.tsx';
import { LanguageSwitch } from '../components/language-switch.tsx';
import { ModelSetup } from '../components/model-setup.tsx';
import { useLocale } from '../i18n/locale-context.tsx';
import { useRouter } from '../router.tsx';
import { useSession } from '../session.tsx';

/**
 * Mirrors MINIMUM_PASSWORD_LENGTH in src/platform/passwords.ts, which cannot be imported here (it
 * loads the native argon2 module). The server checks again and its sentence is shown if they differ.
 */
export const MINIMUM_PASSWORD_LENGTH = 10;

/**
 * First run: the owner's account and the company's name, then the model set-up. The second step
 * runs signed in, so that saving a provider or testing a model goes through the normal checks.
 */
export function SetupPage() {
  const { t, locale } = useLocale();
  const { state, refresh } = useSession();
  const { navigate } = useRouter();
  const [form, setForm] = useState({ name: '', email: '', password: '', workspaceName: '' });
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const signedIn = state.status === 'signed-in';

  const update = (field: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm((current) => ({ ...current, [field]: event.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      // The answer is a signed-in session: the model step follows without a second sign-in.
      await completeSetup({ ...form, locale });
      await refresh();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };

  const finish = () => navigate('/models');

  return (
    <main className="centered" id="main">
      <BrandLine />
      <div className="card wide">
        <div className="card-header">
          <div>
            <p className="step">{signedIn ? t('setup.stepModels') : t('setup.stepAccount')}</p>
            <h1>{signedIn ? t('setup.modelsTitle') : t('setup.title')}</h1>
          </div>
          <LanguageSwitch />
        </div>
        {signedIn ? (
          <>
            <p>{t('setup.modelsIntro')}</p>
            <ModelSetup />
            <div className="actions">
              <button type="button" onClick={finish}>
                {t('setup.done')}
              </button>
            </div>
          </>
        ) : (
          <>
            <p>{t('setup.intro')}</p>
            <form onSubmit={(event) => void submit(event)}>
              <FormField
                label={t('setup.ownerName')}
                name="name"
                autoComplete="name"
                required
                value={form.name}
                onChange={update('name')}
              />
              <FormField
                label={t('setup.email')}
                type="email"
                name="email"
                autoComplete="username"
                required
                value={form.email}
                onChange={update('email')}
              />
              <FormField
                label={t('setup.password')}
                hint={t('setup.passwordHint', { count: MINIMUM_PASSWORD_LENGTH })}
                type="password"
                name="password"
                autoComplete="new-password"
                required
                minLength={MINIMUM_PASSWORD_LENGTH}
                value={form.password}
                onChange={update('password')}
              />
              <FormField
                label={t('setup.companyName')}
                name="workspaceName"
                autoComplete="organization"
                required
                value={form.workspaceName}
                onChange={update('workspaceName')}
              />
              {error ? <Alert kind="error">{error}</Alert> : null}
              <button type="submit" disabled={busy}>
                {busy ? t('setup.submitting') : t('setup.submit')}
              </button>
            </form>
          </>
        )}
      </div>
    </main>
  );
}
