import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { ApiError, setRequestLocale, setSessionEndedHandler } from './api/client.ts';
import { fetchSession, fetchSetupState, signOutRequest, type SessionView } from './api/polett.ts';
import { hasStoredLocale, useLocale } from './i18n/locale-context.tsx';

/** Where the app stands: first run, signed out, or signed in with a chosen workspace. */
export type SessionState =
  | { status: 'loading' }
  | { status: 'unreachable'; message: string }
  | { status: 'setup' }
  | { status: 'signed-out' }
  | { status: 'signed-in'; session: SessionView; workspaceId: string };

interface SessionTools {
  state: SessionState;
  /** Asks the server again (after set-up, sign-in or a workspace change). */
  refresh(): Promise<void>;
  signOut(): Promise<void>;
  selectWorkspace(workspaceId: string): void;
}

const SessionContext = createContext<SessionTools | undefined>(undefined);
const WORKSPACE_STORAGE_KEY = 'polett.workspace';

export function SessionProvider({ children }: { children: ReactNode }) {
  const { locale, setLocale } = useLocale();
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  useEffect(() => setRequestLocale(locale), [locale]);

  const refresh = useCallback(async () => {
    try {
      const setup = await fetchSetupState();
      if (setup.needsSetup) {
        setState({ status: 'setup' });
        return;
      }
      const session = await fetchSession();
      if (!session) {
        setState({ status: 'signed-out' });
        return;
      }
      // A browser that never chose a language takes the one saved on the account.
      if (!hasStoredLocale()) setLocale(session.user.locale);
      const remembered = window.localStorage.getItem(WORKSPACE_STORAGE_KEY);
      const workspaceId =
        session.workspaces.find((entry) => entry.workspace.id === remembered)?.workspace.id ??
        session.workspaces[0]?.workspace.id ??
        '';
      setState({ status: 'signed-in', session, workspaceId });
    } catch (error) {
      setState({ status: 'unreachable', message: error instanceof ApiError ? error.message : String(error) });
    }
  }, [setLocale]);

  useEffect(() => {
    void refresh();
    setSessionEndedHandler(() => void refresh());
    return () => setSessionEndedHandler(undefined);
  }, [refresh]);

  const signOut = useCallback(async () => {
    await signOutRequest();
    setState({ status: 'signed-out' });
  }, []);

  const selectWorkspace = useCallback((workspaceId: string) => {
    window.localStorage.setItem(WORKSPACE_STORAGE_KEY, workspaceId);
    setState((current) => (current.status === 'signed-in' ? { ...current, workspaceId } : current));
  }, []);

  return (
    <SessionContext.Provider value={{ state, refresh, signOut, selectWorkspace }}>
      {children}
    </SessionContext.Provider>
  );
}

export function useSession(): SessionTools {
  const tools = useContext(SessionContext);
  if (!tools) throw new Error('useSession must be used inside <SessionProvider>.');
  return tools;
}

/** The signed-in session and current workspace; only for pages inside the signed-in shell. */
export function useSignedIn() {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useSignedIn needs a signed-in session.');
  const membership = state.session.workspaces.find((entry) => entry.workspace.id === state.workspaceId);
  return { session: state.session, workspaceId: state.workspaceId, membership };
}
