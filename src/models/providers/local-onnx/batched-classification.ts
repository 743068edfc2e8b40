/**
 * Many texts through a sequence classifier in few forward passes. transformers.js's
 * text-classification pipeline pads a batch to its longest text, and its zero-shot pipeline runs
 * one forward pass per (text, hypothesis) pair. Here each text (or pair) is tokenised once on its
 * own, the texts are ordered by token count and cut into batches of similar length, so that
 * padding stays small, and each batch is one `session.run`. The padded positions get a 0 in the
 * attention mask, so every text's logits are those it gets alone (to float rounding), and so are
 * its scores: the same softmax, sigmoid and entailment rules as the pipelines.
 */
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers';
import type { ClassificationScore } from '../../types.js';

type TensorConstructor = typeof import('@huggingface/transformers').Tensor;

/** What a batched call needs from a loaded pipeline. */
export interface SequenceClassifier {
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
  /** transformers.js's Tensor class, to build the padded inputs. */
  Tensor: TensorConstructor;
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

/** The logits of every sequence, in the order given, computed batch by batch. */
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
  );
  let sequencesDone = 0;
  for (const batch of plan) {
    signal?.throwIfAborted();
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
    const dims = [batch.length, width];
    const output = (await classifier.model({
      input_ids: new classifier.Tensor('int64', inputIds, dims),
      attention_mask: new classifier.Tensor('int64', attentionMask, dims),
      ...(tokenTypeIds ? { token_type_ids: new classifier.Tensor('int64', tokenTypeIds, dims) } : {}),
    })) as { logits: Tensor };
    const data = output.logits.data as Float32Array;
    const labelCount = output.logits.dims.at(-1) ?? 1;
    batch.forEach((index, row) => {
      logits[index] = data.slice(row * labelCount, (row + 1) * labelCount);
    });
    sequencesDone += batch.length;
    onBatchDone?.(sequencesDone);
  }
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

interface ClassifierConfig {
  problem_type?: string;
  id2label?: Record<string, string>;
  label2id?: Record<string, number>;
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
  const config = classifier.model.config as ClassifierConfig;
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
  const { entailment, contradiction } = entailmentIndices(classifier.model.config as ClassifierConfig);
  const eachOnItsOwn = options.multiLabel || labels.length === 1;
  return texts.map((_, textIndex) => {
    const rows = logits.slice(textIndex * labels.length, (textIndex + 1) * labels.length);
    const scores = eachOnItsOwn
      ? rows.map((row) => softmax([row[contradiction]!, row[entailment]!])[1]!)
      : softmax(rows.map((row) => row[entailment]!));
    return sortedByScore(labels.map((label, index) => ({ label, score: scores[index] ?? 0 })));
  });
}
