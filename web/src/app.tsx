import { useEffect } from 'react';
import { Alert } from './components/form-field.tsx';
import { LanguageSwitch } from './components/language-switch.tsx';
import { Shell } from './components/shell.tsx';
import { useLocale } from './i18n/locale-context.tsx';
import { useRouter } from './router.tsx';
import { SessionProvider, useSession } from './session.tsx';
import { InvitationPage } from './pages/invitation-page.tsx';
import { SetupPage } from './pages/setup-page.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';

export function App() {
  return (
    <SessionProvider>
      <Gate />
    </SessionProvider>
  );
}

/** Chooses between first-run set-up, sign-in and the signed-in app, from what the server says. */
function Gate() {
  const { state, refresh } = useSession();
  const { t } = useLocale();
  const { path, navigate } = useRouter();

  const invitation = path === '/invitation';

  useEffect(() => {
    if (invitation) return;
    if (state.status === 'setup' && path !== '/setup') navigate('/setup', { replace: true });
    if (state.status === 'signed-out' && path !== '/sign-in') navigate('/sign-in', { replace: true });
    if (state.status === 'signed-in' && (path === '/sign-in' || path === '/'))
      navigate('/assistant', { replace: true });
  }, [state.status, path, navigate, invitation]);

  if (state.status === 'loading') {
    return (
      <main className="centered" aria-busy="true">
        <p>{t('app.loading')}</p>
      </main>
    );
  }
  if (state.status === 'unreachable') {
    return (
      <main className="centered">
        <h1>{t('app.name')}</h1>
        <Alert kind="error">
          {t('app.unreachable')} ({state.message})
        </Alert>
        <button type="button" onClick={() => void refresh()}>
          {t('app.retry')}
        </button>
        <LanguageSwitch />
      </main>
    );
  }
  if (invitation && state.status !== 'setup') return <InvitationPage />;
  // Onboarding's second step (models) runs signed in, so it stays on /setup after the account exists.
  if (state.status === 'setup' || (state.status === 'signed-in' && path === '/setup')) return <SetupPage />;
  if (state.status === 'signed-out') return <SignInPage />;
  return <Shell />;
}
