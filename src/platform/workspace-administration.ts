/**
 * Running a workspace: settings, members, invitations and API keys. Each change is checked
 * against the roles table's rules that a permission alone cannot express (only an owner makes an
 * owner; the last owner stays) and written to the workspace's audit log.
 */
import { PolettError } from '../errors.js';
import { notFound, permissionDenied } from './platform-errors.js';
import { canAssignRole, type ApiKeyScope, type Role } from './roles.js';
import type {
  AuditActor,
  InvitationRecord,
  MemberRecord,
  Platform,
  WorkspaceApiKeyRecord,
  WorkspaceRecord,
  WorkspaceScope,
} from './types.js';

/** Who is acting, with which role in this workspace, and from where. */
export interface Acting {
  actor: AuditActor;
  role: Role;
  ip: string | null;
}

function lastOwner(): PolettError {
  return new PolettError({
    code: 'last_owner',
    status: 409,
    retryable: false,
    field: 'role',
    message: {
      sv: 'Arbetsytan måste ha minst en ägare; gör någon annan till ägare först.',
      en: 'The workspace must keep at least one owner; make someone else owner first.',
    },
  });
}

const MEMBER = { sv: 'Medlemmen', en: 'The member' };

export function updateWorkspaceSettings(
  scope: WorkspaceScope,
  acting: Acting,
  changes: {
    name?: string;
    conversationRetentionDays?: number | null;
    feedbackRetentionDays?: number | null;
  },
): WorkspaceRecord {
  const before = scope.workspace.get()!;
  const after = scope.workspace.update(changes);
  scope.audit.record({
    actor: acting.actor,
    action: 'workspace.updated',
    target: scope.workspaceId,
    details: {
      before: {
        name: before.name,
        conversationRetentionDays: before.conversationRetentionDays,
        feedbackRetentionDays: before.feedbackRetentionDays,
      },
      changes,
    },
    ip: acting.ip,
  });
  return after;
}

/**
 * Invites someone by e-mail. A person who has an account joins at once; anyone else gets an
 * invitation whose token (shown once) lets them choose their own password.
 */
export function inviteMember(
  platform: Platform,
  scope: WorkspaceScope,
  acting: Acting,
  input: { email: string; role: Role },
):
  | { member: MemberRecord; invitation?: undefined; token?: undefined }
  | { member?: undefined; invitation: InvitationRecord; token: string } {
  if (!canAssignRole(acting.role, input.role)) throw permissionDenied('members.manage');
  const existing = platform.users.findByEmail(input.email);
  if (existing) {
    if (!scope.members.get(existing.user.id)) scope.members.add(existing.user.id, input.role);
    scope.audit.record({
      actor: acting.actor,
      action: 'member.added',
      target: existing.user.id,
      details: { email: existing.user.email, role: input.role },
      ip: acting.ip,
    });
    return { member: scope.members.get(existing.user.id)! };
  }
  const { record, token } = scope.invitations.create({
    email: input.email,
    role: input.role,
    invitedBy: acting.actor.id,
  });
  scope.audit.record({
    actor: acting.actor,
    action: 'member.invited',
    target: record.id,
    details: { email: record.email, role: record.role },
    ip: acting.ip,
  });
  return { invitation: record, token };
}

export function revokeInvitation(scope: WorkspaceScope, acting: Acting, invitationId: string): void {
  if (!scope.invitations.revoke(invitationId))
    throw notFound({ sv: 'Inbjudan', en: 'The invitation' }, 'invitationId');
  scope.audit.record({
    actor: acting.actor,
    action: 'invitation.revoked',
    target: invitationId,
    ip: acting.ip,
  });
}

export function changeMemberRole(
  scope: WorkspaceScope,
  acting: Acting,
  userId: string,
  role: Role,
): MemberRecord {
  const member = scope.members.get(userId);
  if (!member) throw notFound(MEMBER, 'userId');
  // Taking the owner role away is as strong a move as granting it.
  if (!canAssignRole(acting.role, role) || !canAssignRole(acting.role, member.role))
    throw permissionDenied('members.manage');
  if (member.role === 'owner' && role !== 'owner' && scope.members.countOwners() <= 1) throw lastOwner();
  scope.members.changeRole(userId, role);
  scope.audit.record({
    actor: acting.actor,
    action: 'member.role_changed',
    target: userId,
    details: { email: member.email, from: member.role, to: role },
    ip: acting.ip,
  });
  return scope.members.get(userId)!;
}

export function removeMember(scope: WorkspaceScope, acting: Acting, userId: string): void {
  const member = scope.members.get(userId);
  if (!member) throw notFound(MEMBER, 'userId');
  if (!canAssignRole(acting.role, member.role)) throw permissionDenied('members.manage');
  if (member.role === 'owner' && scope.members.countOwners() <= 1) throw lastOwner();
  scope.members.remove(userId);
  scope.audit.record({
    actor: acting.actor,
    action: 'member.removed',
    target: userId,
    details: { email: member.email, role: member.role },
    ip: acting.ip,
  });
}

export function createApiKey(
  scope: WorkspaceScope,
  acting: Acting,
  input: { name: string; scopes: ApiKeyScope[] },
): { record: WorkspaceApiKeyRecord; secret: string } {
  const created = scope.apiKeys.create(input);
  scope.audit.record({
    actor: acting.actor,
    action: 'key.created',
    target: created.record.id,
    details: { name: created.record.name, prefix: created.record.prefix, scopes: created.record.scopes },
    ip: acting.ip,
  });
  return created;
}

export function revokeApiKey(scope: WorkspaceScope, acting: Acting, keyId: string): WorkspaceApiKeyRecord {
  const key = scope.apiKeys.get(keyId);
  if (!key || !scope.apiKeys.revoke(keyId)) throw notFound({ sv: 'API-nyckeln', en: 'The API key' }, 'keyId');
  scope.audit.record({
    actor: acting.actor,
    action: 'key.revoked',
    target: keyId,
    details: { name: key.name, prefix: key.prefix },
    ip: acting.ip,
  });
  return scope.apiKeys.get(keyId)!;
}
