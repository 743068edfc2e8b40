import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { translate, type Locale, type MessageKey } from './messages.ts';

/** Where the chosen language is remembered between visits, on this browser. */
export const LOCALE_STORAGE_KEY = 'polett.locale';

export interface LocaleTools {
  locale: Locale;
  setLocale(locale: Locale): void;
  t(key: MessageKey, values?: Record<string, string | number>): string;
  formatNumber(value: number, options?: Intl.NumberFormatOptions): string;
  formatCurrency(value: number, currency: string): string;
  formatDate(value: string | number | Date, options?: Intl.DateTimeFormatOptions): string;
  formatDateTime(value: string | number | Date): string;
}

const LocaleContext = createContext<LocaleTools | undefined>(undefined);

function isLocale(value: unknown): value is Locale {
  return value === 'sv' || value === 'en';
}

/** Swedish unless this browser has chosen English before: the product is for Swedish companies. */
export function storedLocale(): Locale {
  try {
    const stored = window.localStorage.getItem(LOCALE_STORAGE_KEY);
    if (isLocale(stored)) return stored;
  } catch {
    // Storage can be blocked (private mode, policies); the default still works.
  }
  return 'sv';
}

/** Whether this browser has a language chosen already (else the account's saved one is used). */
export function hasStoredLocale(): boolean {
  try {
    return isLocale(window.localStorage.getItem(LOCALE_STORAGE_KEY));
  } catch {
    return false;
  }
}

/** Intl wants a region for the Swedish date order and separators; `sv-SE` is what people here expect. */
function intlTag(locale: Locale): string {
  return locale === 'sv' ? 'sv-SE' : 'en-GB';
}

export function LocaleProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(storedLocale);

  useEffect(() => {
    // Screen readers pick their voice from the lang attribute.
    document.documentElement.lang = locale;
  }, [locale]);

  const setLocale = useCallback((next: Locale) => {
    setLocaleState(next);
    try {
      window.localStorage.setItem(LOCALE_STORAGE_KEY, next);
    } catch {
      // Not remembered then, but the switch still applies to this visit.
    }
  }, []);

  const tools = useMemo<LocaleTools>(() => {
    const tag = intlTag(locale);
    return {
      locale,
      setLocale,
      t: (key, values) => translate(locale, key, values),
      formatNumber: (value, options) => new Intl.NumberFormat(tag, options).format(value),
      formatCurrency: (value, currency) =>
        new Intl.NumberFormat(tag, { style: 'currency', currency, maximumFractionDigits: 4 }).format(value),
      formatDate: (value, options) =>
        new Intl.DateTimeFormat(tag, options ?? { dateStyle: 'medium' }).format(new Date(value)),
      formatDateTime: (value) =>
        new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(value)),
    };
  }, [locale, setLocale]);

  return <LocaleContext.Provider value={tools}>{children}</LocaleContext.Provider>;
}

export function useLocale(): LocaleTools {
  const tools = useContext(LocaleContext);
  if (!tools) throw new Error('useLocale must be used inside <LocaleProvider>.');
  return tools;
}
