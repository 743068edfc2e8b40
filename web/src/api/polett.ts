/**
 * The routes the web app calls, in one place, with the shapes it reads. The platform's records
 * (src/platform/types.ts) and zod schemas (src/platform/schemas.ts) are the source of truth.
 */
import type { Locale } from '../i18n/messages.ts';
import type {
  AuditEntry,
  InvitationRecord,
  MemberRecord,
  UsagePerDayAndTask,
  UserRecord,
  WorkspaceApiKeyRecord,
  WorkspaceRecord,
} from '../../../src/platform/types.ts';
import type { ApiKeyScope, Role } from '../../../src/platform/roles.ts';
import { ApiError, api, setCsrfToken } from './client.ts';

export type { AuditEntry, InvitationRecord, MemberRecord, UsagePerDayAndTask, WorkspaceApiKeyRecord, WorkspaceRecord };

export interface TaskHealth {
  task: string;
  ready: boolean;
  models: string[];
  hint?: string;
}

export interface ModelHealth {
  alias: string;
  provider: string;
  type: string;
  remote: boolean;
  tasks: string[];
  ready: boolean;
  problem?: string;
}

export interface Health {
  status: string;
  version: string;
  models: ModelHealth[];
  tasks: TaskHealth[];
}

export const getHealth = () => api.get<Health>('/health');

export interface SessionView {
  user: UserRecord;
  workspaces: Array<{ workspace: WorkspaceRecord; role: Role }>;
  csrfToken?: string;
}

export async function fetchSetupState(): Promise<{ needsSetup: boolean }> {
  const answer = await api.get<{ needsSetup?: boolean; ownerExists?: boolean; hasOwner?: boolean }>('/api/setup');
  const ownerExists = answer.ownerExists ?? answer.hasOwner ?? (answer.needsSetup === undefined ? true : !answer.needsSetup);
  return { needsSetup: !ownerExists };
}

export interface SetupInput {
  name: string;
  email: string;
  password: string;
  companyName: string;
  locale: Locale;
}

export const completeSetup = (input: SetupInput) => api.post<unknown>('/api/setup', input);

/** The current session, or undefined when nobody is signed in. */
export async function fetchSession(): Promise<SessionView | undefined> {
  try {
    const session = await api.get<SessionView>('/api/session');
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return undefined;
    throw error;
  }
}

export const signIn = (input: { email: string; password: string }) => api.post<SessionView>('/api/session', input);

export async function signOutRequest(): Promise<void> {
  await api.delete<unknown>('/api/session');
  setCsrfToken(undefined);
}

const workspacePath = (workspaceId: string, rest = '') => `/api/workspaces/${encodeURIComponent(workspaceId)}${rest}`;

export const getWorkspace = (workspaceId: string) => api.get<WorkspaceRecord>(workspacePath(workspaceId));
export const updateWorkspace = (
  workspaceId: string,
  changes: { name?: string; conversationRetentionDays?: number | null; feedbackRetentionDays?: number | null },
) => api.patch<WorkspaceRecord>(workspacePath(workspaceId), changes);

export const listMembers = (workspaceId: string) =>
  api.get<{ members: MemberRecord[]; invitations?: InvitationRecord[] }>(workspacePath(workspaceId, '/members'));
export const inviteMember = (workspaceId: string, input: { email: string; role: Role }) =>
  api.post<{ invitation: InvitationRecord; token?: string; link?: string }>(
    workspacePath(workspaceId, '/invitations'),
    input,
  );
export const changeMemberRole = (workspaceId: string, userId: string, role: Role) =>
  api.patch<unknown>(workspacePath(workspaceId, `/members/${encodeURIComponent(userId)}`), { role });
export const removeMember = (workspaceId: string, userId: string) =>
  api.delete<unknown>(workspacePath(workspaceId, `/members/${encodeURIComponent(userId)}`));

export const listApiKeys = (workspaceId: string) =>
  api.get<{ keys: WorkspaceApiKeyRecord[] }>(workspacePath(workspaceId, '/api-keys'));
export const createApiKey = (workspaceId: string, input: { name: string; scopes: ApiKeyScope[] }) =>
  api.post<{ key: WorkspaceApiKeyRecord; secret: string }>(workspacePath(workspaceId, '/api-keys'), input);
export const revokeApiKey = (workspaceId: string, keyId: string) =>
  api.delete<unknown>(workspacePath(workspaceId, `/api-keys/${encodeURIComponent(keyId)}`));

export const listAudit = (workspaceId: string) =>
  api.get<{ entries: AuditEntry[] }>(workspacePath(workspaceId, '/audit?limit=50'));

export const getUsage = (workspaceId: string, since: string) =>
  api.get<{ usage: UsagePerDayAndTask[] }>(workspacePath(workspaceId, `/usage?since=${encodeURIComponent(since)}`));

/** One short call through a model, to see that it answers; the route lives with the Models capability. */
export const testModel = (workspaceId: string, alias: string) =>
  api.post<{ text: string; milliseconds: number }>(
    workspacePath(workspaceId, `/models/${encodeURIComponent(alias)}/test`),
    {},
  );

export const saveProvider = (
  workspaceId: string,
  input: { name: string; baseURL: string; apiKey?: string; model: string },
) => api.post<unknown>(workspacePath(workspaceId, '/providers'), input);
