/**
 * The Assistant's tables on SQLite. As in the platform, a workspace's data is reached only through
 * `forWorkspace`, whose statements all bind the workspace id. The one exception is
 * `findPublicAssistant`, which the widget's public routes need to learn an assistant's workspace
 * from its id; it returns nothing but what the widget may know.
 */
import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { PolettError } from '../errors.js';
import { isForbiddenOutboundUrl } from '../platform/outbound-address.js';
import { newWebhookSecret } from '../platform/webhooks.js';
import {
  assistantSettingsSchema,
  type AssistantRecord,
  type AssistantSettings,
  type AssistantSettingsInput,
  type Citation,
  type ConversationRecord,
  type ConversationStatus,
  type CuratedAnswerRecord,
  type MessageKind,
  type MessageRecord,
  type MessageRole,
} from './schemas.js';
import type { Passage } from '../knowledge/search-contract.js';

export interface AssistantStoreOptions {
  now?: () => Date;
}

export interface NewMessage {
  role: MessageRole;
  kind: MessageKind;
  text: string;
  citations?: Citation[];
  /** The passages the assistant retrieved for this turn, for the agent who takes over. */
  passages?: Passage[];
  authorId?: string | null;
  model?: string | null;
  cost?: number | null;
  firstTokenMs?: number | null;
}

export interface ConversationListOptions {
  statuses?: ConversationStatus[];
  assistantId?: string;
  limit?: number;
}

export interface AssistantScope {
  readonly workspaceId: string;
  readonly assistants: {
    create(input: AssistantSettingsInput): AssistantRecord;
    list(): AssistantRecord[];
    get(id: string): AssistantRecord | undefined;
    /** By id or by name, for the CLI's `--assistant NAME`. */
    find(idOrName: string): AssistantRecord | undefined;
    update(id: string, changes: Partial<AssistantSettingsInput>): AssistantRecord;
    /** The secret its webhook deliveries are signed with (shown to admins to set up the receiver). */
    webhookSecret(id: string): string | undefined;
    remove(id: string): boolean;
  };
  readonly conversations: {
    create(input: { assistantId: string; visitorId: string }): ConversationRecord;
    get(id: string): ConversationRecord | undefined;
    list(options?: ConversationListOptions): ConversationRecord[];
    setStatus(
      id: string,
      status: ConversationStatus,
      details?: { reason?: string; assignedTo?: string | null },
    ): ConversationRecord;
    setLanguage(id: string, language: string): void;
    setSummary(id: string, summary: string, throughSequence: number): void;
    /** Conversations created in [since, until), for analytics. */
    createdBetween(since: string, until: string, assistantId?: string): ConversationRecord[];
  };
  readonly messages: {
    append(conversationId: string, message: NewMessage): MessageRecord;
    list(conversationId: string): MessageRecord[];
    /** The passages stored with one message (what the assistant used for that answer). */
    passagesOf(messageId: string): Passage[];
    get(messageId: string): MessageRecord | undefined;
    setFeedback(messageId: string, feedback: -1 | 1 | null): boolean;
    /** Every message of conversations created in [since, until), for analytics. */
    ofConversationsCreatedBetween(since: string, until: string, assistantId?: string): MessageRecord[];
  };
  readonly curated: {
    create(input: {
      assistantId: string | null;
      question: string;
      answer: string;
      createdBy: string | null;
    }): CuratedAnswerRecord;
    /** The workspace's curated answers that apply to an assistant (its own and the shared ones). */
    listFor(assistantId: string): CuratedAnswerRecord[];
    list(): CuratedAnswerRecord[];
    remove(id: string): boolean;
  };
  readonly spend: {
    add(assistantId: string, cost: number): void;
    /** What the assistant's model calls cost today (UTC day). */
    today(assistantId: string): number;
  };
}

export interface PublicAssistant {
  id: string;
  workspaceId: string;
  name: string;
  allowedOrigins: string[];
  maxMessageChars: number;
  languagePolicy: AssistantSettings['languagePolicy'];
}

export interface AssistantStore {
  forWorkspace(workspaceId: string): AssistantScope;
  findPublicAssistant(assistantId: string): PublicAssistant | undefined;
}

interface AssistantRow {
  id: string;
  workspace_id: string;
  name: string;
  settings: string;
  webhook_secret: string;
  created_at: string;
  updated_at: string;
}

interface ConversationRow {
  id: string;
  workspace_id: string;
  assistant_id: string;
  visitor_id: string;
  status: ConversationStatus;
  assigned_to: string | null;
  language: string | null;
  summary: string | null;
  summarized_through: number;
  handed_over_at: string | null;
  handover_reason: string | null;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
}

interface MessageRow {
  id: string;
  conversation_id: string;
  sequence: number;
  role: MessageRole;
  kind: MessageKind;
  text: string;
  citations: string;
  author_id: string | null;
  model: string | null;
  cost: number | null;
  first_token_ms: number | null;
  feedback: -1 | 1 | null;
  created_at: string;
}

interface CuratedRow {
  id: string;
  assistant_id: string | null;
  question: string;
  answer: string;
  created_by: string | null;
  created_at: string;
}

/**
 * Parsed assistants, by id, kept while their stored settings are the same text: the widget looks
 * its assistant up on every request, and parsing the settings with zod was a visible share of a
 * message's CPU time (bench/assistant-widget.ts). The row is still read each time, so a change made
 * by another process is seen at once.
 */
const parsedAssistants = new Map<string, { settings: string; updatedAt: string; record: AssistantRecord }>();

function assistantFromRow(row: AssistantRow): AssistantRecord {
  const cached = parsedAssistants.get(row.id);
  if (cached && cached.settings === row.settings && cached.updatedAt === row.updated_at) return cached.record;
  // Frozen: every caller shares it.
  const record = Object.freeze(parseAssistantRow(row));
  if (parsedAssistants.size > 10_000) parsedAssistants.clear();
  parsedAssistants.set(row.id, { settings: row.settings, updatedAt: row.updated_at, record });
  return record;
}

function parseAssistantRow(row: AssistantRow): AssistantRecord {
  const settings = assistantSettingsSchema.parse(JSON.parse(row.settings));
  return {
    ...settings,
    name: row.name,
    id: row.id,
    workspaceId: row.workspace_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function conversationFromRow(row: ConversationRow): ConversationRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    assistantId: row.assistant_id,
    visitorId: row.visitor_id,
    status: row.status,
    assignedTo: row.assigned_to,
    language: row.language,
    summary: row.summary,
    summarizedThrough: row.summarized_through,
    handedOverAt: row.handed_over_at,
    handoverReason: row.handover_reason,
    closedAt: row.closed_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function messageFromRow(row: MessageRow): MessageRecord {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    sequence: row.sequence,
    role: row.role,
    kind: row.kind,
    text: row.text,
    citations: JSON.parse(row.citations) as Citation[],
    authorId: row.author_id,
    model: row.model,
    cost: row.cost,
    firstTokenMs: row.first_token_ms,
    feedback: row.feedback,
    createdAt: row.created_at,
  };
}

function curatedFromRow(row: CuratedRow): CuratedAnswerRecord {
  return {
    id: row.id,
    assistantId: row.assistant_id,
    question: row.question,
    answer: row.answer,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

export const assistantErrors = {
  nameTaken: (name: string) =>
    new PolettError({
      code: 'assistant_name_taken',
      status: 409,
      field: 'name',
      message: {
        sv: `Det finns redan en assistent som heter "${name}" i arbetsytan; välj ett annat namn.`,
        en: `There is already an assistant called "${name}" in the workspace; choose another name.`,
      },
    }),
  assistantNotFound: (id: string) =>
    new PolettError({
      code: 'assistant_not_found',
      status: 404,
      field: 'assistantId',
      message: {
        sv: `Assistenten ${id} finns inte i arbetsytan; se listan över assistenter.`,
        en: `The assistant ${id} does not exist in the workspace; see the list of assistants.`,
      },
    }),
  webhookAddress: (url: string) =>
    new PolettError({
      code: 'assistant_webhook_address',
      status: 400,
      field: 'webhookUrl',
      message: {
        sv: `Webhookadressen ${url} pekar på en lokal länkadress (som molnets metadatatjänst); ange mottagarens vanliga adress.`,
        en: `The webhook address ${url} points to a link-local address (such as the cloud's metadata service); give the receiver's ordinary address.`,
      },
    }),
  curatedAnswerNotFound: (id: string) =>
    new PolettError({
      code: 'curated_answer_not_found',
      status: 404,
      field: 'curatedId',
      message: {
        sv: `Det godkända svaret ${id} finns inte; ladda om listan.`,
        en: `The curated answer ${id} does not exist; reload the list.`,
      },
    }),
  conversationNotFound: (id: string) =>
    new PolettError({
      code: 'conversation_not_found',
      status: 404,
      field: 'conversationId',
      message: {
        sv: `Konversationen ${id} finns inte; den kan ha raderats enligt arbetsytans lagringstid.`,
        en: `The conversation ${id} does not exist; it may have been deleted under the workspace's retention setting.`,
      },
    }),
};

export function openAssistantStore(database: Database, options: AssistantStoreOptions = {}): AssistantStore {
  const now = options.now ?? (() => new Date());
  const statements = new Map<string, Statement>();
  const prepare = (sql: string): Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = database.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };

  function forWorkspace(workspaceId: string): AssistantScope {
    const getAssistantRow = (id: string) =>
      prepare('SELECT * FROM assistants WHERE workspace_id = ? AND id = ?').get(workspaceId, id) as
        AssistantRow | undefined;

    const assistants: AssistantScope['assistants'] = {
      create(input) {
        const settings = assistantSettingsSchema.parse(input);
        if (settings.webhookUrl && isForbiddenOutboundUrl(settings.webhookUrl))
          throw assistantErrors.webhookAddress(settings.webhookUrl);
        const taken = prepare('SELECT 1 FROM assistants WHERE workspace_id = ? AND name = ?').get(
          workspaceId,
          settings.name,
        );
        if (taken) throw assistantErrors.nameTaken(settings.name);
        const at = now().toISOString();
        const id = randomUUID();
        prepare(
          `INSERT INTO assistants (id, workspace_id, name, settings, webhook_secret, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ).run(id, workspaceId, settings.name, JSON.stringify(settings), newWebhookSecret(), at, at);
        return assistantFromRow(getAssistantRow(id)!);
      },
      list() {
        return (
          prepare('SELECT * FROM assistants WHERE workspace_id = ? ORDER BY name').all(
            workspaceId,
          ) as AssistantRow[]
        ).map(assistantFromRow);
      },
      get(id) {
        const row = getAssistantRow(id);
        return row ? assistantFromRow(row) : undefined;
      },
      find(idOrName) {
        const row = prepare('SELECT * FROM assistants WHERE workspace_id = ? AND (id = ? OR name = ?)').get(
          workspaceId,
          idOrName,
          idOrName,
        ) as AssistantRow | undefined;
        return row ? assistantFromRow(row) : undefined;
      },
      update(id, changes) {
        const row = getAssistantRow(id);
        if (!row) throw assistantErrors.assistantNotFound(id);
        const current = assistantSettingsSchema.parse(JSON.parse(row.settings));
        const settings = assistantSettingsSchema.parse({ ...current, ...changes });
        if (settings.webhookUrl && isForbiddenOutboundUrl(settings.webhookUrl))
          throw assistantErrors.webhookAddress(settings.webhookUrl);
        if (settings.name !== row.name) {
          const taken = prepare(
            'SELECT 1 FROM assistants WHERE workspace_id = ? AND name = ? AND id <> ?',
          ).get(workspaceId, settings.name, id);
          if (taken) throw assistantErrors.nameTaken(settings.name);
        }
        prepare(
          'UPDATE assistants SET name = ?, settings = ?, updated_at = ? WHERE workspace_id = ? AND id = ?',
        ).run(settings.name, JSON.stringify(settings), now().toISOString(), workspaceId, id);
        return assistantFromRow(getAssistantRow(id)!);
      },
      webhookSecret(id) {
        return getAssistantRow(id)?.webhook_secret;
      },
      remove(id) {
        return (
          prepare('DELETE FROM assistants WHERE workspace_id = ? AND id = ?').run(workspaceId, id).changes > 0
        );
      },
    };

    const getConversationRow = (id: string) =>
      prepare('SELECT * FROM conversations WHERE workspace_id = ? AND id = ?').get(workspaceId, id) as
        ConversationRow | undefined;

    const conversations: AssistantScope['conversations'] = {
      create({ assistantId, visitorId }) {
        if (!getAssistantRow(assistantId)) throw assistantErrors.assistantNotFound(assistantId);
        const at = now().toISOString();
        const id = randomUUID();
        prepare(
          `INSERT INTO conversations (id, workspace_id, assistant_id, visitor_id, status, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'assistant', ?, ?)`,
        ).run(id, workspaceId, assistantId, visitorId, at, at);
        return conversationFromRow(getConversationRow(id)!);
      },
      get(id) {
        const row = getConversationRow(id);
        return row ? conversationFromRow(row) : undefined;
      },
      list(listOptions = {}) {
        const statuses = listOptions.statuses?.length ? listOptions.statuses : undefined;
        const rows = prepare(
          `SELECT * FROM conversations WHERE workspace_id = ?
             AND (? IS NULL OR assistant_id = ?)
             AND (? IS NULL OR status IN (SELECT value FROM json_each(?)))
           ORDER BY updated_at DESC LIMIT ?`,
        ).all(
          workspaceId,
          listOptions.assistantId ?? null,
          listOptions.assistantId ?? null,
          statuses ? 1 : null,
          JSON.stringify(statuses ?? []),
          listOptions.limit ?? 100,
        ) as ConversationRow[];
        return rows.map(conversationFromRow);
      },
      setStatus(id, status, details = {}) {
        const row = getConversationRow(id);
        if (!row) throw assistantErrors.conversationNotFound(id);
        const at = now().toISOString();
        const handedOver = (status === 'waiting' || status === 'assigned') && row.handed_over_at === null;
        prepare(
          `UPDATE conversations SET status = ?, updated_at = ?,
             assigned_to = CASE WHEN ? = 'assigned' THEN ? WHEN ? = 'assistant' THEN NULL ELSE assigned_to END,
             handed_over_at = CASE WHEN ? THEN ? ELSE handed_over_at END,
             handover_reason = CASE WHEN ? IS NOT NULL THEN ? ELSE handover_reason END,
             closed_at = CASE WHEN ? = 'closed' THEN ? ELSE NULL END
           WHERE workspace_id = ? AND id = ?`,
        ).run(
          status,
          at,
          status,
          details.assignedTo ?? null,
          status,
          handedOver ? 1 : 0,
          at,
          details.reason ?? null,
          details.reason ?? null,
          status,
          at,
          workspaceId,
          id,
        );
        return conversationFromRow(getConversationRow(id)!);
      },
      setLanguage(id, language) {
        prepare('UPDATE conversations SET language = ? WHERE workspace_id = ? AND id = ?').run(
          language,
          workspaceId,
          id,
        );
      },
      setSummary(id, summary, throughSequence) {
        prepare(
          'UPDATE conversations SET summary = ?, summarized_through = ? WHERE workspace_id = ? AND id = ?',
        ).run(summary, throughSequence, workspaceId, id);
      },
      createdBetween(since, until, assistantId) {
        return (
          prepare(
            `SELECT * FROM conversations WHERE workspace_id = ? AND created_at >= ? AND created_at < ?
               AND (? IS NULL OR assistant_id = ?) ORDER BY created_at`,
          ).all(workspaceId, since, until, assistantId ?? null, assistantId ?? null) as ConversationRow[]
        ).map(conversationFromRow);
      },
    };

    const appendMessage = database.transaction((conversationId: string, message: NewMessage) => {
      if (!getConversationRow(conversationId)) throw assistantErrors.conversationNotFound(conversationId);
      const { next } = prepare(
        'SELECT COALESCE(MAX(sequence), 0) + 1 AS next FROM conversation_messages WHERE workspace_id = ? AND conversation_id = ?',
      ).get(workspaceId, conversationId) as { next: number };
      const id = randomUUID();
      const at = now().toISOString();
      prepare(
        `INSERT INTO conversation_messages (id, workspace_id, conversation_id, sequence, role, kind, text, citations,
           passages, author_id, model, cost, first_token_ms, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        workspaceId,
        conversationId,
        next,
        message.role,
        message.kind,
        message.text,
        JSON.stringify(message.citations ?? []),
        JSON.stringify(message.passages ?? []),
        message.authorId ?? null,
        message.model ?? null,
        message.cost ?? null,
        message.firstTokenMs ?? null,
        at,
      );
      prepare('UPDATE conversations SET updated_at = ? WHERE workspace_id = ? AND id = ?').run(
        at,
        workspaceId,
        conversationId,
      );
      return id;
    });

    const getMessageRow = (id: string) =>
      prepare('SELECT * FROM conversation_messages WHERE workspace_id = ? AND id = ?').get(
        workspaceId,
        id,
      ) as (MessageRow & { passages: string }) | undefined;

    const messages: AssistantScope['messages'] = {
      append(conversationId, message) {
        const id = appendMessage(conversationId, message);
        return messageFromRow(getMessageRow(id)!);
      },
      list(conversationId) {
        return (
          prepare(
            'SELECT * FROM conversation_messages WHERE workspace_id = ? AND conversation_id = ? ORDER BY sequence',
          ).all(workspaceId, conversationId) as MessageRow[]
        ).map(messageFromRow);
      },
      passagesOf(messageId) {
        const row = getMessageRow(messageId);
        return row ? (JSON.parse(row.passages) as Passage[]) : [];
      },
      get(messageId) {
        const row = getMessageRow(messageId);
        return row ? messageFromRow(row) : undefined;
      },
      setFeedback(messageId, feedback) {
        return (
          prepare(
            "UPDATE conversation_messages SET feedback = ? WHERE workspace_id = ? AND id = ? AND role = 'assistant'",
          ).run(feedback, workspaceId, messageId).changes > 0
        );
      },
      ofConversationsCreatedBetween(since, until, assistantId) {
        return (
          prepare(
            `SELECT m.* FROM conversation_messages m JOIN conversations c ON c.id = m.conversation_id
             WHERE m.workspace_id = ? AND c.workspace_id = ? AND c.created_at >= ? AND c.created_at < ?
               AND (? IS NULL OR c.assistant_id = ?)
             ORDER BY m.conversation_id, m.sequence`,
          ).all(
            workspaceId,
            workspaceId,
            since,
            until,
            assistantId ?? null,
            assistantId ?? null,
          ) as MessageRow[]
        ).map(messageFromRow);
      },
    };

    const curated: AssistantScope['curated'] = {
      create(input) {
        if (input.assistantId && !getAssistantRow(input.assistantId))
          throw assistantErrors.assistantNotFound(input.assistantId);
        const id = randomUUID();
        prepare(
          `INSERT INTO curated_answers (id, workspace_id, assistant_id, question, answer, created_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          id,
          workspaceId,
          input.assistantId,
          input.question,
          input.answer,
          input.createdBy,
          now().toISOString(),
        );
        return curatedFromRow(
          prepare('SELECT * FROM curated_answers WHERE workspace_id = ? AND id = ?').get(
            workspaceId,
            id,
          ) as CuratedRow,
        );
      },
      listFor(assistantId) {
        return (
          prepare(
            'SELECT * FROM curated_answers WHERE workspace_id = ? AND (assistant_id IS NULL OR assistant_id = ?) ORDER BY created_at',
          ).all(workspaceId, assistantId) as CuratedRow[]
        ).map(curatedFromRow);
      },
      list() {
        return (
          prepare('SELECT * FROM curated_answers WHERE workspace_id = ? ORDER BY created_at').all(
            workspaceId,
          ) as CuratedRow[]
        ).map(curatedFromRow);
      },
      remove(id) {
        return (
          prepare('DELETE FROM curated_answers WHERE workspace_id = ? AND id = ?').run(workspaceId, id)
            .changes > 0
        );
      },
    };

    const today = () => now().toISOString().slice(0, 10);
    const spend: AssistantScope['spend'] = {
      add(assistantId, cost) {
        if (!(cost > 0)) return;
        prepare(
          `INSERT INTO assistant_daily_spend (workspace_id, assistant_id, day, cost) VALUES (?, ?, ?, ?)
           ON CONFLICT (workspace_id, assistant_id, day) DO UPDATE SET cost = cost + excluded.cost`,
        ).run(workspaceId, assistantId, today(), cost);
      },
      today(assistantId) {
        const row = prepare(
          'SELECT cost FROM assistant_daily_spend WHERE workspace_id = ? AND assistant_id = ? AND day = ?',
        ).get(workspaceId, assistantId, today()) as { cost: number } | undefined;
        return row?.cost ?? 0;
      },
    };

    return { workspaceId, assistants, conversations, messages, curated, spend };
  }

  return {
    forWorkspace,
    findPublicAssistant(assistantId) {
      const row = prepare('SELECT * FROM assistants WHERE id = ?').get(assistantId) as
        AssistantRow | undefined;
      if (!row) return undefined;
      const assistant = assistantFromRow(row);
      return {
        id: assistant.id,
        workspaceId: assistant.workspaceId,
        name: assistant.name,
        allowedOrigins: assistant.allowedOrigins,
        maxMessageChars: assistant.maxMessageChars,
        languagePolicy: assistant.languagePolicy,
      };
    },
  };
}
