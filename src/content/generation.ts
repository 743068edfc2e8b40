/**
 * Writing with a chat model: several variants at once, streamed; "more like this"; rewriting a
 * selection. Facts are retrieved from the knowledge base first and numbered in the prompt; after
 * each variant the rule checks and the fact check run in code, and the sentences a passage
 * supports get their citation.
 *
 * The core takes an AI SDK language model, so the route gives it the registry's chat chain and the
 * prompt-assembly test a mock; it never decides which model to use.
 */
import { streamText, generateText, type LanguageModel } from 'ai';
import { PolettError, toPolettError, type LocalizedText } from '../errors.js';
import type { KnowledgeSearcher, Passage } from '../knowledge/search-contract.js';
import { ownTextOf, type BrandProfile } from './brand-profile.js';
import { checkFacts } from './fact-check.js';
import {
  assembleGenerationPrompt,
  assembleRewritePrompt,
  type RewriteInstruction,
} from './prompt-assembly.js';
import { checkText, type Finding } from './rule-checks.js';
import { checkTemplateFields, type ContentLanguage, type ContentTemplate } from './templates.js';

/** One sentence (sv and en) when no chat model serves: which model is needed and how to get one. */
export function chatModelMissingError(): PolettError {
  return new PolettError({
    code: 'content_chat_model_missing',
    status: 503,
    retryable: false,
    message: {
      sv: 'Att skriva texter behöver en chattmodell: hämta en lokal (till exempel `polett models pull bartowski/Qwen2.5-0.5B-Instruct-GGUF/Qwen2.5-0.5B-Instruct-Q4_K_M.gguf`) eller lägg till en fjärrleverantör under tasks.chat, medan mallarna och regelkontrollerna fungerar redan utan.',
      en: 'Writing texts needs a chat model: pull a local one (for example `polett models pull bartowski/Qwen2.5-0.5B-Instruct-GGUF/Qwen2.5-0.5B-Instruct-Q4_K_M.gguf`) or add a remote provider under tasks.chat, while templates and rule checks already work without one.',
    },
  });
}

/** A citation: a sentence of the text and the passage that supports it. */
export interface Citation {
  sentence: string;
  /** 1-based, as the prompt numbered the sources. */
  source: number;
  chunkId: string;
  title: string;
}

export interface CheckedText {
  text: string;
  findings: Finding[];
  citations: Citation[];
}

export interface SourceSummary {
  source: number;
  chunkId: string;
  documentId: string;
  title: string;
  text: string;
}

export type GenerationEvent =
  | { type: 'sources'; sources: SourceSummary[] }
  | { type: 'variant-start'; variant: number }
  | { type: 'text-delta'; variant: number; delta: string }
  | ({ type: 'variant-end'; variant: number } & CheckedText)
  | { type: 'variant-error'; variant: number; code: string; message: LocalizedText }
  | { type: 'end'; variants: Array<CheckedText | null> };

export interface GenerateOptions {
  model: LanguageModel;
  profile: BrandProfile;
  template: ContentTemplate;
  fields: Record<string, string>;
  language: ContentLanguage;
  /** How many variants to write at once (1–5). */
  variants?: number;
  /** The knowledge of the workspace; without it the prompt says that no sources were found. */
  knowledge?: KnowledgeSearcher;
  audience?: string;
  likeText?: string;
  maxOutputTokens?: number;
  signal?: AbortSignal;
}

/** Checks a finished text and finds its citations. */
export function checkGeneratedText(
  text: string,
  options: {
    profile: BrandProfile;
    template?: ContentTemplate;
    language: ContentLanguage;
    passages?: readonly Passage[];
  },
): CheckedText {
  const passages = options.passages ?? [];
  const findings = checkText(text, {
    profile: options.profile,
    language: options.language,
    ...(options.template ? { limits: options.template.limits } : {}),
    ...(options.passages ? { passages } : {}),
  });
  const citations: Citation[] = [];
  for (const support of checkFacts(text, passages, {
    ownText: ownTextOf(options.profile),
    language: options.language,
  })) {
    if (!support.supportedBy) continue;
    citations.push({
      sentence: support.sentence.text,
      source: passages.indexOf(support.supportedBy) + 1,
      chunkId: support.supportedBy.chunkId,
      title: support.supportedBy.title,
    });
  }
  return { text, findings, citations };
}

/** The query that retrieves the facts for a generation: the template's field values. */
export function retrievalQuery(template: ContentTemplate, fields: Record<string, string>): string {
  return template.fields
    .map((templateField) => fields[templateField.name] ?? '')
    .filter((value) => value !== '')
    .join(' ')
    .slice(0, 1000);
}

/**
 * The longest query sent to Knowledge: its own search route's limit. A fact check sends the whole
 * text (up to 100,000 characters), and thousands of terms only slow the search down for six passages.
 */
export const MAX_RETRIEVAL_QUERY_CHARACTERS = 2000;

export async function retrievePassages(
  knowledge: KnowledgeSearcher | undefined,
  query: string,
  profile: BrandProfile,
  language: ContentLanguage,
): Promise<Passage[]> {
  if (!knowledge || query.trim() === '') return [];
  return knowledge.search(query.slice(0, MAX_RETRIEVAL_QUERY_CHARACTERS), {
    limit: 6,
    language,
    ...(profile.knowledgeCollections.length > 0 ? { collections: profile.knowledgeCollections } : {}),
  });
}

/**
 * Writes the variants concurrently and yields their events as they come, interleaved; a variant
 * that fails yields `variant-error` and the others go on. The last event is `end`.
 */
export async function* generateVariants(options: GenerateOptions): AsyncGenerator<GenerationEvent> {
  const fields = checkTemplateFields(options.template, options.fields);
  const count = Math.min(5, Math.max(1, options.variants ?? 1));
  const passages = await retrievePassages(
    options.knowledge,
    retrievalQuery(options.template, fields),
    options.profile,
    options.language,
  );
  yield {
    type: 'sources',
    sources: passages.map((passage, index) => ({
      source: index + 1,
      chunkId: passage.chunkId,
      documentId: passage.documentId,
      title: passage.title,
      text: passage.text,
    })),
  };

  // A small queue that the concurrent streams push into and this generator drains in order of arrival.
  const pending: GenerationEvent[] = [];
  let wake: (() => void) | undefined;
  const push = (event: GenerationEvent) => {
    pending.push(event);
    wake?.();
  };
  const results: Array<CheckedText | null> = Array.from({ length: count }, () => null);
  const runs = Array.from({ length: count }, async (_unused, variant) => {
    push({ type: 'variant-start', variant });
    try {
      const prompt = assembleGenerationPrompt({
        profile: options.profile,
        template: options.template,
        fields,
        language: options.language,
        passages,
        ...(options.audience ? { audience: options.audience } : {}),
        ...(options.likeText ? { likeText: options.likeText } : {}),
        variant: { index: variant + 1, of: count },
      });
      let streamError: unknown;
      const result = streamText({
        model: options.model,
        system: prompt.system,
        prompt: prompt.prompt,
        maxOutputTokens: options.maxOutputTokens ?? 800,
        temperature: 0.8,
        // A seed per variant keeps them apart with a model that honours it, and repeatable.
        seed: variant + 1,
        maxRetries: 0,
        ...(options.signal ? { abortSignal: options.signal } : {}),
        onError: ({ error }) => {
          streamError = error;
        },
      });
      let text = '';
      for await (const delta of result.textStream) {
        text += delta;
        push({ type: 'text-delta', variant, delta });
      }
      if (streamError !== undefined) throw streamError;
      const checked = checkGeneratedText(text.trim(), {
        profile: options.profile,
        template: options.template,
        language: options.language,
        passages,
      });
      results[variant] = checked;
      push({ type: 'variant-end', variant, ...checked });
    } catch (error) {
      const polettError = toPolettError(error);
      push({ type: 'variant-error', variant, code: polettError.code, message: polettError.localized });
    }
  });
  let finished = false;
  const all = Promise.all(runs).then(() => {
    finished = true;
    wake?.();
  });
  while (!finished || pending.length > 0) {
    const event = pending.shift();
    if (event) {
      yield event;
      continue;
    }
    await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
  }
  await all;
  yield { type: 'end', variants: results };
}

export interface RewriteOptions {
  model: LanguageModel;
  profile: BrandProfile;
  instruction: RewriteInstruction;
  text: string;
  /** The selected range of `text`; the whole text when absent. */
  selection?: { start: number; end: number };
  language: ContentLanguage;
  audience?: string;
  template?: ContentTemplate;
  maxOutputTokens?: number;
  signal?: AbortSignal;
}

/** Rewrites the selection and returns the whole new text, checked. */
export async function rewriteSelection(
  options: RewriteOptions,
): Promise<CheckedText & { replacement: string }> {
  const start = options.selection?.start ?? 0;
  const end = options.selection?.end ?? options.text.length;
  if (start < 0 || end > options.text.length || start >= end) {
    throw new PolettError({
      code: 'content_selection_invalid',
      status: 400,
      field: 'selection',
      message: {
        sv: `Markeringen ${start}–${end} ligger utanför texten (0–${options.text.length}); markera en del av texten och försök igen.`,
        en: `The selection ${start}–${end} lies outside the text (0–${options.text.length}); select part of the text and try again.`,
      },
    });
  }
  const prompt = assembleRewritePrompt({
    profile: options.profile,
    instruction: options.instruction,
    text: options.text,
    selection: options.text.slice(start, end),
    language: options.language,
    ...(options.audience ? { audience: options.audience } : {}),
  });
  const result = await generateText({
    model: options.model,
    system: prompt.system,
    prompt: prompt.prompt,
    maxOutputTokens: options.maxOutputTokens ?? 800,
    maxRetries: 0,
    ...(options.signal ? { abortSignal: options.signal } : {}),
  });
  const replacement = result.text.trim();
  const text = options.text.slice(0, start) + replacement + options.text.slice(end);
  return {
    replacement,
    ...checkGeneratedText(text, {
      profile: options.profile,
      language: options.language,
      ...(options.template ? { template: options.template } : {}),
    }),
  };
}
