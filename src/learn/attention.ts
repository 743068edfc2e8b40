/**
 * Self-attention made visible: a local GGUF model's tokens for a text, the attention weights of
 * every layer and head from the TypeScript forward pass, and the most probable next tokens.
 */
import { statSync } from 'node:fs';
import { PolettError } from '../errors.js';
import { MODEL_CATALOGUE, pullReferenceFor, type CatalogueEntry } from '../models/catalogue.js';
import {
  GgufTransformer,
  softmax,
  topTokens,
  transformerProblem,
  type TransformerShape,
} from './gguf-transformer.js';
import { ggufTokenPieces, loadGgufVocabulary, type LocalTokenizerModel } from './tokenizers.js';
import type { TokenPiece } from './token-pieces.js';

/** At most this many tokens go through the forward pass: enough for a sentence or two, seconds on a CPU. */
export const MAX_ATTENTION_TOKENS = 64;

export interface AttentionResult {
  model: string;
  shape: Pick<
    TransformerShape,
    'architecture' | 'layerCount' | 'headCount' | 'keyValueHeadCount' | 'embeddingLength' | 'vocabularySize'
  >;
  tokens: TokenPiece[];
  /** True when the text had more tokens than `MAX_ATTENTION_TOKENS` and was cut. */
  truncated: boolean;
  /** `attention[layer][head]`: `tokens.length²` weights, row i = how much token i looks at each token. */
  attention: Float32Array[][];
  next: Array<{ token: TokenPiece; probability: number }>;
  milliseconds: number;
}

/** The catalogue model the Learn page suggests for attention (a GGUF the forward pass reads). */
export function learnAttentionCatalogueEntry(): CatalogueEntry {
  const entry = MODEL_CATALOGUE.find(
    (candidate) => candidate.purpose === 'learn-attention' && candidate.format === 'gguf',
  );
  if (entry === undefined) throw new Error('the catalogue names no GGUF model for the Learn page');
  return entry;
}

/** The error when no local model is there, naming the catalogue model and how to pull it. */
export function noAttentionModelError(): PolettError {
  const entry = learnAttentionCatalogueEntry();
  const reference = pullReferenceFor(entry);
  return new PolettError({
    code: 'learn_model_missing',
    status: 409,
    message: {
      sv: `Det finns ingen lokal GGUF-modell att visa uppmärksamheten i. Hämta den lilla ${entry.parameters}-modellen (${entry.approximateSizeMegabytes} MB) med \`polett models pull ${reference}\` eller från sidan Modeller.`,
      en: `There is no local GGUF model to show attention in. Pull the small ${entry.parameters} model (${entry.approximateSizeMegabytes} MB) with \`polett models pull ${reference}\` or from the Models page.`,
    },
  });
}

/**
 * One model in memory at a time (a 135M model is about 540 MB as float32), and one forward pass
 * at a time: they are CPU-bound, and a second at once would only slow both down.
 */
let loaded: { path: string; transformer: Promise<GgufTransformer> } | undefined;
let queue: Promise<unknown> = Promise.resolve();

function transformerFor(path: string): Promise<GgufTransformer> {
  if (loaded?.path !== path) {
    const transformer = GgufTransformer.load(path);
    loaded = { path, transformer };
    transformer.catch(() => {
      if (loaded?.transformer === transformer) loaded = undefined;
    });
  }
  return loaded.transformer;
}

export interface AttentionModelChoice {
  alias: string;
  path: string;
  /** Why the forward pass cannot run this model; absent when it can. */
  problem?: PolettError;
}

const problems = new Map<string, { modifiedAt: number; problem: PolettError | undefined }>();

/**
 * The local GGUF models with, for each, whether the forward pass runs it (read from the file's
 * header once per file version): a Q4_K_M chat model is listed with the reason it cannot be shown.
 */
export async function attentionModelChoices(
  models: readonly LocalTokenizerModel[],
): Promise<AttentionModelChoice[]> {
  const choices: AttentionModelChoice[] = [];
  for (const model of models) {
    const modifiedAt = statSync(model.path).mtimeMs;
    let known = problems.get(model.path);
    if (known?.modifiedAt !== modifiedAt) {
      known = { modifiedAt, problem: await transformerProblem(model.path) };
      problems.set(model.path, known);
    }
    choices.push(known.problem ? { ...model, problem: known.problem } : { ...model });
  }
  return choices;
}

/** Drops the model kept in memory (tests, and a server that wants the memory back). */
export function forgetAttentionModel(): void {
  loaded = undefined;
}

/**
 * Runs `text` through `model` and returns its tokens, attention and next-token probabilities.
 * The beginning-of-sequence token is put first when the model expects one, as in generation.
 */
export function explainAttention(
  model: LocalTokenizerModel,
  text: string,
  options: { maxTokens?: number; nextCount?: number } = {},
): Promise<AttentionResult> {
  const { maxTokens, nextCount } = { maxTokens: MAX_ATTENTION_TOKENS, nextCount: 10, ...options };
  const run = async (): Promise<AttentionResult> => {
    if (text.trim().length === 0) {
      throw new PolettError({
        code: 'learn_text_empty',
        status: 400,
        field: 'text',
        message: {
          sv: 'Texten är tom. Skriv en mening att visa uppmärksamheten för.',
          en: 'The text is empty. Write a sentence to show the attention for.',
        },
      });
    }
    const startedAt = performance.now();
    const vocabulary = await loadGgufVocabulary(model.path);
    const transformer = await transformerFor(model.path);
    let ids = vocabulary.model.tokenize(text, false).map(Number);
    const beginning = vocabulary.model.tokens.bos;
    if (beginning !== null && vocabulary.model.tokens.shouldPrependBosToken) ids.unshift(Number(beginning));
    const truncated = ids.length > maxTokens;
    if (truncated) ids = ids.slice(0, maxTokens);
    const result = await transformer.forwardYielding(ids);
    const probabilities = softmax(result.logits);
    const next = topTokens(probabilities, nextCount).map(({ tokenId, probability }) => ({
      token: ggufTokenPieces(vocabulary, [tokenId])[0]!,
      probability,
    }));
    const { shape } = transformer;
    return {
      model: model.alias,
      shape: {
        architecture: shape.architecture,
        layerCount: shape.layerCount,
        headCount: shape.headCount,
        keyValueHeadCount: shape.keyValueHeadCount,
        embeddingLength: shape.embeddingLength,
        vocabularySize: shape.vocabularySize,
      },
      tokens: ggufTokenPieces(vocabulary, ids),
      truncated,
      attention: result.attention,
      next,
      milliseconds: Math.round(performance.now() - startedAt),
    };
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}

/**
 * The lower triangle of each head's weights as bytes (0–255 for 0–1), base64: a 30-layer,
 * 9-head model over 64 tokens is half a megabyte this way instead of several as JSON numbers.
 * Row i holds i + 1 values (token i looks at tokens 0…i).
 */
export function encodeAttentionRows(weights: Float32Array, tokenCount: number): string {
  const bytes = new Uint8Array((tokenCount * (tokenCount + 1)) / 2);
  let index = 0;
  for (let row = 0; row < tokenCount; row += 1) {
    for (let column = 0; column <= row; column += 1) {
      bytes[index] = Math.round(Math.min(1, Math.max(0, weights[row * tokenCount + column]!)) * 255);
      index += 1;
    }
  }
  return Buffer.from(bytes).toString('base64');
}
