import { useState } from 'react';
import type { Permission, Role } from '../../../src/platform/roles.ts';
import { useLocale } from '../i18n/locale-context.tsx';
import { useSignedIn } from '../session.tsx';
import { WorkspaceSection } from './settings/workspace-section.tsx';
import { MembersSection } from './settings/members-section.tsx';
import { ApiKeysSection } from './settings/api-keys-section.tsx';
import { AuditSection } from './settings/audit-section.tsx';
import { AccountSection } from './settings/account-section.tsx';
import { JobsSection } from './settings/jobs-section.tsx';
import { NewWorkspaceSection } from './settings/new-workspace-section.tsx';

/**
 * Settings: the workspace, its members, keys, jobs and audit log, and the person's own account.
 * Each section shows only what the caller's role may use; the server checks again.
 */
export function SettingsPage() {
  const { t } = useLocale();
  const { membership } = useSignedIn();
  const role: Role = membership?.role ?? 'viewer';
  // Counts the writes made on this page, so that the audit log below shows them at once.
  const [changes, setChanges] = useState(0);
  const changed = () => setChanges((count) => count + 1);
  // The server sends the caller's permissions with each workspace: the sections follow what it allows.
  const allowed = (permission: Permission) => membership?.permissions.includes(permission) ?? false;
  return (
    <>
      <h1>{t('settings.title')}</h1>
      <WorkspaceSection editable={allowed('workspace.manage')} onChanged={changed} />
      <MembersSection role={role} onChanged={changed} />
      {allowed('keys.manage') ? <ApiKeysSection onChanged={changed} /> : null}
      {allowed('read') ? <JobsSection /> : null}
      {allowed('workspace.manage') ? <NewWorkspaceSection /> : null}
      {allowed('audit.read') ? <AuditSection changes={changes} /> : null}
      <AccountSection />
    </>
  );
}
