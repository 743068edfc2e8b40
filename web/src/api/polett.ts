/**
 * The routes the web app calls, in one place, with the shapes it reads. The platform's records
 * (src/platform/types.ts) and zod schemas (src/platform/schemas.ts) are the source of truth.
 */
import type { Locale } from '../i18n/messages.ts';
import type {
  ApiKeyDto,
  AuditEntryDto,
  MeDto,
  MemberDto,
  SessionDto,
  UsageDto,
  WorkspaceDto,
  WorkspaceMembershipDto,
} from '../../../src/platform/schemas.ts';
import type { z } from 'zod';
import type {
  auditPageSchema,
  createdApiKeySchema,
  apiKeyListSchema,
  inviteResultSchema,
  memberListSchema,
  setupStatusSchema,
} from '../../../src/platform/schemas.ts';
import type { ApiKeyScope, Role } from '../../../src/platform/roles.ts';
import type { JobView } from '../components/job-progress.tsx';
import { ApiError, api, setCsrfToken } from './client.ts';

export type AuditEntry = AuditEntryDto;
export type MemberRecord = MemberDto;
export type WorkspaceApiKeyRecord = ApiKeyDto;
export type WorkspaceRecord = WorkspaceDto;
export type UsagePerDayAndTask = UsageDto['rows'][number];
export type WorkspaceMembership = WorkspaceMembershipDto;

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

/** The account routes, named once. */
const ROUTES = {
  setup: '/api/setup',
  me: '/api/me',
  session: '/api/session',
  allSessions: '/api/sessions',
  password: '/api/me/password',
  acceptInvitation: '/api/invitations/accept',
} as const;

/** A signed-in person's view: who, the CSRF token for writes, and the workspaces with roles. */
export interface SessionView {
  user: SessionDto['user'];
  csrfToken: string | null;
  workspaces: WorkspaceMembershipDto[];
}

type SetupStatus = z.infer<typeof setupStatusSchema>;

export async function fetchSetupState(): Promise<{ needsSetup: boolean }> {
  const answer = await api.get<SetupStatus>(ROUTES.setup);
  return { needsSetup: !answer.ownerExists };
}

export interface SetupInput {
  name: string;
  email: string;
  password: string;
  workspaceName: string;
  locale: Locale;
}

/** Creates the owner and the first workspace; the answer is a signed-in session. */
export const completeSetup = (input: SetupInput) => api.post<SessionDto>(ROUTES.setup, input);

/** The current session, or undefined when nobody is signed in. */
export async function fetchSession(): Promise<SessionView | undefined> {
  try {
    const me = await api.get<MeDto>(ROUTES.me);
    if (!me.user) return undefined;
    setCsrfToken(me.csrfToken ?? undefined);
    return { user: me.user, csrfToken: me.csrfToken, workspaces: me.workspaces };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return undefined;
    throw error;
  }
}

export const signIn = (input: { email: string; password: string }) =>
  api.post<SessionDto>(ROUTES.session, input);

export async function signOutRequest(): Promise<void> {
  try {
    await api.delete<unknown>(ROUTES.session);
  } finally {
    setCsrfToken(undefined);
  }
}

/** Ends every session of the signed-in person, on every device, this one included. */
export async function signOutEverywhere(): Promise<{ sessionsEnded: number }> {
  try {
    return await api.delete<{ sessionsEnded: number }>(ROUTES.allSessions);
  } finally {
    setCsrfToken(undefined);
  }
}

/** Remembers the chosen language on the account, so that it follows the person to other browsers. */
export const saveMyLocale = (locale: Locale) => api.patch<SessionDto['user']>(ROUTES.me, { locale });

export const changePassword = (input: { currentPassword: string; newPassword: string }) =>
  api.post<{ sessionsEnded: number }>(ROUTES.password, input);

export const acceptInvitation = (input: { token: string; name: string; password: string; locale: Locale }) =>
  api.post<SessionDto>(ROUTES.acceptInvitation, input);

const workspacePath = (workspaceId: string, rest = '') =>
  `/api/workspaces/${encodeURIComponent(workspaceId)}${rest}`;

/** A new workspace (a brand or a site) with the caller as its owner. */
export const createWorkspace = (name: string) =>
  api.post<WorkspaceMembershipDto>('/api/workspaces', { name });

/** The workspace itself (the route also sends the caller's role and permissions in it). */
export const getWorkspace = async (workspaceId: string) =>
  (await api.get<WorkspaceMembershipDto>(workspacePath(workspaceId))).workspace;
export const updateWorkspace = (
  workspaceId: string,
  changes: {
    name?: string;
    conversationRetentionDays?: number | null;
    feedbackRetentionDays?: number | null;
  },
) => api.patch<WorkspaceDto>(workspacePath(workspaceId), changes);

export const listMembers = (workspaceId: string) =>
  api.get<z.infer<typeof memberListSchema>>(workspacePath(workspaceId, '/members'));
export const inviteMember = (workspaceId: string, input: { email: string; role: Role }) =>
  api.post<z.infer<typeof inviteResultSchema>>(workspacePath(workspaceId, '/members'), input);
export const withdrawInvitation = (workspaceId: string, invitationId: string) =>
  api.delete<unknown>(workspacePath(workspaceId, `/invitations/${encodeURIComponent(invitationId)}`));
export const changeMemberRole = (workspaceId: string, userId: string, role: Role) =>
  api.patch<unknown>(workspacePath(workspaceId, `/members/${encodeURIComponent(userId)}`), { role });
export const removeMember = (workspaceId: string, userId: string) =>
  api.delete<unknown>(workspacePath(workspaceId, `/members/${encodeURIComponent(userId)}`));

export const listApiKeys = (workspaceId: string) =>
  api.get<z.infer<typeof apiKeyListSchema>>(workspacePath(workspaceId, '/keys'));
export const createApiKey = (workspaceId: string, input: { name: string; scopes: ApiKeyScope[] }) =>
  api.post<z.infer<typeof createdApiKeySchema>>(workspacePath(workspaceId, '/keys'), input);
export const revokeApiKey = (workspaceId: string, keyId: string) =>
  api.delete<unknown>(workspacePath(workspaceId, `/keys/${encodeURIComponent(keyId)}`));

export const listAudit = (workspaceId: string) =>
  api.get<z.infer<typeof auditPageSchema>>(workspacePath(workspaceId, '/audit?limit=50'));

export const getUsage = (workspaceId: string, since: string) =>
  api.get<UsageDto>(workspacePath(workspaceId, `/usage?since=${encodeURIComponent(since)}`));

/** One short call through a model alias or a task's chain (`chat`), to see that it answers. */
export const testModel = (workspaceId: string, alias: string) =>
  api.post<{ text: string; milliseconds: number }>(
    workspacePath(workspaceId, `/models/${encodeURIComponent(alias)}/test`),
    {},
  );

/** Stores a remote provider and its key. No such route on the server yet. */
export const saveProvider = (
  workspaceId: string,
  input: { name: string; baseURL: string; apiKey?: string; model: string },
) => api.post<unknown>(workspacePath(workspaceId, '/providers'), input);

/** Recent jobs of the workspace, newest first. The jobs routes are the jobs capability's. */
export const listJobs = (workspaceId: string) =>
  api.get<{ jobs: JobView[] }>(workspacePath(workspaceId, '/jobs?limit=20'));

/** The server-sent events of one job (read by EventSource, which sends the session cookie). */
export const jobEventsUrl = (workspaceId: string, jobId: string) =>
  workspacePath(workspaceId, `/jobs/${encodeURIComponent(jobId)}/events`);

/** Starts pulling a model from the hub (or the server's HF_ENDPOINT) as a job; needs `models.manage`. */
export const pullModel = (
  workspaceId: string,
  body: { reference: string; name?: string; quantization?: string },
) => api.post<JobView>(workspacePath(workspaceId, '/models/pull'), body);
