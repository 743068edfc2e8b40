/** The Assistant's and the Inbox's routes, typed by the schemas the server validates with. */
import type { z } from 'zod';
import type {
  assistantSchema,
  AssistantSettingsInput,
  conversationSchema,
  curatedAnswerSchema,
  messageSchema,
} from '../../../src/assistant/schemas.ts';
import { api } from './client.ts';

export type Assistant = z.output<typeof assistantSchema> & { webhookSecret?: string };
export type Conversation = z.output<typeof conversationSchema>;
export type ConversationMessage = z.output<typeof messageSchema>;
export type CuratedAnswer = z.output<typeof curatedAnswerSchema>;
export type AssistantSettings = AssistantSettingsInput;

export interface PassageView {
  chunkId: string;
  title: string;
  headingPath: string[];
  text: string;
  location: { url?: string; page?: number; sheet?: string; row?: number };
}

export interface ConversationDetail {
  conversation: Conversation;
  messages: ConversationMessage[];
  summary: string;
  passages: PassageView[];
}

const base = (workspaceId: string) => `/api/workspaces/${encodeURIComponent(workspaceId)}`;

export const listAssistants = (workspaceId: string) =>
  api.get<{ assistants: Assistant[] }>(`${base(workspaceId)}/assistants`);
export const getAssistant = (workspaceId: string, assistantId: string) =>
  api.get<Assistant>(`${base(workspaceId)}/assistants/${encodeURIComponent(assistantId)}`);
export const createAssistant = (workspaceId: string, settings: AssistantSettings) =>
  api.post<Assistant>(`${base(workspaceId)}/assistants`, settings);
export const updateAssistant = (
  workspaceId: string,
  assistantId: string,
  changes: Partial<AssistantSettings>,
) => api.patch<Assistant>(`${base(workspaceId)}/assistants/${encodeURIComponent(assistantId)}`, changes);
export const deleteAssistant = (workspaceId: string, assistantId: string) =>
  api.delete<void>(`${base(workspaceId)}/assistants/${encodeURIComponent(assistantId)}`);
export const askAssistant = (
  workspaceId: string,
  assistantId: string,
  text: string,
  conversationId?: string,
) =>
  api.post<{ conversation: Conversation; answer: ConversationMessage }>(
    `${base(workspaceId)}/assistants/${encodeURIComponent(assistantId)}/ask`,
    conversationId ? { text, conversationId } : { text },
  );

export const listCuratedAnswers = (workspaceId: string) =>
  api.get<{ curatedAnswers: CuratedAnswer[] }>(`${base(workspaceId)}/curated-answers`);
export const createCuratedAnswer = (
  workspaceId: string,
  input: { assistantId: string | null; question: string; answer: string },
) => api.post<CuratedAnswer>(`${base(workspaceId)}/curated-answers`, input);
export const deleteCuratedAnswer = (workspaceId: string, curatedId: string) =>
  api.delete<void>(`${base(workspaceId)}/curated-answers/${encodeURIComponent(curatedId)}`);

export const listConversations = (workspaceId: string, statuses: string[]) =>
  api.get<{ conversations: Conversation[] }>(
    `${base(workspaceId)}/conversations?status=${encodeURIComponent(statuses.join(','))}`,
  );
export const getConversation = (workspaceId: string, conversationId: string) =>
  api.get<ConversationDetail>(`${base(workspaceId)}/conversations/${encodeURIComponent(conversationId)}`);
export const conversationEventsUrl = (workspaceId: string, conversationId: string) =>
  `${base(workspaceId)}/conversations/${encodeURIComponent(conversationId)}/events`;
export const conversationAction = (
  workspaceId: string,
  conversationId: string,
  action: 'assign' | 'hand-back' | 'close',
) =>
  api.post<Conversation>(
    `${base(workspaceId)}/conversations/${encodeURIComponent(conversationId)}/${action}`,
  );
export const replyToConversation = (workspaceId: string, conversationId: string, text: string) =>
  api.post<ConversationMessage>(
    `${base(workspaceId)}/conversations/${encodeURIComponent(conversationId)}/replies`,
    {
      text,
    },
  );

export type AssistantAnalytics = z.output<
  typeof import('../../../src/assistant/analytics.ts').assistantAnalyticsSchema
>;
export const getAssistantAnalytics = (workspaceId: string, days = 30) =>
  api.get<AssistantAnalytics>(`${base(workspaceId)}/assistant-analytics?days=${days}`);
