import { useCallback, useState, type FormEvent } from 'react';
import { ROLES, ROLE_NAMES, can, canAssignRole, type Role } from '../../../../src/platform/roles.ts';
import {
  changeMemberRole,
  inviteMember,
  listMembers,
  removeMember,
  withdrawInvitation,
  type MemberRecord,
} from '../../api/polett.ts';
import { Alert, FormField } from '../../components/form-field.tsx';
import { useLocale } from '../../i18n/locale-context.tsx';
import { useSignedIn } from '../../session.tsx';
import { useLoaded, LoadedView, errorText } from '../../components/loaded-view.tsx';

function roleName(role: Role, locale: 'sv' | 'en'): string {
  return ROLE_NAMES[role][locale];
}

/** Members, their roles, pending invitations, and inviting someone. */
export function MembersSection({ role, onChanged }: { role: Role; onChanged: () => void }) {
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
      onChanged();
    } catch (caught) {
      setMessage({ kind: 'error', text: t('form.failed', { message: errorText(caught) }) });
    }
  };

  const act = async (action: () => Promise<unknown>) => {
    try {
      await action();
      await reload();
      onChanged();
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
