import { useLocale } from '../i18n/locale-context.tsx';
import type { Locale } from '../i18n/messages.ts';

/** Two buttons rather than a menu: one click, and the pressed state tells screen readers which is on. */
export function LanguageSwitch() {
  const { locale, setLocale, t } = useLocale();
  const options: { value: Locale; label: string; native: string }[] = [
    { value: 'sv', label: t('language.sv'), native: 'Svenska' },
    { value: 'en', label: t('language.en'), native: 'English' },
  ];
  return (
    <div className="language-switch" role="group" aria-label={t('language.label')}>
      {options.map((option) => (
        <button
          key={option.value}
          type="button"
          lang={option.value}
          aria-pressed={locale === option.value}
          onClick={() => setLocale(option.value)}
          title={option.label}
        >
          {option.native}
        </button>
      ))}
    </div>
  );
}
