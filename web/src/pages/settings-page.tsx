import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import {
  API_KEY_SCOPES,
  ROLES,
  ROLE_NAMES,
  can,
  canAssignRole,
  type ApiKeyScope,
  type Permission,
  type Role,
} from '../../../src/platform/roles.ts';
import { ApiError } from '../api/client.ts';
import {
  changeMemberRole,
  changePassword,
  signOutEverywhere,
  createApiKey,
  getWorkspace,
  inviteMember,
  listApiKeys,
  listAudit,
  listMembers,
  removeMember,
  revokeApiKey,
  updateWorkspace,
  withdrawInvitation,
  type AuditEntry,
  type MemberRecord,
  type WorkspaceApiKeyRecord,
  type WorkspaceRecord,
} from '../api/polett.ts';
import { Alert, FormField } from '../components/form-field.tsx';
import { useLocale } from '../i18n/locale-context.tsx';
import { useSession, useSignedIn } from '../session.tsx';

/** A section's data: loading, loaded, a route this server lacks, refused, or another failure. */
type Loaded<Value> =
  | { state: 'loading' }
  | { state: 'ready'; value: Value }
  | { state: 'missing' }
  | { state: 'forbidden' }
  | { state: 'error'; message: string };

function useLoaded<Value>(load: () => Promise<Value>) {
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

function errorText(caught: unknown): string {
  return caught instanceof Error ? caught.message : String(caught);
}

function LoadedView<Value>({
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

export function SettingsPage() {
  const { t } = useLocale();
  const { membership } = useSignedIn();
  const role: Role = membership?.role ?? 'viewer';
  // The server sends the caller's permissions with each workspace: the menus follow what it allows.
  const allowed = (permission: Permission) => membership?.permissions.includes(permission) ?? false;
  return (
    <>
      <h1>{t('settings.title')}</h1>
      <WorkspaceSection editable={allowed('workspace.manage')} />
      <MembersSection role={role} />
      {allowed('keys.manage') ? <ApiKeysSection /> : null}
      {allowed('audit.read') ? <AuditSection /> : null}
      <AccountSection />
    </>
  );
}

function WorkspaceSection({ editable }: { editable: boolean }) {
  const { t } = useLocale();
  const { refresh } = useSession();
  const { workspaceId } = useSignedIn();
  const load = useCallback(() => getWorkspace(workspaceId), [workspaceId]);
  const { loaded, reload } = useLoaded<WorkspaceRecord>(load);
  return (
    <>
      <section className="card" aria-labelledby="workspace-heading">
        <h2 id="workspace-heading">{t('settings.workspace')}</h2>
        <LoadedView loaded={loaded}>
          {(workspace) => (
            <WorkspaceNameForm
              key={workspace.id + workspace.name}
              workspace={workspace}
              editable={editable}
              onSaved={async () => {
                await reload();
                await refresh();
              }}
            />
          )}
        </LoadedView>
      </section>
      <section className="card" aria-labelledby="retention-heading">
        <h2 id="retention-heading">{t('settings.retention')}</h2>
        <p>{t('settings.retentionIntro')}</p>
        <LoadedView loaded={loaded}>
          {(workspace) => (
            <RetentionForm key={workspace.id} workspace={workspace} editable={editable} onSaved={reload} />
          )}
        </LoadedView>
      </section>
    </>
  );
}

function useSaver(save: () => Promise<unknown>, after: () => Promise<void> | void) {
  const { t } = useLocale();
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string }>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await save();
      setMessage({ kind: 'success', text: t('settings.saved') });
      await after();
    } catch (caught) {
      setMessage({ kind: 'error', text: t('form.failed', { message: errorText(caught) }) });
    }
  };
  return { message, submit };
}

function WorkspaceNameForm({
  workspace,
  editable,
  onSaved,
}: {
  workspace: WorkspaceRecord;
  editable: boolean;
  onSaved: () => Promise<void>;
}) {
  const { t } = useLocale();
  const { workspaceId } = useSignedIn();
  const [name, setName] = useState(workspace.name);
  const { message, submit } = useSaver(() => updateWorkspace(workspaceId, { name }), onSaved);
  return (
    <form onSubmit={(event) => void submit(event)} className="inline-form">
      <FormField
        label={t('settings.workspaceName')}
        name="workspaceName"
        required
        readOnly={!editable}
        value={name}
        onChange={(event) => setName(event.target.value)}
      />
      {editable ? <button type="submit">{t('settings.save')}</button> : null}
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
    </form>
  );
}

function RetentionForm({
  workspace,
  editable,
  onSaved,
}: {
  workspace: WorkspaceRecord;
  editable: boolean;
  onSaved: () => Promise<void>;
}) {
  const { t } = useLocale();
  const { workspaceId } = useSignedIn();
  const [conversationDays, setConversationDays] = useState(
    workspace.conversationRetentionDays?.toString() ?? '',
  );
  const [feedbackDays, setFeedbackDays] = useState(workspace.feedbackRetentionDays?.toString() ?? '');
  // An empty field means "keep forever", which the server stores as null.
  const days = (value: string) => (value.trim() === '' ? null : Number(value));
  const { message, submit } = useSaver(
    () =>
      updateWorkspace(workspaceId, {
        conversationRetentionDays: days(conversationDays),
        feedbackRetentionDays: days(feedbackDays),
      }),
    onSaved,
  );
  return (
    <form onSubmit={(event) => void submit(event)} className="inline-form">
      <FormField
        label={t('settings.conversationDays')}
        name="conversationDays"
        type="number"
        min={1}
        inputMode="numeric"
        readOnly={!editable}
        value={conversationDays}
        onChange={(event) => setConversationDays(event.target.value)}
      />
      <FormField
        label={t('settings.feedbackDays')}
        name="feedbackDays"
        type="number"
        min={1}
        inputMode="numeric"
        readOnly={!editable}
        value={feedbackDays}
        onChange={(event) => setFeedbackDays(event.target.value)}
      />
      {editable ? <button type="submit">{t('settings.save')}</button> : null}
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
    </form>
  );
}

function roleName(role: Role, locale: 'sv' | 'en'): string {
  return ROLE_NAMES[role][locale];
}

function MembersSection({ role }: { role: Role }) {
  const { t, locale, formatDateTime } = useLocale();
  const { workspaceId, session } = useSignedIn();
  const load = useCallback(() => listMembers(workspaceId), [workspaceId]);
  const { loaded, reload } = useLoaded(load);
  const manage = can(role, 'members.manage');
  const assignable = ROLES.filter((candidate) => canAssignRole(role, candidate));
  const [invite, setInvite] = useState<{ email: string; role: Role }>({ email: '', role: 'viewer' });
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string }>();

  const submitInvite = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const answer = await inviteMember(workspaceId, invite);
      // A person who has an account joins at once; anyone else gets a link to create one.
      if (answer.member)
        setMessage({ kind: 'success', text: t('settings.joined', { name: answer.member.name }) });
      else
        setMessage({
          kind: 'success',
          text: t('settings.invited', { link: `${window.location.origin}/invitation#${answer.token ?? ''}` }),
        });
      setInvite({ email: '', role: invite.role });
      await reload();
    } catch (caught) {
      setMessage({ kind: 'error', text: t('form.failed', { message: errorText(caught) }) });
    }
  };

  const act = async (action: () => Promise<unknown>) => {
    try {
      await action();
      await reload();
    } catch (caught) {
      setMessage({ kind: 'error', text: t('form.failed', { message: errorText(caught) }) });
    }
  };

  return (
    <section className="card" aria-labelledby="members-heading">
      <h2 id="members-heading">{t('settings.members')}</h2>
      <LoadedView loaded={loaded}>
        {(value) => (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('settings.memberName')}</th>
                  <th scope="col">{t('settings.memberEmail')}</th>
                  <th scope="col">{t('settings.memberRole')}</th>
                  {manage ? (
                    <th scope="col">
                      <span className="visually-hidden">{t('settings.removeMember', { name: '' })}</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {value.members.map((member: MemberRecord) => {
                  const self = member.userId === session.user.id;
                  const changeable = manage && !self && canAssignRole(role, member.role);
                  return (
                    <tr key={member.userId}>
                      <th scope="row">{member.name}</th>
                      <td>{member.email}</td>
                      <td>
                        {changeable ? (
                          <select
                            aria-label={`${t('settings.memberRole')}: ${member.name}`}
                            value={member.role}
                            onChange={(event) =>
                              void act(() =>
                                changeMemberRole(workspaceId, member.userId, event.target.value as Role),
                              )
                            }
                          >
                            {assignable.map((candidate) => (
                              <option key={candidate} value={candidate}>
                                {roleName(candidate, locale)}
                              </option>
                            ))}
                          </select>
                        ) : (
                          roleName(member.role, locale)
                        )}
                      </td>
                      {manage ? (
                        <td>
                          {changeable ? (
                            <button
                              type="button"
                              className="danger small"
                              onClick={() => void act(() => removeMember(workspaceId, member.userId))}
                            >
                              {t('settings.removeMember', { name: member.name })}
                            </button>
                          ) : null}
                        </td>
                      ) : null}
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {value.invitations.length > 0 ? (
              <table>
                <caption>{t('settings.pendingInvitations')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('settings.memberEmail')}</th>
                    <th scope="col">{t('settings.memberRole')}</th>
                    <th scope="col">{t('settings.invitationExpires')}</th>
                    {manage ? (
                      <th scope="col">
                        <span className="visually-hidden">{t('settings.withdraw', { email: '' })}</span>
                      </th>
                    ) : null}
                  </tr>
                </thead>
                <tbody>
                  {value.invitations.map((invitation) => (
                    <tr key={invitation.id}>
                      <th scope="row">{invitation.email}</th>
                      <td>{roleName(invitation.role, locale)}</td>
                      <td>{formatDateTime(invitation.expiresAt)}</td>
                      {manage ? (
                        <td>
                          <button
                            type="button"
                            className="danger small"
                            onClick={() => void act(() => withdrawInvitation(workspaceId, invitation.id))}
                          >
                            {t('settings.withdraw', { email: invitation.email })}
                          </button>
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
          </>
        )}
      </LoadedView>
      {manage ? (
        <form
          onSubmit={(event) => void submitInvite(event)}
          className="inline-form"
          aria-labelledby="invite-heading"
        >
          <h3 id="invite-heading">{t('settings.inviteTitle')}</h3>
          <FormField
            label={t('settings.memberEmail')}
            name="inviteEmail"
            type="email"
            required
            value={invite.email}
            onChange={(event) => setInvite({ ...invite, email: event.target.value })}
          />
          <div className="field">
            <label htmlFor="invite-role">{t('settings.memberRole')}</label>
            <select
              id="invite-role"
              value={invite.role}
              onChange={(event) => setInvite({ ...invite, role: event.target.value as Role })}
            >
              {assignable.map((candidate) => (
                <option key={candidate} value={candidate}>
                  {roleName(candidate, locale)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">{t('settings.invite')}</button>
        </form>
      ) : null}
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
    </section>
  );
}

function ApiKeysSection() {
  const { t, formatDateTime } = useLocale();
  const { workspaceId } = useSignedIn();
  const load = useCallback(() => listApiKeys(workspaceId), [workspaceId]);
  const { loaded, reload } = useLoaded(load);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['inference']);
  const [created, setCreated] = useState<{ name: string; secret: string }>();
  const [copied, setCopied] = useState(false);
  const [message, setMessage] = useState<string>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const answer = await createApiKey(workspaceId, { name, scopes });
      setCreated({ name: answer.key.name, secret: answer.secret });
      setCopied(false);
      setName('');
      setMessage(undefined);
      await reload();
    } catch (caught) {
      setMessage(t('form.failed', { message: errorText(caught) }));
    }
  };

  const revoke = async (key: WorkspaceApiKeyRecord) => {
    if (!window.confirm(t('settings.revokeConfirm', { name: key.name }))) return;
    try {
      await revokeApiKey(workspaceId, key.id);
      await reload();
    } catch (caught) {
      setMessage(t('form.failed', { message: errorText(caught) }));
    }
  };

  const copy = async () => {
    if (!created) return;
    await navigator.clipboard.writeText(created.secret).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };

  return (
    <section className="card" aria-labelledby="keys-heading">
      <h2 id="keys-heading">{t('settings.apiKeys')}</h2>
      <p>{t('settings.apiKeysIntro')}</p>
      <form onSubmit={(event) => void submit(event)} className="inline-form">
        <FormField
          label={t('settings.keyName')}
          name="keyName"
          required
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <fieldset className="field">
          <legend>{t('settings.keyScopes')}</legend>
          {API_KEY_SCOPES.map((scope) => (
            <label key={scope} className="checkbox">
              <input
                type="checkbox"
                name="scopes"
                value={scope}
                checked={scopes.includes(scope)}
                onChange={(event) =>
                  setScopes((current) =>
                    event.target.checked ? [...current, scope] : current.filter((entry) => entry !== scope),
                  )
                }
              />
              <code>{scope}</code>
            </label>
          ))}
        </fieldset>
        <button type="submit">{t('settings.createKey')}</button>
      </form>
      {message ? <Alert kind="error">{message}</Alert> : null}
      {created ? (
        <div className="alert alert-success created-key" role="status">
          <p>
            <strong>{created.name}</strong>: {t('settings.keyCreated')}
          </p>
          <code className="secret" data-testid="created-key">
            {created.secret}
          </code>{' '}
          <button type="button" className="secondary small" onClick={() => void copy()}>
            {copied ? t('settings.copied') : t('settings.copy')}
          </button>
        </div>
      ) : null}
      <LoadedView loaded={loaded}>
        {(value) =>
          value.keys.filter((key) => !key.revokedAt).length === 0 ? (
            <p className="muted">{t('settings.noKeys')}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('settings.keyName')}</th>
                  <th scope="col">{t('settings.keyPrefix')}</th>
                  <th scope="col">{t('settings.keyScopes')}</th>
                  <th scope="col">{t('settings.keyCreatedAt')}</th>
                  <th scope="col">{t('settings.keyLastUsed')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('settings.revoke', { name: '' })}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {value.keys
                  .filter((key) => !key.revokedAt)
                  .map((key) => (
                    <tr key={key.id}>
                      <th scope="row">{key.name}</th>
                      <td>
                        <code>{key.prefix}…</code>
                      </td>
                      <td>{key.scopes.join(', ')}</td>
                      <td>{formatDateTime(key.createdAt)}</td>
                      <td>{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : t('settings.never')}</td>
                      <td>
                        <button type="button" className="danger small" onClick={() => void revoke(key)}>
                          {t('settings.revoke', { name: key.name })}
                        </button>
                      </td>
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

function AuditSection() {
  const { t, formatDateTime } = useLocale();
  const { workspaceId } = useSignedIn();
  const load = useCallback(() => listAudit(workspaceId), [workspaceId]);
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
                      <code>{entry.action}</code>
                    </td>
                    <td>{entry.target ?? '–'}</td>
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

function AccountSection() {
  const { t } = useLocale();
  const { refresh } = useSession();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string }>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const { sessionsEnded } = await changePassword({ currentPassword, newPassword });
      setMessage({ kind: 'success', text: t('account.passwordChanged', { count: sessionsEnded }) });
      setCurrentPassword('');
      setNewPassword('');
    } catch (caught) {
      setMessage({ kind: 'error', text: t('form.failed', { message: errorText(caught) }) });
    }
  };

  const endEverySession = async () => {
    try {
      await signOutEverywhere();
    } finally {
      await refresh();
    }
  };

  return (
    <section className="card" aria-labelledby="account-heading">
      <h2 id="account-heading">{t('account.title')}</h2>
      <form onSubmit={(event) => void submit(event)} className="inline-form">
        <FormField
          label={t('account.currentPassword')}
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          value={currentPassword}
          onChange={(event) => setCurrentPassword(event.target.value)}
        />
        <FormField
          label={t('account.newPassword')}
          name="newPassword"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          value={newPassword}
          onChange={(event) => setNewPassword(event.target.value)}
        />
        <button type="submit">{t('account.changePassword')}</button>
      </form>
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      <div className="subsection">
        <p className="muted">{t('account.signOutEverywhereHint')}</p>
        <button type="button" className="danger" onClick={() => void endEverySession()}>
          {t('account.signOutEverywhere')}
        </button>
      </div>
    </section>
  );
}
