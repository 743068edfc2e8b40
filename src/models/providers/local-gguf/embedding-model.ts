/** A GGUF model's embeddings as the AI SDK's `EmbeddingModelV3`, through a node-llama-cpp embedding context. */
import type { EmbeddingModelV3, EmbeddingModelV3CallOptions, EmbeddingModelV3Result } from '@ai-sdk/provider';
import type { GgufRuntime } from './gguf-runtime.js';
import { inputTooLongError } from './model-files.js';

export class LocalGgufEmbeddingModel implements EmbeddingModelV3 {
  readonly specificationVersion = 'v3' as const;
  /** One context evaluates one text at a time; this only bounds how long a single call holds it. */
  readonly maxEmbeddingsPerCall = 256;
  /** Parallel calls are safe: they queue on the embedding context. */
  readonly supportsParallelCalls = true;

  constructor(
    readonly provider: string,
    readonly modelId: string,
    private readonly runtime: GgufRuntime,
  ) {}

  /**
   * Vectors are scaled to unit length, so that a dot product is the cosine similarity (what the
   * vector index compares). An empty text is embedded as a single space: a zero vector would make
   * every similarity with it undefined.
   */
  async doEmbed(options: EmbeddingModelV3CallOptions): Promise<EmbeddingModelV3Result> {
    const loaded = await this.runtime.load(this.modelId);
    const context = await loaded.embeddings();
    const embeddings: number[][] = [];
    let tokens = 0;
    for (const value of options.values) {
      options.abortSignal?.throwIfAborted();
      const text = value.length === 0 ? ' ' : value;
      const length = context.calculateInputLength(text);
      if (length >= loaded.contextSize) throw inputTooLongError(this.modelId, length, loaded.contextSize);
      tokens += length;
      const embedding = await context.getEmbeddingFor(text);
      embeddings.push(toUnitLength(embedding.vector));
    }
    return { embeddings, usage: { tokens }, warnings: [] };
  }
}

function toUnitLength(vector: readonly number[]): number[] {
  let sumOfSquares = 0;
  for (const value of vector) sumOfSquares += value * value;
  const length = Math.sqrt(sumOfSquares);
  return length === 0 || !Number.isFinite(length) ? [...vector] : vector.map((value) => value / length);
}
