import { saveMyLocale } from '../api/polett.ts';
import { useLocale } from '../i18n/locale-context.tsx';
import type { Locale } from '../i18n/messages.ts';
import { useSession } from '../session.tsx';

/** Two buttons rather than a menu: one click, and the pressed state tells screen readers which is on. */
export function LanguageSwitch() {
  const { locale, setLocale, t } = useLocale();
  const { state } = useSession();
  const choose = (next: Locale) => {
    setLocale(next);
    // Saved on the account too, so the choice follows the person to another browser; the switch
    // has already happened here if that fails.
    if (state.status === 'signed-in' && next !== state.session.user.locale)
      void saveMyLocale(next).catch(() => undefined);
  };
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
          onClick={() => choose(option.value)}
          title={option.label}
        >
          {option.native}
        </button>
      ))}
    </div>
  );
}
