import { useCallback } from 'react';
import { listAudit, type AuditEntry } from '../../api/polett.ts';
import { useLocale } from '../../i18n/locale-context.tsx';
import { messages, type MessageKey } from '../../i18n/messages.ts';
import { useSignedIn } from '../../session.tsx';
import { useLoaded, LoadedView } from '../../components/loaded-view.tsx';

/** The sentence for an audit action; actions added later show their code until they get one. */
function auditActionKey(action: string): MessageKey | undefined {
  const key = `audit.${action}`;
  return key in messages ? (key as MessageKey) : undefined;
}

/** What an entry is about, by name where the details carry one rather than as an id. */
function auditTarget(entry: AuditEntry): string {
  for (const field of ['name', 'email'] as const) {
    const value = entry.details[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  return entry.target ?? '–';
}

/** The workspace's audit log, newest first, in words where the action is known. */
export function AuditSection({ changes }: { changes: number }) {
  const { t, formatDateTime } = useLocale();
  const { workspaceId } = useSignedIn();
  // `changes` is a dependency on purpose: each write on the page reloads the log.
  const load = useCallback(() => listAudit(workspaceId), [workspaceId, changes]);
  const { loaded } = useLoaded(load);
  return (
    <section className="card" aria-labelledby="audit-heading">
      <h2 id="audit-heading">{t('settings.audit')}</h2>
      <LoadedView loaded={loaded}>
        {(value) =>
          value.entries.length === 0 ? (
            <p className="muted">{t('settings.auditEmpty')}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('settings.auditWhen')}</th>
                  <th scope="col">{t('settings.auditWho')}</th>
                  <th scope="col">{t('settings.auditWhat')}</th>
                  <th scope="col">{t('settings.auditTarget')}</th>
                </tr>
              </thead>
              <tbody>
                {value.entries.map((entry: AuditEntry) => (
                  <tr key={entry.id}>
                    <td>{formatDateTime(entry.at)}</td>
                    <td>{entry.actor.label ?? entry.actor.type}</td>
                    <td>
                      {auditActionKey(entry.action) ? (
                        t(auditActionKey(entry.action)!)
                      ) : (
                        <code>{entry.action}</code>
                      )}
                    </td>
                    <td>{auditTarget(entry)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </LoadedView>
    </section>
  );
}
