/**
 * The contract every model provider implements. Generation, embeddings and reranking use the AI
 * SDK's v3 specifications (`LanguageModelV3`, `EmbeddingModelV3`, `RerankingModelV3`) so that the
 * SDK's own `generateText`, `streamText`, `generateObject`, `embedMany` and `rerank` work the same
 * over remote APIs and local runtimes. Classification and token counting have no SDK contract, so
 * Polett defines them here.
 */
import type { EmbeddingModelV3, LanguageModelV3, RerankingModelV3 } from '@ai-sdk/provider';

export type { EmbeddingModelV3, LanguageModelV3, RerankingModelV3 };

/** What a model can be assigned to in the configuration. */
export const MODEL_TASKS = ['chat', 'embed', 'rerank', 'classify'] as const;
export type ModelTask = (typeof MODEL_TASKS)[number];

export const PROVIDER_TYPES = ['openai-compatible', 'anthropic', 'local-gguf', 'local-onnx'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

export interface ClassificationScore {
  label: string;
  /** Probability-like score in [0, 1]. */
  score: number;
}

export interface ClassificationCallOptions {
  text: string;
  /** Candidate labels. Empty means the model's own labels (a fine-tuned classifier). */
  labels: string[];
  /** Several labels may be true at once (scores are then independent). */
  multiLabel?: boolean;
  /** Zero-shot hypothesis, with `{}` where the label goes. */
  hypothesisTemplate?: string;
  abortSignal?: AbortSignal;
}

/** Many texts with the same labels and settings. */
export interface ClassificationBatchCallOptions extends Omit<ClassificationCallOptions, 'text'> {
  texts: string[];
  /** Called as texts are done (a count so far), after each batch or each text. */
  onProgress?: (done: number) => void;
}

/** Classifies one text: with a fine-tuned head, zero-shot by entailment, or by a chat model. */
export interface ClassificationModel {
  readonly provider: string;
  readonly modelId: string;
  doClassify(options: ClassificationCallOptions): Promise<{ scores: ClassificationScore[] }>;
  /**
   * Classifies many texts at once, each result what `doClassify` gives for that text, in the
   * order given. Models that gain from batching (local encoders) implement it; for the others
   * `classifyTexts` calls `doClassify` per text.
   */
  doClassifyBatch?(options: ClassificationBatchCallOptions): Promise<{ results: ClassificationScore[][] }>;
}

/** Counts (and where possible shows) the tokens of a text as a model sees them. */
export interface TokenCounter {
  readonly provider: string;
  readonly modelId: string;
  /** Name of the tokenizer, for display (`o200k_base`, `llama-bpe`, `gguf:<file>`...). */
  readonly tokenizerName: string;
  countTokens(text: string): Promise<number>;
  encode?(text: string): Promise<number[]>;
}

/**
 * One configured provider. Each method returns `undefined` when the provider cannot serve that kind
 * of model, so that the registry can say so in one sentence instead of failing deep inside a call.
 */
export interface ModelProvider {
  /** The name the configuration gives this provider (`openai`, `local`...). */
  readonly name: string;
  readonly type: ProviderType;
  /** True when requests leave this machine: PII is then redacted where configured. */
  readonly remote: boolean;
  languageModel(modelId: string): LanguageModelV3 | undefined;
  embeddingModel(modelId: string): EmbeddingModelV3 | undefined;
  rerankingModel(modelId: string): RerankingModelV3 | undefined;
  classificationModel(modelId: string): ClassificationModel | undefined;
  tokenCounter(modelId: string): TokenCounter | undefined;
  /** Frees native resources (loaded weights, contexts). */
  close?(): Promise<void>;
}
