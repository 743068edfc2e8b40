/**
 * One turn of a customer conversation: the customer's message in, the assistant's answer out, as
 * a stream of events. In order, the first that applies wins:
 *
 * 1. a conversation a person has taken (`assigned`): the message waits for them;
 * 2. the customer asks for a person: hand-over;
 * 3. the message tries to steer the assistant (instructions, other customers): a polite refusal;
 * 4. a curated answer close enough to the question: that answer, whatever a model would say;
 * 5. retrieval: when no passage covers the question well enough (the confidence threshold), the
 *    assistant says so and the conversation goes to the Inbox;
 * 6. tier 2 (a chat model, within the daily spend cap): a grounded answer with citations,
 *    streamed; tier 1: the best passage(s) and their source, worded as such.
 */
import type { LanguageModelV3Prompt, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import type { ModelMessage } from 'ai';
import type { Locale } from '../errors.js';
import { PolettError, toPolettError } from '../errors.js';
import type { KnowledgeSearcher, Passage } from '../knowledge/search-contract.js';
import type { ModelRegistry } from '../models/index.js';
import { detectLanguage } from '../text/index.js';
import { citationOf, resolveCitations } from './citations.js';
import { updateMemory } from './memory.js';
import { ABSTAIN_SENTINEL, buildAnswerPrompt } from './prompt.js';
import { asksForPerson, looksLikeSteering, questionCoverage, questionSimilarity } from './question-text.js';
import { reply } from './replies.js';
import type { AssistantRecord, Citation, ConversationRecord, MessageKind, MessageRecord } from './schemas.js';
import type { AssistantScope } from './store.js';

/** A curated answer is used when its question is at least this close to the customer's. */
export const CURATED_MATCH_THRESHOLD = 0.7;
/** How many passages retrieval hands to the model. */
const PASSAGES_FOR_ANSWER = 5;

export interface RespondDependencies {
  models: ModelRegistry;
  /** The workspace's knowledge; undefined when Knowledge holds nothing for it yet. */
  knowledge(workspaceId: string): KnowledgeSearcher | undefined;
  /** The company's name as the assistant introduces it. */
  companyName(workspaceId: string): string;
  /** Told when a conversation moves to the Inbox (for the webhook and live updates). */
  onHandover?(conversation: ConversationRecord): void;
  /** Told of each message stored, the customer's and the assistant's (for live listeners). */
  onMessage?(message: MessageRecord): void;
}

export type AssistantEvent =
  | { type: 'question'; message: MessageRecord }
  | { type: 'passages'; passages: Passage[] }
  | { type: 'delta'; text: string }
  | { type: 'answer'; message: MessageRecord; conversation: ConversationRecord };

export interface RespondInput {
  conversationId: string;
  text: string;
  signal?: AbortSignal;
}

export const messageErrors = {
  empty: () =>
    new PolettError({
      code: 'message_empty',
      status: 400,
      field: 'text',
      message: {
        sv: 'Meddelandet är tomt; skriv din fråga och skicka igen.',
        en: 'The message is empty; write your question and send it again.',
      },
    }),
  tooLong: (limit: number) =>
    new PolettError({
      code: 'message_too_long',
      status: 400,
      field: 'text',
      message: {
        sv: `Meddelandet är längre än ${limit} tecken; korta det eller dela upp det i flera.`,
        en: `The message is longer than ${limit} characters; shorten it or split it into several.`,
      },
    }),
  notText: () =>
    new PolettError({
      code: 'message_not_text',
      status: 400,
      field: 'text',
      message: {
        sv: 'Meddelandet innehåller tecken som inte är text; skriv din fråga med vanliga bokstäver.',
        en: 'The message contains characters that are not text; write your question in ordinary letters.',
      },
    }),
};

/** Checks a customer message; returns it with its whitespace tidied. */
export function validateCustomerText(text: string, maxChars: number): string {
  // Control characters other than tab and newline mean binary data, not a question.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/u.test(text)) throw messageErrors.notText();
  const tidy = text.replace(/\r\n?/g, '\n').trim();
  if (tidy.length === 0) throw messageErrors.empty();
  if (tidy.length > maxChars) throw messageErrors.tooLong(maxChars);
  return tidy;
}

/** Words of letters in a text once markup and addresses are taken out: what language detection may read. */
function proseOf(text: string): string {
  return text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\b(?:https?:\/\/|www\.)\S+/gi, ' ')
    .replace(/\S+@\S+/g, ' ');
}

/**
 * The language to answer in: the assistant's policy, then the customer's words, then the
 * conversation's. A conversation keeps its language unless a message has enough words to tell
 * ("ok", "tack!" or a pasted order number say nothing about the language).
 */
export function answerLanguage(
  assistant: AssistantRecord,
  conversation: ConversationRecord,
  text: string,
): Locale {
  if (assistant.languagePolicy !== 'customer') return assistant.languagePolicy;
  const current: Locale | undefined =
    conversation.language === 'en' || conversation.language === 'sv' ? conversation.language : undefined;
  const prose = proseOf(text);
  const words = prose.match(/\p{L}{2,}/gu)?.length ?? 0;
  if (current && words < 4) return current;
  const detected = detectLanguage(prose)?.language;
  if (detected === 'sv' || detected === 'en') return detected;
  // Norwegian and Danish readers read Swedish better than English.
  if (detected === 'no' || detected === 'da') return 'sv';
  return current ?? 'sv';
}

/** The prompt in the model specification's shape: system text, then text turns. */
function toModelPrompt(system: string, messages: ModelMessage[]): LanguageModelV3Prompt {
  return [
    { role: 'system', content: system },
    ...messages.map((message) =>
      message.role === 'assistant'
        ? { role: 'assistant' as const, content: [{ type: 'text' as const, text: String(message.content) }] }
        : { role: 'user' as const, content: [{ type: 'text' as const, text: String(message.content) }] },
    ),
  ];
}

/** The text of a model stream, delta by delta; an error part ends it with Polett's one error. */
async function* textDeltas(stream: ReadableStream<LanguageModelV3StreamPart>): AsyncGenerator<string> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      if (value.type === 'text-delta') yield value.delta;
      else if (value.type === 'error') throw toPolettError(value.error);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

function chatModelReady(models: ModelRegistry): boolean {
  return models.taskStatus().some((status) => status.task === 'chat' && status.ready);
}

/** The tier-1 answer: the best passage, and a second from another document when it is also good. */
function faqAnswer(
  passages: Array<{ passage: Passage; coverage: number }>,
  threshold: number,
  language: Locale,
): { text: string; citations: Citation[] } {
  const [best, ...rest] = passages;
  const second = rest.find(
    (candidate) =>
      candidate.coverage >= threshold && candidate.passage.documentId !== best!.passage.documentId,
  );
  const parts = [
    `${reply('faqIntro', language, { title: best!.passage.title })}\n\n${best!.passage.text} [1]`,
  ];
  const citations = [citationOf(best!.passage, 1)];
  if (second) {
    parts.push(
      `${reply('faqAlso', language, { title: second.passage.title })}\n\n${second.passage.text} [2]`,
    );
    citations.push(citationOf(second.passage, 2));
  }
  parts.push(reply('faqOffer', language));
  return { text: parts.join('\n\n'), citations };
}

/** One turn, then the conversation's memory brought up to date (see memory.ts). */
export async function* respond(
  dependencies: RespondDependencies,
  scope: AssistantScope,
  input: RespondInput,
): AsyncGenerator<AssistantEvent> {
  let last: AssistantEvent | undefined;
  for await (const event of respondToTurn(dependencies, scope, input)) {
    last = event;
    yield event;
  }
  if (last?.type === 'answer' && last.message.role === 'assistant') {
    await updateMemory(dependencies.models, scope, last.conversation, {
      useModel: () => last.message.kind === 'answer' && chatModelReady(dependencies.models),
      summarizedThrough: last.conversation.summarizedThrough,
    });
  }
}

async function* respondToTurn(
  dependencies: RespondDependencies,
  scope: AssistantScope,
  input: RespondInput,
): AsyncGenerator<AssistantEvent> {
  const startedAt = performance.now();
  let conversation = scope.conversations.get(input.conversationId);
  if (!conversation)
    throw new PolettError({
      code: 'conversation_not_found',
      status: 404,
      field: 'conversationId',
      message: {
        sv: 'Konversationen finns inte; starta en ny.',
        en: 'The conversation does not exist; start a new one.',
      },
    });
  const assistant = scope.assistants.get(conversation.assistantId);
  if (!assistant)
    throw new PolettError({
      code: 'assistant_not_found',
      status: 404,
      field: 'assistantId',
      message: {
        sv: 'Assistenten finns inte längre; ladda om sidan.',
        en: 'The assistant no longer exists; reload the page.',
      },
    });
  const text = validateCustomerText(input.text, assistant.maxMessageChars);
  const history = scope.messages.list(conversation.id);
  const language = answerLanguage(assistant, conversation, text);
  if (conversation.language !== language) scope.conversations.setLanguage(conversation.id, language);
  if (conversation.status === 'closed')
    conversation = scope.conversations.setStatus(conversation.id, 'assistant');

  const question = scope.messages.append(conversation.id, { role: 'customer', kind: 'question', text });
  dependencies.onMessage?.(question);
  yield { type: 'question', message: question };

  const finish = (
    kind: MessageKind,
    answerText: string,
    extra: { citations?: Citation[]; passages?: Passage[]; model?: string | null; cost?: number | null } = {},
  ): AssistantEvent => {
    const message = scope.messages.append(conversation!.id, {
      role: 'assistant',
      kind,
      text: answerText,
      citations: extra.citations ?? [],
      passages: extra.passages ?? [],
      model: extra.model ?? null,
      cost: extra.cost ?? null,
      firstTokenMs: Math.round(performance.now() - startedAt),
    });
    dependencies.onMessage?.(message);
    return { type: 'answer', message, conversation: scope.conversations.get(conversation!.id)! };
  };
  const handOver = (reason: string) => {
    if (conversation!.status === 'assistant') {
      conversation = scope.conversations.setStatus(conversation!.id, 'waiting', { reason });
      dependencies.onHandover?.(conversation);
    }
  };

  // 1. A person has the conversation: the assistant stays quiet.
  if (conversation.status === 'assigned') {
    yield { type: 'answer', message: question, conversation };
    return;
  }

  // 2. Asking for a person.
  if (asksForPerson(text)) {
    handOver('asked_for_person');
    const event = finish('handover', reply('handover', language));
    yield { type: 'delta', text: (event as { message: MessageRecord }).message.text };
    yield event;
    return;
  }

  // 3. Steering attempts never reach a model.
  if (looksLikeSteering(text)) {
    const refusal = reply('refusal', language, { company: dependencies.companyName(scope.workspaceId) });
    yield { type: 'delta', text: refusal };
    yield finish('refusal', refusal);
    return;
  }

  // 4. Curated answers win over everything retrieval or a model would say.
  const curated = scope.curated
    .listFor(assistant.id)
    .map((candidate) => ({ candidate, similarity: questionSimilarity(text, candidate.question) }))
    .sort((first, second) => second.similarity - first.similarity)[0];
  if (curated && curated.similarity >= CURATED_MATCH_THRESHOLD) {
    yield { type: 'delta', text: curated.candidate.answer };
    yield finish('curated', curated.candidate.answer);
    return;
  }

  // 5. Retrieval, and the confidence that the passages answer the question.
  const knowledge = dependencies.knowledge(scope.workspaceId);
  const passages = knowledge
    ? await knowledge.search(text, {
        limit: PASSAGES_FOR_ANSWER,
        ...(assistant.collections.length > 0 ? { collections: assistant.collections } : {}),
      })
    : [];
  yield { type: 'passages', passages };
  const scored = passages.map((passage) => ({
    passage,
    coverage: questionCoverage(text, `${passage.title} ${passage.headingPath.join(' ')} ${passage.text}`),
  }));
  const confidence = Math.max(0, ...scored.slice(0, 3).map((entry) => entry.coverage));
  if (passages.length === 0 || confidence < assistant.confidenceThreshold) {
    handOver('unanswered');
    const abstain = reply('abstain', language);
    yield { type: 'delta', text: abstain };
    yield finish('abstain', abstain, { passages });
    return;
  }

  // 6. Tier 2 within the spend cap; tier 1 otherwise.
  const withinCap =
    assistant.dailySpendCap === null || scope.spend.today(assistant.id) < assistant.dailySpendCap;
  if (!chatModelReady(dependencies.models) || !withinCap) {
    const best = [...scored].sort((first, second) => second.coverage - first.coverage);
    const answer = faqAnswer(best, assistant.confidenceThreshold, language);
    yield { type: 'delta', text: answer.text };
    yield finish('faq', answer.text, { citations: answer.citations, passages });
    return;
  }

  const prompt = buildAnswerPrompt({
    assistant,
    companyName: dependencies.companyName(scope.workspaceId),
    language,
    passages,
    history,
    summary: conversation.summary,
    question: text,
  });
  let cost = 0;
  let modelName: string | null = null;
  const model = dependencies.models.languageModel({
    task: 'chat',
    workspaceId: scope.workspaceId,
    onUsage: (entry) => {
      cost += entry.cost ?? 0;
      modelName = `${entry.provider}/${entry.model}`;
    },
  });
  // The model's own stream, without streamText's layers: at hundreds of open conversations the
  // per-delta cost of those layers is most of the process's work (bench/assistant-widget.ts).
  const { stream } = await model.doStream({
    prompt: toModelPrompt(prompt.system, prompt.messages),
    temperature: 0.2,
    maxOutputTokens: 400,
    ...(input.signal ? { abortSignal: input.signal } : {}),
  });

  // The sentinel must never reach the customer: hold back the first characters until it is clear
  // that the answer does not start with it.
  let full = '';
  let released = 0;
  let abstained = false;
  for await (const delta of textDeltas(stream)) {
    full += delta;
    if (released === 0) {
      const opening = full.trimStart().slice(0, ABSTAIN_SENTINEL.length);
      if (ABSTAIN_SENTINEL.startsWith(opening)) {
        if (opening === ABSTAIN_SENTINEL) {
          abstained = true;
          break;
        }
        continue;
      }
    }
    yield { type: 'delta', text: full.slice(released) };
    released = full.length;
  }
  if (!abstained && full.length > released && !full.trimStart().startsWith(ABSTAIN_SENTINEL)) {
    yield { type: 'delta', text: full.slice(released) };
    released = full.length;
  }
  if (cost > 0) scope.spend.add(assistant.id, cost);
  const extra = { passages, model: modelName, cost: cost > 0 ? cost : null };

  if (abstained || full.trim().startsWith(ABSTAIN_SENTINEL) || full.includes(ABSTAIN_SENTINEL)) {
    handOver('unanswered');
    const abstain = reply('abstain', language);
    yield { type: 'delta', text: `\n\n${abstain}` };
    yield finish('abstain', abstain, extra);
    return;
  }
  const resolved = resolveCitations(full, prompt.passages);
  if (resolved.citations.length === 0) {
    // An answer that cites nothing is not grounded: it stays, flagged, and a person is offered.
    const note = reply('unsupported', language);
    yield { type: 'delta', text: `\n\n${note}` };
    yield finish('answer', `${resolved.text}\n\n${note}`, { ...extra, citations: [] });
    return;
  }
  yield finish('answer', resolved.text, { ...extra, citations: resolved.citations });
}
