import { useLocale } from '../i18n/locale-context.tsx';

/** A capability whose own work has not landed yet says so, and what it will do. */
export function NotBuiltPage({ title, description }: { title: string; description: string }) {
  const { t } = useLocale();
  return (
    <>
      <h1>{title}</h1>
      <section className="card not-built" aria-labelledby="not-built-heading">
        <h2 id="not-built-heading">{t('notBuilt.title')}</h2>
        {description ? <p>{description}</p> : null}
      </section>
    </>
  );
}
