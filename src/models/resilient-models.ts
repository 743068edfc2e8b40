/**
 * The fallback chain. A task (`chat`, `embed`...) is served by a list of models in order; each call
 * gets a timeout, retries with backoff on retryable errors only, a concurrency limit per provider,
 * and the next model in the chain when one fails. Every attempt is written to the usage ledger.
 *
 * The chain is itself an AI SDK v3 model, so `generateText`, `streamText`, `generateObject`,
 * `embedMany` and `rerank` from the `ai` package run over it unchanged (with their own retries off).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  EmbeddingModelV3,
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
  RerankingModelV3,
} from '@ai-sdk/provider';
import { PolettError } from '../errors.js';
import type { UsageRecord } from '../storage/types.js';
import {
  isRetryableCallError,
  retryAfterSeconds,
  timeoutError,
  toModelCallError,
  type CallTarget,
} from './call-errors.js';
import { classifyTexts } from './providers/classify-texts.js';
import type { Semaphore } from './semaphore.js';
import type {
  ClassificationBatchCallOptions,
  ClassificationCallOptions,
  ClassificationModel,
  ClassificationScore,
  ModelTask,
} from './types.js';

export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
  currency: string;
}

export interface CallSettings {
  maxRetries: number;
  timeoutMs: number;
  /** First backoff delay; doubles each retry, with jitter. */
  retryBaseDelayMs: number;
  /** Longest wait before a retry; a longer Retry-After moves on to the next model instead. */
  retryMaxDelayMs: number;
}

/** One model of a chain, with what the chain needs to call it well. */
export interface ChainLink<Model> {
  alias: string;
  target: CallTarget;
  model: Model;
  settings: CallSettings;
  semaphore: Semaphore;
  price?: ModelPrice | undefined;
}

export interface UsageRecorder {
  record(entry: UsageRecord): void;
}

export interface ChainContext {
  task: ModelTask;
  workspaceId: string | null;
  recorder: UsageRecorder;
}

interface Tokens {
  inputTokens: number;
  outputTokens: number;
}

function costOf(
  price: ModelPrice | undefined,
  tokens: Tokens,
): { cost: number | null; currency: string | null } {
  if (!price) return { cost: null, currency: null };
  return {
    cost:
      (tokens.inputTokens * price.inputPerMillion + tokens.outputTokens * price.outputPerMillion) / 1_000_000,
    currency: price.currency,
  };
}

function record(
  context: ChainContext,
  link: ChainLink<unknown>,
  startedAt: number,
  tokens: Tokens,
  error?: unknown,
): void {
  try {
    context.recorder.record({
      at: new Date().toISOString(),
      workspaceId: context.workspaceId,
      task: context.task,
      provider: link.target.provider,
      model: link.target.model,
      inputTokens: tokens.inputTokens,
      outputTokens: tokens.outputTokens,
      latencyMs: Math.round((performance.now() - startedAt) * 100) / 100,
      ...costOf(link.price, tokens),
      ok: error === undefined,
      errorCode:
        error === undefined
          ? null
          : error === CANCELLED
            ? 'cancelled'
            : toModelCallError(error, link.target).code,
    });
  } catch {
    // The ledger must never break a call that succeeded; a failed write is lost, not fatal.
  }
}

/** Marks a call the caller gave up on (a client that disconnected): not the model's failure. */
const CANCELLED = Symbol('cancelled');

function tokensOf(usage: LanguageModelV3Usage | undefined): Tokens {
  return { inputTokens: usage?.inputTokens.total ?? 0, outputTokens: usage?.outputTokens.total ?? 0 };
}

/** How long to wait before the next attempt, or undefined to move on to the next model. */
function backoffDelay(error: unknown, attempt: number, settings: CallSettings): number | undefined {
  const hinted = retryAfterSeconds(error);
  if (hinted !== undefined) {
    const milliseconds = hinted * 1000;
    return milliseconds > settings.retryMaxDelayMs ? undefined : milliseconds;
  }
  const exponential = Math.min(settings.retryMaxDelayMs, settings.retryBaseDelayMs * 2 ** attempt);
  return exponential * (0.5 + Math.random() / 2);
}

/** An abort controller that fires after the link's timeout, joined with the caller's signal. */
function attemptSignal(link: ChainLink<unknown>, callerSignal: AbortSignal | undefined) {
  const controller = new AbortController();
  const timeoutMs = link.settings.timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  let disposed = false;
  let lastActivity = performance.now();
  // One timer per call, not one per stream part: when it fires early because the stream was
  // active, it sleeps again for the time that is left. Resetting a timer on every token costs more.
  const check = () => {
    if (disposed) return;
    const idle = performance.now() - lastActivity;
    if (idle >= timeoutMs) controller.abort(timeoutError(link.target, timeoutMs));
    else timer = setTimeout(check, timeoutMs - idle);
  };
  timer = setTimeout(check, timeoutMs);
  const arm = () => {
    lastActivity = performance.now();
  };
  const signal = callerSignal ? AbortSignal.any([callerSignal, controller.signal]) : controller.signal;
  return {
    signal,
    /** Marks activity: streams time out on silence, not on their total length. */
    rearm: arm,
    timedOut: () => controller.signal.aborted,
    timeoutReason: () => controller.signal.reason as PolettError,
    dispose: () => {
      disposed = true;
      clearTimeout(timer);
    },
    /** Rejects when the timeout fires, so a provider that ignores its abort signal cannot hang us. */
    race<T>(promise: PromiseLike<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        Promise.resolve(promise).then(
          (value) => {
            signal.removeEventListener('abort', onAbort);
            resolve(value);
          },
          (error: unknown) => {
            signal.removeEventListener('abort', onAbort);
            reject(error);
          },
        );
      });
    },
  };
}

function noModelError(task: ModelTask): PolettError {
  return new PolettError({
    code: 'model_not_configured',
    status: 503,
    retryable: false,
    field: `tasks.${task}`,
    message: {
      sv: `Ingen modell är inställd för uppgiften "${task}"; lägg till en under tasks.${task} i polett.json, eller hämta en lokal modell med \`polett models pull\`.`,
      en: `No model is set up for the task "${task}"; add one under tasks.${task} in polett.json, or pull a local model with \`polett models pull\`.`,
    },
  });
}

/**
 * Runs one non-streaming call along the chain. `call` makes one attempt on one link and says how
 * many tokens it used.
 */
async function runChain<Model, Result>(
  links: ChainLink<Model>[],
  context: ChainContext,
  callerSignal: AbortSignal | undefined,
  /** `markActivity` restarts the timeout: a long call that reports progress times out on silence. */
  call: (link: ChainLink<Model>, signal: AbortSignal, markActivity: () => void) => PromiseLike<Result>,
  tokensOfResult: (result: Result) => Tokens,
): Promise<Result> {
  if (links.length === 0) throw noModelError(context.task);
  let lastError: unknown;
  for (const link of links) {
    for (let attempt = 0; attempt <= link.settings.maxRetries; attempt += 1) {
      const release = await link.semaphore.acquire(callerSignal);
      const startedAt = performance.now();
      const attemptControl = attemptSignal(link, callerSignal);
      try {
        const result = await attemptControl.race(call(link, attemptControl.signal, attemptControl.rearm));
        record(context, link, startedAt, tokensOfResult(result));
        return result;
      } catch (thrown) {
        const error = attemptControl.timedOut() ? attemptControl.timeoutReason() : thrown;
        const cancelled = callerSignal?.aborted === true && !attemptControl.timedOut();
        record(context, link, startedAt, { inputTokens: 0, outputTokens: 0 }, cancelled ? CANCELLED : error);
        if (callerSignal?.aborted) throw callerSignal.reason ?? thrown;
        lastError = error;
        if (!isRetryableCallError(error) || attempt === link.settings.maxRetries) break;
        const delay = backoffDelay(error, attempt, link.settings);
        if (delay === undefined) break;
        // Give the slot back while waiting: others may use the provider during this call's backoff.
        attemptControl.dispose();
        release();
        await sleep(delay, undefined, callerSignal ? { signal: callerSignal } : {});
      } finally {
        attemptControl.dispose();
        release();
      }
    }
  }
  throw toModelCallError(lastError, links[links.length - 1]!.target);
}

/** Stream parts that mean the model has started to answer: after one of them, no fallback. */
const ANSWER_PARTS = new Set<LanguageModelV3StreamPart['type']>([
  'text-delta',
  'reasoning-delta',
  'tool-input-start',
  'tool-input-delta',
  'tool-call',
  'finish',
]);

/** A language model that is a fallback chain of language models. */
export class ResilientLanguageModel implements LanguageModelV3 {
  readonly specificationVersion = 'v3';
  readonly provider = 'polett';
  readonly modelId: string;
  readonly supportedUrls = {};

  constructor(
    private readonly links: ChainLink<LanguageModelV3>[],
    private readonly context: ChainContext,
  ) {
    this.modelId = links.map((link) => link.alias).join('>') || '(none)';
  }

  doGenerate(options: LanguageModelV3CallOptions) {
    return runChain(
      this.links,
      this.context,
      options.abortSignal,
      (link, signal) => link.model.doGenerate({ ...options, abortSignal: signal }),
      (result) => tokensOf(result.usage),
    );
  }

  async doStream(options: LanguageModelV3CallOptions) {
    if (this.links.length === 0) throw noModelError(this.context.task);
    const callerSignal = options.abortSignal;
    let lastError: unknown;
    for (const link of this.links) {
      for (let attempt = 0; attempt <= link.settings.maxRetries; attempt += 1) {
        const release = await link.semaphore.acquire(callerSignal);
        const startedAt = performance.now();
        const attemptControl = attemptSignal(link, callerSignal);
        let reader: ReadableStreamDefaultReader<LanguageModelV3StreamPart> | undefined;
        try {
          const result = await attemptControl.race(
            link.model.doStream({ ...options, abortSignal: attemptControl.signal }),
          );
          reader = result.stream.getReader();
          // Read ahead until the model starts answering: an error before that can still fall back.
          const buffered: LanguageModelV3StreamPart[] = [];
          for (;;) {
            const next = await attemptControl.race(reader.read());
            attemptControl.rearm();
            if (next.done) break;
            if (next.value.type === 'error') throw next.value.error;
            buffered.push(next.value);
            if (ANSWER_PARTS.has(next.value.type)) break;
          }
          const stream = this.continueStream(link, reader, buffered, attemptControl, startedAt, release);
          return { ...result, stream };
        } catch (thrown) {
          const error = attemptControl.timedOut() ? attemptControl.timeoutReason() : thrown;
          const cancelled = callerSignal?.aborted === true && !attemptControl.timedOut();
          record(
            this.context,
            link,
            startedAt,
            { inputTokens: 0, outputTokens: 0 },
            cancelled ? CANCELLED : error,
          );
          attemptControl.dispose();
          release();
          reader?.cancel().catch(() => {});
          if (callerSignal?.aborted) throw callerSignal.reason ?? thrown;
          lastError = error;
          if (!isRetryableCallError(error) || attempt === link.settings.maxRetries) break;
          const delay = backoffDelay(error, attempt, link.settings);
          if (delay === undefined) break;
          await sleep(delay, undefined, callerSignal ? { signal: callerSignal } : {});
        }
      }
    }
    throw toModelCallError(lastError, this.links[this.links.length - 1]!.target);
  }

  /** Emits what was read ahead, then the rest, with the idle timeout, usage and slot handled. */
  private continueStream(
    link: ChainLink<LanguageModelV3>,
    reader: ReadableStreamDefaultReader<LanguageModelV3StreamPart>,
    buffered: LanguageModelV3StreamPart[],
    attemptControl: ReturnType<typeof attemptSignal>,
    startedAt: number,
    release: () => void,
  ): ReadableStream<LanguageModelV3StreamPart> {
    const context = this.context;
    let finished = false;
    const finish = (tokens: Tokens, error?: unknown) => {
      if (finished) return;
      finished = true;
      attemptControl.signal.removeEventListener('abort', onAbort);
      record(context, link, startedAt, tokens, error);
      attemptControl.dispose();
      release();
    };
    // Error parts become one PolettError, so that every consumer gets a sentence, not a raw object.
    const normalise = (part: LanguageModelV3StreamPart): LanguageModelV3StreamPart =>
      part.type === 'error' ? { type: 'error', error: toModelCallError(part.error, link.target) } : part;
    const inspect = (part: LanguageModelV3StreamPart) => {
      if (part.type === 'finish') finish(tokensOf(part.usage));
      else if (part.type === 'error') finish({ inputTokens: 0, outputTokens: 0 }, part.error);
    };
    // A timeout or the caller's abort cancels the reader, which ends a pending read: cheaper than
    // racing every read against the signal.
    const onAbort = () => {
      reader.cancel(attemptControl.signal.reason).catch(() => {});
      // Settle now: a consumer that stopped pulling would otherwise hold the provider's slot for good.
      finish(
        { inputTokens: 0, outputTokens: 0 },
        attemptControl.timedOut() ? attemptControl.timeoutReason() : CANCELLED,
      );
    };
    attemptControl.signal.addEventListener('abort', onAbort, { once: true });
    return new ReadableStream<LanguageModelV3StreamPart>({
      start(controller) {
        for (const raw of buffered) {
          const part = normalise(raw);
          controller.enqueue(part);
          inspect(part);
        }
      },
      async pull(controller) {
        try {
          const next = await reader.read();
          attemptControl.rearm();
          if (attemptControl.signal.aborted) throw attemptControl.signal.reason;
          if (next.done) {
            finish({ inputTokens: 0, outputTokens: 0 });
            controller.close();
            return;
          }
          const part = normalise(next.value);
          controller.enqueue(part);
          inspect(part);
        } catch (thrown) {
          // A stream cut in the middle: the answer has begun, so no fallback; say so in one error.
          const error = attemptControl.timedOut() ? attemptControl.timeoutReason() : thrown;
          const polettError = toModelCallError(error, link.target);
          finish({ inputTokens: 0, outputTokens: 0 }, polettError);
          reader.cancel().catch(() => {});
          controller.enqueue({ type: 'error', error: polettError });
          controller.close();
        }
      },
      cancel(reason) {
        finish({ inputTokens: 0, outputTokens: 0 }, CANCELLED);
        return reader.cancel(reason);
      },
    });
  }
}

/** An embedding model that is a fallback chain of embedding models. */
export class ResilientEmbeddingModel implements EmbeddingModelV3 {
  readonly specificationVersion = 'v3';
  readonly provider = 'polett';
  readonly modelId: string;
  readonly maxEmbeddingsPerCall: number | undefined;
  readonly supportsParallelCalls = true;

  constructor(
    private readonly links: ChainLink<EmbeddingModelV3>[],
    private readonly context: ChainContext,
    maxEmbeddingsPerCall?: number,
  ) {
    this.modelId = links.map((link) => link.alias).join('>') || '(none)';
    this.maxEmbeddingsPerCall = maxEmbeddingsPerCall;
  }

  doEmbed(options: Parameters<EmbeddingModelV3['doEmbed']>[0]) {
    return runChain(
      this.links,
      this.context,
      options.abortSignal,
      (link, signal) => link.model.doEmbed({ ...options, abortSignal: signal }),
      (result) => ({ inputTokens: result.usage?.tokens ?? 0, outputTokens: 0 }),
    );
  }
}

/** A reranking model that is a fallback chain of reranking models. */
export class ResilientRerankingModel implements RerankingModelV3 {
  readonly specificationVersion = 'v3';
  readonly provider = 'polett';
  readonly modelId: string;

  constructor(
    private readonly links: ChainLink<RerankingModelV3>[],
    private readonly context: ChainContext,
  ) {
    this.modelId = links.map((link) => link.alias).join('>') || '(none)';
  }

  doRerank(options: Parameters<RerankingModelV3['doRerank']>[0]) {
    return runChain(
      this.links,
      this.context,
      options.abortSignal,
      (link, signal) => link.model.doRerank({ ...options, abortSignal: signal }),
      () => ({ inputTokens: 0, outputTokens: 0 }),
    );
  }
}

/** A classification model that is a fallback chain of classification models. */
export class ResilientClassificationModel implements ClassificationModel {
  readonly provider = 'polett';
  readonly modelId: string;

  constructor(
    private readonly links: ChainLink<ClassificationModel>[],
    private readonly context: ChainContext,
  ) {
    this.modelId = links.map((link) => link.alias).join('>') || '(none)';
  }

  doClassify(options: ClassificationCallOptions): Promise<{ scores: ClassificationScore[] }> {
    return runChain(
      this.links,
      this.context,
      options.abortSignal,
      (link, signal) => link.model.doClassify({ ...options, abortSignal: signal }),
      () => ({ inputTokens: 0, outputTokens: 0 }),
    );
  }

  /**
   * The whole batch goes to one link: a failure falls back to the next link with every text. The
   * timeout bounds the time between texts done, so a chat model that answers text by text is given
   * as long per text as for one `doClassify`.
   */
  async doClassifyBatch(
    options: ClassificationBatchCallOptions,
  ): Promise<{ results: ClassificationScore[][] }> {
    const results = await runChain(
      this.links,
      this.context,
      options.abortSignal,
      (link, signal, markActivity) =>
        classifyTexts(link.model, {
          ...options,
          abortSignal: signal,
          onProgress: (done) => {
            markActivity();
            options.onProgress?.(done);
          },
        }),
      () => ({ inputTokens: 0, outputTokens: 0 }),
    );
    return { results };
  }
}
