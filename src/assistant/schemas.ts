/**
 * The Assistant's shapes, shared by the core, the REST routes (and so the OpenAPI document), the
 * web app and the CLI. Imports nothing but zod.
 */
import { z } from 'zod';

export const LANGUAGE_POLICIES = ['customer', 'sv', 'en'] as const;

const ORIGIN_HINT = 'an origin is a scheme and a host, such as https://www.example.se';

/**
 * An origin written as browsers send it in their Origin header: host in punycode (a site
 * "åre-cykel.se" arrives as "xn--re-cykel-…") and lower case, no default port, no trailing slash.
 * What the URL parser cannot read stays as typed, lower-cased, as before, so that settings
 * already stored always read back.
 */
function browserOrigin(value: string): string {
  try {
    return new URL(value).origin;
  } catch {
    return value.toLowerCase();
  }
}

const originSchema = z
  .string()
  .trim()
  .regex(/^https?:\/\/[^/\s]+\/?$/i, ORIGIN_HINT)
  .transform(browserOrigin);

export const assistantSettingsSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    /** Who the assistant is, in the company's words: "Du är Lindqvists Cykels kundtjänst …". */
    persona: z.string().trim().max(2_000).default(''),
    /** How it speaks: "vänlig och kort, du-tilltal". */
    tone: z.string().trim().max(500).default(''),
    /** Subjects it must not talk about, one each: "priser för företagskunder", "konkurrenter". */
    boundaries: z.array(z.string().trim().min(1).max(300)).max(50).default([]),
    /** The knowledge collections it answers from; all of the workspace's when empty. */
    collections: z.array(z.string().trim().min(1).max(100)).max(50).default([]),
    /** `customer`: answer in the customer's language (Swedish or English); or always one language. */
    languagePolicy: z.enum(LANGUAGE_POLICIES).default('customer'),
    /** 0–1: below this the best passage is not trusted and a person is offered. */
    confidenceThreshold: z.number().min(0).max(1).default(0.5),
    /** Sites whose pages may embed the widget; none means the widget is refused everywhere. */
    allowedOrigins: z.array(originSchema).max(50).default([]),
    /** The most a day of model calls may cost, in the models' price currency; null for no cap. */
    dailySpendCap: z.number().min(0).nullable().default(null),
    /** Longest customer message accepted, in characters. */
    maxMessageChars: z.number().int().min(50).max(20_000).default(2_000),
    /** Where hand-overs and closed conversations are posted (signed), for a help desk; null for none. */
    webhookUrl: z
      .url({ protocol: /^https?$/, error: 'a webhook address starts with https:// or http://' })
      .nullable()
      .default(null),
  })
  .meta({ id: 'AssistantSettings' });

export type AssistantSettingsInput = z.input<typeof assistantSettingsSchema>;
export type AssistantSettings = z.output<typeof assistantSettingsSchema>;

export const assistantSchema = assistantSettingsSchema
  .extend({
    id: z.string(),
    workspaceId: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Assistant' });

export type AssistantRecord = z.output<typeof assistantSchema>;

/**
 * The visitor id of a conversation staff hold to try an assistant (the staff route, the CLI)
 * starts with this: such conversations are not customers' and stay out of the analytics.
 */
export const STAFF_VISITOR_PREFIX = 'staff:';

export const CONVERSATION_STATUSES = ['assistant', 'waiting', 'assigned', 'closed'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

export const MESSAGE_ROLES = ['customer', 'assistant', 'agent', 'system'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

/**
 * What kind of turn a message is: `answer` (grounded, from a chat model), `faq` (the best passage,
 * tier 1), `curated` (an answer staff approved), `abstain` (nothing supports an answer), `handover`
 * (moved to a person), `refusal` (outside the assistant's boundaries or an attempt to steer it),
 * `question` (from the customer), `reply` (from an agent), `event` (status changes).
 */
export const MESSAGE_KINDS = [
  'question',
  'answer',
  'faq',
  'curated',
  'abstain',
  'handover',
  'refusal',
  'reply',
  'event',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export const citationSchema = z
  .object({
    /** The marker's number in the text: `[1]`. */
    marker: z.number().int().min(1),
    chunkId: z.string(),
    title: z.string(),
    headingPath: z.array(z.string()),
    url: z.string().optional(),
    page: z.number().int().optional(),
    sheet: z.string().optional(),
    row: z.number().int().optional(),
  })
  .meta({ id: 'Citation' });

export type Citation = z.output<typeof citationSchema>;

export const messageSchema = z
  .object({
    id: z.string(),
    conversationId: z.string(),
    sequence: z.number().int(),
    role: z.enum(MESSAGE_ROLES),
    kind: z.enum(MESSAGE_KINDS),
    text: z.string(),
    citations: z.array(citationSchema),
    authorId: z.string().nullable(),
    model: z.string().nullable(),
    cost: z.number().nullable(),
    firstTokenMs: z.number().nullable(),
    feedback: z.union([z.literal(-1), z.literal(1)]).nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'ConversationMessage' });

export type MessageRecord = z.output<typeof messageSchema>;

export const conversationSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    assistantId: z.string(),
    visitorId: z.string(),
    status: z.enum(CONVERSATION_STATUSES),
    assignedTo: z.string().nullable(),
    language: z.string().nullable(),
    summary: z.string().nullable(),
    /** The last message the summary covers. */
    summarizedThrough: z.number().int(),
    handedOverAt: z.string().nullable(),
    handoverReason: z.string().nullable(),
    closedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Conversation' });

export type ConversationRecord = z.output<typeof conversationSchema>;

export const curatedAnswerInputSchema = z
  .object({
    /** Only this assistant; every assistant of the workspace when absent. */
    assistantId: z.string().nullable().default(null),
    question: z.string().trim().min(3).max(1_000),
    answer: z.string().trim().min(1).max(5_000),
  })
  .meta({ id: 'CuratedAnswerInput' });

export const curatedAnswerSchema = curatedAnswerInputSchema
  .extend({ id: z.string(), createdBy: z.string().nullable(), createdAt: z.string() })
  .meta({ id: 'CuratedAnswer' });

export type CuratedAnswerRecord = z.output<typeof curatedAnswerSchema>;
