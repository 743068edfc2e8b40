/**
 * Many texts through a sequence classifier in few forward passes. transformers.js's
 * text-classification pipeline pads a batch to its longest text, and its zero-shot pipeline runs
 * one forward pass per (text, hypothesis) pair. Here each text (or pair) is tokenised once on its
 * own, the texts are ordered by token count and cut into batches of similar length, so that
 * padding stays small, and each batch is one forward pass. The padded positions get a 0 in the
 * attention mask, so every text's logits are those it gets alone (to float rounding), and so are
 * its scores: the same softmax, sigmoid and entailment rules as the pipelines.
 *
 * The forward passes run on `ClassifierThreads`: worker threads with a session each, so that the
 * main thread (a server's event loop) is never blocked for a batch, and two batches run at once.
 */
import { Worker } from 'node:worker_threads';
import type { PreTrainedTokenizer, Tensor } from '@huggingface/transformers';
import type { ClassificationScore } from '../../types.js';
import type {
  ClassifierThreadReply,
  ClassifierThreadRequest,
  ClassifierThreadSetup,
} from './batched-classification-thread.js';

/** One padded batch for a forward pass: row-major [rows, width]. */
export interface PaddedBatch {
  dims: [number, number];
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds?: BigInt64Array | undefined;
}

/** A batch's logits, row-major [rows, labelCount]. */
export interface BatchLogits {
  logits: Float32Array;
  labelCount: number;
}

/** A sequence classifier's config, as far as scoring reads it. */
export interface ClassifierConfig {
  problem_type?: string;
  id2label?: Record<string, string>;
  label2id?: Record<string, number>;
}

/** What a batched call needs: the model's tokenizer and config, and a way to run forward passes. */
export interface SequenceClassifier {
  tokenizer: PreTrainedTokenizer;
  config: ClassifierConfig;
  forward(batch: PaddedBatch): Promise<BatchLogits>;
  /** How many forward passes may be in flight at once. */
  parallelism: number;
}

/** The caller's hooks: an abort signal, checked between batches, and progress in texts done. */
export interface BatchCallHooks {
  signal?: AbortSignal | undefined;
  onProgress?: ((textsDone: number) => void) | undefined;
}

export interface BatchLimits {
  /** Texts per forward pass at most. */
  batchSize: number;
  /** Padded tokens per forward pass at most (texts × longest text): bounds memory for long texts. */
  maxBatchTokens: number;
  /**
   * The share of a batch's tokens that may be padding. Padding is computed like any token (and
   * attention grows with the square of the length), so a short text in a batch of long ones costs
   * what a long one does: without this bound, batching is slower than one text at a time.
   */
  maxPaddingShare: number;
}

/** How to load a classifier's sessions on threads. */
export interface ClassifierThreadsOptions {
  folder: string;
  /** transformers.js's dtype: which weight file to load. */
  dtype: string;
  /** Sessions, one thread each: batches running at once. */
  sessions: number;
  /** onnxruntime's operator threads inside each session. */
  intraOpThreads: number;
}

interface ClassifierThread {
  worker: Worker;
  exited: boolean;
  /** The call it is running, if any. */
  running: { resolve: (logits: BatchLogits) => void; reject: (error: Error) => void } | undefined;
}

/** The worker's script: the compiled `.js` beside this file, or the `.ts` source through tsx (tests, `tsx` runs). */
function startClassifierWorker(setup: ClassifierThreadSetup): Worker {
  const compiled = import.meta.url.endsWith('.js');
  const script = new URL(`./batched-classification-thread.${compiled ? 'js' : 'ts'}`, import.meta.url);
  if (compiled) return new Worker(script, { workerData: setup });
  return new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(script.href)}); });`,
    { eval: true, workerData: setup },
  );
}

/** A session that did not load in its thread: the model's files (the thread itself started). */
export class ClassifierLoadError extends Error {}

/**
 * Sessions of one sequence classifier, each on its own worker thread, that run padded batches:
 * a batch goes to an idle thread, or waits for one. An idle pool does not keep the process alive;
 * `close()` frees the sessions and ends the threads.
 */
export class ClassifierThreads {
  private readonly waiting: Array<{
    batch: PaddedBatch;
    resolve: (logits: BatchLogits) => void;
    reject: (error: Error) => void;
  }> = [];
  private failure: Error | undefined;
  private closed = false;

  private constructor(private readonly threads: ClassifierThread[]) {
    for (const thread of threads) this.watch(thread);
  }

  /** Starts the threads; resolves once every session has loaded, rejects with the first load error. */
  static async start(options: ClassifierThreadsOptions): Promise<ClassifierThreads> {
    const setup: ClassifierThreadSetup = {
      folder: options.folder,
      dtype: options.dtype,
      intraOpThreads: options.intraOpThreads,
    };
    const workers = Array.from({ length: Math.max(1, options.sessions) }, () => startClassifierWorker(setup));
    // The pool watches its threads from the start: a thread that dies while another still loads
    // (memory peaks then, two copies of the weights at once) marks the pool failed instead of
    // crashing the process with an unhandled 'error' or leaving a dead thread to take batches.
    const pool = new ClassifierThreads(
      workers.map((worker) => ({ worker, exited: false, running: undefined })),
    );
    const loads = workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          const onMessage = (message: 'ready' | { loadError: string }): void => {
            worker.off('error', onError);
            worker.off('exit', onExit);
            if (message === 'ready') resolve();
            else reject(new ClassifierLoadError(message.loadError));
          };
          const onError = (error: Error): void => {
            worker.off('message', onMessage);
            worker.off('exit', onExit);
            reject(error);
          };
          const onExit = (code: number): void => {
            worker.off('message', onMessage);
            worker.off('error', onError);
            reject(new Error(`The classifier thread ended while loading (exit code ${code}).`));
          };
          worker.once('message', onMessage);
          worker.once('error', onError);
          worker.once('exit', onExit);
        }),
    );
    const settled = await Promise.allSettled(loads);
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) {
      await pool.close();
      throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    }
    for (const worker of workers) worker.unref();
    return pool;
  }

  get parallelism(): number {
    return this.threads.length;
  }

  /** True once a thread has failed: the pool runs nothing more and should be closed and replaced. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  forward(batch: PaddedBatch): Promise<BatchLogits> {
    return new Promise<BatchLogits>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      if (this.closed) return reject(new Error('The classifier threads are closed.'));
      this.waiting.push({ batch, resolve, reject });
      this.dispatch();
    });
  }

  /** Frees every session and ends the threads; waits until they have ended. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new Error('The classifier threads are closed.'));
    await Promise.all(
      this.threads.map(async (thread) => {
        if (thread.exited) return;
        const { worker } = thread;
        const ended = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        worker.postMessage('close');
        // A thread that does not end by itself within a few seconds is stopped.
        const timer = setTimeout(() => void worker.terminate(), 5000);
        await ended;
        clearTimeout(timer);
      }),
    );
  }

  private dispatch(): void {
    for (const thread of this.threads) {
      if (thread.running !== undefined) continue;
      const next = this.waiting.shift();
      if (next === undefined) return;
      thread.running = { resolve: next.resolve, reject: next.reject };
      // Referenced while it works: a caller awaiting a batch keeps the process alive.
      thread.worker.ref();
      const request: ClassifierThreadRequest = { id: 0, ...next.batch };
      const transfer = [next.batch.inputIds.buffer, next.batch.attentionMask.buffer];
      if (next.batch.tokenTypeIds) transfer.push(next.batch.tokenTypeIds.buffer);
      thread.worker.postMessage(request, transfer as ArrayBuffer[]);
    }
  }

  private watch(thread: ClassifierThread): void {
    thread.worker.on('message', (reply: ClassifierThreadReply | 'ready' | { loadError: string }) => {
      // The load's own messages are `start`'s to read.
      if (reply === 'ready' || 'loadError' in reply) return;
      const running = thread.running;
      thread.running = undefined;
      thread.worker.unref();
      if (running) {
        if ('error' in reply) running.reject(new Error(reply.error));
        else running.resolve({ logits: reply.logits, labelCount: reply.labelCount });
      }
      this.dispatch();
    });
    const fail = (error: Error): void => {
      if (this.closed) return;
      this.failure ??= error;
      this.failAll(this.failure);
    };
    thread.worker.on('error', fail);
    thread.worker.on('exit', (code) => {
      thread.exited = true;
      fail(new Error(`A classifier thread ended (exit code ${code}).`));
    });
  }

  private failAll(error: Error): void {
    for (const thread of this.threads) {
      thread.running?.reject(error);
      thread.running = undefined;
    }
    for (const waiting of this.waiting.splice(0)) waiting.reject(error);
  }
}

/** One tokenised sequence, without padding. */
interface EncodedSequence {
  inputIds: BigInt64Array;
  tokenTypeIds: BigInt64Array | undefined;
}

function encode(tokenizer: PreTrainedTokenizer, text: string, pair?: string): EncodedSequence {
  // The pipelines' own tokenisation: truncation to the model's maximum length, special tokens added.
  const encoded = tokenizer(text, { truncation: true, ...(pair === undefined ? {} : { text_pair: pair }) });
  return {
    inputIds: encoded.input_ids.data as BigInt64Array,
    tokenTypeIds: (encoded.token_type_ids as Tensor | undefined)?.data as BigInt64Array | undefined,
  };
}

/**
 * Orders sequences by length and groups those of similar length: a batch ends when it holds
 * `batchSize` sequences, or when one more would make its padded size exceed `maxBatchTokens` or
 * its padding exceed `maxPaddingShare` of it. Returns indices into `lengths`.
 */
export function planBatches(lengths: readonly number[], limits: BatchLimits): number[][] {
  const order = lengths.map((_, index) => index).sort((first, second) => lengths[first]! - lengths[second]!);
  const batches: number[][] = [];
  let current: number[] = [];
  let currentTokens = 0;
  for (const index of order) {
    const length = lengths[index]!;
    // Sorted ascending, so this sequence is the batch's longest if it joins.
    const paddedSize = (current.length + 1) * length;
    const padding = paddedSize - (currentTokens + length);
    if (
      current.length > 0 &&
      (current.length >= limits.batchSize ||
        paddedSize > limits.maxBatchTokens ||
        padding > limits.maxPaddingShare * paddedSize)
    ) {
      batches.push(current);
      current = [];
      currentTokens = 0;
    }
    current.push(index);
    currentTokens += length;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * The logits of every sequence, in the order given, computed batch by batch: as many batches in
 * flight as the classifier allows, the longest first, so that no thread is left with a long batch
 * while the others are idle at the end.
 */
async function logitsOf(
  classifier: SequenceClassifier,
  sequences: readonly EncodedSequence[],
  limits: BatchLimits,
  signal: AbortSignal | undefined,
  onBatchDone: ((sequencesDone: number) => void) | undefined,
): Promise<Float32Array[]> {
  const padId = BigInt(classifier.tokenizer.pad_token_id ?? 0);
  const logits: Float32Array[] = new Array<Float32Array>(sequences.length);
  const plan = planBatches(
    sequences.map((sequence) => sequence.inputIds.length),
    limits,
  ).reverse();
  let nextBatch = 0;
  let sequencesDone = 0;
  let failed = false;
  const runBatches = async (): Promise<void> => {
    while (nextBatch < plan.length && !failed) {
      signal?.throwIfAborted();
      const batch = plan[nextBatch]!;
      nextBatch += 1;
      const width = Math.max(...batch.map((index) => sequences[index]!.inputIds.length));
      const inputIds = new BigInt64Array(batch.length * width).fill(padId);
      const attentionMask = new BigInt64Array(batch.length * width);
      const withTypes = sequences[batch[0]!]!.tokenTypeIds !== undefined;
      const tokenTypeIds = withTypes ? new BigInt64Array(batch.length * width) : undefined;
      batch.forEach((index, row) => {
        const sequence = sequences[index]!;
        // Right padding, as the tokenizer pads: real tokens keep their positions 0..n-1.
        inputIds.set(sequence.inputIds, row * width);
        attentionMask.fill(1n, row * width, row * width + sequence.inputIds.length);
        if (tokenTypeIds && sequence.tokenTypeIds) tokenTypeIds.set(sequence.tokenTypeIds, row * width);
      });
      const output = await classifier.forward({
        dims: [batch.length, width],
        inputIds,
        attentionMask,
        tokenTypeIds,
      });
      batch.forEach((index, row) => {
        logits[index] = output.logits.slice(row * output.labelCount, (row + 1) * output.labelCount);
      });
      sequencesDone += batch.length;
      onBatchDone?.(sequencesDone);
    }
  };
  const runners = Array.from({ length: Math.max(1, Math.min(classifier.parallelism, plan.length)) }, () =>
    runBatches().catch((error: unknown) => {
      // The other runners stop taking batches; the first error is the call's.
      failed = true;
      throw error;
    }),
  );
  await Promise.all(runners);
  return logits;
}

function softmax(values: ArrayLike<number>): number[] {
  let largest = -Infinity;
  for (let index = 0; index < values.length; index += 1) largest = Math.max(largest, values[index]!);
  const exponentials = Array.from(values, (value) => Math.exp(value - largest));
  const sum = exponentials.reduce((total, value) => total + value, 0);
  return exponentials.map((value) => value / sum);
}

function sigmoid(value: number): number {
  return 1 / (1 + Math.exp(-value));
}

function sortedByScore(scores: ClassificationScore[]): ClassificationScore[] {
  return scores.sort((first, second) => second.score - first.score);
}

/**
 * Every text scored against the model's own labels, best first: softmax over the logits, or a
 * sigmoid per label when the config's problem_type is multi-label, as the text-classification
 * pipeline does.
 */
export async function classifyWithOwnLabels(
  classifier: SequenceClassifier,
  texts: readonly string[],
  limits: BatchLimits,
  hooks: BatchCallHooks = {},
): Promise<ClassificationScore[][]> {
  const { config } = classifier;
  const sequences = texts.map((text) => encode(classifier.tokenizer, text));
  const logits = await logitsOf(classifier, sequences, limits, hooks.signal, hooks.onProgress);
  return logits.map((row) => {
    const scores =
      config.problem_type === 'multi_label_classification' ? Array.from(row, sigmoid) : softmax(row);
    return sortedByScore(
      scores.map((score, index) => ({ label: String(config.id2label?.[index] ?? `LABEL_${index}`), score })),
    );
  });
}

/** Where the NLI model keeps entailment and contradiction, found as the zero-shot pipeline finds them. */
function entailmentIndices(config: ClassifierConfig): { entailment: number; contradiction: number } {
  const label2id = Object.fromEntries(
    Object.entries(config.label2id ?? {}).map(([label, index]) => [label.toLowerCase(), index]),
  );
  return {
    entailment: label2id.entailment ?? 2,
    contradiction: label2id.contradiction ?? label2id.not_entailment ?? 0,
  };
}

/**
 * Zero-shot: every (text, hypothesis) pair is one sequence, all pairs of all texts batched
 * together. Scores as the zero-shot pipeline gives them: a softmax of the entailment logits over
 * the labels, or, for several true labels (or a single label), entailment against contradiction per
 * label.
 */
export async function classifyZeroShot(
  classifier: SequenceClassifier,
  texts: readonly string[],
  options: { labels: readonly string[]; hypothesisTemplate: string; multiLabel: boolean },
  limits: BatchLimits,
  hooks: BatchCallHooks = {},
): Promise<ClassificationScore[][]> {
  const { labels } = options;
  const hypotheses = labels.map((label) => options.hypothesisTemplate.replace('{}', label));
  const sequences = texts.flatMap((text) =>
    hypotheses.map((hypothesis) => encode(classifier.tokenizer, text, hypothesis)),
  );
  // Progress counts texts: the pairs done so far, over the pairs each text has.
  const logits = await logitsOf(classifier, sequences, limits, hooks.signal, (pairsDone) =>
    hooks.onProgress?.(Math.floor(pairsDone / labels.length)),
  );
  const { entailment, contradiction } = entailmentIndices(classifier.config);
  const eachOnItsOwn = options.multiLabel || labels.length === 1;
  return texts.map((_, textIndex) => {
    const rows = logits.slice(textIndex * labels.length, (textIndex + 1) * labels.length);
    const scores = eachOnItsOwn
      ? rows.map((row) => softmax([row[contradiction]!, row[entailment]!])[1]!)
      : softmax(rows.map((row) => row[entailment]!));
    return sortedByScore(labels.map((label, index) => ({ label, score: scores[index] ?? 0 })));
  });
}
