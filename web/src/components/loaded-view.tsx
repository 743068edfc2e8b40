import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ApiError } from '../api/client.ts';
import { Alert } from './form-field.tsx';
import { useLocale } from '../i18n/locale-context.tsx';

/**
 * A section's data as it loads: loading, ready, a route this server does not have yet (the page
 * says so), refused for the caller's role, or failed. Shared by the pages that read several routes.
 */
export type Loaded<Value> =
  | { state: 'loading' }
  | { state: 'ready'; value: Value }
  | { state: 'missing' }
  | { state: 'forbidden' }
  | { state: 'error'; message: string };

export function useLoaded<Value>(load: () => Promise<Value>) {
  const [loaded, setLoaded] = useState<Loaded<Value>>({ state: 'loading' });
  const reload = useCallback(async () => {
    try {
      setLoaded({ state: 'ready', value: await load() });
    } catch (caught) {
      if (caught instanceof ApiError && caught.isMissingRoute) setLoaded({ state: 'missing' });
      else if (caught instanceof ApiError && caught.status === 403) setLoaded({ state: 'forbidden' });
      else setLoaded({ state: 'error', message: caught instanceof Error ? caught.message : String(caught) });
    }
  }, [load]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { loaded, reload };
}

export function errorText(caught: unknown): string {
  return caught instanceof Error ? caught.message : String(caught);
}

export function LoadedView<Value>({
  loaded,
  children,
}: {
  loaded: Loaded<Value>;
  children: (value: Value) => ReactNode;
}) {
  const { t } = useLocale();
  if (loaded.state === 'loading') return <p>{t('app.loading')}</p>;
  if (loaded.state === 'missing') return <p className="muted">{t('settings.notAvailable')}</p>;
  if (loaded.state === 'forbidden') return <p className="muted">{t('settings.forbidden')}</p>;
  if (loaded.state === 'error') return <Alert kind="error">{loaded.message}</Alert>;
  return <>{children(loaded.value)}</>;
}
