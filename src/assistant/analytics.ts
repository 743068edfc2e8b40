/**
 * How the assistants are doing: conversations a day and how they ended, feedback, time to first
 * token, cost per conversation, and the questions they could not answer, grouped by similarity,
 * so that the company knows what to add to its knowledge.
 *
 * How a conversation is counted (each in exactly one of the three):
 * - handed over: it reached the Inbox (the customer asked for a person, or a question had no answer);
 * - abandoned: not handed over, and its last customer message got no answer (the visitor left
 *   while it was being written, or wrote nothing after opening the chat);
 * - answered by the assistant: the rest.
 */
import { z } from 'zod';
import { questionSimilarity } from './question-text.js';
import { STAFF_VISITOR_PREFIX, type MessageRecord } from './schemas.js';
import type { AssistantScope } from './store.js';

/** Two unanswered questions at least this similar are one group. */
const GROUP_SIMILARITY = 0.5;

export const assistantAnalyticsSchema = z
  .object({
    since: z.string(),
    until: z.string(),
    days: z.array(
      z.object({
        day: z.string(),
        conversations: z.number(),
        answeredByAssistant: z.number(),
        handedOver: z.number(),
        abandoned: z.number(),
      }),
    ),
    totals: z.object({
      conversations: z.number(),
      answeredByAssistantShare: z.number(),
      handedOverShare: z.number(),
      abandonedShare: z.number(),
      thumbsUp: z.number(),
      thumbsDown: z.number(),
      firstTokenMedianMs: z.number().nullable(),
      firstTokenP90Ms: z.number().nullable(),
      costPerConversation: z.number().nullable(),
    }),
    unanswered: z.array(z.object({ question: z.string(), count: z.number(), examples: z.array(z.string()) })),
  })
  .meta({ id: 'AssistantAnalytics' });

export type AssistantAnalytics = z.output<typeof assistantAnalyticsSchema>;

const ANSWER_KINDS = new Set(['answer', 'faq', 'curated', 'reply', 'refusal']);

function percentile(sorted: number[], share: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!;
}

/** Greedy grouping: each question joins the first group whose first question is similar enough. */
function groupQuestions(questions: string[]): AssistantAnalytics['unanswered'] {
  const groups: Array<{ question: string; examples: string[] }> = [];
  for (const question of questions) {
    const group = groups.find(
      (candidate) => questionSimilarity(candidate.question, question) >= GROUP_SIMILARITY,
    );
    if (group) group.examples.push(question);
    else groups.push({ question, examples: [question] });
  }
  return groups
    .map((group) => ({
      question: group.question,
      count: group.examples.length,
      examples: group.examples.slice(0, 5),
    }))
    .sort((first, second) => second.count - first.count)
    .slice(0, 50);
}

export function assistantAnalytics(
  scope: AssistantScope,
  options: { since: Date; until: Date; assistantId?: string },
): AssistantAnalytics {
  const since = options.since.toISOString();
  const until = options.until.toISOString();
  // Customers' conversations only: staff trying an assistant are not customers.
  const conversations = scope.conversations
    .createdBetween(since, until, options.assistantId)
    .filter((conversation) => !conversation.visitorId.startsWith(STAFF_VISITOR_PREFIX));
  const messagesByConversation = new Map<string, MessageRecord[]>();
  for (const message of scope.messages.ofConversationsCreatedBetween(since, until, options.assistantId)) {
    const list = messagesByConversation.get(message.conversationId) ?? [];
    list.push(message);
    messagesByConversation.set(message.conversationId, list);
  }

  const days = new Map<string, AssistantAnalytics['days'][number]>();
  for (
    let day = new Date(since.slice(0, 10));
    day.toISOString() < until;
    day = new Date(day.getTime() + 86_400_000)
  ) {
    const key = day.toISOString().slice(0, 10);
    days.set(key, { day: key, conversations: 0, answeredByAssistant: 0, handedOver: 0, abandoned: 0 });
  }
  let answered = 0;
  let handedOver = 0;
  let abandoned = 0;
  let thumbsUp = 0;
  let thumbsDown = 0;
  let cost = 0;
  let costed = 0;
  const firstTokens: number[] = [];
  const unansweredQuestions: string[] = [];

  for (const conversation of conversations) {
    const messages = messagesByConversation.get(conversation.id) ?? [];
    const day = days.get(conversation.createdAt.slice(0, 10));
    const lastCustomer = messages.findLastIndex((message) => message.role === 'customer');
    const repliedAfter =
      lastCustomer >= 0 && messages.slice(lastCustomer + 1).some((message) => ANSWER_KINDS.has(message.kind));
    let outcome: 'handedOver' | 'abandoned' | 'answeredByAssistant';
    if (conversation.handedOverAt) outcome = 'handedOver';
    else if (lastCustomer < 0 || !repliedAfter) outcome = 'abandoned';
    else outcome = 'answeredByAssistant';
    if (outcome === 'handedOver') handedOver += 1;
    else if (outcome === 'abandoned') abandoned += 1;
    else answered += 1;
    if (day) {
      day.conversations += 1;
      day[outcome] += 1;
    }
    let conversationCost = 0;
    let hasCost = false;
    messages.forEach((message, index) => {
      if (message.feedback === 1) thumbsUp += 1;
      if (message.feedback === -1) thumbsDown += 1;
      if (message.role === 'assistant' && message.firstTokenMs !== null)
        firstTokens.push(message.firstTokenMs);
      if (message.cost !== null) {
        conversationCost += message.cost;
        hasCost = true;
      }
      if (message.role === 'assistant' && message.kind === 'abstain') {
        const question = messages[index - 1];
        if (question?.role === 'customer') unansweredQuestions.push(question.text);
      }
    });
    if (hasCost) {
      cost += conversationCost;
      costed += 1;
    }
  }

  const total = conversations.length;
  const share = (count: number) => (total === 0 ? 0 : Math.round((count / total) * 1000) / 1000);
  firstTokens.sort((first, second) => first - second);
  return {
    since,
    until,
    days: [...days.values()],
    totals: {
      conversations: total,
      answeredByAssistantShare: share(answered),
      handedOverShare: share(handedOver),
      abandonedShare: share(abandoned),
      thumbsUp,
      thumbsDown,
      firstTokenMedianMs: percentile(firstTokens, 0.5),
      firstTokenP90Ms: percentile(firstTokens, 0.9),
      costPerConversation: costed === 0 ? null : cost / total,
    },
    unanswered: groupQuestions(unansweredQuestions),
  };
}
