/**
 * A GGUF reranker as the AI SDK's `RerankingModelV3`, through a node-llama-cpp ranking context.
 * Only models with a ranking head (a `cls.weight`/`cls.output.weight` tensor: bge-reranker,
 * jina-reranker, Qwen3-Reranker...) can rank; any other model fails the call with
 * `model_capability_missing`. Whether a file has the head is only known once it is read, and
 * `rerankingModel()` must answer without loading, so the check happens at the call.
 */
import type { RerankingModelV3, RerankingModelV3CallOptions } from '@ai-sdk/provider';
import type { GgufRuntime } from './gguf-runtime.js';

type RerankResult = Awaited<ReturnType<RerankingModelV3['doRerank']>>;

export class LocalGgufRerankingModel implements RerankingModelV3 {
  readonly specificationVersion = 'v3' as const;

  constructor(
    readonly provider: string,
    readonly modelId: string,
    private readonly runtime: GgufRuntime,
  ) {}

  /** Scores in [0, 1] (the head's sigmoid, or softmax for Qwen3), best first, cut to `topN`. */
  async doRerank(options: RerankingModelV3CallOptions): Promise<RerankResult> {
    const loaded = await this.runtime.load(this.modelId);
    const context = await loaded.ranking();
    options.abortSignal?.throwIfAborted();
    const documents =
      options.documents.type === 'text'
        ? options.documents.values
        : options.documents.values.map((value) => JSON.stringify(value));
    // A document longer than the context is scored by its best-scoring chunk instead of failing.
    const scores = await context.rankAll(options.query, documents, { onOverflow: 'maxChunk' });
    const ranking = scores
      .map((relevanceScore, index) => ({ index, relevanceScore }))
      .sort((left, right) => right.relevanceScore - left.relevanceScore);
    return { ranking: options.topN === undefined ? ranking : ranking.slice(0, options.topN) };
  }
}
