/**
 * The Assistant as the HTTP layer and the CLI use it: the store, the answer pipeline, visitor
 * tokens, per-visitor limits, live conversation events (an agent's reply reaching the widget),
 * the Inbox's actions and the hand-over webhook. One per Polett process.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter, on } from 'node:events';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import type { PolettConfig } from '../config/index.js';
import { PolettError } from '../errors.js';
import { defineJobHandler, type JobQueue } from '../jobs/index.js';
import type { KnowledgeSearcher } from '../knowledge/search-contract.js';
import type { ModelRegistry } from '../models/index.js';
import { deliverWebhook, RateLimiter, WEBHOOK_MAX_ATTEMPTS } from '../platform/index.js';
import { registerRetentionTarget } from '../platform/retention.js';
import { extractiveSummary } from './memory.js';
import { reply } from './replies.js';
import { respond, type AssistantEvent } from './respond.js';
import type { ConversationRecord, MessageRecord } from './schemas.js';
import { assistantErrors, openAssistantStore, type AssistantScope, type AssistantStore } from './store.js';
import { VisitorTokens } from './visitor-tokens.js';

export const ASSISTANT_WEBHOOK_JOB = 'assistant.webhook';

/** What happens in a conversation, live, for the widget and the Inbox. */
export type ConversationEvent =
  { type: 'message'; message: MessageRecord } | { type: 'status'; conversation: ConversationRecord };

registerRetentionTarget({
  name: 'conversations',
  setting: 'conversationRetentionDays',
  deleteOlderThan(database, workspaceId, cutoff) {
    // Messages go with their conversation (ON DELETE CASCADE); a conversation counts from its last activity.
    return database
      .prepare('DELETE FROM conversations WHERE workspace_id = ? AND updated_at < ?')
      .run(workspaceId, cutoff).changes;
  },
});

export interface AssistantServiceDependencies {
  database: Database;
  models: ModelRegistry;
  config: PolettConfig;
  /** Signs visitor tokens; derive it from the installation's secret key. */
  visitorTokenKey: Buffer;
  jobs?: JobQueue;
  /** The workspace's knowledge, when Knowledge has an index for it. */
  knowledge?: (workspaceId: string) => KnowledgeSearcher | undefined;
  companyName(workspaceId: string): string;
  now?: () => number;
}

export const inboxErrors = {
  notYours: () =>
    new PolettError({
      code: 'conversation_assigned_elsewhere',
      status: 409,
      field: 'conversationId',
      message: {
        sv: 'En annan medarbetare har redan tagit konversationen; välj en annan i inkorgen.',
        en: 'Another colleague has already taken the conversation; pick another one in the Inbox.',
      },
    }),
  closed: () =>
    new PolettError({
      code: 'conversation_closed',
      status: 409,
      field: 'conversationId',
      message: {
        sv: 'Konversationen är avslutad; kunden kan öppna den igen genom att skriva.',
        en: 'The conversation is closed; the customer can reopen it by writing.',
      },
    }),
  tooManyMessages: (retryAfterSeconds: number) =>
    new PolettError({
      code: 'rate_limited',
      status: 429,
      retryAfterSeconds,
      message: {
        sv: `Du har skickat många meddelanden på kort tid; vänta ${retryAfterSeconds} sekunder och försök igen.`,
        en: `You have sent many messages in a short time; wait ${retryAfterSeconds} seconds and try again.`,
      },
    }),
};

export class AssistantService {
  readonly store: AssistantStore;
  readonly visitorTokens: VisitorTokens;
  private readonly events = new EventEmitter();
  private readonly perVisitor: RateLimiter;
  private readonly perIp: RateLimiter;

  constructor(private readonly dependencies: AssistantServiceDependencies) {
    this.store = openAssistantStore(dependencies.database);
    this.visitorTokens = new VisitorTokens(dependencies.visitorTokenKey, dependencies.now);
    const limits = dependencies.config.server.rateLimit;
    this.perVisitor = new RateLimiter(limits.widgetMessagesPerVisitor, dependencies.now);
    this.perIp = new RateLimiter(limits.widgetMessagesPerIp, dependencies.now);
    // Every open widget and Inbox page listens; the default limit of 10 is for leak detection.
    this.events.setMaxListeners(0);
  }

  scope(workspaceId: string): AssistantScope {
    return this.store.forWorkspace(workspaceId);
  }

  /** Checks the per-visitor and per-IP limits for one more customer message. */
  takeMessageAllowance(visitorId: string, ip: string): void {
    for (const decision of [this.perIp.take(ip), this.perVisitor.take(visitorId)]) {
      if (!decision.allowed) throw inboxErrors.tooManyMessages(decision.retryAfterSeconds);
    }
  }

  /** One customer turn, streamed; the customer's message and the answer also reach live listeners. */
  ask(
    workspaceId: string,
    conversationId: string,
    text: string,
    signal?: AbortSignal,
  ): AsyncGenerator<AssistantEvent> {
    // The generator is respond's own, not wrapped: each layer costs a little on every delta of
    // every open conversation.
    return respond(
      {
        models: this.dependencies.models,
        knowledge: (id) => this.dependencies.knowledge?.(id),
        companyName: (id) => this.dependencies.companyName(id),
        onHandover: (conversation) => this.handedOver(conversation),
        onMessage: (message) => this.publish(conversationId, { type: 'message', message }),
      },
      this.scope(workspaceId),
      { conversationId, text, ...(signal ? { signal } : {}) },
    );
  }

  /** Live events of one conversation until `signal` aborts. */
  async *subscribe(conversationId: string, signal: AbortSignal): AsyncGenerator<ConversationEvent> {
    try {
      for await (const [event] of on(this.events, conversationId, { signal }))
        yield event as ConversationEvent;
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    }
  }

  /**
   * Calls `listener` with each live event of one conversation until the returned function is
   * called. Lighter than `subscribe` for a connection that mostly waits: an open widget holds one.
   */
  listen(conversationId: string, listener: (event: ConversationEvent) => void): () => void {
    this.events.on(conversationId, listener);
    return () => this.events.off(conversationId, listener);
  }

  /** How many live listeners a conversation has (for diagnostics, and the test that none leak). */
  liveListeners(conversationId: string): number {
    return this.events.listenerCount(conversationId);
  }

  private publish(conversationId: string, event: ConversationEvent): void {
    this.events.emit(conversationId, event);
  }

  // ---- The Inbox ----

  /** An agent takes a conversation (from the queue, or from the assistant directly). */
  assign(workspaceId: string, conversationId: string, agentId: string): ConversationRecord {
    const scope = this.scope(workspaceId);
    const conversation = this.conversationOf(scope, conversationId);
    if (conversation.status === 'assigned' && conversation.assignedTo !== agentId)
      throw inboxErrors.notYours();
    if (conversation.status === 'closed') throw inboxErrors.closed();
    const updated = scope.conversations.setStatus(conversationId, 'assigned', {
      assignedTo: agentId,
      ...(conversation.handoverReason ? {} : { reason: 'taken_by_agent' }),
    });
    this.publish(conversationId, { type: 'status', conversation: updated });
    return updated;
  }

  /** An agent's reply: stored, and sent live to the customer's widget. Taking the conversation first if nobody has. */
  replyAsAgent(workspaceId: string, conversationId: string, agentId: string, text: string): MessageRecord {
    const scope = this.scope(workspaceId);
    let conversation = this.conversationOf(scope, conversationId);
    if (conversation.status === 'closed') throw inboxErrors.closed();
    if (conversation.status !== 'assigned') conversation = this.assign(workspaceId, conversationId, agentId);
    else if (conversation.assignedTo !== agentId) throw inboxErrors.notYours();
    const trimmed = text.trim();
    if (!trimmed)
      throw new PolettError({
        code: 'message_empty',
        status: 400,
        field: 'text',
        message: {
          sv: 'Svaret är tomt; skriv något till kunden.',
          en: 'The reply is empty; write something to the customer.',
        },
      });
    const message = scope.messages.append(conversationId, {
      role: 'agent',
      kind: 'reply',
      text: trimmed,
      authorId: agentId,
    });
    this.publish(conversationId, { type: 'message', message });
    return message;
  }

  /** Back to the assistant: it answers the customer's next message again. */
  handBack(workspaceId: string, conversationId: string): ConversationRecord {
    const scope = this.scope(workspaceId);
    const conversation = this.conversationOf(scope, conversationId);
    if (conversation.status === 'closed') throw inboxErrors.closed();
    const updated = scope.conversations.setStatus(conversationId, 'assistant');
    const language = updated.language === 'en' ? 'en' : 'sv';
    const message = scope.messages.append(conversationId, {
      role: 'system',
      kind: 'event',
      text: reply('handedBack', language),
    });
    this.publish(conversationId, { type: 'message', message });
    this.publish(conversationId, { type: 'status', conversation: updated });
    return updated;
  }

  close(workspaceId: string, conversationId: string): ConversationRecord {
    const scope = this.scope(workspaceId);
    const conversation = this.conversationOf(scope, conversationId);
    // Closing twice (two agents, a double click) adds no second note and tells the webhook once.
    if (conversation.status === 'closed') return conversation;
    const updated = scope.conversations.setStatus(conversationId, 'closed');
    const message = scope.messages.append(conversationId, {
      role: 'system',
      kind: 'event',
      text: reply('closed', updated.language === 'en' ? 'en' : 'sv'),
    });
    this.publish(conversationId, { type: 'message', message });
    this.publish(conversationId, { type: 'status', conversation: updated });
    void this.enqueueWebhook(updated, 'conversation.closed');
    return updated;
  }

  /** Moves a conversation to the Inbox at the customer's request ("talk to a person"). */
  requestPerson(workspaceId: string, conversationId: string): ConversationRecord {
    const scope = this.scope(workspaceId);
    const conversation = this.conversationOf(scope, conversationId);
    if (conversation.status !== 'assistant' && conversation.status !== 'closed') return conversation;
    const updated = scope.conversations.setStatus(conversationId, 'waiting', { reason: 'asked_for_person' });
    const message = scope.messages.append(conversationId, {
      role: 'assistant',
      kind: 'handover',
      text: reply('handover', updated.language === 'en' ? 'en' : 'sv'),
    });
    this.publish(conversationId, { type: 'message', message });
    this.handedOver(updated);
    return updated;
  }

  /** What the agent sees: the transcript, a short summary, and the passages the assistant used. */
  conversationDetail(workspaceId: string, conversationId: string) {
    const scope = this.scope(workspaceId);
    const conversation = this.conversationOf(scope, conversationId);
    const messages = scope.messages.list(conversationId);
    const language = conversation.language === 'en' ? 'en' : 'sv';
    const passages = messages
      .filter((message) => message.role === 'assistant')
      .flatMap((message) => scope.messages.passagesOf(message.id));
    const seen = new Set<string>();
    return {
      conversation,
      messages,
      summary: conversation.summary ?? extractiveSummary(messages, language),
      passages: passages.filter((passage) => !seen.has(passage.chunkId) && seen.add(passage.chunkId)),
    };
  }

  private conversationOf(scope: AssistantScope, conversationId: string): ConversationRecord {
    const conversation = scope.conversations.get(conversationId);
    if (!conversation) throw assistantErrors.conversationNotFound(conversationId);
    return conversation;
  }

  private handedOver(conversation: ConversationRecord): void {
    this.publish(conversation.id, { type: 'status', conversation });
    void this.enqueueWebhook(conversation, 'conversation.handed_over');
  }

  private async enqueueWebhook(conversation: ConversationRecord, type: string): Promise<void> {
    const jobs = this.dependencies.jobs;
    if (!jobs) return;
    const assistant = this.scope(conversation.workspaceId).assistants.get(conversation.assistantId);
    if (!assistant?.webhookUrl) return;
    try {
      await jobs.enqueue({
        type: ASSISTANT_WEBHOOK_JOB,
        workspaceId: conversation.workspaceId,
        input: {
          assistantId: assistant.id,
          conversationId: conversation.id,
          eventType: type,
          eventId: randomUUID(),
        },
        maxAttempts: WEBHOOK_MAX_ATTEMPTS,
      });
    } catch (error) {
      // A failed enqueue must not break the conversation; the Inbox still has it.
      console.error('The assistant webhook could not be queued:', error);
    }
  }
}

/** Delivers a hand-over or close event to the assistant's webhook, with the transcript. */
export function assistantWebhookJobHandler(dependencies: { database: Database; fetch?: typeof fetch }) {
  return defineJobHandler({
    type: ASSISTANT_WEBHOOK_JOB,
    input: z.object({
      assistantId: z.string(),
      conversationId: z.string(),
      eventType: z.string(),
      eventId: z.string(),
    }),
    async run(input, context) {
      if (!context.workspaceId) throw new Error('an assistant webhook job needs its workspace');
      const scope = openAssistantStore(dependencies.database).forWorkspace(context.workspaceId);
      const assistant = scope.assistants.get(input.assistantId);
      const conversation = scope.conversations.get(input.conversationId);
      // Removed since (or its webhook turned off): nobody to tell.
      if (!assistant?.webhookUrl || !conversation) return { delivered: false };
      const messages = scope.messages.list(conversation.id);
      const language = conversation.language === 'en' ? 'en' : 'sv';
      const body = JSON.stringify({
        id: input.eventId,
        type: input.eventType,
        occurredAt: new Date().toISOString(),
        workspaceId: context.workspaceId,
        assistant: { id: assistant.id, name: assistant.name },
        conversation: {
          id: conversation.id,
          status: conversation.status,
          reason: conversation.handoverReason,
          language: conversation.language,
          visitorId: conversation.visitorId,
          summary: conversation.summary ?? extractiveSummary(messages, language),
          transcript: messages.map((message) => ({
            role: message.role,
            text: message.text,
            at: message.createdAt,
          })),
        },
      });
      const { status } = await deliverWebhook({
        url: assistant.webhookUrl,
        secret: scope.assistants.webhookSecret(assistant.id)!,
        eventId: input.eventId,
        body,
        signal: context.signal,
        ...(dependencies.fetch ? { fetch: dependencies.fetch } : {}),
      });
      return { delivered: true, status };
    },
  });
}
