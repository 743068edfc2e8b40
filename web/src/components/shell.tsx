import { useEffect, useRef } from 'react';
import { useLocale } from '../i18n/locale-context.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { ContentPage } from '../pages/content-page.tsx';
import { InsightsPage } from '../pages/insights-page.tsx';
import { KnowledgePage } from '../pages/knowledge/knowledge-page.tsx';
import { LearnPage } from '../pages/learn-page.tsx';
import { AssistantPage } from '../pages/assistant-page.tsx';
import { InboxPage } from '../pages/inbox-page.tsx';
import { ModelsPage } from '../pages/models-page.tsx';
import { NotBuiltPage } from '../pages/not-built-page.tsx';
import { SettingsPage } from '../pages/settings-page.tsx';
import { Link, useRouter } from '../router.tsx';
import { useSession, useSignedIn } from '../session.tsx';
import { LanguageSwitch } from './language-switch.tsx';

interface Section {
  path: string;
  label: MessageKey;
  /** What the page will do, for the pages that another part of Polett has not filled yet. */
  notBuilt?: MessageKey;
}

/** Every capability has its place in the menu from day one; the pages fill in as they are built. */
export const SECTIONS: readonly Section[] = [
  { path: '/assistant', label: 'nav.assistant' },
  { path: '/inbox', label: 'nav.inbox' },
  { path: '/knowledge', label: 'nav.knowledge', notBuilt: 'notBuilt.knowledge' },
  { path: '/content', label: 'nav.content', notBuilt: 'notBuilt.content' },
  { path: '/insights', label: 'nav.insights', notBuilt: 'notBuilt.insights' },
  { path: '/learn', label: 'nav.learn' },
  { path: '/models', label: 'nav.models' },
  { path: '/settings', label: 'nav.settings' },
];

export function Shell() {
  const { t } = useLocale();
  const { path } = useRouter();
  const { signOut, selectWorkspace } = useSession();
  const { session, workspaceId } = useSignedIn();
  const mainRef = useRef<HTMLElement>(null);
  const section = SECTIONS.find(
    (candidate) => path === candidate.path || path.startsWith(`${candidate.path}/`),
  );

  const firstPath = useRef(path);
  useEffect(() => {
    // After a page change, move focus to the new page so that screen readers start reading there.
    // Not on the first page a visit opens: there the first Tab must reach the skip link.
    if (path === firstPath.current) {
      firstPath.current = '';
      return;
    }
    mainRef.current?.focus();
  }, [path]);

  useEffect(() => {
    document.title = section ? `${t(section.label)} · Polett` : 'Polett';
  }, [section, t]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="topbar">
        <span className="brand" aria-hidden="true">
          <span className="brand-mark" /> Polett
        </span>
        {session.workspaces.length > 1 ? (
          <label className="workspace-select">
            <span>{t('workspace.label')}</span>
            <select value={workspaceId} onChange={(event) => selectWorkspace(event.target.value)}>
              {session.workspaces.map((entry) => (
                <option key={entry.workspace.id} value={entry.workspace.id}>
                  {entry.workspace.name}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <span className="workspace-name">{session.workspaces[0]?.workspace.name}</span>
        )}
        <span className="spacer" />
        <span className="user">{t('signedInAs', { name: session.user.name })}</span>
        <LanguageSwitch />
        <button type="button" className="secondary" onClick={() => void signOut()}>
          {t('signOut')}
        </button>
      </header>
      <nav className="sidebar" aria-label={t('app.mainNavigation')}>
        <ul>
          {SECTIONS.map((candidate) => (
            <li key={candidate.path}>
              <Link href={candidate.path} aria-current={candidate === section ? 'page' : undefined}>
                {t(candidate.label)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={-1} ref={mainRef}>
        <Page section={section} />
      </main>
    </div>
  );
}

function Page({ section }: { section: Section | undefined }) {
  const { t } = useLocale();
  if (!section) return <NotBuiltPage title={t('app.name')} description="" />;
  if (section.path === '/models') return <ModelsPage />;
  if (section.path === '/settings') return <SettingsPage />;
  if (section.path === '/learn') return <LearnPage />;
  if (section.path === '/assistant') return <AssistantPage />;
  if (section.path === '/inbox') return <InboxPage />;
  if (section.path === '/content') return <ContentPage />;
  if (section.path === '/knowledge') return <KnowledgePage />;
  if (section.path === '/insights') return <InsightsPage />;
  return <NotBuiltPage title={t(section.label)} description={section.notBuilt ? t(section.notBuilt) : ''} />;
}
