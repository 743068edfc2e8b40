/**
 * Zero-shot classification with a GGUF chat model, scored from the model's own token
 * probabilities rather than from one sampled answer.
 *
 * Single label: the chat asks for one label from the list; each label's probability as the answer
 * is P(label tokens | prompt), computed by feeding the label after the prompt (teacher forcing),
 * and the scores are those probabilities normalised over the labels. This is what a grammar that
 * only allows the labels would sample from, but measured for every label at once.
 * Multi-label: one yes/no question per label; the score is P(yes) / (P(yes) + P(no)).
 * Cost: one short evaluation per label after a shared, cached prompt prefix.
 */
import type { ChatHistoryItem, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import { PolettError } from '../../../errors.js';
import type { ClassificationCallOptions, ClassificationModel, ClassificationScore } from '../../types.js';
import type { GgufRuntime, LoadedGgufModel } from './gguf-runtime.js';
import { inputTooLongError } from './model-files.js';

/** A probability never reported (outside the returned candidates) counts as this, not as zero. */
const PROBABILITY_FLOOR = 1e-12;
/** Raw next-token probabilities: no temperature and no candidate cut-off. */
const RAW_PROBABILITIES = { temperature: 1, topK: 0, topP: 1, minP: 0 } as const;

export class LocalGgufClassificationModel implements ClassificationModel {
  constructor(
    readonly provider: string,
    readonly modelId: string,
    private readonly runtime: GgufRuntime,
  ) {}

  async doClassify(options: ClassificationCallOptions): Promise<{ scores: ClassificationScore[] }> {
    const labels = [...new Set(options.labels)];
    if (labels.length === 0) {
      throw new PolettError({
        code: 'labels_required',
        status: 400,
        field: 'labels',
        message: {
          sv: 'En chattmodell har inga egna etiketter att klassificera med. Ange minst en etikett.',
          en: 'A chat model has no labels of its own to classify with. Give at least one label.',
        },
      });
    }
    const loaded = await this.runtime.load(this.modelId);
    const pool = await loaded.sequences();
    return pool.use(options.abortSignal, async (chat) => {
      const scores = options.multiLabel
        ? await this.scoreEachLabel(loaded, chat.sequence, options.text, labels, options)
        : await this.scoreOneOfLabels(loaded, chat.sequence, options.text, labels, options.abortSignal);
      return { scores };
    });
  }

  private async scoreOneOfLabels(
    loaded: LoadedGgufModel,
    sequence: LlamaContextSequence,
    text: string,
    labels: string[],
    signal: AbortSignal | undefined,
  ): Promise<ClassificationScore[]> {
    const prompt = this.renderPrompt(loaded, [
      {
        type: 'system',
        text: `Classify the text into exactly one of these labels:\n${labels.map((label) => `- ${label}`).join('\n')}\nAnswer with the label only.`,
      },
      { type: 'user', text },
    ]);
    const model = loaded.model;
    // When one label starts another ("pos", "positive"), the end of the answer must count too.
    const endToken = model.tokens.eot ?? model.tokens.eos;
    const needsEnd = labels.some((label) =>
      labels.some((other) => other !== label && other.startsWith(label)),
    );
    const logProbabilities: number[] = [];
    for (const label of labels) {
      signal?.throwIfAborted();
      const continuation = model.tokenize(label, false);
      if (needsEnd && endToken !== null) continuation.push(endToken);
      logProbabilities.push(await logProbabilityOfContinuation(sequence, prompt, continuation));
    }
    const maximum = Math.max(...logProbabilities);
    const weights = logProbabilities.map((value) => Math.exp(value - maximum));
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    return labels
      .map((label, index) => ({ label, score: (weights[index] ?? 0) / total }))
      .sort((left, right) => right.score - left.score);
  }

  private async scoreEachLabel(
    loaded: LoadedGgufModel,
    sequence: LlamaContextSequence,
    text: string,
    labels: string[],
    options: ClassificationCallOptions,
  ): Promise<ClassificationScore[]> {
    const model = loaded.model;
    const yesTokens = firstTokens(model, ['yes', 'Yes']);
    const noTokens = firstTokens(model, ['no', 'No']);
    const scores: ClassificationScore[] = [];
    for (const label of labels) {
      options.abortSignal?.throwIfAborted();
      const question =
        options.hypothesisTemplate === undefined
          ? `Does the label "${label}" apply to this text?`
          : `Is this statement true for the text: "${options.hypothesisTemplate.replaceAll('{}', label)}"?`;
      // The text comes first so that every label's prompt shares it as a cached prefix.
      const prompt = this.renderPrompt(loaded, [
        { type: 'system', text: 'Read the text, then answer the question with yes or no.' },
        { type: 'user', text: `Text:\n${text}\n\n${question}` },
      ]);
      const probabilities = await nextTokenProbabilities(sequence, prompt);
      const yes = sumProbabilities(probabilities, yesTokens);
      const no = sumProbabilities(probabilities, noTokens);
      scores.push({ label, score: yes + no === 0 ? 0.5 : yes / (yes + no) });
    }
    return scores.sort((left, right) => right.score - left.score);
  }

  private renderPrompt(loaded: LoadedGgufModel, history: ChatHistoryItem[]): Token[] {
    const tokens = loaded.chatWrapper
      .generateContextState({ chatHistory: [...history, { type: 'model', response: [] }] })
      .contextText.tokenize(loaded.model.tokenizer);
    if (tokens.length + 16 >= loaded.contextSize)
      throw inputTooLongError(this.modelId, tokens.length, loaded.contextSize);
    return tokens;
  }
}

function firstTokens(model: LlamaModel, words: string[]): Set<Token> {
  const tokens = new Set<Token>();
  for (const word of words) {
    const [first] = model.tokenize(word, false);
    if (first !== undefined) tokens.add(first);
  }
  return tokens;
}

function sumProbabilities(probabilities: Map<Token, number>, tokens: Set<Token>): number {
  let sum = 0;
  for (const token of tokens) sum += probabilities.get(token) ?? 0;
  return sum;
}

/**
 * Puts `tokens` in the sequence, keeping the prefix it already holds (a shared system prompt or
 * text is not evaluated again) but always evaluating from `lastNeeded` on, whose outputs are wanted.
 */
async function prepareSequence(
  sequence: LlamaContextSequence,
  tokens: Token[],
  lastNeeded: number,
): Promise<number> {
  const existing = sequence.contextTokens;
  let common = 0;
  while (common < existing.length && common < lastNeeded && existing[common] === tokens[common]) common += 1;
  if (common < sequence.nextTokenIndex) {
    await sequence.eraseContextTokenRanges([{ start: common, end: sequence.nextTokenIndex }]);
  }
  return common;
}

async function nextTokenProbabilities(
  sequence: LlamaContextSequence,
  prompt: Token[],
): Promise<Map<Token, number>> {
  const start = await prepareSequence(sequence, prompt, prompt.length - 1);
  const input = prompt
    .slice(start)
    .map((token, index) =>
      start + index === prompt.length - 1
        ? ([token, { generateNext: { probabilities: true, options: RAW_PROBABILITIES } }] as const)
        : token,
    );
  const outputs = await sequence.controlledEvaluate(
    input as Parameters<LlamaContextSequence['controlledEvaluate']>[0],
  );
  return outputs.at(-1)?.next.probabilities ?? new Map();
}

/** log P(continuation | prompt): the sum of each continuation token's log-probability in place. */
async function logProbabilityOfContinuation(
  sequence: LlamaContextSequence,
  prompt: Token[],
  continuation: Token[],
): Promise<number> {
  const tokens = [...prompt, ...continuation];
  const start = await prepareSequence(sequence, tokens, prompt.length - 1);
  const firstScored = prompt.length - 1;
  const input = tokens.slice(start).map((token, index) => {
    const position = start + index;
    return position >= firstScored && position < tokens.length - 1
      ? ([token, { generateNext: { probabilities: true, options: RAW_PROBABILITIES } }] as const)
      : token;
  });
  const outputs = await sequence.controlledEvaluate(
    input as Parameters<LlamaContextSequence['controlledEvaluate']>[0],
  );
  let logProbability = 0;
  for (let position = firstScored; position < tokens.length - 1; position += 1) {
    const next = tokens[position + 1];
    const probability =
      next === undefined ? undefined : outputs[position - start]?.next.probabilities?.get(next);
    logProbability += Math.log(Math.max(probability ?? 0, PROBABILITY_FLOOR));
  }
  return logProbability;
}
